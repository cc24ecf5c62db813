"""LiveSession: the one live connection between the cluster service and the screens.

cluster → service → session → screens; messages go up, views come down. The service publishes on
its own thread; the session's `SnapshotBridge` turns that into a `SnapshotChanged` message for the
app, which hands it here (`changed()`). The session then

- rate-caps renders (kdash/ui/bridge.py MIN_INTERVAL: an isolated change at once, a churn at
  ~7 frames a second), and renders once a second anyway so ages and "stale for N s" move on
  while the cluster is still;
- scores health in a thread worker, incrementally: each run re-lints only what the change sets
  taken since the last run touch, at most every QUICK_INTERVAL under churn (an isolated change is
  scored at once); full runs (first score, namespace or context switch, missing change sets) at
  most every HEALTH_BUDGET × their duration;
- keeps the garbage collector out of big renders and freezes the long-lived heap once settled;
- counts objects per namespace (for the picker and the header);
- runs the alert engine on each render's changes (kdash/ui/alert_feed.py) and posts an
  `AlertsChanged` message to the app for each non-empty delta;
- publishes one immutable `LiveView` to every subscribed screen, with the merged `ChangeSet`.

It knows no screen or widget (tests/test_layers.py): screens subscribe and render what they get.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from functools import partial
from types import MappingProxyType
from typing import Any

from textual.app import App

from kdash.alerts.config import AlertsConfig
from kdash.health import HealthConfig, HealthReport
from kdash.health.incremental import IncrementalScorer
from kdash.journal import CrashJournal
from kdash.model.snapshot import ClusterSnapshot, SyncPhase
from kdash.model.source import ChangeSet, ClusterSource
from kdash.ui.alert_feed import AlertFeed
from kdash.ui.bridge import SnapshotBridge, merge
from kdash.ui.messages import AlertsChanged
from kdash.ui.view import LiveView

HEALTH_INTERVAL = 1.0  # seconds between health evaluations on a busy cluster
# once synced, re-score at most every HEALTH_BUDGET x the scorer's own duration: ~5 % of a core
HEALTH_BUDGET = 20
# an incremental run re-linting more than this is budgeted like a full one (the first pod list)
SMALL_RUN = 2000
# seconds from one small (incremental) report to the next while the cluster keeps changing: an
# isolated change is scored at once, a churn's reports come this far apart (each one makes the
# panes walk their rows: 44,000 findings, 2,000 workloads at 10,000 pods)
QUICK_INTERVAL = 3.0
CHANGES_WAIT = 0.5  # seconds a scoring run waits for the change set of its snapshot to be taken
TICK = 1.0  # seconds between renders while nothing is published

# A screen's subscription: called on the event loop with each new view and the changes since the
# previous one (None: only the clock or the health report moved on).
ViewListener = Callable[[LiveView, ChangeSet | None], None]


def namespace_counts(snapshot: ClusterSnapshot) -> dict[str, int]:
    """Pods + workloads per namespace in the snapshot (namespaces without any count 0)."""
    counts: Counter[str] = Counter(k.namespace for k in snapshot.pods)
    counts.update(k.namespace for k in snapshot.workloads)
    out = {key.name: 0 for key in snapshot.namespaces}
    out.update(counts)
    out.pop("", None)
    return out


def _all_synced(snapshot: ClusterSnapshot) -> bool:
    return bool(snapshot.states) and all(s.phase is not SyncPhase.SYNCING for s in snapshot.states.values())


def _pods_listed(snapshot: ClusterSnapshot) -> bool:
    pods = snapshot.states.get("pods")
    return pods is not None and pods.phase is not SyncPhase.SYNCING


class LiveSession:
    """Owns the source subscription, the render throttle, the health scheduler and the GC policy.

    `host` is the running app: the session uses only its timers, workers and `call_from_thread`.
    """

    def __init__(
        self,
        source: ClusterSource,
        host: App[Any],
        *,
        clock: Callable[[], datetime],
        health_config: HealthConfig | None = None,
        alerts_config: AlertsConfig | None = None,
    ) -> None:
        self.source = source
        # run in each render (big updates in a thread); each delta goes to the app as AlertsChanged
        self.alerts = AlertFeed(
            alerts_config,
            host,
            lambda delta, initial: host.post_message(AlertsChanged(delta, initial=initial)),
        )
        self.clock = clock
        self.health_config = health_config or HealthConfig()
        self.journal: CrashJournal | None = None  # set by the app; read in thread workers only
        self._host = host
        self.bridge = SnapshotBridge(source, host)
        self.report: HealthReport | None = None
        self.report_generation = -1
        self.rendered_generation = -1
        self.namespace_counts: MappingProxyType[str, int] = MappingProxyType({})
        self._listeners: list[ViewListener] = []
        self._view: LiveView | None = None
        self._running = False
        self._render_pending = False
        self._health_busy = False
        self._health_again = False
        self._health_interval = HEALTH_INTERVAL
        self._health_after = 0.0  # monotonic time before which no new big scoring run starts
        self._quick_after = 0.0  # ... and no new small (incremental) one
        self.scorer = IncrementalScorer()  # used by one health worker at a time
        # change sets taken from the bridge that the scorer has not seen yet, and the newest
        # generation taken (guarded by the condition: renders add, the health worker consumes)
        self._health_changes: list[ChangeSet] = []
        self._changes_taken = -1
        self._changes_cond = threading.Condition()
        self._health_scheduled = False
        self._heap_frozen = False
        self._sync_frozen = False

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Subscribe, start the service in a worker, and render the first view (on the app's mount)."""
        self._running = True
        self.bridge.attach()
        self._host.run_worker(self.source.start, thread=True, exit_on_error=False, group="source")
        self._host.set_interval(TICK, self._tick)
        self.render()

    def stop(self) -> None:
        self._running = False
        self.bridge.detach()
        self.source.stop()

    # -- views -------------------------------------------------------------------------------------

    def subscribe(self, listener: ViewListener) -> Callable[[], None]:
        """Call `listener` with every view published from now on; returns the unsubscribe."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    @property
    def view(self) -> LiveView:
        """The view published last (a fresh one before the first render)."""
        return self._view if self._view is not None else self.latest()

    def latest(self) -> LiveView:
        """A view of the source's newest snapshot, for a screen's first draw: it may be a publish
        ahead of the last render, and a screen opened on a pod must not call it deleted."""
        return LiveView(
            self.source.snapshot(), self.report, self.clock(), self.namespace_counts, self.alerts.board
        )

    # -- rendering ---------------------------------------------------------------------------------

    def changed(self) -> None:
        """The service published (the app's SnapshotChanged handler): render, rate-capped."""
        if self._render_pending:
            return
        wait = self.bridge.ready_in()
        if wait > 0:
            self._render_pending = True
            self._host.set_timer(wait, self._deferred_render)
        else:
            self.render()

    def _deferred_render(self) -> None:
        self._render_pending = False
        self.render()

    def _tick(self) -> None:
        if not self._render_pending:
            self.render()

    def render(self) -> None:
        """Build the view of the newest snapshot, ask for a score if it is new, and publish."""
        if not self._running:
            return  # shutting down: a timer fired after the app stopped the session
        changes = self.bridge.take()
        if changes is not None:
            self._keep_changes(changes)
        snapshot = self.source.snapshot()
        if changes is not None and changes.scope_changed:
            self.report = None
            self._health_after = 0.0  # another namespace or context: score it now
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
        now = self.clock()
        self.alerts.update(snapshot, changes, now)  # only the changed objects, and those due
        view = LiveView(snapshot, self.report, now, self.namespace_counts, self.alerts.board)
        # A big update allocates hundreds of thousands of long-lived objects (20,000 Health rows of
        # Text cells); with the collector on, that heap growth set off full collections (30-100 ms
        # each) in the middle of it and right after. Rendering makes no cyclic garbage.
        collecting = gc.isenabled()
        if collecting:
            gc.disable()
        try:
            self._view = view
            for listener in list(self._listeners):
                listener(view, changes)
            self.rendered_generation = snapshot.generation
            self.bridge.rendered()
            if not self._heap_frozen and self.is_settled():
                self._heap_frozen = True
                gc.freeze()  # before the collector runs again: the new rows are long-lived
                self._host.call_after_refresh(_freeze_heap)
        finally:
            if collecting:
                gc.enable()

    def _count_namespaces(self, snapshot: ClusterSnapshot) -> None:
        counts = namespace_counts(snapshot)
        if snapshot.namespace is not None:  # one namespace in view: keep the others' last counts
            merged = dict(self.namespace_counts)
            merged[snapshot.namespace] = counts.get(snapshot.namespace, 0)
            for key in snapshot.namespaces:
                merged.setdefault(key.name, 0)
            counts = merged
        self.namespace_counts = MappingProxyType(counts)

    # -- health ------------------------------------------------------------------------------------

    def _scoring_useful(self, snapshot: ClusterSnapshot) -> bool:
        """Not while the pod list is still being parsed: a report without the pods is redone in
        full once they are in (crash loops, restarts and usage are on the pods, and every
        workload's findings roll theirs up), and each run takes the GIL from the informer threads
        parsing the pages. Scoring once, after the list, was 2.7 -> 2.4 s to every pane at 10,000
        pods and 11.5 -> 8.8 s at 50,000 (docs/benchmarks.md)."""
        pods = snapshot.states.get("pods")
        return pods is None or pods.phase is not SyncPhase.SYNCING

    def _keep_changes(self, changes: ChangeSet) -> None:
        """Render (event loop): keep what the bridge merged for the scorer too, which takes it in
        its own rhythm; many sets pending fold into one (every key still in it)."""
        with self._changes_cond:
            pending = self._health_changes
            pending.append(changes)
            if len(pending) > 32:
                folded: ChangeSet | None = None
                for c in pending:
                    folded = merge(folded, c)
                assert folded is not None
                self._health_changes = [folded]
            self._changes_taken = max(self._changes_taken, changes.generation)
            self._changes_cond.notify_all()

    def _pending_keys(self) -> int:
        with self._changes_cond:
            return sum(len(c.added) + len(c.modified) + len(c.deleted) for c in self._health_changes)

    def _request_health(self, snapshot: ClusterSnapshot) -> None:
        if self._health_busy:
            self._health_again = True
            return
        small = self.scorer.can_update(snapshot, self.health_config) and self._pending_keys() <= SMALL_RUN
        wait = (self._quick_after if small else self._health_after) - time.monotonic()
        if wait > 0:  # scored recently: once, when the interval is over
            if not self._health_scheduled:
                self._health_scheduled = True
                self._host.set_timer(wait, self._health_due)
            return
        self._health_busy = True
        work = partial(self._evaluate, snapshot, self.clock())
        self._host.run_worker(work, thread=True, exit_on_error=False, group="health")

    def _health_due(self) -> None:
        self._health_scheduled = False
        snapshot = self.source.snapshot()
        if snapshot.generation != self.report_generation:
            self._request_health(snapshot)

    def _changes_until(self, snapshot: ClusterSnapshot) -> list[ChangeSet] | None:
        """Worker: the change sets since the last run, once the one that made `snapshot` is taken
        (the service publishes a snapshot before it calls back, so a render can see the snapshot
        first); None when the scorer cannot use them or they do not come: then it scores in full."""
        if not self.scorer.can_update(snapshot, self.health_config):
            return None
        with self._changes_cond:
            done = self._changes_cond.wait_for(
                lambda: self._changes_taken >= snapshot.generation or not self._running, CHANGES_WAIT
            )
            return list(self._health_changes) if done and self._running else None

    def _evaluate(self, snapshot: ClusterSnapshot, now: datetime) -> None:
        """Worker thread: score, then hand the result back to the event loop with its CPU time."""
        started = time.thread_time()
        small = False
        try:
            changes = self._changes_until(snapshot)
            report: HealthReport | None = self.scorer.update(snapshot, changes, self.health_config, now)
            small = not self.scorer.last_full and self.scorer.last_relinted <= SMALL_RUN
            with self._changes_cond:  # the scorer has these; keep the ones newer than the snapshot
                self._health_changes = [c for c in self._health_changes if c.generation > snapshot.generation]
        except Exception:  # a scorer bug must not take the dashboard down: show runtime states
            report = None
            self.scorer = IncrementalScorer()  # and start afresh: its state may be half updated
        self._host.call_from_thread(self._health_done, snapshot, report, time.thread_time() - started, small)

    def _health_done(
        self, snapshot: ClusterSnapshot, report: HealthReport | None, took: float = 0.0, small: bool = False
    ) -> None:
        self._health_busy = False
        # On a big cluster scoring costs real CPU: once synced, re-score at most every
        # HEALTH_BUDGET x the last run's CPU time, so the scorer stays near 5 % of a core however
        # busy the cluster is (each render asks for a score, so the wait is enforced in
        # _request_health). A small incremental run takes milliseconds, but a new report makes
        # the panes rebuild (20,000 Health rows), so its wait counts the render that showed it
        # too: an isolated change is on screen with its findings at once, and under churn the
        # Health pane follows at a pace the machine can afford.
        if small:
            self._quick_after = time.monotonic() + max(QUICK_INTERVAL, (HEALTH_BUDGET - 1) * took)
        else:
            self._health_interval = max(HEALTH_INTERVAL, HEALTH_BUDGET * took)
            if _all_synced(snapshot):
                self._health_after = time.monotonic() + self._health_interval - took
        current = self.source.snapshot()
        if report is not None and snapshot.context == current.context:
            self.report = report
        self.report_generation = snapshot.generation
        self._render_pending = False
        shown = time.thread_time()
        self.render()
        if small:
            self._quick_after += HEALTH_BUDGET * (time.thread_time() - shown)
        if self._health_again or current.generation != snapshot.generation:
            self._health_again = False
            if self._scoring_useful(current):
                self._request_health(current)

    def is_settled(self) -> bool:
        """True once the service synced, the latest snapshot is scored and on screen (for tests)."""
        snapshot = self.source.snapshot()
        return (
            _all_synced(snapshot)
            and not self._health_busy
            and self.report_generation == snapshot.generation
            and self.rendered_generation == snapshot.generation
        )

    def synced(self) -> bool:
        """Every kind the service reads has been listed (for tests and the benchmarks)."""
        return _all_synced(self.source.snapshot())

    def caught_up(self, generation: int) -> bool:
        """True once the service synced and snapshot `generation` (or a later one) is scored and on
        screen (for tests). Under steady change — metrics polled every 0.2 s — reports are coalesced
        and may never land on the very latest generation, but they do pass any given one."""
        return (
            _all_synced(self.source.snapshot())
            and not self._health_busy
            and self.report_generation >= generation
            and self.rendered_generation >= generation
        )

    # -- scope -------------------------------------------------------------------------------------

    def set_namespace(self, namespace: str | None) -> None:
        """Show one namespace (None: all) and score it as soon as it is in."""
        self._health_after = 0.0
        self.source.set_namespace(namespace)

    def switch_context(self, context: str) -> None:
        """Follow another kubeconfig context; raises ConfigError (in words) for an unknown one."""
        self.source.switch_context(context)
        self.report = None
        self._health_after = 0.0


def _freeze_heap() -> None:
    """Move everything alive after the first full render out of the garbage collector's reach.

    The kubernetes client, Textual and the initial cluster picture are ~170k long-lived objects;
    every full collection walked them all (130-250 ms pauses, felt as a stuck keypress). Frozen
    objects are still freed by reference counting; only their cycles are never collected.
    """
    gc.freeze()
