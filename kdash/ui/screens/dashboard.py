"""The main dashboard: header, six panes, and the keys that act on the focused pane's row.

Wide terminals get a grid of panes; below 120×34 the screen switches to a compact layout (a CSS
class) where a tab strip picks the one pane shown, so 80×24 stays readable. The screen holds no
cluster state of its own: it subscribes to the session and renders each `LiveView` it publishes;
what a row's keys open is said with a navigation message (kdash/ui/navigation.py handles them).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static, Tab, Tabs

from kdash.model.meta import ObjectKey
from kdash.model.source import ChangeSet, LogSource, LogTarget
from kdash.model.workloads import WORKLOAD_KINDS
from kdash.ui.messages import DashboardReady
from kdash.ui.screens.type_ahead import TypeAheadDrained, TypeAheadModal
from kdash.ui.session import LiveSession
from kdash.ui.widgets.findings_pane import FindingsPane
from kdash.ui.widgets.header import DashboardHeader, header_text
from kdash.ui.widgets.hpa_pane import HpaPane
from kdash.ui.widgets.list_keys import ROW_BINDINGS, RowKeys
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


def log_tail_widget(logs: LogSource | None) -> Widget:
    """The log tail following the selected workload; a plain note when there is no log source."""
    if logs is None:
        return Static(Content("no log source in this session"), classes="pane-note")
    return LogTailPane(logs)


class DashboardScreen(RowKeys, Screen[None]):
    """The main screen: renders the session's views (`show`); keys here act on the focused pane."""

    INTERPRETS_KEYS: ClassVar[bool] = True  # the panes' filter keys too, in on_key (list_keys.py)

    BINDINGS: ClassVar[list[BindingType]] = [
        # not priority: run in key order with the rest (see on_key), not as soon as it is read
        Binding("tab", "next_pane", "Next pane", id="pane-next"),
        Binding("shift+tab", "previous_pane", "Prev pane", show=False, id="pane-previous"),
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
        *ROW_BINDINGS,  # with `enter` (RowKeys) and the panes' `/` (FilterKeys): kdash/ui/widgets/list_keys.py
        Binding("escape", "restore", "Restore", show=False, id="pane-restore"),
    ]

    def __init__(self, session: LiveSession, logs: LogSource | None = None) -> None:
        super().__init__(id="dashboard")
        self.session = session
        self.logs = logs
        self._unsubscribe: Callable[[], None] | None = None
        self.active_pane = "workloads"
        self.view: DashboardView | None = None
        self._followed: ObjectKey | None = None
        self._pending_follow: ObjectKey | None = None
        self._follow_timer: Timer | None = None
        self._header: Text | None = None
        self._header_widget: DashboardHeader | None = None
        self._panes: list[Pane] | None = None

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
        self._unsubscribe = self.session.subscribe(self._view_changed)
        self.show(self.session.view)
        self.call_after_refresh(self.post_message, DashboardReady())  # keys typed during start-up

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _view_changed(self, view: DashboardView, _changes: ChangeSet | None) -> None:
        if self in self.app.screen_stack:  # not while the app shuts down and removes its widgets
            self.show(view)

    def on_screen_resume(self) -> None:
        if self.view is not None:
            self.show(self.view)  # what came in while a drill-down or a prompt covered it
        self._follow_now()

    def on_resize(self, event: events.Resize) -> None:
        self._apply_layout(event.size.width, event.size.height)

    def _apply_layout(self, width: int, height: int) -> None:
        self.set_class(width < COMPACT_WIDTH or height < COMPACT_HEIGHT, "-compact")
        self._catch_up()

    def watch_maximized(self) -> None:
        self._catch_up()  # f, esc, :deploy: the panes shown change

    # -- keys that open a modal ---------------------------------------------------------------------

    async def on_key(self, event: events.Key) -> None:
        """Every key of the dashboard is interpreted here, at one place, in the order typed: the
        focused pane's `/` filter, the command bar and namespace picker (and the keys typed after
        them), the bindings. Textual gives each key to the focused widget's queue when the app
        reads it, and each widget on the way up here has a queue of its own: a key acted on
        further down (a `/` in the pane) could act before the `:` ahead of it reached this screen,
        and an app-level binding is checked only after the keys typed next were handed on
        (`:deploy` would run `d`, describe)."""
        top = self.app.screen
        if top is not self:
            event.stop()
            event.prevent_default()
            if isinstance(top, TypeAheadModal):
                await top.type_ahead(event)
            return
        if self._filter_key(event):
            return
        opener = {"colon": "command_bar", "n": "pick_namespace"}.get(event.key)
        if opener is None:
            await self._run_binding(event)
        else:
            event.stop()
            event.prevent_default()
            # the app's action pushes the prompt and sends its drain marker behind the keys
            # already handed to the focused widget (type_ahead.announce_prompt)
            await self.app.run_action(opener)

    def _filter_key(self, event: events.Key) -> bool:
        """The focused pane's `/` filter (a pane's, or the log tail's): True if the key was its."""
        pane = self.pane(self.focused_pane_id())
        if isinstance(pane, Pane):
            return pane.filter_key(event)
        tails = pane.query(LogTailPane)
        return bool(tails) and tails.first().filter_key(event)

    async def _run_binding(self, event: events.Key) -> None:
        """Run the key's binding now, in the order typed. The app would check it only when the
        key comes back up to it, after the keys typed next were handed on: `esc :ns…` then
        resolved the `esc` against the command bar the `:` had opened in the meantime."""
        active = self.active_bindings.get(event.key)
        if active is None or not active.enabled or active.binding.priority:
            return
        if await self.app.run_action(active.binding.action, active.node):
            event.stop()
            event.prevent_default()
        # skipped (esc with no filter to clear): the app tries the next binding as usual

    @on(TypeAheadDrained)
    async def _type_ahead_drained(self, message: TypeAheadDrained) -> None:
        message.stop()
        await message.prompt.drained()

    # -- rendering ---------------------------------------------------------------------------------

    def show(self, view: DashboardView) -> None:
        """Render a new snapshot: only rows that changed are rebuilt and redrawn, and only in the
        panes on screen (the others catch up when they are shown)."""
        self.view = view
        if self._header_widget is None:  # looked up once: a query per render was 14 % of its cost
            found = self.query(DashboardHeader)
            if not found:  # not composed yet: on_mount shows the latest view
                return
            self._header_widget = found.first()
        if self.app.screen is not self:
            return  # covered by a drill-down or a prompt: on_screen_resume shows the latest view
        header = header_text(view)
        if header != self._header:
            # Static.update() re-lays out the whole screen; the header rarely changes, so only
            # then (every render paying a layout and full repaint was most of the idle CPU)
            self._header = header
            self._header_widget.update(header)
        for pane in self.panes():
            if self.pane_shown(pane):
                pane.update_view(view)
            else:
                pane.hold(view)

    def panes(self) -> list[Pane]:
        """The dashboard's panes (composed once: not queried again ten times a second)."""
        if not self._panes:  # (none yet before compose: ask again)
            self._panes = list(self.query(Pane))
        return self._panes

    def pane_shown(self, pane: Widget) -> bool:
        """Whether `pane` is on screen: judged from the layout state the screen sets (CSS applies a
        refresh later), so a pane switched to is filled before it is first painted."""
        maximized = self.maximized
        if maximized is not None:
            return maximized is pane or pane in maximized.ancestors
        return not self.has_class("-compact") or pane.id == self.active_pane

    def _catch_up(self) -> None:
        """Render the view into the panes that were hidden and are shown now."""
        if self.view is None or self.app.screen is not self:
            return
        for pane in self.panes():
            if pane.holding and self.pane_shown(pane):
                pane.catch_up()

    # -- panes and focus ---------------------------------------------------------------------------

    def pane(self, pane_id: str) -> Widget:
        return self.query_one(f"#{pane_id}")

    def focused_pane_id(self) -> str:
        focused = self.focused
        for node in (focused, *(focused.ancestors if focused is not None else ())):
            if isinstance(node, Widget) and node.id in PANE_IDS:
                return node.id
        return self.active_pane

    def _activate(self, pane_id: str, *, move_focus: bool = True) -> None:
        """Make `pane_id` the active pane: the one place that changes it. `active_pane` is the
        truth; the tab strip and the focus follow it, synchronously, and the tab strip's own
        TabActivated is suppressed: a queued one used to arrive after the next Tab and switch
        back, which switched forward again, forever (a livelock at key-repeat speed)."""
        self.active_pane = pane_id
        for pid in PANE_IDS:
            self.pane(pid).set_class(pid == pane_id, "-active")
        self._catch_up()
        tabs = self.query_one(Tabs)
        if tabs.active != f"tab-{pane_id}":
            with tabs.prevent(Tabs.TabActivated):
                tabs.active = f"tab-{pane_id}"
        target = self.pane(pane_id)
        if move_focus:
            # now, not after a refresh: the next key (typed ahead) goes to the pane it follows
            # (no focusable widget: nothing, rather than a row of the pane left behind)
            self.set_focus(self.focus_target(target))
        if self.maximized is not None and self.maximized is not target:
            self.maximize(target, container=False)

    @staticmethod
    def focus_target(pane: Widget) -> Widget | None:
        """The widget a pane's focus goes to: its table, else its first focusable widget."""
        tables = pane.query(ResourceTable)
        if tables:
            return tables.first()
        return next((w for w in pane.query("*") if w.focusable), None)

    def focus_pane(self, pane_id: str, filter_text: str | None) -> None:
        """Show `pane_id` (restored, active, focused), with `filter_text` as its filter if given:
        what `:deploy`, `:hpa` and the like do."""
        self.minimize()
        self._activate(pane_id)
        pane = self.pane(pane_id)
        if filter_text is not None and isinstance(pane, Pane):
            pane.apply_filter(filter_text)

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
        else:
            raise SkipAction()  # the app's esc: back to the fleet, when there is one

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        """A tab clicked with the mouse (programmatic changes post no TabActivated, see _activate)."""
        event.stop()
        pane_id = (event.tab.id or "").removeprefix("tab-")
        if pane_id in PANE_IDS and pane_id != self.active_pane:
            self._activate(pane_id)

    @on(events.DescendantFocus)
    def _descendant_focused(self, _event: events.DescendantFocus) -> None:
        """The focus moved into another pane by other means (a click): that pane becomes active.
        Judged from where the focus is now, not from the event, so a late event changes nothing."""
        pane_id = self.focused_pane_id()
        if pane_id != self.active_pane:
            self._activate(pane_id, move_focus=False)

    # -- rows --------------------------------------------------------------------------------------

    def current_row(self) -> tuple[str, Hashable] | None:
        """(pane id, row key) under the cursor of the focused pane."""
        pane_id = self.focused_pane_id()
        tables = self.pane(pane_id).query(ResourceTable)
        if not tables:
            return None
        key = tables.first().cursor_key
        return None if key is None else (pane_id, key)

    def origin_of(self, table: ResourceTable) -> str | None:
        """A pane's rows say which pane they are in (its id: "workloads", "hpa", ...)."""
        pane = next((a for a in table.ancestors if isinstance(a, Pane)), None)
        return None if pane is None else pane.id

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
