"""The session's alert engine: each render's snapshot and changes in, AlertDeltas out.

An update costs what it examines: a render's change set holds a few objects, which the event loop
handles in well under a millisecond, so those run in the render. A big update (the first pass,
a namespace or context switch, the pod list landing in thousands of `added` keys) costs ~10 µs per
object, 0.1-0.2 s at 10,000 pods (docs/benchmarks.md), so it runs in a thread worker; renders
meanwhile queue their change sets, which the next render hands over once it is done. The engine is
touched by one thread at a time, and the screens read an immutable board published on the loop.
A failing engine must not take the dashboard down: the error is kept for the Alerts screen and a
fresh engine starts over with a full pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from textual.app import App

from kdash.alerts.config import AlertsConfig
from kdash.alerts.engine import AlertEngine
from kdash.alerts.model import AlertBoard, AlertDelta
from kdash.model.snapshot import ClusterSnapshot, SyncPhase
from kdash.model.source import ChangeSet

BIG = 1000  # objects to examine: above this an update runs in a thread
GRACE = 2.0  # seconds after the lists are in during which new alerts count as found, not new


class AlertFeed:
    """One AlertEngine, its published board, and `on_delta` called (on the loop) with each delta."""

    def __init__(
        self,
        config: AlertsConfig | None,
        host: App[Any],
        on_delta: Callable[[AlertDelta, bool], object],
    ) -> None:
        self.config = config or AlertsConfig()
        self.engine = AlertEngine(self.config)
        self.board = AlertBoard()
        self.error = ""  # the last engine failure, in words ("" while it works)
        self._host = host
        self._on_delta = on_delta
        self._busy = False
        self._queued: list[ChangeSet] = []
        self.threaded = 0  # updates handed to a thread (for tests and benchmarks)
        self._quiet_until = 0.0

    @property
    def quiet(self) -> bool:
        """While a scope is first looked at (and GRACE after): its alerts were there before, so the
        app shows them in the badge and the screen without a toast, bell or notification each."""
        return time.monotonic() < self._quiet_until

    @property
    def busy(self) -> bool:
        """A thread has the engine (its board is the one published before)."""
        return self._busy

    def update(self, snapshot: ClusterSnapshot, changes: ChangeSet | None, now: datetime) -> None:
        """Render (event loop): `changes` is what it took from the bridge (None: nothing published,
        only time moved on, so only due alerts are looked at)."""
        if changes is not None:
            self._queued.append(changes)
        if self._busy:
            return  # a thread has the engine: the changes wait for the next render after it
        sets, self._queued = self._queued, []
        # what a first pass or a still-syncing list finds was there before: no toast for each
        states = snapshot.states.values()
        if (
            self.engine.last_full_needed(snapshot, sets)
            or not states  # the service has not reported a list yet
            or any(state.phase is SyncPhase.SYNCING for state in states)
        ):
            # and a moment after: a kind reads "live" a publish or two before all its records are in
            self._quiet_until = time.monotonic() + GRACE
        initial = self.quiet
        if self.engine.work_for(snapshot, sets) > BIG:
            self._busy = True
            self.threaded += 1
            work = partial(self._threaded, snapshot, sets, now, initial)
            self._host.run_worker(work, thread=True, exit_on_error=False, group="alerts")
            return
        self._publish(self._run(snapshot, sets, now), initial)

    def _run(self, snapshot: ClusterSnapshot, sets: list[ChangeSet], now: datetime) -> AlertDelta:
        try:
            return self.engine.update(snapshot, sets, now)
        except Exception as exc:  # an engine bug: keep the dashboard, start over with a full pass
            self.error = f"alert engine failed ({type(exc).__name__}: {exc}); restarted"
            self.engine = AlertEngine(self.config)
            return AlertDelta()

    def _threaded(
        self, snapshot: ClusterSnapshot, sets: list[ChangeSet], now: datetime, initial: bool
    ) -> None:
        delta = self._run(snapshot, sets, now)
        board = self.engine.board()  # built here, in the thread, while it still owns the engine
        try:
            self._host.call_from_thread(self._done, delta, board, initial)
        except RuntimeError:  # the app has stopped meanwhile
            pass

    def _done(self, delta: AlertDelta, board: AlertBoard, initial: bool) -> None:
        self._busy = False
        self.board = board
        if not delta.empty:
            self._on_delta(delta, initial)

    def _publish(self, delta: AlertDelta, initial: bool) -> None:
        self.board = self.engine.board()
        if not delta.empty:
            self._on_delta(delta, initial)
