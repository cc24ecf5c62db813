"""The main dashboard: header, six panes, and the keys that act on the focused pane's row.

Wide terminals get a grid of panes; below 120×34 the screen switches to a compact layout (a CSS
class) where a tab strip picks the one pane shown, so 80×24 stays readable. The screen holds no
cluster state of its own: the app hands it a `DashboardView` per snapshot.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static, Tab, Tabs

from kdash.model.meta import ObjectKey
from kdash.model.source import LogSource, LogTarget
from kdash.model.workloads import WORKLOAD_KINDS
from kdash.ui.screens.type_ahead import TypeAheadModal
from kdash.ui.widgets.findings_pane import FindingsPane
from kdash.ui.widgets.header import DashboardHeader, header_text
from kdash.ui.widgets.hpa_pane import HpaPane
from kdash.ui.widgets.log_tail import LogTailPane
from kdash.ui.widgets.pane import DashboardView, Pane, PaneBox
from kdash.ui.widgets.quotas_pane import QuotasPane
from kdash.ui.widgets.resource_table import ResourceTable
from kdash.ui.widgets.restarts_pane import RestartsPane
from kdash.ui.widgets.workloads_pane import WorkloadsPane

PANE_IDS = ("workloads", "hpa", "quotas", "restarts", "logtail", "health")
PANE_TITLES = {
    "workloads": "Workloads",
    "hpa": "HPA",
    "quotas": "Quotas",
    "restarts": "Restarts",
    "logtail": "Log tail",
    "health": "Health",
}
COMPACT_WIDTH, COMPACT_HEIGHT = 120, 34
FOLLOW_DELAY = 0.3  # seconds the workload cursor must rest before the log tail switches to it


def object_key_of(row_key: Hashable) -> ObjectKey | None:
    """The object a row stands for (what `d`/`y` open): rows of some panes carry tuples."""
    if isinstance(row_key, ObjectKey):
        return row_key
    if isinstance(row_key, tuple):
        for part in row_key:
            if isinstance(part, ObjectKey):
                return part
    return None


def log_tail_widget(logs: LogSource | None) -> Widget:
    """The log tail following the selected workload; a plain note when there is no log source."""
    if logs is None:
        return Static(Content("no log source in this session"), classes="pane-note")
    return LogTailPane(logs)


class DashboardScreen(Screen[None]):
    """The main screen. `app` drives it through `show(view)`; keys here act on the focused pane."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "next_pane", "Next pane", priority=True, id="pane-next"),
        Binding("shift+tab", "previous_pane", "Prev pane", priority=True, show=False, id="pane-previous"),
        Binding("f", "maximise", "Maximise", id="pane-maximise"),
        Binding("n", "app.pick_namespace", "Namespace", id="namespace-pick"),
        Binding("left_square_bracket", "app.cycle_namespace(-1)", "Prev ns", show=False, id="namespace-prev"),
        Binding("right_square_bracket", "app.cycle_namespace(1)", "Next ns", show=False, id="namespace-next"),
        Binding("0", "app.all_namespaces", "All namespaces", show=False, id="namespace-all"),
        *(
            Binding(
                str(i),
                f"app.favourite_namespace({i})",
                "Favourite namespace",
                show=False,
                id=f"namespace-fav-{i}",
            )
            for i in range(1, 10)
        ),
        Binding("l", "logs(False)", "Logs", id="row-logs"),
        Binding("p", "logs(True)", "Prev logs", show=False, id="row-previous-logs"),
        Binding("d", "describe", "Describe", id="row-describe"),
        Binding("y", "yaml", "YAML", id="row-yaml"),
        Binding("escape", "restore", "Restore", show=False, id="pane-restore"),
    ]

    def __init__(self, logs: LogSource | None = None) -> None:
        super().__init__(id="dashboard")
        self.logs = logs
        self.active_pane = "workloads"
        self.view: DashboardView | None = None
        self._followed: ObjectKey | None = None
        self._pending_follow: ObjectKey | None = None
        self._follow_timer: Timer | None = None
        self._header: Text | None = None

    def compose(self) -> ComposeResult:
        yield DashboardHeader(id="header")
        yield Tabs(*(Tab(PANE_TITLES[p], id=f"tab-{p}") for p in PANE_IDS), id="pane-tabs")
        with Container(id="panes"):
            yield WorkloadsPane(id="workloads")
            yield HpaPane(id="hpa")
            yield QuotasPane(id="quotas")
            yield RestartsPane(id="restarts")
            yield FindingsPane(id="health")
            with PaneBox(id="logtail", classes="pane"):
                yield log_tail_widget(self.logs)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#logtail").border_title = "Log tail"
        self._apply_layout(self.size.width, self.size.height)
        self._activate("workloads")
        if self.view is not None:
            self.show(self.view)

    def on_screen_resume(self) -> None:
        self._follow_now()

    def on_resize(self, event: events.Resize) -> None:
        self._apply_layout(event.size.width, event.size.height)

    def _apply_layout(self, width: int, height: int) -> None:
        self.set_class(width < COMPACT_WIDTH or height < COMPACT_HEIGHT, "-compact")

    # -- keys that open a modal ---------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """Open the command bar and the namespace picker in key order, and hand them the keys that
        follow. Textual gives each key to the focused widget's queue when the app reads it, so keys
        typed right after `:` (tmux send-keys, a paste, a fast typist) reach this screen before an
        app-level binding could open the bar; without this `:deploy` would run `d` (describe)."""
        top = self.app.screen
        if top is not self:
            event.stop()
            event.prevent_default()
            if isinstance(top, TypeAheadModal):
                top.type_ahead(event)
            return
        opener: Any = {
            "colon": getattr(self.app, "action_command_bar", None),
            "n": getattr(self.app, "action_pick_namespace", None),
        }.get(event.key)
        if opener is not None:
            event.stop()
            event.prevent_default()
            opener()

    # -- rendering ---------------------------------------------------------------------------------

    def show(self, view: DashboardView) -> None:
        """Render a new snapshot: only rows that changed are rebuilt and redrawn."""
        self.view = view
        headers = self.query(DashboardHeader)
        if not headers:  # not composed yet: on_mount shows the latest view
            return
        header = header_text(view)
        if header != self._header:
            # Static.update() re-lays out the whole screen; the header rarely changes, so only
            # then (every render paying a layout and full repaint was most of the idle CPU)
            self._header = header
            headers.first().update(header)
        for pane in self.query(Pane):
            pane.update_view(view)

    # -- panes and focus ---------------------------------------------------------------------------

    def pane(self, pane_id: str) -> Widget:
        return self.query_one(f"#{pane_id}")

    def focused_pane_id(self) -> str:
        focused = self.focused
        for node in (focused, *(focused.ancestors if focused is not None else ())):
            if isinstance(node, Widget) and node.id in PANE_IDS:
                return node.id
        return self.active_pane

    def _activate(self, pane_id: str) -> None:
        self.active_pane = pane_id
        for pid in PANE_IDS:
            self.pane(pid).set_class(pid == pane_id, "-active")
        tabs = self.query_one(Tabs)
        if tabs.active != f"tab-{pane_id}":
            tabs.active = f"tab-{pane_id}"
        target = self.pane(pane_id)
        table = target.query(ResourceTable).first() if target.query(ResourceTable) else None
        focus_target: Widget | None = table
        if focus_target is None:
            focus_target = next((w for w in target.query("*") if w.focusable), None)
        if focus_target is not None:
            self.call_after_refresh(focus_target.focus)
        if self.maximized is not None and self.maximized is not target:
            self.maximize(target, container=False)

    def action_next_pane(self) -> None:
        index = PANE_IDS.index(self.active_pane)  # not the focus: it moves a refresh later
        self._activate(PANE_IDS[(index + 1) % len(PANE_IDS)])

    def action_previous_pane(self) -> None:
        index = PANE_IDS.index(self.active_pane)
        self._activate(PANE_IDS[(index - 1) % len(PANE_IDS)])

    def action_maximise(self) -> None:
        pane = self.pane(self.focused_pane_id())
        if self.maximized is pane:
            self.minimize()
        else:
            self.maximize(pane, container=False)

    def action_restore(self) -> None:
        if self.maximized is not None:
            self.minimize()

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        pane_id = (event.tab.id or "").removeprefix("tab-")
        if pane_id in PANE_IDS and pane_id != self.active_pane:
            self._activate(pane_id)

    @on(events.DescendantFocus)
    def _descendant_focused(self, _event: events.DescendantFocus) -> None:
        pane_id = self.focused_pane_id()
        if pane_id != self.active_pane:
            self.active_pane = pane_id
            for pid in PANE_IDS:
                self.pane(pid).set_class(pid == pane_id, "-active")
            self.query_one(Tabs).active = f"tab-{pane_id}"

    # -- rows --------------------------------------------------------------------------------------

    def current_row(self) -> tuple[str, Hashable] | None:
        """(pane id, row key) under the cursor of the focused pane."""
        pane_id = self.focused_pane_id()
        tables = self.pane(pane_id).query(ResourceTable)
        if not tables:
            return None
        key = tables.first().cursor_key
        return None if key is None else (pane_id, key)

    @on(ResourceTable.Selected)
    def _row_selected(self, event: ResourceTable.Selected) -> None:
        event.stop()
        pane = next((a for a in event.table.ancestors if isinstance(a, Pane)), None)
        if pane is not None and pane.id is not None:
            self.app.call_later(self._drill, pane.id, event.key)

    def _drill(self, pane_id: str, key: Hashable) -> None:
        drill: Any = getattr(self.app, "drill_down", None)
        if drill is not None:
            drill(pane_id, key)

    @on(ResourceTable.Highlighted, "#workloads ResourceTable")
    def _workload_highlighted(self, event: ResourceTable.Highlighted) -> None:
        """The log tail follows the workload under the cursor, once the cursor rests there: moving
        through the list must not open and close a log stream per row."""
        if isinstance(event.key, ObjectKey) and event.key.kind in WORKLOAD_KINDS:
            self._pending_follow = event.key
            if self._follow_timer is not None:
                self._follow_timer.stop()
            self._follow_timer = self.set_timer(FOLLOW_DELAY, self._follow_now)

    def _follow_now(self) -> None:
        self._follow_timer = None
        key = self._pending_follow
        if key is None or key == self._followed or self.app.screen is not self:
            return  # hidden under a drill-down: follow when the user comes back (on_screen_resume)
        tails = self.query(LogTailPane)
        if tails:
            self._followed = key
            tails.first().follow(LogTarget(namespace=key.namespace, workload=key, tail_lines=20))

    def action_logs(self, previous: bool) -> None:
        row = self.current_row()
        opener: Any = getattr(self.app, "open_logs", None)
        if row is None or opener is None:
            self.notify("no row selected", severity="warning", markup=False)
            return
        opener(row[0], row[1], previous)

    def action_describe(self) -> None:
        self._open_yaml("describe")

    def action_yaml(self) -> None:
        self._open_yaml("yaml")

    def _open_yaml(self, mode: str) -> None:
        row = self.current_row()
        key = object_key_of(row[1]) if row is not None else None
        opener: Any = getattr(self.app, "open_yaml", None)
        if key is None or opener is None:
            self.notify("no row selected", severity="warning", markup=False)
            return
        opener(key, mode)
