"""Line builders for ResourceTable: one header or row as a Text line, truncated cell by cell.

Pure functions of columns, widths and styles (no widget state), so the widget keeps only the
bookkeeping of what to draw and when.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text

from kdash.ui.widgets.table_model import Column, Row, clean_cell

GAP = 1


def header_line(
    columns: Sequence[Column],
    widths: Sequence[int],
    width: int,
    sort_index: int | None,
    reverse: bool,
    style: Style,
    sorted_style: Style,
) -> Text:
    """The header: labels cut to their column, the sort column marked ↑/↓."""
    line = Text(no_wrap=True, end="")
    for i, (column, w) in enumerate(zip(columns, widths, strict=True)):
        if not w:
            continue
        label, cell_style = column.label, style
        if i == sort_index:
            label, cell_style = f"{label}{'↓' if reverse else '↑'}", sorted_style
        if column.justify == "right":
            cell = Text(label[:w].rjust(w), style=cell_style, end="")
        else:
            cell = Text(label, style=cell_style, no_wrap=True, overflow="ellipsis", end="")
            cell.truncate(w, pad=True)
        line.append_text(cell)
        line.append(" " * GAP)
    line.truncate(width, pad=True)
    return line


def row_line(columns: Sequence[Column], widths: Sequence[int], row: Row, width: int) -> Text:
    """One row: each cell cleaned of control characters, cut with "…", aligned in its column."""
    line = Text(no_wrap=True, end="")
    for cell, column, w in zip(row.cells, columns, widths, strict=False):
        if not w:
            continue
        text = clean_cell(cell.as_text()).copy()
        text.no_wrap = True
        text.overflow = "ellipsis"
        if text.cell_len > w:
            text.truncate(w, overflow="ellipsis")
        text.align(column.justify, w)
        line.append_text(text)
        line.append(" " * GAP)
    line.truncate(width, pad=True)
    return line
