"""Rows of any kind's list from the server's Table: kubectl's columns, kdash's table rows.

Pure (no Textual) so the mapping is tested on plain values. The server's columnDefinitions say
everything: priority 0 is kubectl's default view, > 0 its `-o wide` columns (droppable here, and
shown only when they fit unless the user asks for them, see KindListScreen); the `name` column
identifies the row (never cut at its end), free-text columns take the width left. kubectl adds
NAMESPACE itself in `-A` mode, and so do we. Ages are recomputed from creationTimestamp with
the app's clock: the server printed them when it sent the row, so a watched row's age would
otherwise stand still.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from kdash.model.feeds import TableColumn, TableRow
from kdash.model.timefmt import age
from kdash.ui.render.table import Cell, Column, Row

NAMESPACE_KEY = "namespace"
_FREE_TEXT = frozenset({"message", "reason", "description", "status message"})
_NUMERIC = frozenset({"integer", "number"})


def _is_age(column: TableColumn) -> bool:
    return column.name.lower() == "age"


def is_name(column: TableColumn, index: int) -> bool:
    """The column naming the object: format "name" (kubectl's marker), or the first "Name"."""
    return column.format == "name" or (index == 0 and column.name.lower() == "name")


def column_key(index: int) -> str:
    return f"c{index}"


def table_columns(columns: Sequence[TableColumn], *, namespaced: bool) -> tuple[Column, ...]:
    """The table's columns: NAMESPACE first for a namespaced kind (hidden in one namespace), then
    the server's, labels upper-cased as kubectl prints them."""
    out: list[Column] = []
    if namespaced:
        out.append(Column(NAMESPACE_KEY, "NAMESPACE", max_width=30, ident=True))
    for i, col in enumerate(columns):
        wide = col.priority > 0
        out.append(
            Column(
                column_key(i),
                col.name.upper(),
                max_width=60 if is_name(col, i) else 40,
                numeric=col.type in _NUMERIC,
                align="left",  # as kubectl prints every column, numbers too
                drop=col.priority + 1 if wide else 0,
                ident=is_name(col, i),
                flex=col.type == "string" and col.name.lower() in _FREE_TEXT,
                min_width=10 if col.name.lower() in _FREE_TEXT else 1,
            )
        )
    return tuple(out)


def default_end(columns: Sequence[TableColumn], *, namespaced: bool) -> int:
    """The index in `table_columns(...)` just after kubectl's last default (priority 0) column:
    where a screen adds columns of its own (the nodes list's usage), before the wide ones."""
    last = max((i for i, col in enumerate(columns) if col.priority == 0), default=len(columns) - 1)
    return last + 1 + (1 if namespaced else 0)


def wide_keys(columns: Sequence[TableColumn]) -> frozenset[str]:
    """The keys of kubectl's `-o wide` columns."""
    return frozenset(column_key(i) for i, col in enumerate(columns) if col.priority > 0)


def age_texts(row: TableRow, columns: Sequence[TableColumn], now: datetime) -> tuple[str, ...]:
    """The age cells a row shows at `now` (its row is rebuilt when one moves on)."""
    if row.created is None:
        return ()
    text = age(row.created, now)
    return tuple(text for col in columns if _is_age(col))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def table_row(row: TableRow, columns: Sequence[TableColumn], now: datetime, *, namespaced: bool) -> Row:
    """One row: cells are the server's strings (untrusted: shown cleaned, never as markup)."""
    cells: list[Cell] = []
    if namespaced:
        cells.append(Cell(row.key.namespace))
    created = row.created
    for i, col in enumerate(columns):
        text = row.cells[i] if i < len(row.cells) else ""
        if _is_age(col) and created is not None:
            cells.append(Cell(age(created, now), -created.timestamp()))
        elif col.type in _NUMERIC:
            value = _number(text)
            cells.append(Cell(text, value if value is not None else ""))
        else:
            cells.append(Cell(text))
    return Row(row.key, tuple(cells), labels=row.labels)
