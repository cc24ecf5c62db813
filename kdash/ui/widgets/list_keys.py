"""The keys every list has, defined once: `/` filter, sort, `enter`, `l`, `p`, `d`, `y`, `esc`.

A list is a ResourceTable in a dashboard pane or on a list screen (TableScreen). The table has the
cursor, sort (shift+←/→, `O`) and `enter` keys; `FilterKeys` gives its holder (the pane, or the list
screen) the `/` filter and its `esc`; `RowKeys` gives the screen `enter`, `l`/`p`, `d`/`y` on the
focused list's cursor row. Row keys only post the navigation messages of kdash/ui/messages.py:
where a row leads is the app's Navigator's business (kdash/ui/navigation.py).

The bindings are lists spliced into each class's BINDINGS rather than inherited, so every screen
keeps its footer order; the ids are the same everywhere, so one `[keymap]` entry rebinds them all.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Literal

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from kdash.ui.messages import OpenObject, OpenRow, OpenRowLogs
from kdash.ui.render.table import object_key_of
from kdash.ui.widgets.inline_filter import Fed, InlineFilter
from kdash.ui.widgets.resource_table import ResourceTable

ROW_BINDINGS: list[BindingType] = [
    Binding("l", "logs(False)", "Logs", id="row-logs"),
    Binding("p", "logs(True)", "Prev logs", show=False, id="row-previous-logs"),
    Binding("d", "describe", "Describe", id="row-describe"),
    Binding("y", "yaml", "YAML", id="row-yaml"),
]
FILTER_BINDING = Binding("slash", "open_filter", "Filter", id="pane-filter")
CLEAR_FILTER_BINDING = Binding("escape", "clear_filter", "Clear filter", show=False, id="pane-filter-clear")
FILTER_PLACEHOLDER = "filter: regex, !negate, -l app=web"

# Plain mixins at run time (Textual finds `on_…` handlers on every class of the MRO), typed as
# what they are mixed into.
if TYPE_CHECKING:
    _ScreenBase = Screen[None]
    _WidgetBase = Widget
else:
    _ScreenBase = _WidgetBase = object


def interprets_keys(screen: Screen[object]) -> bool:
    """Whether `screen` interprets its widgets' filter keys itself (the dashboard does)."""
    return bool(getattr(screen, "INTERPRETS_KEYS", False))


class FilterBar(InlineFilter):
    """The `/` filter line of one list (typed while the list's table keeps the focus)."""

    def __init__(self) -> None:
        super().__init__(placeholder=FILTER_PLACEHOLDER, classes="pane-filter")


class FilterKeys(_WidgetBase):
    """`/` filters the rows of `filter_table` through `filter_bar`; the table keeps the focus and
    every key reaches `on_key` in the order typed, however fast (kdash/ui/widgets/inline_filter.py).

    Mixed into a widget or screen that composes one FilterBar and one ResourceTable; it calls
    `filter_changed()` when the filter or the bar changed, to redraw counts and titles.
    """

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    @property
    def filter_table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    def filter_changed(self) -> None:
        """The filter text or the bar changed (subclasses redraw their chrome)."""

    def action_open_filter(self) -> None:
        self.filter_bar.open(self.filter_table.filter_text)
        self.set_class(True, "-filtering")

    def _close_bar(self) -> None:
        bar = self.filter_bar
        had_focus = bar.has_focus
        bar.close()
        self.set_class(False, "-filtering")
        if had_focus:  # focused by a click: give the focus back to the rows, now
            self.screen.set_focus(self.filter_table)
        self.filter_changed()

    def apply_filter(self, text: str) -> None:
        """Set the filter from outside (the `:deploy` command); the bar stays closed."""
        self.filter_bar.value = text
        self.filter_table.set_filter(text)
        self._close_bar()

    def close_filter(self) -> None:
        """Clear the filter and close the bar."""
        self.filter_table.set_filter("")
        self._close_bar()

    def on_key(self, event: events.Key) -> None:
        """On a list screen keys come here. A dashboard pane's keys are interpreted by its screen,
        with every other key, at one place (DashboardScreen.on_key): a key sitting in the pane's
        queue must not act before the `:` ahead of it has reached the screen and opened the bar."""
        if not interprets_keys(self.screen) or isinstance(self, Screen):
            self.filter_key(event)

    def filter_key(self, event: events.Key) -> bool:
        """`/` opens the filter, in key order, rather than through the binding (checked only after
        the keys typed after it were handed on); while it is open, every key is its own. True when
        the key was the filter's (it is then stopped)."""
        if self.screen is not self.app.screen:
            return False  # typed ahead into a prompt opened on top
        bar = self.filter_bar
        if not bar.is_open:
            if event.key != "slash":
                return False
            event.stop()
            event.prevent_default()
            self.action_open_filter()
            return True
        fed = bar.feed(event)
        if fed is Fed.NOT_MINE:
            return False
        event.stop()
        event.prevent_default()
        table = self.filter_table
        if fed is Fed.EDITED:
            table.set_filter(bar.value)
            self.filter_changed()
        elif fed is Fed.SUBMITTED:
            table.set_filter(bar.value)
            self._close_bar()
        else:
            self.close_filter()
        return True

    def on_descendant_blur(self, _event: events.DescendantBlur) -> None:
        """Tab (or a click) left the list while the filter was open: keep the filter, close the bar."""
        focused = self.screen.focused
        if self.filter_bar.is_open and (focused is None or self not in focused.ancestors_with_self):
            self.filter_table.set_filter(self.filter_bar.value)
            self._close_bar()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Edits in the bar itself, once a click focused it (fed keys set the filter directly)."""
        if event.input is not self.filter_bar:
            return
        event.stop()
        if event.input.has_focus:
            self.filter_table.set_filter(event.input.value)
            self.filter_changed()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input is not self.filter_bar:
            return
        event.stop()
        self.filter_table.set_filter(event.input.value)
        self._close_bar()


class RowKeys(_ScreenBase):
    """`enter`, `l`/`p`, `d`/`y` on the cursor row of the screen's focused list, as messages.

    `current_row()` says which row that is and what kind of list it is in (the `origin` of the
    messages: "workloads", "hpa", "pods", "events", ...).
    """

    def current_row(self) -> tuple[str, Hashable] | None:
        """(origin, row key) under the cursor of the focused list; None when there is no row."""
        raise NotImplementedError

    def origin_of(self, table: ResourceTable) -> str | None:
        """The origin of a list of this screen (None: `enter` on it is not a row to open)."""
        raise NotImplementedError

    def open_row(self, origin: str, row_key: Hashable) -> Message | None:
        """What `enter` on a row asks for (a screen may resolve it itself, e.g. an event's object)."""
        return OpenRow(origin, row_key)

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        event.stop()
        origin = self.origin_of(event.table)
        message = None if origin is None else self.open_row(origin, event.key)
        if message is not None:
            self.post_message(message)

    def action_logs(self, previous: bool) -> None:
        row = self.current_row()
        if row is None:
            self.notify("no row selected", severity="warning", markup=False)
            return
        self.post_message(OpenRowLogs(row[0], row[1], previous))

    def action_describe(self) -> None:
        self.open_object("describe")

    def action_yaml(self) -> None:
        self.open_object("yaml")

    def open_object(self, mode: Literal["yaml", "describe"]) -> None:
        row = self.current_row()
        key = object_key_of(row[1]) if row is not None else None
        if key is None:
            self.notify("no row selected", severity="warning", markup=False)
            return
        self.post_message(OpenObject(key, mode))
