"""The HPA detail screen's pieces, pure: every metric as a row, the replica counts, the conditions
with reasons and messages, the target's replica history while kdash watched, and one plain
sentence saying why it is at its maximum or cannot scale.

Everything from the cluster is shown as Text (never markup) through `safe`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from kdash.model.autoscaling import HpaMetric, HpaRecord
from kdash.model.meta import ObjectKey
from kdash.model.timefmt import age
from kdash.model.workloads import WorkloadRecord
from kdash.ui.render.hpa_history import ReplicaPoint
from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.render.text import ERROR_STYLE, MUTED_STYLE, OK_STYLE, WARNING_STYLE, safe

CONDITION_TYPES = ("AbleToScale", "ScalingActive", "ScalingLimited")

METRIC_COLUMNS: tuple[Column, ...] = (
    Column("type", "TYPE", max_width=17),
    Column("name", "NAME", max_width=40, ident=True),
    Column("current", "CURRENT", max_width=16),
    Column("target", "TARGET", max_width=16),
    Column("target_type", "TARGET TYPE", max_width=12, drop=1),
    Column("selector", "SELECTOR / OBJECT", min_width=10, flex=True),
)

_BARS = "▁▂▃▄▅▆▇█"


def metric_name(metric: HpaMetric) -> str:
    """The metric's name, with the container of a ContainerResource metric."""
    name = metric.name or "-"
    return f"{name} [{metric.container}]" if metric.container else name


def metric_row(hpa_key: ObjectKey, index: int, metric: HpaMetric) -> Row:
    """One metric: type, name, current and target values, the target's type, what it selects.
    Keyed (HPA key, index): the key `enter` opens is the HPA's, whose target is one key away."""
    current = safe(metric.current or "<unknown>", "" if metric.current else WARNING_STYLE)
    where = ", ".join(p for p in (metric.described and f"object {metric.described}", metric.selector) if p)
    return Row(
        (hpa_key, index),
        (
            Cell(metric.type or "-", index),
            Cell(metric_name(metric)),
            Cell(current, metric.current or ""),
            Cell(metric.target or "-"),
            Cell(metric.target_type or "-"),
            Cell(where or "-"),
        ),
        None if metric.current else "warning",
    )


def target_key(hpa_key: ObjectKey, hpa: HpaRecord) -> ObjectKey | None:
    return ObjectKey(hpa.target_kind, hpa_key.namespace, hpa.target_name) if hpa.target_name else None


def verdict(hpa: HpaRecord, target: WorkloadRecord | None, target_known: bool) -> tuple[str, str]:
    """(style, sentence): why it is at its maximum or cannot scale, or that it scales as it should.
    `target_known`: the target's kind is listed, so a missing target really is missing."""
    able, active, limited = (hpa.condition(t) for t in CONDITION_TYPES)
    target_name = f"{hpa.target_kind}/{hpa.target_name}"
    if not hpa.target_name:
        return ERROR_STYLE, "It has no scale target: it cannot scale anything."
    if target_known and target is None:
        return ERROR_STYLE, f"Its target {target_name} does not exist: there is nothing to scale."
    if able is not None and able.status == "False":
        return (
            ERROR_STYLE,
            f"It cannot scale ({able.reason or 'AbleToScale is False'}): {able.message or '-'}",
        )
    if active is not None and active.status == "False":
        if active.reason == "ScalingDisabled":
            return MUTED_STYLE, f"Scaling is disabled: {target_name} is scaled to 0 replicas."
        reason = active.reason or "ScalingActive is False"
        return WARNING_STYLE, (
            f"Its metrics are unavailable ({reason}), so it keeps {hpa.current_replicas} replicas "
            f"and cannot scale: {active.message or '-'}"
        )
    missing = [metric_name(m) for m in hpa.metrics if m.current is None]
    if missing:
        return (
            WARNING_STYLE,
            f"It has no current value for {', '.join(missing)}: it scales on the others only.",
        )
    if limited is not None and limited.status == "True":
        if limited.reason == "TooManyReplicas" or (
            hpa.max_replicas and hpa.desired_replicas >= hpa.max_replicas
        ):
            return WARNING_STYLE, (
                f"It is at its maximum of {hpa.max_replicas} replicas and wants more (ScalingLimited "
                f"{limited.reason or 'True'}): raise maxReplicas, or find what loads it."
            )
        if limited.reason == "TooFewReplicas":
            return (
                MUTED_STYLE,
                f"It is held at its minimum of {hpa.min_replicas} replicas (ScalingLimited TooFewReplicas).",
            )
        return (
            WARNING_STYLE,
            f"Its scaling is limited ({limited.reason or 'ScalingLimited'}): {limited.message or '-'}",
        )
    if hpa.max_replicas and hpa.current_replicas >= hpa.max_replicas:
        return (
            WARNING_STYLE,
            f"It is at its maximum of {hpa.max_replicas} replicas; its metrics are within target.",
        )
    return OK_STYLE, (
        f"It scales {target_name} between {hpa.min_replicas} and {hpa.max_replicas} replicas; "
        f"it has {hpa.current_replicas} and wants {hpa.desired_replicas}."
    )


