"""KdashApp: the Textual application that renders the cluster service's snapshots.

Threads: the service publishes on its own thread; `SnapshotBridge` turns that into a
`SnapshotChanged` message, rate-capped to 10 renders a second. Health scoring is CPU work, so it
runs in a thread worker and the panes are re-rendered when its report lands. `start()`, `stop()`,
file writes and `fetch_object` all run in thread workers: the event loop never blocks.
"""

from __future__ import annotations

import gc
import importlib
import time
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from kdash.health import HealthConfig, HealthReport, evaluate
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot, SyncPhase
from kdash.model.source import ClusterSource, LogSource, LogTarget
from kdash.model.workloads import WORKLOAD_KINDS
from kdash.ui.bridge import SnapshotBridge
from kdash.ui.commands import KdashCommands, run_command
from kdash.ui.messages import SnapshotChanged
from kdash.ui.prefs import Preferences
from kdash.ui.screens.dashboard import DashboardScreen, object_key_of
from kdash.ui.screens.namespaces import NamespacePicker, namespace_counts
from kdash.ui.stylesheets import stylesheet_paths
from kdash.ui.widgets.pane import DashboardView

HEALTH_INTERVAL = 1.0  # seconds between health evaluations on a busy cluster
# once synced, re-score at most every HEALTH_BUDGET x the scorer's own duration: ~5 % of a core
HEALTH_BUDGET = 20


def _all_synced(snapshot: ClusterSnapshot) -> bool:
    return bool(snapshot.states) and all(s.phase is not SyncPhase.SYNCING for s in snapshot.states.values())


