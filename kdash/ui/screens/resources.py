"""The list of any kind (`:svc`, `:no`, `:certificates`): the server's Table, live, opened on demand.

The dashboard watches its own kinds all the time; this screen opens one `Feed`
(`FeedSource.open_table`) for its kind while it is on the stack and closes it when it is popped
or dismissed. Rows are the server's Table rows, so the columns are kubectl's for any kind, CRDs'
printer columns included (kdash/ui/kind_rows.py). The feed calls back on its own thread; the
callback only posts a message and the rows are drawn on the UI thread.

It follows the namespace in view (`:ns`: the feed is reopened for the new namespace; a
cluster-scoped kind ignores it) and the context (a context switch stops every feed: reopened).
kubectl's `-o wide` columns (priority > 0) are shown when the whole row fits at its natural
width, or always after `ctrl+w` (k9s' wide toggle); NAMESPACE is the first column in
all-namespaces mode. The state line says syncing, "forbidden: <the API's words>", the error and
its retry, or how long the rows are stale: never "0 items" for a list that could not be read.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import ClassVar, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Footer, Static

from kdash.errors import KdashError
from kdash.model.feeds import ApiResource, Feed, FeedView, TableColumn, TableRow
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import SyncPhase
from kdash.model.source import ChangeSet
from kdash.ui.format import clean
from kdash.ui.kind_rows import NAMESPACE_KEY, age_texts, table_columns, table_row, wide_keys
from kdash.ui.kinds import close_quietly, feed_source
from kdash.ui.messages import OpenResource
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.kind_state import State, state_badge
from kdash.ui.widgets.list_keys import FilterBar
from kdash.ui.widgets.list_live import RowCache, TableScreen, age_step
from kdash.ui.widgets.resource_table import ResourceTable, Row
from kdash.ui.widgets.table_model import measure_widths
from kdash.ui.widgets.table_render import GAP

# Until the server's columnDefinitions arrive: every Table starts with the object's name.
PROVISIONAL = (TableColumn("Name", format="name"),)


class FeedChanged(Message):
    """The feed published (posted from its thread); a queued one is replaced by a newer one."""

    def __init__(self, feed: Feed) -> None:
        super().__init__()
        self.feed = feed

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FeedChanged) and message.feed is self.feed


def feed_state(view: FeedView | None, error: str | None, now_seconds: float) -> State:
    """The list's state in words, as the other tables say theirs (kdash/ui/widgets/kind_state.py)."""
    if error is not None:
        return "-error", error
    if view is None:
        return "-syncing", "syncing…"
    phase, message = view.phase, view.message
    if phase is SyncPhase.FORBIDDEN:
        words = message or f"no permission to list {view.resource.qualified}"
        return "-forbidden", words if words.lower().startswith("forbidden") else f"forbidden: {words}"
    if phase is SyncPhase.ERROR:
        retry = ""
        if view.retry_at is not None:
            retry = f" (retry in {max(0, int(view.retry_at.timestamp() - now_seconds))} s)"
        return "-error", f"{message or f'cannot list {view.resource.qualified}'}{retry}"
    if phase is SyncPhase.UNAVAILABLE:
        return "-error", message or f"{view.resource.group_version} is not served"
    if phase is SyncPhase.SYNCING:
        return "-syncing", "syncing…"
    if view.stale_since is not None:
        return "-stale", f"stale for {max(0, int(now_seconds - view.stale_since.timestamp()))} s"
    return "", ""


