"""Line builders for ResourceTable: one header or row as a Text line, truncated cell by cell.

Pure functions of columns, widths and styles (no widget state), so the widget keeps only the
bookkeeping of what to draw and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.scrollbar import ScrollBar
from textual.strip import Strip

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


def column_at(widths: Sequence[int], x: int) -> int | None:
    """The index of the column drawn at `x` (its gap included), None right of the last one."""
    left = 0
    for i, width in enumerate(widths):
        if not width:
            continue
        if left <= x < left + width + GAP:
            return i
        left += width + GAP
    return None


def placeholder_strip(words: str, style: Style, width: int, console: Console, base: Style) -> Strip:
    """The empty table's one line ("no pods in shop", "syncing…")."""
    text = Text(words, style=style, no_wrap=True, overflow="ellipsis")
    text.truncate(width, pad=True)
    return Strip(text.render(console), width).apply_style(base)


def cursor_strip(strip: Strip, cursor: Style, width: int) -> Strip:
    """`strip` under the cursor's style (on top of each segment's own)."""
    return Strip([Segment(t, (s or Style()) + cursor, c) for t, s, c in strip], width)


def same_thumb(bar: ScrollBar, virtual: int) -> bool:
    """Whether `bar` would draw the same with `virtual` lines to scroll as with its current count
    (asked of Textual's own bar renderer, so it holds whatever its arithmetic): the scrollbar of a
    Restarts pane growing a row a render otherwise repaints, and with it the whole pane."""
    if not bar.vertical or bar.window_virtual_size == virtual:
        return bar.window_virtual_size == virtual
    size, thickness = bar.size.height, bar.size.width

    def render(lines: int) -> list[Segment]:
        window = bar.window_size if bar.window_size < lines else 0
        drawn = bar.renderer.render_bar(
            size=size,
            virtual_size=ceil(lines),
            window_size=ceil(window),
            position=bar.position,
            thickness=thickness,
            vertical=True,
        )
        return drawn.segments

    return render(bar.window_virtual_size) == render(virtual)
