"""ResourceQuota and LimitRange rows (the dashboard's Quotas pane): used/hard with a usage bar, and
the defaults a pod without requests gets."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from kdash.model.meta import ObjectKey
from kdash.model.quotas import LimitRangeRecord, QuotaItem
from kdash.ui.render.table import BLANK, Cell, Column, Row
from kdash.ui.render.text import MUTED_STYLE, usage_bar

WARN, ERROR = 80.0, 95.0

COLUMNS: tuple[Column, ...] = (
    Column("namespace", "NAMESPACE", max_width=16, ident=True),
    Column("quota", "QUOTA", min_width=6, max_width=40, ident=True),
    Column("resource", "RESOURCE", min_width=6, max_width=24),
    Column("usage", "USED/HARD", numeric=True, min_width=5, max_width=24),
    Column("bar", "USAGE", width=15),
)


def quota_row(row_key: tuple[ObjectKey, str], item: QuotaItem) -> Row:
    """One resource of a quota: used/hard and a bar, red from 95 %, yellow from 80 %."""
    key = row_key[0]
    percent = item.percent
    style = None
    if percent is not None:
        style = "error" if percent >= ERROR else "warning" if percent >= WARN else None
    # a quota without reported usage sorts blank (not by its text): last in either order
    usage = BLANK if percent is None else percent
    return Row(
        row_key,
        (
            Cell(key.namespace, key.namespace),
            Cell(key.name, key.name),
            Cell(item.resource, item.resource),
            Cell(f"{item.used}/{item.hard}", usage),
            Cell(usage_bar(percent, 9, WARN, ERROR), usage),
        ),
        style,
    )


def limit_rows(key: ObjectKey, lr: LimitRangeRecord) -> Iterable[Row]:
    """One muted row per defaulted resource of a LimitRange (what a pod without requests gets)."""
    for item in lr.items:
        resources = sorted(set(item.default) | set(item.default_request))
        for resource in resources:
            row_key = (key, f"{item.type}/{resource}")
            parts: list[str] = []
            if resource in item.default_request:
                parts.append(f"req {item.default_request[resource]}")
            if resource in item.default:
                parts.append(f"lim {item.default[resource]}")
            # defaults have no usage: blank, so sorting by usage keeps them under every quota
            yield Row(
                row_key,
                (
                    Cell(key.namespace, key.namespace),
                    Cell(f"limits/{key.name}", key.name),
                    Cell(f"{item.type} {resource}", resource),
                    Cell(" ".join(parts), BLANK),
                    Cell(Text("default", style=MUTED_STYLE), BLANK),
                ),
                "muted",
            )
