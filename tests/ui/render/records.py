"""Records for the row-builder tests, built from raw API JSON by the model's own builders, and a
reader that turns a Row into {column key: (text, style, sort)} for table-driven expectations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from rich.text import Text

from kdash.model.build import build_record
from kdash.ui.render.table import Cell, Column, Row

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
CREATED = "2026-11-26T12:00:00Z"  # three days before NOW: AGE "3d"
THREE_DAYS = 3 * 24 * 3600.0

T = TypeVar("T")


def record(resource: str, raw: dict[str, Any], kind: type[T]) -> T:
    """The model's record for `raw` (a dict as the API server sends it)."""
    built = build_record(resource, raw)
    assert isinstance(built, kind), built
    return built


def meta(name: str, namespace: str = "shop", **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": namespace, "uid": f"uid-{name}", "creationTimestamp": CREATED, **extra}


def style_of(cell: Cell) -> str:
    """The style of the whole cell ("" for a plain string or an unstyled Text)."""
    text = cell.text
    return str(text.style) if isinstance(text, Text) else ""


def by_column(row: Row, columns: Sequence[Column]) -> dict[str, Cell]:
    assert len(row.cells) == len(columns), (len(row.cells), [c.key for c in columns])
    return {column.key: cell for column, cell in zip(columns, row.cells, strict=True)}


def check(row: Row, columns: Sequence[Column], expected: dict[str, tuple[str, str, Any]]) -> None:
    """Each listed column's cell shows `text` in `style` and sorts by `sort`."""
    cells = by_column(row, columns)
    got = {key: (cells[key].plain, style_of(cells[key]), cells[key].sort) for key in expected}
    assert got == expected