def summary(hpa: HpaRecord, target: WorkloadRecord | None, target_known: bool, now: datetime) -> Text:
    """Target, replica counts, last scale, and the verdict sentence."""
    text = Text()
    text.append("Target      ", style=MUTED_STYLE)
    text.append_text(safe(f"{hpa.target_kind}/{hpa.target_name}" if hpa.target_name else "<none>"))
    if target is not None:
        text.append(f"  ({target.ready}/{target.desired} ready)", style=MUTED_STYLE)
    elif target_known and hpa.target_name:
        text.append("  not found", style=ERROR_STYLE)
    text.append("  (o opens it)", style=MUTED_STYLE)
    text.append("\nReplicas    ", style=MUTED_STYLE)
    text.append(f"current {hpa.current_replicas}  desired ")
    text.append(
        str(hpa.desired_replicas) if hpa.desired_known else "?",
        style="" if hpa.desired_known else MUTED_STYLE,
    )
    text.append(f"  min {hpa.min_replicas}  max {hpa.max_replicas}")
    if hpa.max_replicas and hpa.current_replicas >= hpa.max_replicas:
        text.append("  at max", style=WARNING_STYLE)
    text.append("\nLast scale  ", style=MUTED_STYLE)
    if hpa.last_scale is not None:
        text.append(f"{age(hpa.last_scale, now)} ago  ")
        text.append(hpa.last_scale.strftime("%Y-%m-%d %H:%M:%SZ"), style=MUTED_STYLE)
    else:
        text.append("never (no lastScaleTime in its status)", style=MUTED_STYLE)
    style, sentence = verdict(hpa, target, target_known)
    text.append("\n")
    text.append_text(safe(sentence, style))
    return text


def conditions_text(hpa: HpaRecord, now: datetime) -> RenderableType:
    """AbleToScale, ScalingActive, ScalingLimited (then any others): status, reason, since when,
    and the controller's message under them (wrapped in its column)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, min_width=14)
    grid.add_column(ratio=1)
    others = [c for c in hpa.conditions if c.type not in CONDITION_TYPES]
    for type_, cond in [*((t, hpa.condition(t)) for t in CONDITION_TYPES), *((c.type, c) for c in others)]:
        if cond is None:
            grid.add_row(Text(type_, style="bold"), Text("not reported", style=MUTED_STYLE))
            continue
        good = (cond.status == "True") != (cond.type == "ScalingLimited")
        line = Text(f"{cond.status:<6}", style=OK_STYLE if good else WARNING_STYLE)
        line.append_text(safe(cond.reason or "-"))
        if cond.last_transition is not None:
            line.append(f"  since {age(cond.last_transition, now)}", style=MUTED_STYLE)
        if cond.message:
            line.append("\n")
            line.append_text(safe(cond.message, MUTED_STYLE))
        grid.add_row(safe(cond.type, "bold"), line)
    if not grid.row_count:
        return Text("no conditions reported", style=MUTED_STYLE)
    return grid


def sparkline(values: Sequence[int], low: int, high: int) -> str:
    """One block per value, scaled between `low` and `high`."""
    span = max(1, high - low)
    return "".join(_BARS[min(len(_BARS) - 1, max(0, (v - low) * (len(_BARS) - 1) // span))] for v in values)


def history_text(points: Sequence[ReplicaPoint], hpa: HpaRecord, now: datetime, limit: int = 6) -> Text:
    """The target's replicas while kdash watched: a sparkline and the latest changes."""
    if not points:
        return Text("nothing seen yet", style=MUTED_STYLE)
    text = Text()
    low, high = (
        min(hpa.min_replicas, *(p.current for p in points)),
        max(hpa.max_replicas, *(p.current for p in points)),
    )
    text.append(sparkline([p.current for p in points], low, high), style=OK_STYLE)
    if len(points) == 1:
        text.append(f"  no change since kdash started watching ({low}–{high} allowed)", style=MUTED_STYLE)
    else:
        text.append(
            f"  {len(points) - 1} change{'s' if len(points) > 2 else ''} seen ({low}–{high})",
            style=MUTED_STYLE,
        )
    if len(points) == 1:
        return text  # the one reading is the summary's
    previous: ReplicaPoint | None = None
    changes: list[Text] = []
    for point in points:
        line = Text(f"\n{age(point.when, now) + ' ago':>9}  ", style=MUTED_STYLE)
        if previous is None:
            line.append(f"{point.current} replicas")
        else:
            line.append(f"{previous.current} → {point.current}")
        line.append(f"  wants {point.desired if point.desired is not None else '?'}", style=MUTED_STYLE)
        changes.append(line)
        previous = point
    for line in changes[-limit:]:
        text.append_text(line)
    return text
