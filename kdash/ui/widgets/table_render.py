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
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from kdash.ui.widgets.table_columns import ELLIPSIS, abbreviate
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
    scroll: tuple[bool, bool] = (False, False),
) -> Text:
    """The header: labels cut to their column, the sort column marked ↑/↓, and free-text columns
    marked ◂/▸ while there is more of them to the left/right (`scroll`)."""
    line = Text(no_wrap=True, end="")
    left, right = scroll
    for i, (column, w) in enumerate(zip(columns, widths, strict=True)):
        if not w:
            continue
        label, cell_style = column.label, style
        if i == sort_index:
            label, cell_style = f"{label}{'↓' if reverse else '↑'}", sorted_style
        if column.flex and (left or right):  # the hints at the column's edges, cut or not
            hint = f"{'◂' if left else ''}{'▸' if right else ''}"
            label = f"{label[: max(0, w - len(hint) - 1)]} {hint}" if w > len(hint) else hint[:w]
        if column.justify == "right":
            cell = Text(label[:w].rjust(w), style=cell_style, end="")
        else:
            cell = Text(label, style=cell_style, no_wrap=True, overflow="ellipsis", end="")
            cell.truncate(w, pad=True)
        line.append_text(cell)
        line.append(" " * GAP)
    line.truncate(width, pad=True)
    return line


def row_line(columns: Sequence[Column], widths: Sequence[int], row: Row, width: int, offset: int = 0) -> Text:
    """One row: each cell cleaned of control characters and aligned in its column; an identifying
    cell too long is middle-ellipsised, a free-text cell shown from `offset` (its start then "…"),
    any other cut with "…" at its end."""
    line = Text(no_wrap=True, end="")
    for cell, column, w in zip(row.cells, columns, widths, strict=False):
        if not w:
            continue
        text = clean_cell(cell.as_text()).copy()
        text.no_wrap = True
        text.overflow = "ellipsis"
        if column.flex and offset:
            text = scrolled(text, offset)
        if text.cell_len > w:
            if column.ident:
                text = middle_cut(text, w)
            else:
                text.truncate(w, overflow="ellipsis")
        text.align(column.justify, w)
        line.append_text(text)
        line.append(" " * GAP)
    line.truncate(width, pad=True)
    return line


def middle_cut(text: Text, width: int) -> Text:
    """`text` middle-ellipsised to `width` (table_columns.abbreviate), keeping the styles of what
    stays; a text of wide characters keeps its base style only."""
    plain = text.plain
    short = abbreviate(plain, width)
    if not plain.isascii() or ELLIPSIS not in short:
        return Text(short, style=text.style, no_wrap=True, end="")
    head = short.index(ELLIPSIS)
    tail = len(short) - head - 1
    out = text[:head]
    out.append(ELLIPSIS)
    if tail:
        out.append_text(text[len(plain) - tail :])
    out.no_wrap = True
    out.end = ""
    return out


def scrolled(text: Text, offset: int) -> Text:
    """`text` from cell `offset` on, "…" in place of its first shown character (there is more to
    the left); empty when it ends before `offset`."""
    if offset >= len(text.plain):
        return Text("", style=text.style, no_wrap=True, end="")
    out = Text(ELLIPSIS, style=text.style, no_wrap=True, end="")
    out.append_text(text[offset + 1 :])
    return out


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


def set_virtual_height(view: ScrollView, lines: int) -> None:
    """Setting `virtual_size` re-lays out (and repaints) the whole screen. While the vertical
    scrollbar stays shown only its thumb changes, so then update the size and scrollbar alone:
    a busy Restarts pane grows every render and must not repaint the dashboard 10x a second."""
    size = Size(view.size.width, lines)
    old = view.virtual_size
    if size == old:
        return
    window = view.container_size.height
    if (
        view.is_mounted
        and view.show_vertical_scrollbar
        and old.width == size.width
        and old.height > window
        and lines > window
        and view.scroll_y <= lines - window
    ):
        view.set_reactive(ScrollView.virtual_size, size)
        bar = view.vertical_scrollbar
        if same_thumb(bar, lines):  # one row more of 700 moves the thumb by nothing visible
            bar.set_reactive(ScrollBar.window_virtual_size, lines)
        else:
            bar.window_virtual_size = lines  # repaints the scrollbar alone
    else:
        view.virtual_size = size