def _pods_listed(snapshot: ClusterSnapshot) -> bool:
    pods = snapshot.states.get("pods")
    return pods is not None and pods.phase is not SyncPhase.SYNCING


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
    ) -> None:
        super().__init__()
        self.source = source
        self.logs = logs
        self.clock = clock or _utcnow
        self.health_config = health_config or HealthConfig()
        self.prefs = prefs
        self.bridge = SnapshotBridge(source, self)
        self.report: HealthReport | None = None
        self.report_generation = -1
        self.rendered_generation = -1
        self._health_busy = False
        self._health_again = False
        self._health_interval = HEALTH_INTERVAL
        self._render_pending = False
        self._heap_frozen = False
        self._warm_scored = False
        self._sync_frozen = False
        self._health_after = 0.0  # monotonic time before which no new scoring starts
        self._health_scheduled = False
        self.namespace_counts: dict[str, int] = {}
        self._namespace = self._initial_namespace(start_namespace, all_namespaces)

    # -- lifecycle ---------------------------------------------------------------------------------

    def _initial_namespace(self, start: str | None, all_namespaces: bool) -> str | None:
        """-n wins, then -A, then the namespace remembered for this context, then the source's."""
        if start is not None or all_namespaces:
            return start
        context = self.source.snapshot().context
        if self.prefs is not None and self.prefs.has_namespace(context):
            return self.prefs.last_namespace(context)
        return self.source.snapshot().namespace

    def get_default_screen(self) -> Screen[Any]:
        return DashboardScreen(self.logs)

    @property
    def dashboard(self) -> DashboardScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, DashboardScreen)
        return screen

    @property
    def namespace(self) -> str | None:
        """The namespace shown (None: all)."""
        return self._namespace

    def on_mount(self) -> None:
        if self.source.snapshot().namespace != self._namespace:
            self.source.set_namespace(self._namespace)
        self.bridge.attach()
        self._start_source()
        self.set_interval(1.0, self._tick)
        self._render()

    def on_unmount(self) -> None:
        self.bridge.detach()
        self.source.stop()

    @work(thread=True, exit_on_error=False, group="source")
    def _start_source(self) -> None:
        self.source.start()

    # -- snapshots ---------------------------------------------------------------------------------

    @on(SnapshotChanged)
    def _snapshot_changed(self, _message: SnapshotChanged) -> None:
        if self._render_pending:
            return
        wait = self.bridge.ready_in()
        if wait > 0:
            self._render_pending = True
            self.set_timer(wait, self._deferred_render)
        else:
            self._render()

    def _deferred_render(self) -> None:
        self._render_pending = False
        self._render()

    def _tick(self) -> None:
        """Once a second: ages and "stale for N s" move on even when nothing is published."""
        if not self._render_pending:
            self._render()

    def _render(self) -> None:
        if not self.screen_stack or not isinstance(self.screen_stack[0], DashboardScreen):
            return  # shutting down: a timer fired after the screens went away
        changes = self.bridge.take()
        snapshot = self.source.snapshot()
        if changes is not None and changes.scope_changed:
            self.report = None
            self._health_after = 0.0  # another namespace or context: score it now
            self._warm_scored = False
            # the service unfroze the heap to let the old picture go: freeze the new one once it is in
            self._sync_frozen = self._heap_frozen = False
        if not self.namespace_counts or (
            changes is not None
            and (changes.added or changes.deleted or changes.scope_changed or changes.states_changed)
        ):
            # Counts per namespace change only when objects come or go: recounting 10,000 pods on
            # every render (ten a second under churn) was a visible share of the idle CPU.
            self._count_namespaces(snapshot)
        if not self._sync_frozen and _pods_listed(snapshot):
            # the pod list is in: everything alive now is the long-lived cluster picture, so move it
            # out of the collector's reach before scoring and rendering allocate on top of it
            self._sync_frozen = True
            gc.freeze()
        if snapshot.generation != self.report_generation and self._scoring_useful(snapshot):
            self._request_health(snapshot)
        view = DashboardView(snapshot, self.report, self.clock())
        # A big update allocates hundreds of thousands of long-lived objects (20,000 Health rows of
        # Text cells); with the collector on, that heap growth set off full collections (30-100 ms
        # each) in the middle of it and right after. Rendering makes no cyclic garbage.
        collecting = gc.isenabled()
        if collecting:
            gc.disable()
        try:
            self.dashboard.show(view)
            self.rendered_generation = snapshot.generation
            self.bridge.rendered()
            if not self._heap_frozen and self.is_settled():
                self._heap_frozen = True
                gc.freeze()  # before the collector runs again: the new rows are long-lived
                self.call_after_refresh(self._freeze_heap)
        finally:
            if collecting:
                gc.enable()

    @staticmethod
    def _freeze_heap() -> None:
        """Move everything alive after the first full render out of the garbage collector's reach.

        The kubernetes client, Textual and the initial cluster picture are ~170k long-lived objects;
        every full collection walked them all (130-250 ms pauses, felt as a stuck keypress). Frozen
        objects are still freed by reference counting; only their cycles are never collected.
        """
        gc.freeze()

    def _count_namespaces(self, snapshot: ClusterSnapshot) -> None:
        counts = namespace_counts(snapshot)
        if snapshot.namespace is None:
            self.namespace_counts = counts
        else:
            self.namespace_counts[snapshot.namespace] = counts.get(snapshot.namespace, 0)
            for key in snapshot.namespaces:
                self.namespace_counts.setdefault(key.name, 0)

    def _scoring_useful(self, snapshot: ClusterSnapshot) -> bool:
        """While the pod list is still being parsed, score only until one report covers every
        other kind: it warms the Health rows (most findings are about workloads), and more runs
        would only take the GIL from the informer threads parsing 10,000 pods."""
        pods = snapshot.states.get("pods")
        if pods is None or pods.phase is not SyncPhase.SYNCING:
            return True
        if self.report is None:
            return True
        others_live = all(
            st.phase is not SyncPhase.SYNCING for kind, st in snapshot.states.items() if kind != "pods"
        )
        if others_live and not self._warm_scored:
            self._warm_scored = True
            return True
        return False

    def _request_health(self, snapshot: ClusterSnapshot) -> None:
        if self._health_busy:
            self._health_again = True
            return
        wait = self._health_after - time.monotonic()
        if wait > 0:  # scored recently: once, when the interval is over
            if not self._health_scheduled:
                self._health_scheduled = True
                self.set_timer(wait, self._health_due)
            return
        self._health_busy = True
        self._evaluate(snapshot, self.clock())

    def _health_due(self) -> None:
        self._health_scheduled = False
        snapshot = self.source.snapshot()
        if snapshot.generation != self.report_generation:
            self._request_health(snapshot)

    @work(thread=True, exit_on_error=False, group="health")
    def _evaluate(self, snapshot: ClusterSnapshot, now: datetime) -> None:
        """Score in a thread; the result is handed back to the event loop."""
        started = time.monotonic()
        try:
            report: HealthReport | None = evaluate(snapshot, self.health_config, now)
        except Exception:  # a scorer bug must not take the dashboard down: show runtime states
            report = None
        self.call_from_thread(self._health_done, snapshot, report, time.monotonic() - started)

    def _health_done(self, snapshot: ClusterSnapshot, report: HealthReport | None, took: float = 0.0) -> None:
        self._health_busy = False
        # on a big cluster scoring costs real CPU: once synced, re-score at most every
        # HEALTH_BUDGET x its own duration, so the scorer stays near 5 % of a core however busy
        # the cluster is (each render asks for a score, so the wait is enforced in _request_health)
        self._health_interval = max(HEALTH_INTERVAL, HEALTH_BUDGET * took)
        if _all_synced(snapshot):
            self._health_after = time.monotonic() + self._health_interval - took
        current = self.source.snapshot()
        if report is not None and snapshot.context == current.context:
            self.report = report
        self.report_generation = snapshot.generation
        if self._health_again or current.generation != snapshot.generation:
            self._health_again = False
            if self._scoring_useful(current):
                self._request_health(current)
        self._render_pending = False
        self._render()

    def is_settled(self) -> bool:
        """True once the service synced, the latest snapshot is scored and on screen (for tests)."""
        snapshot = self.source.snapshot()
        return (
            _all_synced(snapshot)
            and not self._health_busy
            and self.report_generation == snapshot.generation
            and self.rendered_generation == snapshot.generation
        )

    # -- namespaces and contexts -------------------------------------------------------------------

    def set_namespace(self, namespace: str | None) -> None:
        """Show one namespace (None: all); remembered for the context, written in a worker."""
        self._namespace = namespace
        self._health_after = 0.0
        self.source.set_namespace(namespace)
        context = self.source.snapshot().context
        if self.prefs is not None:
            self.prefs.remember_namespace(context, namespace)
            self._save_prefs()
        self.notify(f"namespace: {namespace or 'all'}", markup=False, timeout=2)
        self._render()

    def switch_context(self, context: str) -> None:
        try:
            self.source.switch_context(context)
        except Exception as exc:  # ConfigError: unknown context, in words
            self.notify(str(exc), severity="error", markup=False)
            return
        self.report = None
        self._health_after = 0.0
        if self.prefs is not None:
            if self.prefs.has_namespace(context):
                self._namespace = self.prefs.last_namespace(context)
                self.source.set_namespace(self._namespace)
            self.prefs.remember_namespace(context, self._namespace)  # also records the last context
            self._save_prefs()
        self.notify(f"context: {context}", markup=False, timeout=2)
        self._render()

    @work(thread=True, exit_on_error=False, group="prefs")
    def _save_prefs(self) -> None:
        if self.prefs is not None:
            self.prefs.save()

    def namespace_names(self) -> list[str]:
        names = {key.name for key in self.source.snapshot().namespaces} | set(self.namespace_counts)
        return sorted(names)

    def favourites(self) -> list[str]:
        if self.prefs is None:
            return []
        return self.prefs.favourites(self.source.snapshot().context)

    def action_pick_namespace(self) -> None:
        def chosen(result: str | None) -> None:
            if result is not None:
                self.set_namespace(None if result == "" else result)

        picker = NamespacePicker(
            self.namespace_names(), self.namespace_counts, self.favourites(), self._namespace
        )
        self.push_screen(picker, chosen)

    def toggle_favourite(self, namespace: str) -> list[str]:
        """Called by the picker: add/remove a favourite (slots 1-9), saved in a worker."""
        if self.prefs is None:
            self.notify("favourites are not remembered in this session", severity="warning", markup=False)
            return []
        self.prefs.toggle_favourite(self.source.snapshot().context, namespace)
        self._save_prefs()
        return self.favourites()

    def action_cycle_namespace(self, step: int) -> None:
        ring: list[str | None] = [None, *self.namespace_names()]
        index = ring.index(self._namespace) if self._namespace in ring else 0
        self.set_namespace(ring[(index + step) % len(ring)])

    def action_all_namespaces(self) -> None:
        self.set_namespace(None)

    def action_favourite_namespace(self, slot: int) -> None:
        favourites = self.favourites()
        if slot > len(favourites):
            self.notify(f"no favourite namespace {slot} (press n, then ctrl+f on one)", markup=False)
            return
        self.set_namespace(favourites[slot - 1])

    # -- drill-down and viewers --------------------------------------------------------------------

    def drill_down(self, pane_id: str, row_key: Hashable) -> None:
        """`enter` on a row: workload → pods, HPA → target, quota → heaviest pods, restart → pod."""
        from kdash.ui.screens.pod import PodDetailScreen
        from kdash.ui.screens.pods_list import PodListScreen
        from kdash.ui.screens.workload import WorkloadPodsScreen

        key = object_key_of(row_key)
        if key is None:
            return
        if pane_id == "hpa":
            hpa = self.source.snapshot().hpas.get(key)
            if hpa is None or not hpa.target_name:
                self.notify("this autoscaler has no target", severity="warning", markup=False)
                return
            key = ObjectKey(hpa.target_kind, key.namespace, hpa.target_name)
        if pane_id == "quotas" and key.kind == "ResourceQuota":
            self.push_screen(PodListScreen.heaviest(self.source, key, self.clock, self.health_config))
        elif key.kind in WORKLOAD_KINDS:
            self.push_screen(WorkloadPodsScreen(self.source, key, self.clock, self.health_config))
        elif key.kind == "Pod":
            self.push_screen(PodDetailScreen(self.source, key, self.clock, self.health_config))
        else:
            self.open_yaml(key, "describe")

    def open_yaml(self, key: ObjectKey, mode: str = "yaml") -> None:
        """Read-only YAML or describe; the screen fetches in a worker and refuses Secrets."""
        if key.kind == "Secret":
            self.notify("kdash does not read Secrets", severity="warning", markup=False)
            return
        from kdash.ui.screens.yaml_view import ObjectYamlScreen

        self.push_screen(ObjectYamlScreen(self.source, key, "describe" if mode == "describe" else "yaml"))

    def open_logs(self, pane_id: str, row_key: Hashable, previous: bool) -> None:
        """`l`/`p` on a row: a pod's (or a restart's container's) logs, or a workload's pods' logs."""
        screen_cls = _optional("kdash.ui.screens.logs", "LogsScreen")
        if self.logs is None or screen_cls is None:
            self.notify("logs are not available yet", severity="warning", markup=False)
            return
        key = object_key_of(row_key)
        if key is None:
            return
        container = row_key[1] if pane_id == "restarts" and isinstance(row_key, tuple) else None
        if key.kind == "Pod":
            target = LogTarget(key.namespace, pod=key.name, container=container, previous=previous)
        elif key.kind in WORKLOAD_KINDS:
            target = LogTarget(key.namespace, workload=key, previous=previous)
        else:
            self.notify(f"{key.kind} has no logs", severity="warning", markup=False)
            return
        if previous:
            target = LogTarget(**{**_fields(target), "follow": False})
        self.push_screen(screen_cls(self.logs, target))

    # -- help and commands -------------------------------------------------------------------------

    def action_help(self) -> None:
        from kdash.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    def action_command_bar(self) -> None:
        from kdash.ui.screens.command_bar import CommandBar

        def submitted(command: str | None) -> None:
            if command:
                run_command(self, command)

        self.push_screen(CommandBar(self.namespace_names(), self.source.contexts()), submitted)


def _optional(module: str, name: str) -> Any:
    """A class from a module built by another engineer, or None while it does not exist."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _fields(target: LogTarget) -> dict[str, Any]:
    return {name: getattr(target, name) for name in target.__dataclass_fields__}
