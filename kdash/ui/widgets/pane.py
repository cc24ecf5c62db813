"""Shared chrome for the dashboard panes: a titled box with a row count, a `/` filter bar, one
ResourceTable, and the pane's own empty / syncing / forbidden / error / stale state.

Each pane subclass only says which kinds it shows and how a record becomes a Row. Rows are cached
by key together with the inputs that produced them, so an update rebuilds only the rows whose
record (or score, or age text) changed, and the table redraws only those.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, ClassVar, Self

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Region

from kdash.model.snapshot import KindState
from kdash.ui.format import clean
from kdash.ui.view import LiveView
from kdash.ui.widgets.kind_state import kinds_state
from kdash.ui.widgets.list_keys import CLEAR_FILTER_BINDING, FILTER_BINDING, FilterBar, FilterKeys
from kdash.ui.widgets.resource_table import Column, ResourceTable, Row

# Everything a pane renders from: the session's view (snapshot, health report, `now`).
DashboardView = LiveView


def same_inputs(new: tuple[Any, ...], old: tuple[Any, ...] | None) -> bool:
    """Element-wise: the same object (maps, reports), or equal plain values (namespace, age step).
    Holding the objects (not their ids) keeps them alive, so an id can never be reused."""
    if old is None or len(new) != len(old):
        return False
    return all(a is b or (isinstance(a, int | str) and a == b) for a, b in zip(new, old, strict=True))


def age_step(view: DashboardView) -> int:
    return int(view.now.timestamp()) // 2


class PaneBox(Vertical):
    """A bordered dashboard box that `f` may maximise (containers refuse by default)."""

    ALLOW_MAXIMIZE = True


class Pane(FilterKeys, PaneBox):
    """A dashboard pane; subclasses set TITLE, KINDS, COLUMNS and implement `rows()`."""

    TITLE: ClassVar[str] = ""
    KINDS: ClassVar[tuple[str, ...]] = ()  # plural resource names whose KindState this pane reflects
    NOUN: ClassVar[str] = "rows"  # "no <noun> in shop"
    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    SORT: ClassVar[tuple[str | None, bool]] = (None, False)

    BINDINGS: ClassVar[list[BindingType]] = [FILTER_BINDING, CLEAR_FILTER_BINDING]

    _titles_only = False  # a class default: Widget.__init__ refreshes before ours has run

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's spelling
        super().__init__(id=id, classes="pane")
        self.border_title = Content(self.TITLE)
        self._cache: dict[Hashable, tuple[Any, Any, Row]] = {}
        self._last_view: DashboardView | None = None
        self._last_inputs: tuple[Any, ...] | None = None
        self._titles: tuple[str, str] | None = None
        self._held: DashboardView | None = None
        self._table: ResourceTable | None = None  # looked up once composed

    def compose(self) -> ComposeResult:
        yield FilterBar()
        yield ResourceTable(self.COLUMNS, sort_column=self.SORT[0], sort_reverse=self.SORT[1])

    @property
    def table(self) -> ResourceTable:
        if self._table is None:
            self._table = self.query_one(ResourceTable)
        return self._table

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

    def hold(self, view: DashboardView) -> None:
        """The pane is not on screen (another tab, maximised away, the dashboard covered): keep
        the view and build nothing; the dashboard calls `catch_up` when the pane is shown again."""
        self._held = view

    def catch_up(self) -> None:
        """Render the view held while hidden, if any."""
        if self._held is not None:
            self.update_view(self._held)

    def on_show(self) -> None:
        self.catch_up()  # a way of showing it the dashboard did not foresee

    @property
    def holding(self) -> bool:
        """Whether a view is waiting for the pane to be shown (for tests)."""
        return self._held is not None

    def update_view(self, view: DashboardView) -> None:
        """Re-render from a new snapshot: diff rows by key, refresh title, count and state."""
        if self._table is None and not self.query(ResourceTable):
            self.hold(view)  # a render while the dashboard composes: the next one finds the table
            return
        self._held = None
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
        return kinds_state(view.snapshot.states, self.KINDS, view.snapshot.namespace, view.now)

    def notes(self, view: DashboardView) -> list[str]:  # noqa: ARG002 - subclasses look at it
        """Words the bottom border adds after the state (e.g. "metrics unavailable")."""
        return []

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
        subtitle.extend(self.notes(view))
        titles = (f"{self.TITLE} [{count}]" if total or shown else self.TITLE, clean("  ".join(subtitle)))
        if titles != self._titles:
            before = self._titles or ("", "")
            self._titles = titles
            self._set_titles(*titles, top=titles[0] != before[0], bottom=titles[1] != before[1])
        if total == 0 and words:
            table.placeholder = words
        elif total == 0:
            where = view.snapshot.namespace or "any namespace"
            table.placeholder = f"no {self.NOUN} in {where}"
        else:
            table.placeholder = "no rows match the filter"

    def _set_titles(self, title: str, subtitle: str, *, top: bool, bottom: bool) -> None:
        """Assigning a border title repaints the whole pane, table included (even when equal), and
        a busy Restarts pane's count changes with every render: repaint only the border line whose
        title changed (the count is on the top one, the filter and state on the bottom one)."""
        self._titles_only = True
        try:
            self.border_title = Content(title)
            self.border_subtitle = Content(subtitle)
        finally:
            self._titles_only = False
        if not self.is_mounted:
            super().refresh()
            return
        # regions are given relative to the content; the border lines are outside it
        left, above = self.content_offset
        width, height = self.outer_size
        lines = [y for y, changed in ((0, top), (height - 1, bottom)) if changed]
        if lines:  # (no region at all would mean the whole pane)
            super().refresh(*(Region(-left, y - above, width, 1) for y in lines))

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> Self:
        if self._titles_only:
            return self  # _set_titles repaints what the titles changed
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    # -- filter (kdash/ui/widgets/list_keys.py) ----------------------------------------------------

    def action_clear_filter(self) -> None:
        if not self.table.filter_text:
            raise SkipAction()  # let esc reach the screen (back one level)
        self.close_filter()

    def filter_changed(self) -> None:
        self._refresh_chrome()

    def _refresh_chrome(self) -> None:
        if self._last_view is not None:
            self._update_chrome(self._last_view)
