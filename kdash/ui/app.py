"""KdashApp: the Textual application around one live session.

cluster → service → session → screens; messages go up, views come down. The app only wires the
parts: the `LiveSession` (the source subscription, render throttle, health scoring and GC policy;
kdash/ui/session.py), the `NamespaceScope` (the namespace in view and the preferences), and the
`Navigator`, which turns the navigation messages screens post into screens. Itself it handles the
app-wide keys: quit, help, the `:` command bar and the namespace keys.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any, ClassVar

from textual import events, on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen

from kdash.alerts.config import AlertsConfig
from kdash.health import HealthConfig
from kdash.journal import CrashJournal
from kdash.k8s.fleet import Fleet
from kdash.model.feeds import ApiResource, Discovery
from kdash.model.source import ClusterSource, LogSource
from kdash.notify.hooks import HookRunner, start_hooks
from kdash.ui.alert_notify import AlertNotifier
from kdash.ui.commands import KdashCommands, run_command
from kdash.ui.desktop import DesktopNotifier
from kdash.ui.early_keys import HOLD_AT_MOST, EarlyKeys
from kdash.ui.fleet_mode import FleetFactory, FleetMode
from kdash.ui.format import clean
from kdash.ui.kinds import feed_source, kind_names
from kdash.ui.messages import (
    AlertsChanged,
    DashboardReady,
    OpenKind,
    OpenLogs,
    OpenObject,
    OpenPod,
    OpenPods,
    OpenResource,
    OpenRow,
    OpenRowLogs,
    SnapshotChanged,
)
from kdash.ui.navigation import Navigator
from kdash.ui.prefs import Preferences
from kdash.ui.render.usage_rows import namespace_usage
from kdash.ui.scope import NamespaceScope
from kdash.ui.screens.command_bar import CommandBar
from kdash.ui.screens.dashboard import DashboardScreen
from kdash.ui.screens.help import HelpScreen
from kdash.ui.screens.namespaces import NamespacePicker
from kdash.ui.screens.type_ahead import announce_prompt
from kdash.ui.session import LiveSession
from kdash.ui.stylesheets import stylesheet_paths


def _utcnow() -> datetime:
    return datetime.now(UTC)


class KdashApp(App[int]):
    """The kdash TUI over any ClusterSource (the real service, or the simulator through it)."""

    TITLE = "kdash"
    CSS_PATH: ClassVar[list[str | PurePath]] = list(stylesheet_paths())
    COMMANDS = App.COMMANDS | {KdashCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="quit-ctrl-c"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("colon", "command_bar", "Command", id="command-bar"),
        Binding("a", "alerts", "Alerts", show=False, id="alerts"),
        Binding("escape", "fleet", "Fleet", show=False, id="fleet"),  # the dashboard lets esc through
    ]

    def __init__(
        self,
        source: ClusterSource,
        logs: LogSource | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        health_config: HealthConfig | None = None,
        prefs: Preferences | None = None,
        start_namespace: str | None = None,
        all_namespaces: bool = False,
        journal: CrashJournal | None = None,
        alerts_config: AlertsConfig | None = None,
        desktop: DesktopNotifier | None = None,
        fleet: Fleet | None = None,
        fleet_factory: FleetFactory | None = None,
    ) -> None:
        super().__init__()
        self.source = source
        self.logs = logs
        self.clock = clock or _utcnow
        self.alerts_config = alerts_config or AlertsConfig()
        self.session = LiveSession(
            source, self, clock=self.clock, health_config=health_config, alerts_config=self.alerts_config
        )
        # toasts, bell and desktop notifications for new alerts; the desktop method is detected from
        # the environment unless given (tests pass one that records what it would write)
        desktop = desktop or DesktopNotifier.from_env(
            os.environ, write=self._write_terminal, on_error=self._desktop_failed
        )
        self.alert_notifier = AlertNotifier(self, self.alerts_config, desktop)
        self.hooks: HookRunner | None = None  # the `--on-alert` runner, started on mount
        self.session.journal = journal  # crashes kept from earlier runs (pod detail, Alerts)
        self.scope = NamespaceScope(
            self.session, self, prefs, start=start_namespace, all_namespaces=all_namespaces
        )
        self.navigator = Navigator(self, self.session, lambda: self.logs)
        # the Fleet screen (kdash/ui/fleet_mode.py): shown first with --fleet, else built by `:fleet`
        self.fleet_mode = FleetMode(
            self,
            self.switch_context,
            lambda: self.session.source.snapshot().context,
            self.clock,
            fleet=fleet,
            factory=fleet_factory,
            health_config=lambda: self.session.health_config,
            alerts_config=self.alerts_config,
        )
        self.early_keys = EarlyKeys()  # keys typed before the dashboard is ready (kdash/ui/early_keys.py)

    # -- lifecycle ---------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return DashboardScreen(self.session, self.logs)

    @property
    def dashboard(self) -> DashboardScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, DashboardScreen)
        return screen

    @property
    def health_config(self) -> HealthConfig:
        return self.session.health_config

    @property
    def namespace(self) -> str | None:
        """The namespace shown (None: all)."""
        return self.scope.namespace

    async def on_event(self, event: events.Event) -> None:
        if self.early_keys.hold(event):
            return
        await super().on_event(event)

    @on(DashboardReady)
    def keys_ready(self) -> None:
        """The dashboard has mounted and chosen its pane: replay what was typed meanwhile."""
        self.early_keys.release(self.post_message)

    def on_mount(self) -> None:
        self.set_timer(HOLD_AT_MOST, self.keys_ready)
        self.scope.apply()
        self.session.start()
        self.hooks = start_hooks(self.alerts_config, self._hook_failed)
        if self.fleet_mode.fleet is not None:
            self.fleet_mode.show()

    def on_unmount(self) -> None:
        self.fleet_mode.stop()
        self.session.stop()
        if self.hooks is not None:
            self.hooks.close()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification (kdash's, a widget's, Textual's) is cleaned here, in one place:
        messages quote names, server sentences and file paths, any of which may carry escapes."""
        super().notify(
            clean(message, multiline=True),
            title=clean(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    # -- messages up -------------------------------------------------------------------------------

    @on(SnapshotChanged)
    def _snapshot_changed(self, _message: SnapshotChanged) -> None:
        self.session.changed()

    @on(AlertsChanged)
    def _alerts_changed(self, message: AlertsChanged) -> None:
        """The session's alert engine opened, resolved or updated alerts: toasts, bell, desktop
        (not for what the first look at a scope finds: the header badge counts those)."""
        if not message.initial:
            self.alert_notifier.handle(message.delta)
        if self.hooks is not None:  # `--on-alert` / [alerts] command: on its own thread, never waited for
            self.hooks.submit(message.delta)

    def _write_terminal(self, sequence: str) -> None:
        """Put an escape sequence (an OSC notification, already sanitised) on the real terminal,
        through the driver as `App.bell` does; nothing in a headless run (tests)."""
        driver = self._driver
        if not self.is_headless and driver is not None:
            driver.write(sequence)

    def _hook_failed(self, words: str) -> None:
        """An alert hook failed or timed out (called from its thread): a toast, never fatal."""
        self.call_from_thread(self.notify, words, title="alert hook", severity="warning", markup=False)

    def _desktop_failed(self, words: str) -> None:
        """notify-send failed (called from its thread): shown, never fatal."""
        self.call_from_thread(self.notify, words, severity="warning", markup=False)

    @on(OpenRow)
    @on(OpenPods)
    @on(OpenPod)
    @on(OpenLogs)
    @on(OpenRowLogs)
    @on(OpenObject)
    @on(OpenKind)
    @on(OpenResource)
    def _navigate(self, message: Message) -> None:
        self.navigator.handle(message)

    # -- namespaces and contexts -------------------------------------------------------------------

    def set_namespace(self, namespace: str | None) -> None:
        """Show one namespace (None: all); remembered for the context, written in a worker."""
        self.scope.set(namespace)
        self.notify(f"namespace: {namespace or 'all'}", markup=False, timeout=2)
        self.session.render()

    def switch_context(self, context: str) -> None:
        try:
            self.scope.switch_context(context)
        except Exception as exc:  # ConfigError: unknown context, in words
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"context: {context}", markup=False, timeout=2)
        self.session.render()

    def namespace_names(self) -> list[str]:
        return self.scope.names()

    def contexts(self) -> list[str]:
        return self.source.contexts()

    def action_pick_namespace(self) -> None:
        def chosen(result: str | None) -> None:
            if result is not None:
                self.set_namespace(None if result == "" else result)

        usage = self.session.view.snapshot.usage
        picker = NamespacePicker(
            self.scope.names(),
            self.session.namespace_counts,
            self.scope.favourites(),
            self.scope.namespace,
            toggle_favourite=self.scope.toggle_favourite,
            usage=namespace_usage(usage.pods) if usage.available else None,
        )
        below = self.screen
        self.push_screen(picker, chosen)
        announce_prompt(picker, below)

    def action_cycle_namespace(self, step: int) -> None:
        self.set_namespace(self.scope.cycled(step))

    def action_all_namespaces(self) -> None:
        self.set_namespace(None)

    def action_favourite_namespace(self, slot: int) -> None:
        favourites = self.scope.favourites()
        if slot > len(favourites):
            self.notify(f"no favourite namespace {slot} (press n, then ctrl+f on one)", markup=False)
            return
        self.set_namespace(favourites[slot - 1])

    # -- `:` commands (kdash.ui.commands.CommandHost) ----------------------------------------------

    def show_pods(self) -> None:
        self.navigator.show_pods(self.namespace)

    def show_events(self) -> None:
        self.navigator.show_events()

    def show_alerts(self) -> None:
        self.navigator.show_alerts()

    def action_alerts(self) -> None:
        """`a`: the Alerts screen."""
        self.show_alerts()

    def discovery(self) -> Discovery | None:
        """What the server serves (None: this source lists only the dashboard's kinds)."""
        source = feed_source(self.source)
        return source.discovery() if source is not None else None

    def open_kind(self, resource: ApiResource) -> None:
        self.navigator.open_kind(resource)

    def show_fleet(self) -> None:
        """`:fleet`: every context side by side, worst first."""
        self.fleet_mode.show()

    def action_fleet(self) -> None:
        """esc on the dashboard: back to the fleet, once there is one."""
        if self.fleet_mode.fleet is not None:
            self.fleet_mode.show()

    def show_aliases(self) -> None:
        self.navigator.show_aliases()

    def focus_pane(self, pane_id: str, filter_text: str | None) -> None:
        self.navigator.to_dashboard()
        self.dashboard.focus_pane(pane_id, filter_text)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    def action_command_bar(self) -> None:
        def submitted(command: str | None) -> None:
            if command:
                run_command(self, command)

        discovery = self.discovery()
        kinds = kind_names(discovery) if discovery is not None else []
        below = self.screen
        bar = CommandBar(self.namespace_names(), self.contexts(), kinds)
        self.push_screen(bar, submitted)
        announce_prompt(bar, below)
