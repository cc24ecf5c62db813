"""Quota rows: used/hard with a usage bar, the row red from 95 % and yellow from 80 %, and
LimitRange defaults muted with a blank usage so they sort under every quota in either order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kdash.model.meta import ObjectKey
from kdash.model.quotas import LimitRangeRecord, QuotaItem
from kdash.ui.render.quotas import COLUMNS, limit_rows, quota_row
from kdash.ui.render.table import BLANK
from kdash.ui.render.text import MUTED_STYLE
from tests.ui.render.records import check, meta, record

QUOTA = ObjectKey("ResourceQuota", "shop", "compute")


def item(used: str, hard: str, resource: str = "requests.cpu") -> QuotaItem:
    return QuotaItem(resource, used, hard, Decimal(used) if used else None, Decimal(hard))


@pytest.mark.parametrize(
    ("quota_item", "style_class", "usage", "bar"),
    [
        (item("96", "100"), "error", 96.0, "█████████  96%"),
        (item("80", "100"), "warning", 80.0, "███████░░  80%"),
        (item("10", "100"), None, 10.0, "█░░░░░░░░  10%"),
        (item("", "10", "pods"), None, BLANK, "-" + " " * 13),  # no usage reported yet: sorts last
    ],
)
def test_quota_row(quota_item: QuotaItem, style_class: str | None, usage: Any, bar: str) -> None:
    row = quota_row((QUOTA, quota_item.resource), quota_item)
    assert row.key == (QUOTA, quota_item.resource) and row.style_class == style_class
    check(
        row,
        COLUMNS,
        {
            "quota": ("compute", "", "compute"),
            "resource": (quota_item.resource, "", quota_item.resource),
            "usage": (f"{quota_item.used}/{quota_item.hard}", "", usage),
        },
    )
    assert row.cells[-1].plain == bar and row.cells[-1].sort == usage


def test_limitrange_defaults_are_muted_rows_with_blank_usage() -> None:
    raw = {
        "kind": "LimitRange",
        "metadata": meta("shop-limits"),
        "spec": {
            "limits": [{"type": "Container", "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "100m"}}]
        },
    }
    key = ObjectKey("LimitRange", "shop", "shop-limits")
    (row,) = limit_rows(key, record("limitranges", raw, LimitRangeRecord))
    assert row.key == (key, "Container/cpu") and row.style_class == "muted"
    check(
        row,
        COLUMNS,
        {
            "quota": ("limits/shop-limits", "", "shop-limits"),
            "resource": ("Container cpu", "", "cpu"),
            "usage": ("req 100m lim 500m", "", BLANK),
            "bar": ("default", MUTED_STYLE, BLANK),
        },
    )
