"""The Workloads pane: Deployments, StatefulSets, DaemonSets, Jobs and CronJobs with health."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text

from kdash.model.findings import Severity
from kdash.model.meta import ObjectKey
from kdash.model.timefmt import age
from kdash.model.workloads import WorkloadRecord
from kdash.ui.format import (
    MUTED_STYLE,
    SEVERITY_STYLES,
    age_seconds,
    age_text,
    grade_text,
    images_text,
    number,
    ratio,
    safe,
    severity_class,
)
from kdash.ui.widgets.pane import DashboardView, Pane
from kdash.ui.widgets.resource_table import Column, Row

KIND_SHORT = {"Deployment": "deploy", "StatefulSet": "sts", "DaemonSet": "ds", "Job": "job", "CronJob": "cj"}


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


class WorkloadsPane(Pane):
    """One row per workload; `enter` lists its pods."""

    TITLE = "Workloads"
    NOUN = "workloads"
    KINDS = ("deployments", "statefulsets", "daemonsets", "jobs", "cronjobs")
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("namespace", "NAMESPACE", max_width=20, drop=1),
        Column("kind", "KIND", max_width=6),
        Column("name", "NAME", min_width=8, max_width=40),
        Column("ready", "READY", numeric=True, max_width=9),
        Column("updated", "UP-TO-DATE", numeric=True, max_width=10, drop=2),
        Column("available", "AVAILABLE", numeric=True, max_width=9, drop=2),
        Column("age", "AGE", numeric=True, max_width=8),
        Column("images", "IMAGES", min_width=6, max_width=40),
        Column("health", "HEALTH", numeric=True, max_width=6),
        Column("finding", "WORST FINDING", min_width=8, max_width=60),
    )

    def rows(self, view: DashboardView) -> Iterable[Row]:
        report = view.report
        for key, wl in view.snapshot.workloads.items():
            if not view.in_scope(key.namespace):
                continue
            score = report.score_for(key) if report is not None else None
            extra = (_score_sig(score), age(wl.meta.created, view.now))
            yield self.cached(key, wl, extra, lambda k=key, w=wl, s=score: self._row(k, w, s, view))

    def _row(self, key: ObjectKey, wl: WorkloadRecord, score: Any, view: DashboardView) -> Row:
        if score is not None:
            worst = score.worst
            severity = worst.severity if worst is not None else None
            health = grade_text(score.grade, score.score)
            finding = safe(finding_words(worst), SEVERITY_STYLES[worst.severity]) if worst else Text("")
            health_sort: Any = score.score
        else:
            severity, words = runtime_severity(wl)
            health = Text("-", style=MUTED_STYLE)
            finding = safe(words, SEVERITY_STYLES[severity]) if severity is not None else Text("")
            health_sort = None
        kind = KIND_SHORT.get(wl.kind, wl.kind)
        if wl.kind == "CronJob":
            ready = Text(wl.schedule or "-", style=MUTED_STYLE)
            ready_sort: Any = None
        else:
            ready = ratio(wl.ready, wl.desired, wl.ready_text or None)
            ready_sort = wl.ready / wl.desired if wl.desired else 1.0
        return Row(
            key,
            (
                safe(key.namespace),
                Text(kind),
                safe(key.name),
                ready,
                number(wl.up_to_date),
                number(wl.available),
                age_text(wl.meta.created, view.now),
                images_text(wl.images),
                health,
                finding,
            ),
            (
                key.namespace,
                kind,
                key.name,
                ready_sort,
                wl.up_to_date,
                wl.available,
                age_seconds(wl.meta.created, view.now),
                None,
                health_sort,
                -int(severity) if severity is not None else None,
            ),
            severity_class(severity),
            labels=wl.meta.labels,
        )


def finding_words(finding: Any) -> str:
    """A finding's message without the leading "Kind ns/name, " the row already shows."""
    message: str = finding.message
    prefix = f"{finding.kind} {finding.namespace}/{finding.name}"
    if message.startswith(prefix):
        message = message[len(prefix) :].lstrip(" ,:")
    return message


def _score_sig(score: Any) -> Any:
    if score is None:
        return None
    worst = score.worst
    return (score.score, score.grade, None if worst is None else (worst.rule, worst.severity, worst.message))
