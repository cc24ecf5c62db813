"""The Workloads pane: Deployments, StatefulSets, DaemonSets, Jobs and CronJobs with health."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from kdash.model.timefmt import age
from kdash.ui.render import workloads
from kdash.ui.widgets.pane import DashboardView, Pane
from kdash.ui.widgets.resource_table import Column, Row


class WorkloadsPane(Pane):
    """One row per workload (kdash.ui.render.workloads); `enter` lists its pods."""

    TITLE = "Workloads"
    NOUN = "workloads"
    KINDS = ("deployments", "statefulsets", "daemonsets", "jobs", "cronjobs")
    COLUMNS: ClassVar[tuple[Column, ...]] = workloads.COLUMNS

    def rows(self, view: DashboardView) -> Iterable[Row]:
        report = view.report
        now = view.now
        for key, wl in view.snapshot.workloads.items():
            if not view.in_scope(key.namespace):
                continue
            score = report.score_for(key) if report is not None else None
            extra = (workloads.score_signature(score), age(wl.meta.created, now))
            yield self.cached(
                key, wl, extra, lambda k=key, w=wl, s=score: workloads.workload_row(k, w, s, now)
            )
