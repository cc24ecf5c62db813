"""FleetWatch: every fleet member scored and alerted off the event loop, rows handed to the UI.

One thread worker (run by the app) wakes on any member's change, or every TICK anyway (alerts
fall due with time), and for each member that changed takes its snapshot, runs that member's
`IncrementalScorer` and `AlertEngine` on the change sets since its last run (over the fleet's
kinds only, even for a context opened in full, so every row is graded alike), and builds its
`FleetRow` (kdash/ui/fleet_rows.py). The sorted rows go to `on_rows` on the event loop. A member
whose service is replaced (opened: the full kind set) starts over with a fresh scorer and engine.
The UI thread never scores, counts or reads the network here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from textual.app import App

from kdash.alerts.config import AlertsConfig
from kdash.alerts.engine import AlertEngine
from kdash.health import HealthConfig, HealthReport
from kdash.health.incremental import IncrementalScorer
from kdash.k8s.fleet import FLEET_KINDS, Fleet
from kdash.model.snapshot import SyncPhase
from kdash.model.source import ChangeSet
from kdash.ui.fleet_rows import FleetRow, build_row, restricted, sorted_rows

log = logging.getLogger("kdash.ui")

TICK = 2.0  # seconds between passes while nothing changes (ages, due alerts)
MIN_PASS = 0.5  # seconds between passes under churn: the fleet is a summary, not a live tail


@dataclass
class _Member:
    """One context's scorer state (touched by the worker only, except `pending`)."""

    service: object | None = None
    scorer: IncrementalScorer = field(default_factory=IncrementalScorer)
    alerts: AlertEngine = field(default_factory=AlertEngine)
    report: HealthReport | None = None
    pending: list[ChangeSet] = field(default_factory=list)
    reset: bool = True  # score in full next time
    row: FleetRow | None = None  # the last row built
    carry: bool = False  # its service was just replaced: show the last row until the new one lists


class FleetWatch:
    """Rows of every fleet member, kept current by one worker thread."""

    def __init__(
        self,
        fleet: Fleet,
        host: App[Any],
        on_rows: Callable[[list[FleetRow]], None],
        *,
        clock: Callable[[], datetime],
        health_config: HealthConfig | None = None,
        alerts_config: AlertsConfig | None = None,
    ) -> None:
        self.fleet = fleet
        self.rows: list[FleetRow] = [FleetRow(c) for c in fleet.contexts]
        self.passes = 0  # for tests: how many times the rows were rebuilt
        self._host = host
        self._on_rows = on_rows
        self._clock = clock
        self._health = health_config or HealthConfig()
        self._alerts = alerts_config or AlertsConfig()
        self._lock = threading.Lock()
        self._members: dict[str, _Member] = {}
        self._dirty: set[str] = set(fleet.contexts)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._unsubscribe: Callable[[], None] | None = None
        self._running = False

    def start(self) -> None:
        """Subscribe and start the worker (idempotent; the fleet itself is started by its owner)."""
        if self._running:
            return
        self._running = True
        self._unsubscribe = self.fleet.subscribe(self._changed)
        self._host.run_worker(self._run, thread=True, exit_on_error=False, group="fleet")

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _changed(self, context: str, changes: ChangeSet | None) -> None:
        """Fleet thread: remember the changes, wake the worker."""
        with self._lock:
            member = self._members.setdefault(context, _Member(alerts=AlertEngine(self._alerts)))
            if changes is None:
                member.reset = True
            else:
                member.pending.append(changes)
            self._dirty.add(context)
        self._wake.set()

    # -- the worker --------------------------------------------------------------------------------

    def _run(self) -> None:
        last: dict[str, FleetRow] = {}
        built: dict[str, float] = {}  # monotonic time of each member's last row
        while not self._stop.is_set():
            began = time.monotonic()
            with self._lock:
                dirty, self._dirty = self._dirty, set()
            contexts = self.fleet.contexts
            for context in contexts:
                # a quiet member is looked at again every TICK: its alerts fall due with time
                if context in dirty or began - built.get(context, -TICK) >= TICK:
                    built[context] = began
                    try:
                        last[context] = self._row(context)
                    except Exception:  # a scorer bug must not freeze the fleet: start that one over
                        log.exception("scoring fleet member %s failed", context)
                        with self._lock:
                            self._members.pop(context, None)
            rows = sorted_rows([last[c] for c in contexts if c in last])
            self.passes += 1
            try:
                self._host.call_from_thread(self._publish, rows)
            except RuntimeError:  # the app stopped meanwhile
                return
            self._stop.wait(max(0.0, MIN_PASS - (time.monotonic() - began)))
            self._wake.wait(TICK)
            self._wake.clear()

    def _row(self, context: str) -> FleetRow:
        service = self.fleet.service(context)
        status = self.fleet.status(context)
        with self._lock:
            member = self._members.setdefault(context, _Member(alerts=AlertEngine(self._alerts)))
        if service is None:
            return FleetRow(
                context,
                state="unreachable" if status.load_error else "syncing",
                reason=status.load_error,
                server=status.server,
            )
        if member.service is not service:  # a new service (loaded, or opened in full): start over
            member.carry = member.service is not None and member.row is not None
            member.service, member.reset = service, True
            member.scorer = IncrementalScorer()
            member.alerts = AlertEngine(self._alerts)
        full = service.snapshot()
        if member.carry and member.row is not None:
            if any(s.phase is SyncPhase.SYNCING for k, s in full.states.items() if k in FLEET_KINDS):
                return replace(member.row, full=status.full)  # no flicker to "syncing, 0 pods"
            member.carry = False
        snapshot = restricted(full, FLEET_KINDS)  # every row graded on the same kinds
        with self._lock:
            reset, member.reset = member.reset, False
            sets = [c for c in member.pending if c.generation <= snapshot.generation]
            member.pending = [c for c in member.pending if c.generation > snapshot.generation]
        now = self._clock()
        changes = None if reset else sets
        member.report = member.scorer.update(snapshot, changes, self._health, now)
        member.alerts.update(snapshot, changes, now)
        member.row = build_row(
            full,
            member.report,
            alerts=member.alerts.open_count,
            load_error=status.load_error,
            connection_error=status.connection_error,
            server=status.server,
            full=status.full,
        )
        return member.row

    def _publish(self, rows: list[FleetRow]) -> None:
        """Event loop: the new rows, sorted worst first."""
        self.rows = rows
        self._on_rows(rows)
