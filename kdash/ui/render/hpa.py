"""HorizontalPodAutoscaler rows (the dashboard's HPA pane): metrics and whether it can scale."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from kdash.model.autoscaling import HpaRecord
from kdash.model.findings import Severity
from kdash.model.meta import ObjectKey
from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.render.text import (
    ERROR_STYLE,
    MUTED_STYLE,
    OK_STYLE,
    WARNING_STYLE,
    age_cell,
    safe,
    severity_class,
)

CONDITIONS = (("AbleToScale", "able"), ("ScalingActive", "active"), ("ScalingLimited", "limited"))

COLUMNS: tuple[Column, ...] = (
    Column("namespace", "NAMESPACE", max_width=16, ident=True),
    Column("name", "NAME", min_width=6, max_width=30, ident=True),
    Column("target", "TARGET", min_width=6, max_width=30),
    Column("minmax", "MIN/MAX", numeric=True, max_width=7),
    Column("replicas", "REPLICAS", numeric=True, max_width=8),
    Column("metrics", "METRICS", min_width=10, flex=True),
    Column("conditions", "CONDITIONS", min_width=6, max_width=24, drop=2),
    Column("scaled", "SCALED", numeric=True, max_width=8, drop=1),
    Column("warnings", "WARNINGS", min_width=6, max_width=40),
)


def hpa_warnings(hpa: HpaRecord) -> tuple[Severity | None, list[str]]:
    """Plain-words warnings: at max, metrics unavailable, unable to scale."""
    notes: list[str] = []
    severity: Severity | None = None
    able = hpa.condition("AbleToScale")
    if able is not None and able.status == "False":
        notes.append(f"cannot scale: {able.reason}")
        severity = Severity.ERROR
    if hpa.metrics_unavailable:
        notes.append("metrics unavailable")
        severity = severity or Severity.WARNING
    if hpa.max_replicas and hpa.current_replicas >= hpa.max_replicas:
        notes.append("at max")
        severity = severity or Severity.WARNING
    return severity, notes


def hpa_row(key: ObjectKey, hpa: HpaRecord, now: datetime) -> Row:
    """One autoscaler: its target, bounds, replicas, metrics, conditions and what is wrong."""
    severity, notes = hpa_warnings(hpa)
    metrics = Text(", ", end="").join(
        safe(
            m.text or f"{m.name} {m.current or '<unknown>'}/{m.target}",
            "" if m.current else WARNING_STYLE,
        )
        for m in hpa.metrics
    )
    conditions = Text(" ", end="").join(_condition(hpa, t, short) for t, short in CONDITIONS)
    warnings = safe("; ".join(notes), ERROR_STYLE if severity is Severity.ERROR else WARNING_STYLE)
    return Row(
        key,
        (
            Cell(key.namespace, key.namespace),
            Cell(key.name, key.name),
            Cell(f"{hpa.target_kind}/{hpa.target_name}", hpa.target_name),
            Cell(f"{hpa.min_replicas}/{hpa.max_replicas}", hpa.max_replicas),
            Cell(replicas_text(hpa), hpa.current_replicas),
            Cell(metrics),
            Cell(conditions),
            age_cell(hpa.last_scale, now),
            Cell(warnings, -int(severity) if severity else None),
        ),
        severity_class(severity),
        labels=hpa.meta.labels,
    )


def replicas_text(hpa: HpaRecord) -> Text:
    """ "current→desired"; "2→?" while the controller has no desired count (metrics unavailable:
    the server then reports 0, which would read as "scaling to zero")."""
    if not hpa.desired_known:
        replicas = Text(f"{hpa.current_replicas}→", end="")
        replicas.append("?", style=MUTED_STYLE)
        return replicas
    replicas = Text(f"{hpa.current_replicas}→{hpa.desired_replicas}", end="")
    if hpa.max_replicas and hpa.desired_replicas >= hpa.max_replicas:
        replicas.stylize(WARNING_STYLE)
    return replicas


def _condition(hpa: HpaRecord, type_: str, short: str) -> Text:
    cond = hpa.condition(type_)
    if cond is None:
        return Text(f"{short}?", style=MUTED_STYLE)
    good = (cond.status == "True") != (type_ == "ScalingLimited")
    mark = "" if cond.status == "True" else "!"
    return Text(f"{mark}{short}", style=OK_STYLE if good else WARNING_STYLE)