class KindListScreen(TableScreen):
    """Rows of one discovered resource; `enter` opens the row (typed screen, pod, workload's pods,
    else describe), `d`/`y` describe/YAML, `l` logs of a pod or workload row."""

    ORIGIN = "kind"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+w", "toggle_wide", "Wide", id="kind-wide"),
    ]

    DEFAULT_CSS = """
    KindListScreen > #kind-title { height: auto; padding: 0 1; background: $panel; }
    """

    def __init__(self, session: LiveSession, resource: ApiResource) -> None:
        super().__init__(session)
        self.resource = resource
        self.feed: Feed | None = None
        self.error: str | None = None  # the feed could not be opened, in words
        self.wide = False  # ctrl+w: kubectl's -o wide columns shown at any width
        self._scope: tuple[str, str | None] | None = None  # (context, namespace) of the feed
        self._unsubscribe_feed: Callable[[], None] | None = None
        self._columns: tuple[TableColumn, ...] = PROVISIONAL
        self._swapping = False
        self._rows = RowCache()
        self._title: Text | None = None

    # -- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="kind-title")
        yield FilterBar()
        yield self._new_table(0)
        yield Footer()

    def _new_table(self, generation: int) -> ResourceTable:
        columns = table_columns(self._columns, namespaced=self.resource.namespaced)
        return ResourceTable(columns, id=f"kind-table-{generation}", classes="kind-table")

    def on_mount(self) -> None:
        # no super().on_mount(): Textual runs LiveScreen's too (it subscribes and draws)
        self.query_one(ResourceTable).focus()

    def on_unmount(self) -> None:
        self._close_feed()

    @property
    def namespace(self) -> str | None:
        """The namespace listed (None: all, or a cluster-scoped kind)."""
        return self._scope[1] if self._scope is not None else None

    # -- the feed ----------------------------------------------------------------------------------

    def _close_feed(self) -> None:
        if self._unsubscribe_feed is not None:
            self._unsubscribe_feed()
            self._unsubscribe_feed = None
        close_quietly(self.feed)
        self.feed = None

    def _follow(self, view: LiveView) -> None:
        """Open the feed for the scope in view, or reopen it after a namespace or context switch."""
        snapshot = view.snapshot
        scope = (snapshot.context, snapshot.namespace if self.resource.namespaced else None)
        closed = self.feed is not None and self.feed.view().closed
        if scope == self._scope and not closed and (self.feed is not None or self.error is not None):
            return
        self._close_feed()
        self._scope = scope
        self.error = None
        source = feed_source(self.session.source)
        if source is None:
            self.error = "this connection cannot list other kinds"
            return
        try:
            feed = source.open_table(self.resource, scope[1])
        except KdashError as exc:
            self.error = str(exc)
            return
        self.feed = feed

        def published(_view: FeedView) -> None:  # the feed's thread: only post (thread-safe)
            self.post_message(FeedChanged(feed))

        self._unsubscribe_feed = feed.subscribe(published)

    @on(FeedChanged)
    async def _feed_changed(self, message: FeedChanged) -> None:
        message.stop()
        if message.feed is not self.feed:
            return  # a feed closed since (namespace switch): its last words are not ours
        if self not in self.app.screen_stack:
            return  # replaced (a `:` command): its feed is closing
        columns = message.feed.view().columns
        try:
            if columns and columns != self._columns:
                await self._install(columns)
        except NoMatches:
            return  # the app is closing: its widgets are gone
        self._redraw()

    async def _install(self, columns: tuple[TableColumn, ...]) -> None:
        """The server's columns arrived (or changed): a new table in place of the old one, with the
        filter and the focus kept. Rare: once per screen, when the first rows come."""
        self._swapping = True
        try:
            old = self.filter_table
            generation = int(str(old.id).rsplit("-", 1)[-1]) + 1
            self._columns = columns
            self._rows = RowCache()
            self._last_inputs = None
            table = self._new_table(generation)
            focused = old.has_focus
            await old.remove()
            await self.mount(table, after=self.filter_bar)
            table.set_filter(old.filter_text)
            if focused:
                table.focus()
        finally:
            self._swapping = False
        self.call_after_refresh(self._redraw)  # once laid out: whether the wide columns fit

    def _redraw(self) -> None:
        if self.view is None or self not in self.app.screen_stack:
            return  # replaced (a `:` command) before this callback came
        try:
            self._draw(self.view)
        except NoMatches:
            return  # the app is closing: its widgets are gone

    # -- drawing -----------------------------------------------------------------------------------

    def rows_changed(self, changes: ChangeSet) -> bool:  # noqa: ARG002 - rows come from the feed
        return False  # the dashboard's publishes: only scope and state changes and the clock tick

    def refresh_from(self, view: LiveView) -> None:
        self._follow(view)
        self._draw(view)

    def filter_changed(self) -> None:
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _draw(self, view: LiveView) -> None:
        if self._swapping or not self.is_mounted:
            return
        now = view.now
        feed_view = self.feed.view() if self.feed is not None else None
        table = self.filter_table
        rows_in = feed_view.rows if feed_view is not None else None
        if not self.unchanged(rows_in, self._columns, age_step(now)):
            columns = self._columns
            rows = [
                self._rows.get(key, row, age_texts(row, columns, now), self._row, row, now)
                for key, row in (rows_in or {}).items()
            ]
            rows.sort(key=lambda r: _name_order(r.key))
            self._rows.prune(rows)
            table.set_rows(rows)
        self._hide_columns(table)
        state = feed_state(feed_view, self.error, now.timestamp())
        table.placeholder = self.placeholder(state, f"no {self.resource.resource}")
        self._show_title(state)

    def _row(self, row: TableRow, now: datetime) -> Row:
        return table_row(row, self._columns, now, namespaced=self.resource.namespaced)

    def _hide_columns(self, table: ResourceTable) -> None:
        """NAMESPACE only in all-namespaces mode; the wide columns when asked for or when they fit."""
        hidden = set()
        if self.resource.namespaced and self.namespace is not None:
            hidden.add(NAMESPACE_KEY)
        wide = wide_keys(self._columns)
        # not laid out yet: hidden until the redraw after the layout decides
        if wide and not self.wide and (not table.size.width or not self._fits(table, hidden)):
            hidden |= wide
        table.set_hidden(hidden)

    def _fits(self, table: ResourceTable, hidden: set[str]) -> bool:
        """Whether every column not hidden fits at its natural width."""
        keys = table.visible_keys()
        rows = [r for r in (table.get_row(k) for k in keys[:: max(1, len(keys) // 400)]) if r is not None]
        widths = measure_widths(table.columns, rows)
        shown = [w for c, w in zip(table.columns, widths, strict=True) if c.key not in hidden]
        width = table.size.width - 1  # the vertical scrollbar
        return sum(shown) + GAP * max(0, len(shown) - 1) <= width

    def _show_title(self, state: State) -> None:
        res = self.resource
        title = Text(clean(res.resource), style="bold", end="")
        title.append(f" ({clean(res.group_version)})", style="dim")
        if res.namespaced:
            title.append(f" in {clean(self.namespace)}" if self.namespace else " in all namespaces")
        if not state[0] or self.filter_table.total_count:  # never "[0]" for a list not read
            title.append(f"  [{self.shown_count()}]", style="dim")
        title.append(self.filter_note(), style="dim")
        if self.wide:
            title.append("  wide", style="dim")
        badge = state_badge(state)
        if badge:
            title.append("  ")
            title.append_text(badge)
        if title != self._title:  # Static.update re-lays out the screen: only on change
            self._title = title
            self.query_one("#kind-title", Static).update(title)

    # -- keys --------------------------------------------------------------------------------------

    def action_toggle_wide(self) -> None:
        """k9s' ctrl+w: kubectl's `-o wide` columns at any width, or only when they fit."""
        self.wide = not self.wide
        if self.view is not None:
            self._draw(self.view)

    def open_row(self, origin: str, row_key: Hashable) -> Message | None:  # noqa: ARG002 - one kind
        return OpenResource(self.resource, row_key, "open") if isinstance(row_key, ObjectKey) else None

    def open_object(self, mode: Literal["yaml", "describe"]) -> None:
        key = self.filter_table.cursor_key
        if not isinstance(key, ObjectKey):
            self.notify("no row selected", severity="warning", markup=False)
            return
        self.post_message(OpenResource(self.resource, key, mode))


def _name_order(key: Hashable) -> tuple[str, str]:
    """kubectl's order: by namespace, then name (the user's sort applies on top)."""
    return (key.namespace, key.name) if isinstance(key, ObjectKey) else ("", str(key))
