"""The HPA pane: autoscaling/v2 HorizontalPodAutoscalers, their metrics and whether they can scale."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text

from kdash.model.autoscaling import HpaRecord
from kdash.model.findings import Severity
from kdash.model.meta import ObjectKey
from kdash.model.timefmt import age
from kdash.ui.format import (
    ERROR_STYLE,
    MUTED_STYLE,
    OK_STYLE,
    WARNING_STYLE,
    age_seconds,
    age_text,
    safe,
    severity_class,
)
from kdash.ui.widgets.pane import DashboardView, Pane, age_step
from kdash.ui.widgets.resource_table import Column, Row

CONDITIONS = (("AbleToScale", "able"), ("ScalingActive", "active"), ("ScalingLimited", "limited"))


def hpa_warnings(hpa: HpaRecord) -> tuple[Severity | None, list[str]]:
    """Plain-words warnings: at max, metrics unavailable, unable to scale."""
    notes: list[str] = []
    severity: Severity | None = None
    able = hpa.condition("AbleToScale")
    if able is not None and able.status == "False":
        notes.append(f"cannot scale: {able.reason}")
        severity = Severity.ERROR
    active = hpa.condition("ScalingActive")
    unknown = [m for m in hpa.metrics if m.current is None]
    if (active is not None and active.status == "False") or unknown:
        notes.append("metrics unavailable")
        severity = severity or Severity.WARNING
    if hpa.max_replicas and hpa.current_replicas >= hpa.max_replicas:
        notes.append("at max")
        severity = severity or Severity.WARNING
    return severity, notes


class HpaPane(Pane):
    """One row per HPA; `enter` opens its target workload."""

    TITLE = "HPA"
    NOUN = "autoscalers"
    KINDS = ("horizontalpodautoscalers",)
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("namespace", "NAMESPACE", max_width=16, drop=3),
        Column("name", "NAME", min_width=6, max_width=30),
        Column("target", "TARGET", min_width=6, max_width=30),
        Column("minmax", "MIN/MAX", numeric=True, max_width=7),
        Column("replicas", "REPLICAS", numeric=True, max_width=8),
        Column("metrics", "METRICS", min_width=8, max_width=40),
        Column("conditions", "CONDITIONS", min_width=6, max_width=24, drop=2),
        Column("scaled", "SCALED", numeric=True, max_width=8, drop=1),
        Column("warnings", "WARNINGS", min_width=6, max_width=40),
    )

    def inputs(self, view: DashboardView) -> tuple[Any, ...]:
        return (view.snapshot.hpas, view.snapshot.namespace, age_step(view))

    def rows(self, view: DashboardView) -> Iterable[Row]:
        for key, hpa in view.snapshot.hpas.items():
            if view.in_scope(key.namespace):
                extra = age(hpa.last_scale, view.now)
                yield self.cached(key, hpa, extra, lambda k=key, h=hpa: self._row(k, h, view))

    def _row(self, key: ObjectKey, hpa: HpaRecord, view: DashboardView) -> Row:
        severity, notes = hpa_warnings(hpa)
        metrics = Text(", ", end="").join(
            safe(
                m.text or f"{m.name} {m.current or '<unknown>'}/{m.target}",
                "" if m.current else WARNING_STYLE,
            )
            for m in hpa.metrics
        )
        conditions = Text(" ", end="").join(_condition(hpa, t, short) for t, short in CONDITIONS)
        replicas = Text(f"{hpa.current_replicas}→{hpa.desired_replicas}", end="")
        if hpa.max_replicas and hpa.desired_replicas >= hpa.max_replicas:
            replicas.stylize(WARNING_STYLE)
        return Row(
            key,
            (
                safe(key.namespace),
                safe(key.name),
                safe(f"{hpa.target_kind}/{hpa.target_name}"),
                Text(f"{hpa.min_replicas}/{hpa.max_replicas}"),
                replicas,
                metrics,
                conditions,
                age_text(hpa.last_scale, view.now),
                safe("; ".join(notes), ERROR_STYLE if severity is Severity.ERROR else WARNING_STYLE),
            ),
            (
                key.namespace,
                key.name,
                hpa.target_name,
                hpa.max_replicas,
                hpa.current_replicas,
                None,
                None,
                age_seconds(hpa.last_scale, view.now),
                -int(severity) if severity else None,
            ),
            severity_class(severity),
            labels=hpa.meta.labels,
        )


def _condition(hpa: HpaRecord, type_: str, short: str) -> Text:
    cond = hpa.condition(type_)
    if cond is None:
        return Text(f"{short}?", style=MUTED_STYLE)
    good = (cond.status == "True") != (type_ == "ScalingLimited")
    mark = "" if cond.status == "True" else "!"
    return Text(f"{mark}{short}", style=OK_STYLE if good else WARNING_STYLE)
