"""ResourceTable: a virtualised, keyed, sortable, filterable table for every kdash list.

Textual's DataTable measures every cell of every row before its first paint (3.5 s for 10,000 rows,
FACTS §3) and re-measures whole columns on narrowing updates. This table draws only the visible
lines through the Line API, sizes columns from the header plus a bounded sample, and keeps rows in
a dict keyed by identity, so `set_rows` replaces the data wholesale while the cursor stays on the
same key and only changed rows are redrawn.

Row 0 of the widget is the (non-scrolling) header; data line `i` is drawn at `y = i + 1 - scroll`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from operator import is_
from typing import ClassVar

from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kdash.ui.format import clean
from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.widgets import table_parts
from kdash.ui.widgets.table_layout import ColumnLayout
from kdash.ui.widgets.table_model import RowFilter, changed_lines, update_rows, view_keys
from kdash.ui.widgets.table_parts import ROW_CLASSES
from kdash.ui.widgets.table_render import (
    GAP,
    column_at,
    cursor_strip,
    header_line,
    placeholder_strip,
    row_line,
    set_virtual_height,
)

__all__ = ["Cell", "Column", "ResourceTable", "Row"]


class ResourceTable(ScrollView, can_focus=True):
    """A keyed table drawn line by line; see the module docstring for why it exists."""

    BINDINGS: ClassVar[list[BindingType]] = table_parts.BINDINGS

    COMPONENT_CLASSES: ClassVar[set[str]] = table_parts.COMPONENT_CLASSES
    DEFAULT_CSS = table_parts.DEFAULT_CSS

    class Selected(Message):
        """The user chose a row (enter, or a click on the cursor row)."""

        def __init__(self, table: ResourceTable, key: Hashable) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> ResourceTable:
            return self.table

    class Highlighted(Message):
        """The cursor moved onto another row (or the table emptied: key None)."""

        def __init__(self, table: ResourceTable, key: Hashable | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> ResourceTable:
            return self.table

    class Sorted(Message):
        """The sort column or order changed (so a pane can remember it)."""

        def __init__(self, table: ResourceTable, column: str | None, reverse: bool) -> None:
            super().__init__()
            self.table = table
            self.column = column
            self.reverse = reverse

    placeholder: reactive[str] = reactive("no rows")

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        sort_column: str | None = None,
        sort_reverse: bool = False,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own spelling
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns: tuple[Column, ...] = tuple(columns)
        self._rows: dict[Hashable, Row] = {}  # by key, for lookups
        self._order: list[Row] = []  # the rows in the order given (the unsorted view's order)
        self._view: list[Hashable] = []
        self._index: dict[Hashable, int] | None = {}  # key -> line, built when first asked for
        self._cursor = 0
        self._cursor_key: Hashable | None = None
        self._filter = RowFilter()
        self._filter_text = ""
        self._sort_index: int | None = self._column_index(sort_column)
        self._sort_reverse = sort_reverse
        self._layout = ColumnLayout(self.columns, GAP)
        self._drawn_widths: list[int] | None = None  # the widths the cached strips were drawn at
        self._strips: dict[Hashable, Strip] = {}
        self._strips_base: Style | None = None
        self._frame_style: Style | None = None  # the base style of the frame being drawn
        self._user_moved = False

    # -- public API --------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows shown (after the filter)."""
        return len(self._view)

    @property
    def total_count(self) -> int:
        """Rows held (before the filter)."""
        return len(self._rows)

    @property
    def cursor_key(self) -> Hashable | None:
        return self._view[self._cursor] if self._view else None

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def filter_text(self) -> str:
        return self._filter_text

    @property
    def sort_column(self) -> str | None:
        return None if self._sort_index is None else self.columns[self._sort_index].key

    @property
    def sort_reverse(self) -> bool:
        return self._sort_reverse

    @property
    def _natural(self) -> list[int]:
        """The natural column widths (tests compare them with a fresh measurement)."""
        return self._layout.natural

    def visible_keys(self) -> list[Hashable]:
        """Keys in display order (filtered and sorted)."""
        return list(self._view)

    def get_row(self, key: Hashable) -> Row | None:
        return self._rows.get(key)

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Replace the data. Unchanged rows keep their rendered lines; the cursor stays on its key;
        only the lines shown whose row changed or moved are redrawn; the work is in proportion to
        the rows that changed (`diff_rows`: a pane hands back the rows it cached)."""
        order = self._order
        if len(rows) == len(order) and all(map(is_, rows, order)):
            return  # the very same rows in the same order (a cached rebuild): nothing to hash
        update = update_rows(order, self._rows, list(rows), self._filter, self.columns, self._sort_index)
        self._rows, self._order, stale, unmoved, at = update
        if not stale and unmoved:
            return  # equal rows in new objects: nothing to redraw
        for key in stale:
            self._strips.pop(key, None)
        refit = self._layout.update(self._rows, stale)  # an identifying column must widen
        if self._layout.measure(self._order) or refit:  # every line moves: redraw them all
            self._rebuild_view()
        elif unmoved:
            self._repaint_lines(self._view, set(stale))  # no row moved: no sort, no filter pass
        elif at is not None and self._sort_index is None and not self._filter.active:
            view = list(self._view)  # the view is the rows' keys: only the places in `at` changed
            for i in at:
                view[i] = self._order[i].key
            self._rebuild_view(set(stale), view)
        else:
            self._rebuild_view(set(stale))

    def set_filter(self, text: str) -> None:
        """Filter by regex (`!` negates, `-l k=v,…` selects by label); "" clears."""
        if text == self._filter_text:
            return
        self._filter_text = text
        self._filter = RowFilter.parse(text)
        self._rebuild_view()

    def sort_by(self, column: str | None, reverse: bool | None = None) -> None:
        """Sort by a column key (stable); None restores insertion order."""
        self._sort_index = self._column_index(column)
        if reverse is not None:
            self._sort_reverse = reverse
        self._rebuild_view()
        self.post_message(self.Sorted(self, self.sort_column, self._sort_reverse))

    def set_hidden(self, keys: frozenset[str] | set[str]) -> None:
        """Hide columns by key (e.g. NAMESPACE while one namespace is shown)."""
        if self._layout.set_hidden(frozenset(keys)):
            self._strips.clear()
            self.refresh()

    def move_cursor(self, key: Hashable) -> bool:
        """Put the cursor on `key` if it is shown; returns whether it was."""
        index = self._position(key)
        if index is None:
            return False
        self._set_cursor(index)
        return True

    # -- view maintenance --------------------------------------------------------------------------

    def _column_index(self, key: str | None) -> int | None:
        return next((i for i, column in enumerate(self.columns) if column.key == key), None)

    def _rebuild_view(self, stale: set[Hashable] | None = None, view: list[Hashable] | None = None) -> None:
        """Filter and sort again (or take `view`, the keys filtered and sorted); then redraw
        everything, or (given the changed keys) only the lines shown whose key or row changed."""
        previous_key, old_view = self._cursor_key, self._view
        if view is None:
            view = view_keys(self._order, self._filter, self.columns, self._sort_index, self._sort_reverse)
        self._view = view
        self._index = None
        set_virtual_height(self, len(self._view) + 1)
        # Until the user moves the cursor it stays on the top row (the worst, in most panes), so
        # rows arriving during the first sync do not drag it along; afterwards it follows its key.
        target = self._position(previous_key) if previous_key is not None and self._user_moved else None
        cursor = target if target is not None else min(self._cursor, max(0, len(self._view) - 1))
        self._repaint_lines(old_view, stale)
        self._set_cursor(cursor, user=False)

    def _position(self, key: Hashable) -> int | None:
        """The line showing `key`; most often still the cursor's, which costs no index of 10,000 keys."""
        view, cursor = self._view, self._cursor
        if cursor < len(view) and view[cursor] == key:
            return cursor
        if self._index is None:
            self._index = {k: i for i, k in enumerate(view)}
        return self._index.get(key)

    def _repaint_lines(self, old_view: Sequence[Hashable], stale: set[Hashable] | None) -> None:
        """Redraw the lines shown whose key differs from `old_view`'s, or whose row is in `stale`
        (None: every line). A whole-widget refresh makes Textual re-render and re-send every line
        of the table; under churn most updates touch rows that are off screen."""
        if stale is None or not old_view or not self._view or not self.is_mounted:
            self.refresh()  # everything, or to or from the placeholder line
            return
        top, count = int(self.scroll_y), max(0, self.size.height - 1)
        width = self.size.width
        for y in changed_lines(old_view, self._view, top, count, stale):
            self.refresh(Region(0, y + 1, width, 1))

    def _set_cursor(self, index: int, *, user: bool = True) -> None:
        if user:
            self._user_moved = True
        count = len(self._view)
        index = max(0, min(index, count - 1)) if count else 0
        old_key, old_index = self._cursor_key, self._cursor
        self._cursor = index
        self._cursor_key = self._view[index] if count else None
        self._scroll_cursor_into_view()  # a scroll redraws the whole table itself
        if old_key != self._cursor_key:
            self.post_message(self.Highlighted(self, self._cursor_key))
        if old_key != self._cursor_key or old_index != index:
            self._refresh_data_line(old_index)
            self._refresh_data_line(index)

    def _refresh_data_line(self, line: int) -> None:
        """Redraw data line `line` if it is shown (the cursor's old and new line)."""
        y = line - int(self.scroll_y) + 1
        if 0 < y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _scroll_cursor_into_view(self) -> None:
        page = max(1, self.size.height - 1)
        top = int(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False, immediate=True)

    # -- actions -----------------------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self._set_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._set_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self._set_cursor(self._cursor - max(1, self.size.height - 2))

    def action_page_down(self) -> None:
        self._set_cursor(self._cursor + max(1, self.size.height - 2))

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(len(self._view) - 1)

    def action_select(self) -> None:
        if self.cursor_key is not None:
            self.post_message(self.Selected(self, self.cursor_key))

    def action_sort_column(self, step: int) -> None:
        """k9s habit: shift+←/→ moves the sort to the previous/next column."""
        count = len(self.columns)
        current = self._sort_index if self._sort_index is not None else (-1 if step > 0 else count)
        self.sort_by(self.columns[(current + step) % count].key)

    def action_flip_order(self) -> None:
        if self._sort_index is None:
            self._sort_index = 0
        self.sort_by(self.sort_column, not self._sort_reverse)

    def action_scroll_text(self, step: int) -> None:
        """←/→: scroll the free-text columns (messages, metrics) to read what does not fit."""
        if not self._layout.scrollable:
            raise SkipAction()
        cursor = self._rows.get(self.cursor_key) if self._view else None
        if self._layout.scroll(step, self._widths(), cursor):
            self._strips.clear()
            self.refresh()

    def _scroll_hints(self) -> tuple[bool, bool]:
        """Whether the free-text columns have more to the left / to the right."""
        layout = self._layout
        if not layout.scrollable:
            return False, False
        return layout.offset > 0, layout.offset < layout.max_offset(self._widths())

    # -- mouse -------------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        event.stop()
        if event.y == 0:
            index = column_at(self._widths(), event.x)
            if index is not None:
                key = self.columns[index].key
                flip = self._sort_index == index
                self.sort_by(key, (not self._sort_reverse) if flip else False)
            return
        line = int(self.scroll_y) + event.y - 1
        if 0 <= line < len(self._view):
            was = self._cursor
            self._set_cursor(line)
            if was == line or event.chain > 1:
                self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self._view) + 1)
        self._strips.clear()
        self._scroll_cursor_into_view()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    # -- drawing -----------------------------------------------------------------------------------

    def _widths(self) -> list[int]:
        widths = self._layout.widths(self.scrollable_content_region.width, self._rows)
        if widths is not self._drawn_widths:  # refitted: the cached lines are stale
            self._drawn_widths = widths
            self._strips.clear()
        return widths

    def _guard_idents(self) -> None:
        """A drawn row's name was wider than its column while no index kept names apart (the width
        sample had not seen it): index them (once per frame's asks) and redraw at fitting widths."""
        if not self._layout.indexed:
            self._layout.build_idents(self._rows.values())
            self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        # the base style walks every ancestor's styles: once per frame, not once per line
        self._frame_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._frame_style if self._frame_style is not None else self.rich_style
        if base != self._strips_base:  # focus tint, theme or pseudo-class change: cached lines are stale
            self._strips.clear()
            self._strips_base = base
        if y == 0:
            return self._header_strip(width, base)
        line = int(self.scroll_y) + y - 1
        if line >= len(self._view):
            if line == 0 and not self._view:
                style = self.get_component_rich_style("resource-table--placeholder")
                return placeholder_strip(clean(self.placeholder), style, width, self.app.console, base)
            return Strip.blank(width, base)
        key = self._view[line]
        is_cursor = line == self._cursor
        if not is_cursor and key in self._strips:
            return self._strips[key]
        strip = self._row_strip(self._rows[key], width, base, is_cursor)
        if not is_cursor:
            self._strips[key] = strip
        return strip

    def _header_strip(self, width: int, base: Style) -> Strip:
        line = header_line(
            self.columns,
            self._widths(),
            width,
            self._sort_index,
            self._sort_reverse,
            self.get_component_rich_style("resource-table--header"),
            self.get_component_rich_style("resource-table--sorted"),
            self._scroll_hints(),
        )
        return Strip(line.render(self.app.console), width).apply_style(base)

    def _row_strip(self, row: Row, width: int, base: Style, is_cursor: bool) -> Strip:
        widths = self._widths()
        line = row_line(self.columns, widths, row, width, self._layout.offset)
        if self._layout.cut_without_index(row, widths):
            self.call_after_refresh(self._guard_idents)
        row_style = base
        if row.style_class in ROW_CLASSES:
            row_style = base + self.get_component_rich_style(f"resource-table--row-{row.style_class}")
        strip = Strip(list(line.render(self.app.console)), width).apply_style(row_style)
        if is_cursor:
            name = "resource-table--cursor" if self.has_focus else "resource-table--cursor-blurred"
            strip = cursor_strip(strip, self.get_component_rich_style(name), width)
        return strip
