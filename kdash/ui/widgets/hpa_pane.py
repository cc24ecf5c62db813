"""The HPA pane: autoscaling/v2 HorizontalPodAutoscalers, their metrics and whether they can scale."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from kdash.model.timefmt import age
from kdash.ui.render import hpa as render
from kdash.ui.widgets.pane import DashboardView, Pane, age_step
from kdash.ui.widgets.resource_table import Column, Row


class HpaPane(Pane):
    """One row per HPA (kdash.ui.render.hpa); `enter` opens its target workload."""

    TITLE = "HPA"
    NOUN = "autoscalers"
    KINDS = ("horizontalpodautoscalers",)
    COLUMNS: ClassVar[tuple[Column, ...]] = render.COLUMNS

    def inputs(self, view: DashboardView) -> tuple[Any, ...]:
        return (view.snapshot.hpas, view.snapshot.namespace, age_step(view))

    def rows(self, view: DashboardView) -> Iterable[Row]:
        now = view.now
        for key, hpa in view.snapshot.hpas.items():
            if view.in_scope(key.namespace):
                extra = age(hpa.last_scale, now)
                yield self.cached(key, hpa, extra, lambda k=key, h=hpa: render.hpa_row(k, h, now))
