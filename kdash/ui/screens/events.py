"""`:events`: the events in scope, Warning first then newest, live (k9s `:ev`)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static

from kdash.model.meta import ObjectKey
from kdash.model.source import ChangeSet
from kdash.model.timefmt import age
from kdash.ui.format import clean
from kdash.ui.messages import OpenObject
from kdash.ui.render import events as render
from kdash.ui.render.events import event_order, event_row, seen_at
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.kind_state import state_badge
from kdash.ui.widgets.list_keys import FilterBar
from kdash.ui.widgets.list_live import RowCache, TableScreen, age_step
from kdash.ui.widgets.resource_table import ResourceTable


class EventsScreen(TableScreen):
    """Events of the namespace in view; `enter` opens the involved object's describe page. The
    title carries the events' sync state."""

    ORIGIN = "events"

    def __init__(self, session: LiveSession) -> None:
        super().__init__(session)
        self._rows = RowCache()
        self._title: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content("Events"), id="events-title", classes="screen-title")
        yield FilterBar()
        yield ResourceTable(render.COLUMNS, id="events-table")
        yield Footer()

    def on_mount(self) -> None:
        # no super().on_mount(): Textual dispatches every class's on_mount (LiveScreen's subscribes)
        self.query_one(ResourceTable).focus()

    def kinds(self) -> Iterable[str]:
        return ("events",)

    def rows_changed(self, changes: ChangeSet) -> bool:
        return any(k.kind == "Event" for k in changes.added | changes.modified | changes.deleted)

    def refresh_from(self, view: LiveView) -> None:
        snapshot, now = view.snapshot, view.now
        table = self.query_one(ResourceTable)
        if not self.unchanged(snapshot.events, snapshot.namespace, age_step(now)):
            events = sorted(snapshot.events.values(), key=lambda e: event_order(e, now))
            rows = [self._rows.get(e.meta.key, e, age(seen_at(e), now), event_row, e, now) for e in events]
            self._rows.prune(rows)
            table.set_rows(rows)
        state = self.state(view)
        table.placeholder = self.placeholder(state, "no events")
        where = snapshot.namespace or "all namespaces"
        title = Text(f"Events in {clean(where)} [{self.shown_count()}]{self.filter_note()}", end="")
        badge = state_badge(state)
        if badge:
            title.append("  ")
            title.append_text(badge)
        if title != self._title:  # Static.update re-lays out the screen: only on change
            self._title = title
            self.query_one("#events-title", Static).update(title)

    def open_row(self, origin: str, row_key: Hashable) -> Message | None:  # noqa: ARG002 - one kind
        """`enter` on an event describes the object it is about."""
        snapshot = self.session.latest().snapshot
        record = snapshot.events.get(row_key) if isinstance(row_key, ObjectKey) else None
        if record is None or record.involved is None:
            return None
        return OpenObject(record.involved, "describe")
