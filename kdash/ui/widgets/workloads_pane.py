"""The Workloads pane: Deployments, StatefulSets, DaemonSets, Jobs and CronJobs with health."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from kdash.model.findings import ObjectScore
from kdash.ui.render import workloads
from kdash.ui.widgets.pane import DashboardView, Pane, age_step
from kdash.ui.widgets.resource_table import Column, Row
from kdash.ui.widgets.row_cache import AgedRows, column_index


class WorkloadsPane(Pane):
    """One row per workload (kdash.ui.render.workloads); `enter` lists its pods."""

    TITLE = "Workloads"
    NOUN = "workloads"
    KINDS = ("deployments", "statefulsets", "daemonsets", "jobs", "cronjobs")
    COLUMNS: ClassVar[tuple[Column, ...]] = workloads.COLUMNS

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's spelling
        super().__init__(id=id)
        self._aged = AgedRows(same_score, column_index(workloads.COLUMNS, "age"))

    def inputs(self, view: DashboardView) -> tuple[Any, ...]:
        # the scores, not the report: the scorer hands over the last report's very score map while
        # no object was re-scored, and a report comes with every render that brings changes
        scores = view.report.scores if view.report is not None else None
        return (view.snapshot.workloads, scores, view.snapshot.namespace, age_step(view))

    def rows(self, view: DashboardView) -> Iterable[Row]:
        report = view.report
        scores = report.scores if report is not None else None
        now, scope = view.now, view.snapshot.namespace
        aged = self._aged
        aged.at(now)
        out = []
        for key, wl in view.snapshot.workloads.items():
            if scope is not None and key.namespace != scope:
                continue
            score = scores.get(key) if scores is not None else None
            out.append(aged.get(key, wl, score, wl.meta.created, workloads.workload_row, key, wl, score, now))
        aged.prune(out)
        return out


def same_score(a: ObjectScore | None, b: ObjectScore | None) -> bool:
    """The scorer keeps an unchanged object's score object; a new one may still show the same."""
    return a is b or workloads.score_signature(a) == workloads.score_signature(b)
