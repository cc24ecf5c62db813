"""Workload rows (the dashboard's Workloads pane): kind, readiness, usage summed over the pods
with their CPU trend, images and the health verdict."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from rich.text import Text

from kdash.model.findings import Finding, ObjectScore, Severity
from kdash.model.meta import ObjectKey
from kdash.model.workloads import WorkloadRecord
from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.render.text import (
    ERROR_STYLE,
    MUTED_STYLE,
    OK_STYLE,
    SEVERITY_STYLES,
    age_cell,
    grade_text,
    images_text,
    number,
    ratio,
    safe,
    severity_class,
)
from kdash.ui.render.usage import usage_columns
from kdash.ui.render.usage_rows import NA_CELL, NA_CELLS, TREND_COLUMN

KIND_SHORT = {"Deployment": "deploy", "StatefulSet": "sts", "DaemonSet": "ds", "Job": "job", "CronJob": "cj"}

COLUMNS: tuple[Column, ...] = (
    Column("namespace", "NAMESPACE", max_width=20, ident=True),
    Column("kind", "KIND", max_width=6),
    Column("name", "NAME", min_width=8, max_width=40, ident=True),
    Column("ready", "READY", numeric=True, max_width=9),
    # narrow: %…/R go first, then %…/L, UP-TO-DATE/AVAILABLE (READY says most of it), the CPU
    # trend, IMAGES, MEM, CPU, AGE; names never
    Column("updated", "UP-TO-DATE", numeric=True, max_width=10, drop=4),
    Column("available", "AVAILABLE", numeric=True, max_width=9, drop=4),
    Column("age", "AGE", numeric=True, max_width=8, drop=1),
    *usage_columns(2, limit_drop=5, request_drop=6),
    TREND_COLUMN,
    Column("images", "IMAGES", min_width=6, max_width=40, drop=2),
    Column("health", "HEALTH", numeric=True, max_width=6),
    Column("finding", "WORST FINDING", min_width=10, flex=True),
)


def runtime_severity(wl: WorkloadRecord) -> tuple[Severity | None, str]:
    """What the model alone says about a workload (used until the scorer has an opinion)."""
    if wl.kind == "Job":
        if wl.job_failed:
            return Severity.ERROR, "job failed"
        return None, ""
    if wl.kind == "CronJob":
        return (Severity.INFO, "suspended") if wl.suspend else (None, "")
    if wl.desired and wl.ready == 0:
        return Severity.ERROR, f"0 of {wl.desired} ready"
    if wl.ready < wl.desired:
        return Severity.WARNING, f"{wl.ready} of {wl.desired} ready"
    return None, ""


USAGE_AT = 7  # the index of CPU, the first of the usage cells (then the six, then the trend)
USAGE_WIDTH = 7
UsageCells = Callable[[], tuple[Cell, ...]]
"""The six usage cells and the CPU trend of a row, made when it is built (kdash.ui.usage_rows)."""
NO_USAGE: tuple[Cell, ...] = (*NA_CELLS, NA_CELL)


def workload_row(
    key: ObjectKey,
    wl: WorkloadRecord,
    score: ObjectScore | None,
    now: datetime,
    usage: UsageCells | None = None,
) -> Row:
    """One workload; the scorer's grade and worst finding when there is a score, else what the
    model alone says (so the pane is useful before the first report); `usage` makes its usage
    cells (n/a without).

    The cells are built when the row is first drawn, measured, sorted or filtered (`Row(build=)`):
    of 2,000 workloads a screen shows a few dozen. The colour is known now (it costs nothing)."""
    if score is not None:
        worst = score.worst
        severity = worst.severity if worst is not None else None
    else:
        severity = runtime_severity(wl)[0]
    return Row(
        key,
        build=partial(workload_cells, key, wl, score, now, usage),
        style_class=severity_class(severity),
        labels=wl.meta.labels,
    )


def workload_cells(
    key: ObjectKey,
    wl: WorkloadRecord,
    score: ObjectScore | None,
    now: datetime,
    usage: UsageCells | None = None,
) -> tuple[Cell, ...]:
    """The cells of `workload_row`."""
    if score is not None:
        worst = score.worst
        severity = worst.severity if worst is not None else None
        health = Cell(grade_text(score.grade, score.score), score.score)
        finding = safe(finding_words(worst), SEVERITY_STYLES[worst.severity]) if worst else ""
    else:
        severity, words = runtime_severity(wl)
        health = Cell(Text("-", style=MUTED_STYLE, end=""))
        finding = safe(words, SEVERITY_STYLES[severity]) if severity is not None else ""
    kind = KIND_SHORT.get(wl.kind, wl.kind)
    if wl.kind == "CronJob":
        ready = Cell(safe(wl.schedule or "-", MUTED_STYLE))
    else:
        done = wl.succeeded if wl.kind == "Job" else wl.ready
        ready = Cell(ready_text(wl), done / wl.desired if wl.desired else 1.0)
    return (
        Cell(key.namespace, key.namespace),
        Cell(kind, kind),
        Cell(key.name, key.name),
        ready,
        Cell(number(wl.up_to_date), wl.up_to_date),
        Cell(number(wl.available), wl.available),
        age_cell(wl.meta.created, now),
        *(usage() if usage is not None else NO_USAGE),
        Cell(images_text(wl.images)),
        health,
        Cell(finding, -int(severity) if severity is not None else None),
    )


def ready_text(wl: WorkloadRecord) -> Text:
    """READY (COMPLETIONS for a Job) coloured by health. A Job counts succeeded completions, not
    ready pods: a finished Job has no ready pod and is done (green); only a failed one is red, and
    one still running is neither."""
    if wl.kind == "Job":
        style = OK_STYLE if wl.job_complete else ERROR_STYLE if wl.job_failed else ""
        return safe(wl.ready_text or f"{wl.succeeded}/{wl.desired}", style)
    return ratio(wl.ready, wl.desired, wl.ready_text or None)


def finding_words(finding: Finding) -> str:
    """A finding's message without the leading "Kind ns/name, " the row already shows."""
    message = finding.message
    prefix = f"{finding.kind} {finding.namespace}/{finding.name}"
    if message.startswith(prefix):
        message = message[len(prefix) :].lstrip(" ,:")
    return message


def score_signature(score: ObjectScore | None) -> Any:
    """What of a score the row shows: the row is rebuilt only when this changes (the scorer makes
    new score objects on every run)."""
    if score is None:
        return None
    worst = score.worst
    return (score.score, score.grade, None if worst is None else (worst.rule, worst.severity, worst.message))
