"""The Restarts pane: containers that restarted, worst first, with the last termination."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from kdash.model.timefmt import age
from kdash.ui.render import restarts
from kdash.ui.widgets.pane import DashboardView, Pane, age_step
from kdash.ui.widgets.resource_table import Column, Row


class RestartsPane(Pane):
    """One row per restarted container (kdash.ui.render.restarts), in the service's order
    (CrashLoopBackOff, most restarts)."""

    TITLE = "Restarts"
    NOUN = "restarts"
    KINDS = ("pods",)
    COLUMNS: ClassVar[tuple[Column, ...]] = restarts.COLUMNS

    def inputs(self, view: DashboardView) -> tuple[Any, ...]:
        return (view.snapshot.restarts, view.snapshot.namespace, age_step(view))

    def rows(self, view: DashboardView) -> Iterable[Row]:
        now = view.now
        for record in view.snapshot.restarts:
            if view.in_scope(record.namespace):
                key = restarts.restart_key(record)
                extra = age(record.last_finished, now)
                yield self.cached(key, record, extra, lambda k=key, r=record: restarts.restart_row(k, r, now))
