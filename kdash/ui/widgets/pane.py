"""Shared chrome for the dashboard panes: a titled box with a row count, a `/` filter bar, one
ResourceTable, and the pane's own empty / syncing / forbidden / error / stale state.

Each pane subclass only says which kinds it shows and how a record becomes a Row. Rows are cached
by key together with the inputs that produced them, so an update rebuilds only the rows whose
record (or score, or age text) changed, and the table redraws only those.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input

from kdash.model.snapshot import ClusterSnapshot, KindState, SyncPhase
from kdash.ui.format import clean
from kdash.ui.widgets.resource_table import Column, ResourceTable, Row


@dataclass(frozen=True, slots=True)
class DashboardView:
    """Everything a pane renders from: one snapshot, its health report (if any) and `now`."""

    snapshot: ClusterSnapshot
    report: Any  # kdash.health HealthReport | None
    now: datetime

    def in_scope(self, namespace: str) -> bool:
        ns = self.snapshot.namespace
        return ns is None or namespace == ns


def same_inputs(new: tuple[Any, ...], old: tuple[Any, ...] | None) -> bool:
    """Element-wise: the same object (maps, reports), or equal plain values (namespace, age step).
    Holding the objects (not their ids) keeps them alive, so an id can never be reused."""
    if old is None or len(new) != len(old):
        return False
    return all(a is b or (isinstance(a, int | str) and a == b) for a, b in zip(new, old, strict=True))


def age_step(view: DashboardView) -> int:
    return int(view.now.timestamp()) // 2


class FilterBar(Input):
    """The `/` filter of one pane; `esc` clears and closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_filter", "Clear filter", id="filter-clear"),
    ]

    def action_clear_filter(self) -> None:
        self.value = ""
        pane = next((a for a in self.ancestors if isinstance(a, Pane)), None)
        if pane is not None:
            pane.close_filter()


class PaneBox(Vertical):
    """A bordered dashboard box that `f` may maximise (containers refuse by default)."""

    ALLOW_MAXIMIZE = True


