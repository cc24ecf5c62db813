"""`:events`: the events in scope, Warning first then newest, live (k9s `:ev`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer, Static

from kdash.model.cluster import EventRecord
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.source import ClusterSource
from kdash.ui.format import WARNING_STYLE, age_seconds, age_text, number, safe
from kdash.ui.widgets.detail_live import LiveScreen
from kdash.ui.widgets.resource_table import Column, ResourceTable, Row

COLUMNS = (
    Column("namespace", "NAMESPACE", max_width=16),
    Column("last", "LAST SEEN", numeric=True, max_width=9),
    Column("type", "TYPE", max_width=7),
    Column("reason", "REASON", max_width=24),
    Column("object", "OBJECT", min_width=8, max_width=40),
    Column("count", "COUNT", numeric=True, max_width=6),
    Column("message", "MESSAGE", min_width=10, max_width=120),
)


def event_row(event: EventRecord, now: datetime) -> Row:
    seen = event.last_seen or event.first_seen or event.meta.created
    involved = event.involved
    where = f"{involved.kind}/{involved.name}" if involved is not None else "-"
    warning = event.type == "Warning"
    return Row(
        event.meta.key,
        (
            safe(event.meta.namespace),
            age_text(seen, now),
            safe(event.type, WARNING_STYLE if warning else ""),
            safe(event.reason),
            safe(where),
            number(event.count),
            safe(event.message),
        ),
        (event.meta.namespace, age_seconds(seen, now), event.type, event.reason, where, event.count, None),
        "warning" if warning else None,
    )


class EventsScreen(LiveScreen):
    """Events of the namespace in view; `enter` opens the involved object's describe page."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="events-back"),
    ]

    def __init__(self, source: ClusterSource, clock: Callable[[], datetime]) -> None:
        super().__init__(source, clock)

    def compose(self) -> ComposeResult:
        yield Static(Content("Events"), id="events-title", classes="screen-title")
        yield ResourceTable(COLUMNS, id="events-table")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(ResourceTable).focus()

    def refresh_from(self, snapshot: ClusterSnapshot) -> None:
        now = self.clock()
        events = sorted(
            snapshot.events.values(),
            key=lambda e: (
                e.type != "Warning",
                age_seconds(e.last_seen or e.first_seen or e.meta.created, now) or 0.0,
            ),
        )
        table = self.query_one(ResourceTable)
        table.set_rows([event_row(e, now) for e in events])
        where = snapshot.namespace or "all namespaces"
        self.query_one("#events-title", Static).update(Content(f"Events in {where} [{table.row_count:,}]"))
        table.placeholder = "no events"

    @on(ResourceTable.Selected, "#events-table")
    def _selected(self, event: ResourceTable.Selected) -> None:
        event.stop()
        snapshot = self.source.snapshot()
        record = snapshot.events.get(event.key)  # type: ignore[call-overload]
        if record is not None and record.involved is not None:
            opener = getattr(self.app, "open_yaml", None)
            if opener is not None:
                opener(record.involved, "describe")
