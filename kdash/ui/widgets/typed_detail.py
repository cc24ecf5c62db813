"""The shape every typed detail screen shares (Node, Service, Ingress, PVC, ConfigMap): the object's
sections on top, a live table of the objects it relates to below (the pods on a node, the
endpoints of a Service...), `enter` on a row opens that object's screen.

Sections are pure renderables (kdash/ui/render/{nodes,network,storage}.py) redrawn only when
what they are built from changed; the on-demand feeds a screen reads are a `FeedSet` closed when
the screen goes. `d`/`y` describe or show the YAML of the screen's own object (the rows open with
`enter`, where theirs are one key away); `l` follows the logs of the pod under the cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Literal

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot, SyncPhase
from kdash.ui.detail_format import BAD, DIM
from kdash.ui.format import clean
from kdash.ui.kinds import feed_source
from kdash.ui.messages import OpenObject
from kdash.ui.render.table import Column
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.feed_set import FeedSet, TypedFeedChanged
from kdash.ui.widgets.kind_state import state_badge
from kdash.ui.widgets.list_keys import FilterBar
from kdash.ui.widgets.list_live import TableScreen
from kdash.ui.widgets.resource_table import ResourceTable, Row


def noted(body: RenderableType, note: Text | None) -> RenderableType:
    """A section with what its feed says first (loading, forbidden, failing)."""
    return body if note is None else Group(note, body)


class TypedSection(Static):
    """One titled block; the title sits in the border so it costs no line."""

    DEFAULT_CSS = """
    TypedSection {
        height: auto;
        border: round $primary-muted;
        border-title-color: $text-primary;
        padding: 0 1;
    }
    """


class TypedScreen(TableScreen):
    """A typed detail of `key`; subclasses set the class attributes and implement `redraw`."""

    KIND_LABEL: ClassVar[str] = ""  # "Node", "Service" ... in the title
    SECTIONS: ClassVar[tuple[tuple[str, str], ...]] = ()  # (id, border title)
    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    TABLE_TITLE: ClassVar[str] = ""
    EMPTY: ClassVar[str] = "none"

    DEFAULT_CSS = """
    TypedScreen > #typed-title { height: auto; padding: 0 1; background: $panel; }
    TypedScreen > #typed-body { height: auto; max-height: 65%; }
    TypedScreen > #typed-caption { height: 1; padding: 0 1; color: $text-primary; }
    TypedScreen > ResourceTable { height: 1fr; min-height: 4; }
    """

    def __init__(self, session: LiveSession, key: ObjectKey) -> None:
        super().__init__(session)
        self.key = key
        self.feeds = FeedSet(feed_source(session.source), self)
        self.deleted = False
        self._markers: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="typed-title")
        with VerticalScroll(id="typed-body"):
            for section_id, title in self.SECTIONS:
                section = TypedSection(id=f"typed-{section_id}")
                section.border_title = title
                yield section
        yield Static(id="typed-caption")
        yield FilterBar()
        yield ResourceTable(self.COLUMNS, id="typed-table")
        yield Footer()

    def on_mount(self) -> None:
        # no super().on_mount(): Textual dispatches every class's on_mount (LiveScreen's subscribes)
        self.query_one("#typed-table", ResourceTable).focus()

    def on_unmount(self) -> None:
        self.feeds.close()

    def on_typed_feed_changed(self, _message: TypedFeedChanged) -> None:
        if self.view is not None and self in self.app.screen_stack:
            self.refresh_from(self.view)

    # -- drawing -----------------------------------------------------------------------------------

    def refresh_from(self, view: LiveView) -> None:
        tables = self.query("#typed-table").results(ResourceTable)
        table = next(tables, None)
        if table is None:
            return  # the app is closing: its widgets are gone before the screen unsubscribes
        self.redraw(view)
        state = self.state(view) if list(self.kinds()) else ("", "")
        table.placeholder = self.placeholder(state, self.EMPTY)

    def redraw(self, view: LiveView) -> None:
        raise NotImplementedError

    def changed(self, name: str, marker: Any) -> bool:
        """Whether `marker` differs from the one `name` was last drawn from (and remember it):
        Static.update re-lays out the screen, so only on change."""
        if self._markers.get(name, self) == marker:
            return False
        self._markers[name] = marker
        return True

    def show(self, section_id: str, marker: Any, build: Callable[[], RenderableType | None]) -> None:
        """Redraw a section when `marker` (the inputs it is built from) changed; a section built
        as None is hidden."""
        if not self.changed(section_id, marker):
            return
        body = build()
        section = self.query_one(f"#typed-{section_id}", TypedSection)
        section.display = body is not None
        if body is not None:
            section.update(body)

    def set_rows(self, rows: Sequence[Row], caption: Text) -> None:
        self.query_one("#typed-table", ResourceTable).set_rows(rows)
        note = self.filter_note()
        if note:
            caption.append(f"  {self.shown_count()} shown{note}", style=DIM)
        if self.changed("caption", (caption.plain, str(caption.spans))):
            self.query_one("#typed-caption", Static).update(caption)

    def draw_title(self, status: Text | None, view: LiveView) -> None:
        """The first line: kind, namespace/name, `status` (or "deleted"/"loading…"), sync state."""
        text = Text(f"{self.KIND_LABEL} ", style="bold")
        if self.key.namespace:
            text.append(clean(self.key.namespace), style=DIM)
            text.append("/")
        text.append(clean(self.key.name), style="bold")
        if self.deleted:
            text.append("  deleted or not found", style=BAD)
        elif status is not None:
            text.append("  ")
            text.append_text(status)
        else:
            text.append("  loading…", style=DIM)
        badge = state_badge(self.state(view)) if list(self.kinds()) else Text()
        if badge:
            text.append("  ")
            text.append_text(badge)
        if self.changed("title", (text.plain, str(text.spans))):
            self.query_one("#typed-title", Static).update(text)

    def gone(self, present: bool, listed: bool) -> None:
        """Track deletion: absent once its list is complete means deleted (never while loading)."""
        self.deleted = not present and listed

    @staticmethod
    def listed(snapshot: ClusterSnapshot, kind: str) -> bool:
        state = snapshot.states.get(kind)
        return state is not None and state.phase is not SyncPhase.SYNCING

    # -- keys --------------------------------------------------------------------------------------

    def open_object(self, mode: Literal["yaml", "describe"]) -> None:
        """`d`/`y`: this screen's object."""
        self.post_message(OpenObject(self.key, mode))
