"""The PVC and ConfigMap screens' sections and tables, and a StatefulSet's claims: what a claim
asked for and got (its PV), who mounts it, and who reads a ConfigMap (its key names and sizes,
never its values: those are the `y` view)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from kdash.model.build.storage import ClaimRecord, ConfigMapRecord, VolumeRecord
from kdash.model.cluster import EventRecord
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.relations import StatefulClaim
from kdash.model.timefmt import age
from kdash.model.workloads import WorkloadRecord
from kdash.ui.render.pods import pod_style_class
from kdash.ui.render.table import BLANK, Cell, Column, Row
from kdash.ui.render.text import (
    ERROR_STYLE,
    MUTED_STYLE,
    OK_STYLE,
    WARNING_STYLE,
    age_cell,
    clean,
    ratio,
    safe,
    state_text,
)
from kdash.ui.render.workloads import ready_text

MOUNT_COLUMNS: tuple[Column, ...] = (
    Column("pod", "POD", max_width=60, ident=True),
    Column("volume", "VOLUME", max_width=30),
    Column("ready", "READY", min_width=5),
    Column("status", "STATUS", max_width=24),
    Column("node", "NODE", max_width=30, drop=1),
    Column("age", "AGE", drop=2),
)

USER_COLUMNS: tuple[Column, ...] = (
    Column("kind", "KIND", max_width=12),
    Column("name", "NAME", max_width=60, ident=True),
    Column("ready", "READY", min_width=5, drop=1),
    Column("how", "HOW IT READS IT", min_width=10, flex=True),
)

_PHASE_STYLES = {
    "Bound": OK_STYLE,
    "Available": OK_STYLE,
    "Pending": WARNING_STYLE,
    "Released": WARNING_STYLE,
}


def phase_text(phase: str) -> Text:
    return safe(phase or "Unknown", _PHASE_STYLES.get(phase, ERROR_STYLE))


def _pairs(pairs: Sequence[tuple[str, Text]], width: int = 10) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(width=width, no_wrap=True, style=MUTED_STYLE)
    table.add_column(ratio=1)
    for label, value in pairs:
        table.add_row(Text(label, style=MUTED_STYLE), value)
    return table


def _modes(modes: Sequence[str]) -> Text:
    return safe(", ".join(modes)) if modes else Text("<none>", style=MUTED_STYLE)


def claim_summary(claim: ClaimRecord | None, events: Sequence[EventRecord], now: datetime) -> RenderableType:
    """Status, size asked and got, access modes, class, mode; why a Pending claim waits (its
    newest Warning event)."""
    if claim is None:
        return Text("loading…", style=MUTED_STYLE)
    size = safe(claim.requested or "<none>")
    size.append("  requested", style=MUTED_STYLE)
    if claim.capacity:
        size.append("   ")
        size.append(clean(claim.capacity))
        size.append("  provisioned", style=MUTED_STYLE)
    if not claim.class_set:
        storage_class = Text("<unset>: the cluster's default class", style=MUTED_STYLE)
    elif not claim.storage_class:
        storage_class = Text('"" (no class: binds only to a matching pre-created PV)', style=MUTED_STYLE)
    else:
        storage_class = safe(claim.storage_class)
    access = _modes(claim.access_modes)
    access.append(f"  {clean(claim.volume_mode or 'Filesystem')}", style=MUTED_STYLE)
    pairs = [
        ("Size", size),
        ("Access", access),
        ("Class", storage_class),
        ("Age", Text(age(claim.meta.created, now))),
    ]
    for cond in claim.conditions:
        words = safe(f"{cond.type}={cond.status}", WARNING_STYLE)
        if cond.message:
            words.append("  " + clean(cond.message), style=MUTED_STYLE)
        pairs.append(("Condition", words))
    if claim.phase != "Bound":
        warning = next((e for e in events if e.type == "Warning"), None) or (events[0] if events else None)
        if warning is not None:
            why = safe(warning.reason, WARNING_STYLE)
            why.append("  " + clean(warning.message), style="")
            pairs.append(("Waiting", why))
    return _pairs(pairs)


def volume_section(claim: ClaimRecord | None, volume: VolumeRecord | None) -> RenderableType:
    """The PV the claim is bound to: capacity, access modes, reclaim policy, status, source."""
    if claim is None:
        return Text("loading…", style=MUTED_STYLE)
    if volume is None:
        if claim.volume:
            return Text(f"{clean(claim.volume)} (not found, or not readable)", style=WARNING_STYLE)
        return Text("not bound yet: no PersistentVolume holds this claim", style=WARNING_STYLE)
    reclaim = safe(volume.reclaim_policy or "<unset>")
    if volume.reclaim_policy == "Delete":
        reclaim.append("  deleting the claim deletes the volume and its data", style=WARNING_STYLE)
    elif volume.reclaim_policy == "Retain":
        reclaim.append("  kept after the claim is deleted (reclaimed by hand)", style=MUTED_STYLE)
    status = phase_text(volume.phase)
    if volume.reason or volume.message:
        status.append("  " + clean(f"{volume.reason} {volume.message}".strip()), style=MUTED_STYLE)
    pairs = [
        ("Name", safe(volume.meta.name, "bold")),
        ("Capacity", Text.assemble(safe(volume.capacity or "<unknown>"), "  ", _modes(volume.access_modes))),
        ("Reclaim", reclaim),
        ("Status", status),
        ("Class", safe(volume.storage_class or "<none>")),
        ("Source", safe(volume.source or "<unknown>")),
    ]
    if volume.claim is not None and volume.claim != claim.meta.key:
        pairs.append(("Claim", safe(f"{volume.claim.namespace}/{volume.claim.name}", ERROR_STYLE)))
    return _pairs(pairs)


def mount_row(pod_key: ObjectKey, volume: str, pod: PodRecord | None, now: datetime) -> Row:
    """A pod mounting the claim (`enter` opens it, `l` its logs)."""
    return Row(
        pod_key,
        build=partial(_mount_cells, pod_key, volume, pod, now),
        style_class=pod_style_class(pod) if pod is not None else "muted",
    )


def _mount_cells(pod_key: ObjectKey, volume: str, pod: PodRecord | None, now: datetime) -> tuple[Cell, ...]:
    if pod is None:
        missing = Text("not in view", style=MUTED_STYLE, end="")
        return (
            Cell(pod_key.name, pod_key.name),
            Cell(volume, volume),
            Cell(""),
            Cell(missing),
            Cell(""),
            Cell(""),
        )
    return (
        Cell(pod_key.name, pod_key.name),
        Cell(volume, volume),
        Cell(ratio(pod.ready_count, pod.container_count), pod.ready_count),
        Cell(state_text(pod.status_text or pod.phase or "Unknown"), pod.status_text),
        Cell(pod.node or "<none>", pod.node),
        age_cell(pod.meta.created, now),
    )


def _size(size: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def configmap_summary(cm: ConfigMapRecord | None, users: int | None, now: datetime) -> RenderableType:
    if cm is None:
        return Text("loading…", style=MUTED_STYLE)
    total = sum(k.size for k in cm.keys)
    keys = Text(f"{len(cm.keys)} ({_size(total)})")
    if cm.immutable:
        keys.append("  immutable", style=MUTED_STYLE)
    readers = (
        Text("…", style=MUTED_STYLE)
        if users is None
        else Text("none: no workload reads it", style=WARNING_STYLE)
        if users == 0
        else Text(f"{users} workload{'s' if users != 1 else ''}")
    )
    labels = ", ".join(f"{k}={v}" for k, v in sorted(cm.meta.labels.items()))
    return _pairs(
        [
            ("Keys", keys),
            ("Read by", readers),
            ("Labels", safe(labels) if labels else Text("<none>", style=MUTED_STYLE)),
            ("Age", Text(age(cm.meta.created, now))),
        ]
    )


def keys_section(cm: ConfigMapRecord | None) -> RenderableType:
    """Key names and sizes; values are not shown here (`y` shows the whole object)."""
    if cm is None:
        return Text("loading…", style=MUTED_STYLE)
    if not cm.keys:
        return Text("no keys", style=MUTED_STYLE)
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True, style=MUTED_STYLE)
    table.add_column(no_wrap=True, style=MUTED_STYLE)
    for key in cm.keys:
        table.add_row(safe(key.name), Text(_size(key.size)), Text("binary" if key.binary else ""))
    return table


def user_row(key: ObjectKey, uses: Sequence[str], record: WorkloadRecord | None) -> Row:
    """A workload whose pod template reads the ConfigMap (`enter` opens its pods)."""
    return Row(key, build=partial(_user_cells, key, tuple(uses), record))


def _user_cells(key: ObjectKey, uses: tuple[str, ...], record: WorkloadRecord | None) -> tuple[Cell, ...]:
    ready = Cell(ready_text(record), record.ready) if record is not None else Cell("", BLANK)
    return (Cell(key.kind, key.kind), Cell(key.name, key.name), ready, Cell(", ".join(uses)))


def statefulset_claims_section(claims: Sequence[StatefulClaim], note: Text | None) -> RenderableType:
    """A StatefulSet's claims, one a line: ordinal, name, status, capacity, class, volume; a
    missing one in yellow (its pod cannot start until it is provisioned), leftovers dim."""
    lines: list[Text] = [note] if note is not None else []
    for c in claims:
        line = Text(f"{c.ordinal:>2} ", style=MUTED_STYLE)
        line.append(clean(c.name), style="bold" if not c.extra else MUTED_STYLE)
        line.append("  ")
        if c.claim is None:
            line.append("missing", style=WARNING_STYLE)
        else:
            line.append_text(phase_text(c.claim.phase))
            details = [c.claim.capacity or c.claim.requested, c.claim.storage_class, c.claim.volume]
            line.append("  " + "  ".join(clean(d) for d in details if d), style=MUTED_STYLE)
        if c.extra:
            line.append("  (beyond the replicas: kept from a scale-down)", style=MUTED_STYLE)
        lines.append(line)
    if not lines:
        lines.append(Text("no volumeClaimTemplates", style=MUTED_STYLE))
    return Text("\n").join(lines)
