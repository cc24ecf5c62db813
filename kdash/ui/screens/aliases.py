"""`:aliases` (`:api-resources`, `:resources`): every resource the server serves, k9s' alias list.

kubectl api-resources' columns (NAME, SHORTNAMES, APIVERSION, NAMESPACED, KIND), the core group
first and each group's resources by name; `/` filters, `enter` opens that kind's list. Discovery
runs in the background and has no change notification, so the list is re-read on the session's
once-a-second view until it is in (and after a context switch).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Footer, Static

from kdash.model.feeds import ApiResource, Discovery
from kdash.model.snapshot import SyncPhase
from kdash.model.source import ChangeSet
from kdash.ui.kinds import feed_source, ranked
from kdash.ui.messages import OpenKind
from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.kind_state import State, state_badge
from kdash.ui.widgets.list_keys import FILTER_BINDING, FilterBar
from kdash.ui.widgets.list_live import TableScreen
from kdash.ui.widgets.resource_table import ResourceTable

COLUMNS = (
    Column("name", "NAME", max_width=45, ident=True),
    Column("short", "SHORTNAMES", max_width=20, drop=2),
    Column("version", "APIVERSION", max_width=40),
    Column("namespaced", "NAMESPACED", drop=1),
    Column("kind", "KIND", max_width=40),
)


def api_resources(discovery: Discovery) -> list[ApiResource]:
    """The listable resources in kubectl api-resources' order: groups in priority, names sorted."""
    resources = [r for r in ranked(discovery) if r.listable]
    groups = {g: i for i, g in reversed(list(enumerate(r.group for r in resources)))}
    return sorted(resources, key=lambda r: (groups[r.group], r.resource))


def resource_row(res: ApiResource) -> Row:
    return Row(
        res,
        (
            Cell(res.resource),
            Cell(",".join(res.short_names)),
            Cell(res.group_version),
            Cell("true" if res.namespaced else "false"),
            Cell(res.kind),
        ),
    )


def discovery_state(discovery: Discovery | None) -> State:
    if discovery is None:
        return "-error", "this connection cannot list other kinds"
    if discovery.phase is SyncPhase.SYNCING:
        return "-syncing", "loading the server's resource list…"
    if discovery.phase is SyncPhase.ERROR:
        return "-error", discovery.message or "discovery failed"
    if discovery.message:
        return "-stale", f"partial: {discovery.message}"
    return "", ""


class AliasesScreen(TableScreen, inherit_bindings=False):
    """The resource picker; its rows are kinds, not objects, so it has no `d`/`y`/`l` keys."""

    ORIGIN = "aliases"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="drill-back"),
        FILTER_BINDING,
    ]

    DEFAULT_CSS = """
    AliasesScreen > #aliases-title { height: auto; padding: 0 1; background: $panel; }
    """

    def __init__(self, session: LiveSession) -> None:
        super().__init__(session)
        self._shown: Discovery | None = None
        self._title: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="aliases-title")
        yield FilterBar()
        yield ResourceTable(COLUMNS, id="aliases-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ResourceTable).focus()

    def rows_changed(self, changes: ChangeSet) -> bool:  # noqa: ARG002 - rows come from discovery
        return False

    def refresh_from(self, view: LiveView) -> None:  # noqa: ARG002 - discovery is read, not viewed
        source = feed_source(self.session.source)
        discovery = source.discovery() if source is not None else None
        table = self.filter_table
        if discovery is not self._shown:
            self._shown = discovery
            table.set_rows([resource_row(r) for r in api_resources(discovery)] if discovery else [])
        state = discovery_state(discovery)
        table.placeholder = self.placeholder(state, "the server lists no resources")
        title = Text("Resources", style="bold", end="")
        title.append(f"  [{self.shown_count()}]{self.filter_note()}  enter: list that kind", style="dim")
        badge = state_badge(state)
        if badge:
            title.append("  ")
            title.append_text(badge)
        if title != self._title:
            self._title = title
            self.query_one("#aliases-title", Static).update(title)

    def filter_changed(self) -> None:
        self.refresh_from(self.session.view)

    def open_row(self, origin: str, row_key: Hashable) -> Message | None:  # noqa: ARG002 - one kind
        return OpenKind(row_key) if isinstance(row_key, ApiResource) else None

    def current_row(self) -> tuple[str, Hashable] | None:
        return None  # a kind, not an object: nothing to describe or tail
