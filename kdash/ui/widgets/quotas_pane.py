"""The Quotas pane: each ResourceQuota item as used/hard with a usage bar, plus LimitRange defaults."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text

from kdash.model.meta import ObjectKey
from kdash.model.quotas import LimitRangeRecord, QuotaItem
from kdash.ui.format import MUTED_STYLE, safe, usage_bar
from kdash.ui.widgets.pane import DashboardView, Pane
from kdash.ui.widgets.resource_table import Column, Row

WARN, ERROR = 80.0, 95.0


class QuotasPane(Pane):
    """One row per quota resource (key: (quota key, resource)); `enter` lists the heaviest pods."""

    TITLE = "Quotas"
    NOUN = "quotas"
    KINDS = ("resourcequotas", "limitranges")
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("namespace", "NAMESPACE", max_width=16, drop=1),
        Column("quota", "QUOTA", min_width=6, max_width=24),
        Column("resource", "RESOURCE", min_width=6, max_width=24),
        Column("usage", "USED/HARD", numeric=True, min_width=5, max_width=24),
        Column("bar", "USAGE", width=15),
    )
    SORT = ("bar", True)

    def inputs(self, view: DashboardView) -> tuple[Any, ...]:
        return (view.snapshot.quotas, view.snapshot.limitranges, view.snapshot.namespace)

    def rows(self, view: DashboardView) -> Iterable[Row]:
        for key, quota in view.snapshot.quotas.items():
            if not view.in_scope(key.namespace):
                continue
            for item in quota.items:
                row_key = (key, item.resource)
                yield self.cached(row_key, item, None, lambda k=row_key, i=item: self._quota_row(k, i))
        for key, lr in view.snapshot.limitranges.items():
            if view.in_scope(key.namespace):
                yield from self._limit_rows(key, lr)

    def _quota_row(self, row_key: tuple[ObjectKey, str], item: QuotaItem) -> Row:
        key = row_key[0]
        percent = item.percent
        style = None
        if percent is not None:
            style = "error" if percent >= ERROR else "warning" if percent >= WARN else None
        return Row(
            row_key,
            (
                safe(key.namespace),
                safe(key.name),
                safe(item.resource),
                safe(f"{item.used}/{item.hard}"),
                usage_bar(percent, 9, WARN, ERROR),
            ),
            (key.namespace, key.name, item.resource, percent, percent),
            style,
        )

    def _limit_rows(self, key: ObjectKey, lr: LimitRangeRecord) -> Iterable[Row]:
        for item in lr.items:
            resources = sorted(set(item.default) | set(item.default_request))
            for resource in resources:
                row_key = (key, f"{item.type}/{resource}")
                parts: list[str] = []
                if resource in item.default_request:
                    parts.append(f"req {item.default_request[resource]}")
                if resource in item.default:
                    parts.append(f"lim {item.default[resource]}")
                sort: tuple[Any, ...] = (key.namespace, key.name, resource, None, None)
                yield Row(
                    row_key,
                    (
                        safe(key.namespace),
                        safe(f"limits/{key.name}"),
                        safe(f"{item.type} {resource}"),
                        safe(" ".join(parts)),
                        Text("default", style=MUTED_STYLE),
                    ),
                    sort,
                    "muted",
                )
