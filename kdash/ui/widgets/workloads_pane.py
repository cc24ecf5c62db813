"""The Workloads pane: Deployments, StatefulSets, DaemonSets, Jobs and CronJobs with health, and
their pods' usage summed (with the CPU trend) from metrics.k8s.io."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import partial
from operator import is_
from typing import Any, ClassVar

from kdash.model.findings import ObjectScore
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.usage import UsageView
from kdash.model.workloads import WorkloadRecord
from kdash.ui.render import workloads
from kdash.ui.usage_rows import BoundsCache, metrics_note, workload_usage_cells
from kdash.ui.widgets.pane import DashboardView, Pane, age_step
from kdash.ui.widgets.resource_table import Column, Row
from kdash.ui.widgets.row_cache import AgedRows, column_index


class WorkloadsPane(Pane):
    """One row per workload (kdash.ui.render.workloads); `enter` lists its pods. Without metrics
    the usage cells read n/a and the pane's bottom line says so (the dashboard's one place)."""

    TITLE = "Workloads"
    NOUN = "workloads"
    KINDS = ("deployments", "statefulsets", "daemonsets", "jobs", "cronjobs")
    COLUMNS: ClassVar[tuple[Column, ...]] = workloads.COLUMNS

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's spelling
        super().__init__(id=id)
        self._aged = AgedRows(same_inputs, column_index(workloads.COLUMNS, "age"))
        self._bounds = BoundsCache()
        # what the last rows were built from (by identity), and the rows
        self._last: tuple[tuple[Any, ...], list[Row]] | None = None

    def inputs(self, view: DashboardView) -> tuple[Any, ...]:
        # the scores, not the report: the scorer hands over the last report's very score map while
        # no object was re-scored, and a report comes with every render that brings changes
        scores = view.report.scores if view.report is not None else None
        snap = view.snapshot
        return (snap.workloads, scores, snap.namespace, age_step(view), snap.usage)

    def rows(self, view: DashboardView) -> Iterable[Row]:
        report = view.report
        scores = report.scores if report is not None else None
        snap = view.snapshot
        now, scope, usage = view.now, snap.namespace, snap.usage
        owned, pods = snap.pods_by_workload, snap.pods
        aged = self._aged
        made_of = (snap.workloads, scores, scope, usage, owned)
        last = self._last
        if last is not None and all(map(is_, made_of, last[0])) and aged.fresh(now):
            # only the clock moved (the 2-second age step), and no age text with it: a pass over
            # 2,000 workloads would hand back every row as it is
            return last[1]
        aged.at(now)
        out = []
        for key, wl in snap.workloads.items():
            if scope is not None and key.namespace != scope:
                continue
            score = scores.get(key) if scores is not None else None
            keys = owned.get(key, ())
            extra = (score, usage, keys)
            out.append(aged.get(key, wl, extra, wl.meta.created, self._row, key, wl, extra, now, pods))
        aged.prune(out)
        self._bounds.prune(len(pods))
        self._last = (made_of, out)
        return out

    def _row(
        self,
        key: ObjectKey,
        wl: WorkloadRecord,
        extra: tuple[ObjectScore | None, UsageView, tuple[ObjectKey, ...]],
        now: datetime,
        pods: Mapping[ObjectKey, PodRecord],
    ) -> Row:
        score, usage, keys = extra
        cells = partial(workload_usage_cells, keys, pods, usage, self._bounds)
        return workloads.workload_row(key, wl, score, now, cells)

    def notes(self, view: DashboardView) -> list[str]:
        note = metrics_note(view.snapshot.usage)
        return [note.plain] if note is not None else []


def same_score(a: ObjectScore | None, b: ObjectScore | None) -> bool:
    """The scorer keeps an unchanged object's score object; a new one may still show the same."""
    return a is b or workloads.score_signature(a) == workloads.score_signature(b)


def same_inputs(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """(score, usage view, pod keys): the same score shown, the same metrics poll, the same pods."""
    return a[1] is b[1] and a[2] == b[2] and same_score(a[0], b[0])
