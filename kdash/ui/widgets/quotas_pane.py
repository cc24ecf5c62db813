"""The Quotas pane: each ResourceQuota item as used/hard with a usage bar, plus LimitRange defaults."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from kdash.ui.render import quotas
from kdash.ui.widgets.pane import DashboardView, Pane
from kdash.ui.widgets.resource_table import Column, Row


class QuotasPane(Pane):
    """One row per quota resource (key: (quota key, resource)) and per LimitRange default
    (kdash.ui.render.quotas); `enter` lists the heaviest pods."""

    TITLE = "Quotas"
    NOUN = "quotas"
    KINDS = ("resourcequotas", "limitranges")
    COLUMNS: ClassVar[tuple[Column, ...]] = quotas.COLUMNS
    SORT = ("bar", True)

    def inputs(self, view: DashboardView) -> tuple[Any, ...]:
        return (view.snapshot.quotas, view.snapshot.limitranges, view.snapshot.namespace)

    def rows(self, view: DashboardView) -> Iterable[Row]:
        for key, quota in view.snapshot.quotas.items():
            if not view.in_scope(key.namespace):
                continue
            for item in quota.items:
                row_key = (key, item.resource)
                yield self.cached(row_key, item, None, lambda k=row_key, i=item: quotas.quota_row(k, i))
        for key, lr in view.snapshot.limitranges.items():
            if view.in_scope(key.namespace):
                yield from quotas.limit_rows(key, lr)