class Pane(PaneBox):
    """A dashboard pane; subclasses set TITLE, KINDS, COLUMNS and implement `rows()`."""

    TITLE: ClassVar[str] = ""
    KINDS: ClassVar[tuple[str, ...]] = ()  # plural resource names whose KindState this pane reflects
    NOUN: ClassVar[str] = "rows"  # "no <noun> in shop"
    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    SORT: ClassVar[tuple[str | None, bool]] = (None, False)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "open_filter", "Filter", id="pane-filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="pane-filter-clear"),
    ]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's spelling
        super().__init__(id=id, classes="pane")
        self.border_title = Content(self.TITLE)
        self._cache: dict[Hashable, tuple[Any, Any, Row]] = {}
        self._last_view: DashboardView | None = None
        self._last_inputs: tuple[Any, ...] | None = None
        self._titles: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield FilterBar(placeholder="filter: regex, !negate, -l app=web", classes="pane-filter")
        yield ResourceTable(self.COLUMNS, sort_column=self.SORT[0], sort_reverse=self.SORT[1])

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    # -- building rows -----------------------------------------------------------------------------

    def rows(self, view: DashboardView) -> Iterable[Row]:
        """Rows for the current view; use `cached()` so unchanged records cost a dict lookup."""
        raise NotImplementedError

    def cached(self, key: Hashable, record: Any, extra: Any, build: Any) -> Row:
        """The cached Row for `key` if `record` is the same object and `extra` is equal, else build()."""
        hit = self._cache.get(key)
        if hit is not None and hit[0] is record and hit[1] == extra:
            return hit[2]
        row: Row = build()
        self._cache[key] = (record, extra, row)
        return row

    def inputs(self, view: DashboardView) -> tuple[Any, ...]:
        """What the rows depend on, compared by identity: when it is unchanged the pane skips the
        rebuild. The store republishes a kind's map only when that kind changed, so this is cheap.
        Ages move on with the clock, so the default includes `now` in 2-second steps."""
        return (view.snapshot.workloads, view.report, view.snapshot.namespace, age_step(view))

    def update_view(self, view: DashboardView) -> None:
        """Re-render from a new snapshot: diff rows by key, refresh title, count and state."""
        self._last_view = view
        inputs = self.inputs(view)
        if same_inputs(inputs, self._last_inputs):
            self._update_chrome(view)
            return
        self._last_inputs = inputs
        rows = list(self.rows(view))
        if len(self._cache) > 2 * len(rows) + 64:
            keep = {row.key for row in rows}
            self._cache = {k: v for k, v in self._cache.items() if k in keep}
        table = self.table
        table.set_hidden({"namespace"} if view.snapshot.namespace is not None else set())
        table.set_rows(rows)
        self._update_chrome(view)

    # -- state and chrome --------------------------------------------------------------------------

    def _states(self, view: DashboardView) -> list[KindState]:
        states = view.snapshot.states
        return [states[k] for k in self.KINDS if k in states]

    def state_message(self, view: DashboardView) -> tuple[str, str]:
        """(css state class, words) for the pane's worst kind; ("", "") when all is live."""
        states = self._states(view)
        where = view.snapshot.namespace or "any namespace"
        for st in states:
            if st.phase is SyncPhase.FORBIDDEN:
                return "-forbidden", st.message or f"no permission to list {st.kind} in {where}"
        for st in states:
            if st.phase is SyncPhase.ERROR:
                retry = ""
                if st.retry_at is not None:
                    retry = f" (retry in {max(0, int((st.retry_at - view.now).total_seconds()))} s)"
                return "-error", f"{st.message or f'cannot list {st.kind}'}{retry}"
        if not states or any(st.phase is SyncPhase.SYNCING for st in states):
            return "-syncing", "syncing…"
        stale = [st.stale_since for st in states if st.stale_since is not None]
        if stale:
            seconds = max(0, int((view.now - min(stale)).total_seconds()))
            return "-stale", f"stale for {seconds} s"
        return "", ""

    def _update_chrome(self, view: DashboardView) -> None:
        table = self.table
        state_class, words = self.state_message(view)
        for name in ("-forbidden", "-error", "-syncing", "-stale"):
            self.set_class(name == state_class, name)
        shown, total = table.row_count, table.total_count
        count = f"{shown:,}" if not table.filter_text else f"{shown:,}/{total:,}"
        subtitle = []
        if table.filter_text:
            subtitle.append(f"/{table.filter_text}")
        if words:
            subtitle.append(words)
        # assigning a border title repaints the whole pane (table included), even when equal: only
        # on change, or every render would repaint the whole dashboard
        titles = (f"{self.TITLE} [{count}]" if total or shown else self.TITLE, clean("  ".join(subtitle)))
        if titles != self._titles:
            self._titles = titles
            self.border_title = Content(titles[0])
            self.border_subtitle = Content(titles[1])
        if total == 0 and words:
            table.placeholder = words
        elif total == 0:
            where = view.snapshot.namespace or "any namespace"
            table.placeholder = f"no {self.NOUN} in {where}"
        else:
            table.placeholder = "no rows match the filter"

    # -- filter ------------------------------------------------------------------------------------

    def action_open_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.value = self.table.filter_text
        self._show_filter(True)
        self.screen.set_focus(bar)  # now, not after a refresh: keys typed right after `/` go here

    def _show_filter(self, shown: bool) -> None:
        """Inline `display` (not only a CSS class) so the bar is focusable at once: keys typed
        right after `/` must land in it, not wait for the next refresh."""
        self.set_class(shown, "-filtering")
        self.query_one(FilterBar).display = shown

    def apply_filter(self, text: str) -> None:
        """Set the filter from outside (the `:deploy` command); focus stays on the table."""
        self.query_one(FilterBar).value = text
        self.table.set_filter(text)
        self._show_filter(False)
        self.table.focus()
        self._refresh_chrome()

    def close_filter(self) -> None:
        self._show_filter(False)
        self.table.set_filter("")
        self.table.focus()
        self._refresh_chrome()

    def action_clear_filter(self) -> None:
        if not self.table.filter_text:
            raise SkipAction()  # let esc reach the screen (back one level)
        self.close_filter()

    def on_key(self, event: events.Key) -> None:
        """Keys typed right after `/` are already queued for the table before the focus moves to
        the filter bar (a fast typist, tmux send-keys, a paste): hand them to the bar."""
        bar = self.query_one(FilterBar)
        if event.key == "slash" and not bar.display:
            # opened here, in queue order, rather than by the app-level binding check, which runs
            # only after the following keys were already handed to the table
            event.stop()
            event.prevent_default()
            self.action_open_filter()
        elif bar.display and event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            bar.insert_text_at_cursor(event.character)

    @on(Input.Changed, ".pane-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.table.set_filter(event.value)
        self._refresh_chrome()

    @on(Input.Submitted, ".pane-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._show_filter(False)
        self.table.focus()
        self._refresh_chrome()

    def _refresh_chrome(self) -> None:
        if self._last_view is not None:
            self._update_chrome(self._last_view)

    # -- helpers for subclasses --------------------------------------------------------------------

    @staticmethod
    def cells(*values: Text) -> tuple[Text, ...]:
        return tuple(values)

    @staticmethod
    def sort_values(*values: Any) -> tuple[Any, ...]:
        return tuple(values)
