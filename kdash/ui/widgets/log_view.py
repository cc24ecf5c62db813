"""A virtualised log widget: a bounded ring of lines, only the visible rows rendered.

Textual's `Log` starts a worker per write and `RichLog` costs ~0.5 ms a line (FACTS.md §4), so this
follows toolong: lines in a bounded list, `render_line` draws only the rows on screen through an LRU
of strips, lines arrive in batches, and wrapping is a cell count (character wrap), not a layout pass.
Log text is untrusted: sanitised (SGR kept), never parsed as markup, cut at `MAX_DISPLAY_CHARS`.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kdash.model.source import LogLine
from kdash.ui.widgets.log_view_lines import (
    CELLS,
    EVENT,
    PALETTE,
    PLAIN,
    SRC,
    LogEntry,
    N,
    Prepared,
    Raw,
    as_entry,
    body_text,
    compile_pattern,
    filter_subject,
    line_text,
    prepare,
)


class LogView(ScrollView, can_focus=True):
    """Log lines from any number of containers; follow, wrap, filter, search and JSON modes."""

    DEFAULT_CSS = """
    LogView { background: $surface; overflow-x: auto; overflow-y: scroll; }
    """

    class FollowChanged(Message):
        """Follow (auto-scroll) was switched, by a key or by scrolling up."""

        def __init__(self, view: LogView, follow: bool) -> None:
            super().__init__()
            self.view = view
            self.follow = follow

    class Pending(Message):
        """Lines are waiting in the feed; one queued at a time, however fast they arrive."""

    def __init__(
        self,
        max_lines: int = 10_000,
        *,
        prefix: bool | None = None,
        timestamps: bool = False,
        wrap: bool = False,
        pretty: bool = False,
        id: str | None = None,  # noqa: A002 - Textual's spelling
        classes: str | None = None,
    ) -> None:
        """`prefix=None` shows `pod/container` once lines from a second container arrive."""
        super().__init__(id=id, classes=classes)
        self.max_lines = max_lines
        self._auto_prefix = prefix is None
        self._prefix = bool(prefix)
        self._timestamps = timestamps
        self._wrap = wrap
        self._pretty = pretty
        self._follow = True
        self.evicted = 0
        self._entries: list[Raw] = []
        self._rows: list[tuple[int, int]] = []  # (entry n, wrapped sub-row) per display row
        self._next_n = 0
        self._colours: dict[str, int] = {}
        self._sources: set[tuple[str, str]] = set()
        self._filter: re.Pattern[str] | None = None
        self._negate = False
        self._search: re.Pattern[str] | None = None
        self._matches: list[int] = []  # entry numbers with a search match
        self._current: int | None = None
        self._max_cells = 0
        self._version = 0
        self._strips: LRUCache[tuple[int, int, int], tuple[list[Segment], int]] = LRUCache(512)
        self._relayout_pending = False
        self._feed: deque[Prepared] = deque()
        self._feed_lock = threading.Lock()
        self._wake_queued = False
        self.received = 0

    # ---- public state ------------------------------------------------------------------

    @property
    def follow(self) -> bool:
        return self._follow

    @follow.setter
    def follow(self, value: bool) -> None:
        if value != self._follow:
            self._follow = value
            self.post_message(self.FollowChanged(self, value))
        if value:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    @property
    def line_count(self) -> int:
        return len(self._entries)

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def entries(self) -> list[LogEntry]:
        """A copy of the buffer, oldest first (built on demand: for saving, pickers, tests)."""
        return [as_entry(r) for r in self._entries]

    @property
    def match_count(self) -> int:
        return len(self._matches)

    @property
    def current_match(self) -> int | None:
        """Index (0-based) of the current match within all matches, or None."""
        if self._current is None:
            return None
        i = bisect_left(self._matches, self._current)
        return i if i < len(self._matches) and self._matches[i] == self._current else None

    def visible_entries(self) -> list[LogEntry]:
        """The entries the filter lets through, oldest first (what a save writes)."""
        return [as_entry(r) for r in self._entries if self._passes(r)]

    # ---- settings ----------------------------------------------------------------------

    def set_options(
        self,
        *,
        wrap: bool | None = None,
        timestamps: bool | None = None,
        pretty: bool | None = None,
        prefix: bool | None = None,
    ) -> None:
        if wrap is not None:
            self._wrap = wrap
        if timestamps is not None:
            self._timestamps = timestamps
        if pretty is not None:
            self._pretty = pretty
        if prefix is not None:
            self._prefix, self._auto_prefix = prefix, False
        self._relayout()

    @property
    def options(self) -> dict[str, bool]:
        return {
            "wrap": self._wrap,
            "timestamps": self._timestamps,
            "pretty": self._pretty,
            "prefix": self._prefix,
        }

    def set_filter(self, pattern: str) -> None:
        """Show only lines matching `pattern` (regex, smart case); a leading `!` shows the others."""
        self._negate = pattern.startswith("!")
        body = pattern[1:] if self._negate else pattern
        self._filter = compile_pattern(body) if body else None
        self._recompute_matches()
        self._relayout()

    def set_search(self, pattern: str) -> int:
        """Highlight `pattern`; returns how many (visible) lines match. Jumps to the last match."""
        self._search = compile_pattern(pattern) if pattern else None
        self._recompute_matches()
        self._current = None
        self._bump()
        if self._matches:
            self.follow = False
            self._goto(self._matches[-1])
        return len(self._matches)

    def next_match(self, backwards: bool = False) -> bool:
        """Move to the next (or previous) matching line, wrapping around; False when none match."""
        if not self._matches:
            return False
        if self._current is None:
            target = self._matches[-1] if backwards else self._matches[0]
        elif backwards:
            i = bisect_left(self._matches, self._current) - 1
            target = self._matches[i]  # -1 wraps to the last
        else:
            i = bisect_left(self._matches, self._current + 1)
            target = self._matches[i % len(self._matches)]
        self.follow = False
        self._goto(target)
        return True

    def clear(self) -> None:
        self._entries.clear()
        self._rows.clear()
        self._matches.clear()
        self._current = None
        self._max_cells = 0
        self._bump()
        self.virtual_size = Size(0, 0)

    # ---- appending ---------------------------------------------------------------------

    def feed(self, lines: Sequence[LogLine]) -> None:
        """Thread-safe: queue a batch from a log stream's thread and wake the UI once.

        While the UI is busy, batches pile up here (bounded by `max_lines`; the excess oldest lines
        are dropped and counted) instead of as messages in the widget's queue.
        """
        prepared = [prepare(line) for line in lines]
        with self._feed_lock:
            self._feed.extend(prepared)
            self.received += len(lines)
            overflow = len(self._feed) - self.max_lines
            if overflow > 0:
                for _ in range(overflow):
                    self._feed.popleft()
                self.evicted += overflow
            if self._wake_queued:
                return
            self._wake_queued = True
        self.post_message(self.Pending())

    def on_log_view_pending(self, event: LogView.Pending) -> None:
        event.stop()
        with self._feed_lock:
            batch = list(self._feed)
            self._feed.clear()
            self._wake_queued = False
        self._add_prepared(batch)

    def append(self, lines: Iterable[LogLine]) -> None:
        """Add a batch on the UI thread; the oldest lines beyond `max_lines` are dropped and counted."""
        self._add_prepared([prepare(line) for line in lines])

    def _add_prepared(self, batch: list[Prepared]) -> None:
        new: list[Raw] = []
        n = self._next_n
        colours = self._colours
        for p in batch:
            pod = p[1]
            src = (pod, p[2])
            if src not in self._sources:
                self._sources.add(src)
                colours.setdefault(pod, len(colours) % len(PALETTE))
                if self._auto_prefix and len(self._sources) > 1 and not self._prefix:
                    self._prefix = True
                    self._relayout_pending = True
            new.append((n, *p, colours[pod]))
            n += 1
        self._next_n = n
        if not new:
            return
        self._entries.extend(new)
        overflow = len(self._entries) - self.max_lines
        removed_rows = 0
        if overflow > 0:
            self.evicted += overflow
            del self._entries[:overflow]
            first = self._entries[0][N]
            removed_rows = bisect_left(self._rows, (first, 0))
            del self._rows[:removed_rows]
            cut = bisect_left(self._matches, first)
            del self._matches[:cut]
        if self._relayout_pending:
            self._relayout_pending = False
            self._relayout()
        else:
            self._add_rows(new)
            self._update_virtual_size()
        if self._follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        elif removed_rows:  # keep the lines being read in place while the head is evicted
            self.scroll_to(y=max(self.scroll_y - removed_rows, 0), animate=False, immediate=True, force=True)
        self.refresh()  # rows under an unchanged offset may have shifted

    # ---- layout ------------------------------------------------------------------------

    def _passes(self, r: Raw) -> bool:
        if self._filter is None or r[EVENT]:
            return True
        return (self._filter.search(filter_subject(r, self._prefix)) is not None) != self._negate

    def _text_width(self) -> int:
        return max(self.scrollable_content_region.width, 1)

    def _add_rows(self, entries: Iterable[Raw], *, collect_matches: bool = True) -> None:
        """Append display rows for `entries`; a hot loop (a relayout walks the whole buffer)."""
        wrap, width = self._wrap, self._text_width()
        search = self._search if collect_matches else None
        stamp = 13 if self._timestamps else 0
        prefix, exact, filt = self._prefix, wrap and self._pretty, self._filter
        add = self._rows.append
        max_cells = self._max_cells
        for e in entries:
            if filt is not None and not self._passes(e):
                continue
            body = self._body_text(e).cell_len if exact or e[EVENT] else e[CELLS]
            cells = stamp + (e[SRC] if prefix else 0) + body
            if cells > max_cells:
                max_cells = cells
            if wrap and cells > width:
                for k in range(-(-cells // width)):
                    add((e[N], k))
            else:
                add((e[N], 0))
            if search is not None and not e[EVENT] and search.search(e[PLAIN]):
                self._matches.append(e[N])
        self._max_cells = max_cells

    def _recompute_matches(self) -> None:
        search = self._search
        self._matches = (
            [e[N] for e in self._entries if not e[EVENT] and self._passes(e) and search.search(e[PLAIN])]
            if search is not None
            else []
        )

    def _relayout(self) -> None:
        self._rows = []
        self._max_cells = 0
        self._add_rows(self._entries, collect_matches=False)
        self._bump()
        self._update_virtual_size()
        if self._follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    def _update_virtual_size(self) -> None:
        width = self._text_width() if self._wrap else self._max_cells
        self.virtual_size = Size(width, len(self._rows))

    def _bump(self) -> None:
        self._version += 1
        self._strips.clear()
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        if self._wrap:
            self._relayout()

    def _goto(self, n: int) -> None:
        self._current = n
        self._bump()
        row = bisect_left(self._rows, (n, 0))
        height = self.scrollable_content_region.height
        self.scroll_to(y=max(row - height // 2, 0), animate=False, immediate=True, force=True)

    def _entry(self, n: int) -> Raw:
        return self._entries[n - self._entries[0][N]]

    # ---- rendering ---------------------------------------------------------------------

    def _body_text(self, e: Raw) -> Text:
        return body_text(e, pretty=self._pretty)

    def _line_text(self, e: Raw, base: Style) -> Text:
        return line_text(
            e,
            base,
            timestamps=self._timestamps,
            prefix=self._prefix,
            pretty=self._pretty,
            search=self._search,
            current=self._current,
        )

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row = scroll_y + y
        base = self.rich_style
        if row >= len(self._rows) or not self._entries:
            return Strip.blank(width, base)
        n, sub = self._rows[row]
        key = (n, sub, self._version)
        cached = self._strips.get(key)
        if cached is None:
            entry = self._entry(n)
            text = self._line_text(entry, base)
            strip = Strip(text.render(self.app.console), text.cell_len)
            if self._wrap:
                strip = strip.crop(sub * width, (sub + 1) * width)
            cached = (list(strip), strip.cell_length)
            self._strips[key] = cached
        # A fresh Strip per call: Strips cache their own crops (self-referencing cycles), so keeping
        # them in a long-lived cache made gen-2 garbage at ~600 strips/s (measured).
        strip = Strip(*cached)
        if self._wrap:
            return strip.extend_cell_length(width, base).apply_offsets(0, row)
        return strip.crop_extend(scroll_x, scroll_x + width, base).apply_offsets(scroll_x, row)

    # ---- follow: scrolling up pauses it, reaching the end resumes it ----------------------

    def _user_scrolled(self) -> None:
        if self.scroll_y < self.max_scroll_y:
            self.follow = False

    def action_scroll_up(self) -> None:
        super().action_scroll_up()
        self.follow = False

    def action_page_up(self) -> None:
        super().action_page_up()
        self.follow = False

    def action_scroll_home(self) -> None:
        super().action_scroll_home()
        self.follow = False

    def action_scroll_end(self) -> None:
        self.follow = True

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        super()._on_mouse_scroll_up(event)
        self.call_after_refresh(self._user_scrolled)

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        super()._on_mouse_scroll_down(event)
        self.call_after_refresh(self._resume_at_end)

    def action_scroll_down(self) -> None:
        super().action_scroll_down()
        self.call_after_refresh(self._resume_at_end)

    def action_page_down(self) -> None:
        super().action_page_down()
        self.call_after_refresh(self._resume_at_end)

    def _resume_at_end(self) -> None:
        if not self._follow and self.scroll_y >= self.max_scroll_y:
            self.follow = True
