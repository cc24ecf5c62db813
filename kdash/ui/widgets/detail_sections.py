"""The sections of the pod detail screen, each a pure function from records to a Rich renderable.

Keeping them pure (records and `now` in, renderable out) lets the screen rebuild a section on every
snapshot without any widget state, and lets tests check a section without running an app. Every
cluster string goes through `detail_format` (literal `Text`, control sequences stripped).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from kdash.model.cluster import EventRecord
from kdash.model.findings import Finding
from kdash.model.meta import Condition, Meta, ObjectKey
from kdash.model.pods import ContainerSpec, ContainerStatus, PodRecord, RestartRecord
from kdash.model.snapshot import ClusterSnapshot
from kdash.ui import prose
from kdash.ui.detail_format import (
    BAD,
    DIM,
    OK,
    WARN,
    ago,
    bool_mark,
    condition_status,
    first_line,
    join,
    message_block,
    plain,
    probe_text,
    resources_text,
    state_style,
    state_text,
    termination_text,
)
from kdash.ui.format import clean, severity_text

NONE = Text("none", style=DIM)


def summary_section(pod: PodRecord, now: datetime, *, deleted: bool = False) -> RenderableType:
    """Phase, status, node, IP, QoS, age: the lines `kubectl describe pod` starts with."""
    status = plain(pod.status_text or pod.phase or "Unknown", _status_style(pod))
    if deleted:
        status = Text("deleted", style=BAD)
    elif pod.meta.deleting:
        status.append("  (terminating)", style=WARN)
    pairs: list[tuple[str, Text]] = [
        ("Status", status),
        ("Node", plain(pod.node or pod.spec.node_name or "<none>")),
        ("Phase", plain(pod.phase or "Unknown")),
        ("IP", plain(pod.pod_ip or "<none>")),
        ("Ready", Text(pod.ready_text)),
        ("QoS", plain(pod.qos or "<unknown>")),
        ("Restarts", _restarts(pod, now)),
        ("Age", ago(pod.meta.created, now)),
    ]
    if pod.spec.service_account:
        pairs += [("Account", plain(pod.spec.service_account)), ("", Text(""))]
    # Two label/value pairs per line: the summary stays short enough for an 80x24 terminal.
    table = Table.grid(padding=(0, 1))
    table.add_column(width=9, no_wrap=True, style=DIM)
    table.add_column(ratio=1)
    table.add_column(width=8, no_wrap=True, style=DIM)
    table.add_column(ratio=1)
    for index in range(0, len(pairs), 2):
        (left, lvalue), (right, rvalue) = pairs[index], pairs[index + 1]
        table.add_row(Text(left, style=DIM), lvalue, Text(right, style=DIM), rvalue)
    if not (pod.reason or pod.message):
        return table
    reason = join([plain(pod.reason, WARN), plain(first_line(pod.message))])
    return Group(table, label_grid([("Reason", reason)], width=8))


def _restarts(pod: PodRecord, now: datetime) -> Text:
    """ "7, last 3 minutes ago": the count draws the eye; when it last happened reads as a sentence."""
    out = Text(str(pod.restarts), style=WARN if pod.restarts else "")
    when = prose.ago(pod.last_restart, now) if pod.restarts else ""
    if when:
        out.append(f", last {when}", style=DIM)
    return out


def _status_style(pod: PodRecord) -> str:
    if pod.phase in ("Running", "Succeeded") and pod.status_text in ("Running", "Completed", ""):
        return OK
    if pod.phase == "Pending":
        return WARN
    return BAD


def _status_by_name(statuses: Sequence[ContainerStatus]) -> dict[str, ContainerStatus]:
    return {s.name: s for s in statuses}


def init_containers_section(pod: PodRecord, now: datetime) -> RenderableType:
    """Init containers in spec order with their state: they gate the pod's start, often waiting for
    the services it depends on, so the first one not done is the one to look at."""
    specs = pod.spec.init_containers
    statuses = _status_by_name(pod.init_containers)
    names = [s.name for s in specs] or [s.name for s in pod.init_containers]
    if not names:
        return NONE
    spec_by_name = {s.name: s for s in specs}
    table = Table.grid(padding=(0, 2))
    for _ in range(5):
        table.add_column()
    for index, name in enumerate(names, start=1):
        status = statuses.get(name)
        spec = spec_by_name.get(name)
        label = plain(name, "bold")
        if spec is not None and spec.restart_policy == "Always":
            label.append(" (sidecar)", style=DIM)
        state = state_text(status.state, now) if status is not None else Text("not started", style=DIM)
        restarts = Text(f"restarts {status.restart_count}" if status else "", style=DIM)
        image = plain(spec.image if spec else status.image if status else "", DIM)
        table.add_row(Text(f"{index}."), label, state, restarts, image)
        if status is not None and status.state.state == "terminated" and status.state.message:
            table.add_row(Text(""), Text(""), message_block(status.state.message), Text(""), Text(""))
        if status is not None and status.last_termination is not None:
            table.add_row(
                Text(""),
                Text("last", style=DIM),
                termination_text(status.last_termination, now),
                Text(""),
                Text(""),
            )
    return table


def containers_section(pod: PodRecord, now: datetime) -> RenderableType:
    """Each container: image, state, ready, restarts, last termination (reason, exit code, message),
    probes, requests/limits. The spec and the status are joined by container name."""
    specs = pod.spec.containers
    statuses = _status_by_name(pod.containers)
    names = [s.name for s in specs] + [
        s.name for s in pod.containers if s.name not in {c.name for c in specs}
    ]
    if not names:
        return NONE
    spec_by_name = {s.name: s for s in specs}
    blocks: list[RenderableType] = []
    for name in names:
        blocks.append(_container_block(name, spec_by_name.get(name), statuses.get(name), now))
    return Group(*blocks)


def _container_block(
    name: str, spec: ContainerSpec | None, status: ContainerStatus | None, now: datetime
) -> RenderableType:
    head = plain(name, "bold")
    if status is not None:
        head.append("  ready ")
        head.append_text(bool_mark(status.ready))
        head.append(f"  restarts {status.restart_count}", style=WARN if status.restart_count else "")
    rows: list[tuple[str, Text]] = []
    image = (spec.image if spec else "") or (status.image if status else "")
    pull = f"  (pull {spec.pull_policy})" if spec is not None and spec.pull_policy else ""
    rows.append(("image", join([plain(image), Text(pull, style=DIM)], "")))
    if status is not None:
        rows.append(("state", state_text(status.state, now)))
        last = status.last_termination
        if last is not None:
            rows.append(("last", termination_text(last, now)))
            if last.message:
                rows.append(("", message_block(last.message)))
    else:
        rows.append(("state", Text("no status yet", style=DIM)))
    if spec is not None:
        probes = join(
            [
                probe_text("readiness", spec.readiness),
                probe_text("liveness", spec.liveness),
                probe_text("startup", spec.startup),
            ],
            "   ",
        )
        rows.append(("probes", probes))
        rows.append(("resources", resources_text(spec.requests, spec.limits)))
        if spec.ports:
            rows.append(("ports", Text(", ".join(str(p) for p in spec.ports))))
    return Group(head, label_grid(rows, indent=2), Text(""))


def label_grid(rows: Sequence[tuple[str, Text]], indent: int = 0, width: int = 10) -> Table:
    """Label/value rows where a long value wraps under itself, not under the label."""
    table = Table.grid(padding=(0, 1))
    table.add_column(width=indent + width, no_wrap=True, style=DIM)
    table.add_column(ratio=1)
    for label, value in rows:
        table.add_row(Text(" " * indent + label, style=DIM), value)
    return table


def conditions_section(conditions: Sequence[Condition], now: datetime) -> RenderableType:
    """Type, status, reason, message, age of the last transition."""
    if not conditions:
        return NONE
    table = Table.grid(padding=(0, 2))
    for _ in range(5):
        table.add_column()
    for cond in conditions:
        table.add_row(
            plain(cond.type),
            condition_status(cond),
            plain(cond.reason, DIM),
            ago(cond.last_transition, now),
            plain(first_line(cond.message)),
        )
    return table


def events_section(events: Sequence[EventRecord], now: datetime, limit: int = 50) -> RenderableType:
    """Events about the object, Warning first and then newest first (the snapshot's order)."""
    if not events:
        return Text("no events (the API server keeps them for about an hour)", style=DIM)
    table = Table.grid(padding=(0, 2))
    for _ in range(5):
        table.add_column(no_wrap=_ < 4)
    for event in events[:limit]:
        seen = event.last_seen or event.first_seen or event.meta.created
        count = Text(f"×{event.count}" if event.count > 1 else "", style=DIM)
        table.add_row(
            plain(event.type, WARN if event.type == "Warning" else DIM),
            plain(event.reason, "bold"),
            ago(seen, now),
            count,
            plain(event.message),
        )
    if len(events) > limit:
        table.add_row(
            Text(""), Text(f"… {len(events) - limit} more", style=DIM), Text(""), Text(""), Text("")
        )
    return table


def owner_chain(snapshot: ClusterSnapshot, key: ObjectKey, max_depth: int = 6) -> list[ObjectKey]:
    """The controllers above an object, nearest first (Pod → ReplicaSet → Deployment).

    Owners that are not in the snapshot (a ReplicaSet out of scope, a CRD) still appear, but the walk
    stops there because their own owners are unknown. `max_depth` guards against owner cycles.
    """
    chain: list[ObjectKey] = []
    meta = _meta_of(snapshot, key)
    while meta is not None and len(chain) < max_depth:
        owner = meta.controller
        if owner is None:
            break
        owner_key = ObjectKey(owner.kind, key.namespace, owner.name)
        if owner_key in chain or owner_key == key:
            break
        chain.append(owner_key)
        meta = _meta_of(snapshot, owner_key)
    return chain


def _meta_of(snapshot: ClusterSnapshot, key: ObjectKey) -> Meta | None:
    pod = snapshot.pods.get(key)
    if pod is not None:
        return pod.meta
    record = snapshot.replicasets.get(key) or snapshot.workloads.get(key)
    return record.meta if record is not None else None


def owners_section(snapshot: ClusterSnapshot, key: ObjectKey) -> RenderableType:
    chain = owner_chain(snapshot, key)
    if not chain:
        return Text("no controller: nothing recreates this pod if it goes", style=WARN)
    out = plain(f"{key.kind} {key.name}")
    for owner in chain:
        out.append(" ← ", style=DIM)
        out.append(clean(owner.kind), style=DIM)
        out.append(" ")
        out.append(clean(owner.name), style="bold")
    return out


def findings_section(findings: Sequence[Finding] | None) -> RenderableType:
    """Each finding with its why and fix, worst first; `None` while the scorer has not run."""
    if findings is None:
        return Text("health not evaluated yet", style=DIM)
    if not findings:
        return Text("no findings", style=OK)
    blocks: list[RenderableType] = []
    for finding in sorted(findings, key=lambda f: (-f.severity, f.rule, f.container or "")):
        head = join([severity_text(finding.severity), plain(finding.rule, "bold")])
        if finding.container:
            head.append("  ")
            head.append(clean(finding.container), style=DIM)
        if finding.ignored:
            head.stylize(DIM)
            head.append("  (ignored)", style=DIM)
        rows = [("", plain(finding.message))]
        if finding.why:
            rows.append(("why", plain(finding.why)))
        if finding.fix:
            rows.append(("fix", plain(finding.fix)))
        blocks.append(Group(head, label_grid(rows, indent=2, width=3)))
    return Group(*blocks)


def crash_logs_section(records: Sequence[RestartRecord], limit: int = 20) -> RenderableType | None:
    """The previous-container log tail captured when a restart was noticed: the evidence of a crash
    that the next restart would otherwise wipe. None when nothing was captured."""
    captured = [r for r in records if r.crash_log]
    if not captured:
        return None
    blocks: list[RenderableType] = []
    for record in captured:
        head = plain(record.container, "bold")
        head.append(f"  restart {record.restarts}", style=DIM)
        if record.last_reason:
            head.append("  ")
            head.append(clean(record.last_reason), style=BAD)
        lines = record.crash_log[-limit:]
        body = Text("\n").join(plain(line) for line in lines)
        blocks.append(Group(head, body))
    return Group(*blocks)


def container_names(pod: PodRecord) -> list[str]:
    """Containers then init containers, for the logs picker."""
    names = [c.name for c in pod.spec.containers] or [c.name for c in pod.containers]
    return names + [c.name for c in pod.spec.init_containers]


__all__ = [
    "containers_section",
    "conditions_section",
    "events_section",
    "findings_section",
    "init_containers_section",
    "owner_chain",
    "owners_section",
    "summary_section",
    "state_style",
]
