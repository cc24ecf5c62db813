"""The HPA pane: autoscaling/v2 HorizontalPodAutoscalers, their metrics and whether they can scale."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from kdash.ui.render import hpa as render
from kdash.ui.render.hpa_history import history_for
from kdash.ui.widgets.pane import DashboardView, Pane, age_step
from kdash.ui.widgets.resource_table import Column, Row
from kdash.ui.widgets.row_cache import AgedRows, column_index


class HpaPane(Pane):
    """One row per HPA (kdash.ui.render.hpa); `enter` opens its detail (kdash/ui/screens/hpa.py),
    where `o` opens the target. Every view's HPAs feed the replica history the detail shows, also
    while the pane is hidden (a walk only when the HPA map changed)."""

    TITLE = "HPA"
    NOUN = "autoscalers"
    KINDS = ("horizontalpodautoscalers",)
    COLUMNS: ClassVar[tuple[Column, ...]] = render.COLUMNS

    def inputs(self, view: DashboardView) -> tuple[Any, ...]:
        return (view.snapshot.hpas, view.snapshot.namespace, age_step(view))

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's spelling
        super().__init__(id=id)
        self._aged = AgedRows(age_column=column_index(render.COLUMNS, "scaled"))

    def update_view(self, view: DashboardView) -> None:
        history_for(self.app).observe(view.snapshot.hpas, view.now)
        super().update_view(view)

    def hold(self, view: DashboardView) -> None:
        history_for(self.app).observe(view.snapshot.hpas, view.now)
        super().hold(view)

    def rows(self, view: DashboardView) -> Iterable[Row]:
        now, scope = view.now, view.snapshot.namespace
        aged = self._aged
        aged.at(now)
        out = [
            aged.get(key, hpa, None, hpa.last_scale, render.hpa_row, key, hpa, now)
            for key, hpa in view.snapshot.hpas.items()
            if scope is None or key.namespace == scope
        ]
        aged.prune(out)
        return out
