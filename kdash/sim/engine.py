"""The behaviour engine: makes a running simulator feel alive (opt-in; DESIGN.md section 6).

It is one asyncio task on the simulator's own event loop, so it needs no locks and every change it
makes goes through the same store path as an API write (new resourceVersion, watch events). It is off
by default because tests and UI snapshots need a cluster that holds still; ``kdash sim`` and
``kdash --demo`` turn it on.

Time: the engine keeps its own *simulated* clock, advanced each tick by the wall time that passed
times ``state.time_scale``, and schedules everything (back-offs, log rates, HPA syncs) on it, so
``--time-scale 10`` makes the whole cluster ten times faster without changing any behaviour. Ticks
are every 0.5 s of wall time, shortened at high time scales (to no less than 50 ms) so a 10 s
back-off does not collapse into a single tick.

Bounds: at most ``MAX_LIVE`` containers get live logs (only those the scenario names in
``live_logs``, when it names any) and ``MAX_CRASH`` crash loops are driven; each
container's log is trimmed past ``LOG_HIGH`` lines; at most 25 lines per container per tick; Events
are upserted (see :mod:`kdash.sim.engine_objects`). A failing behaviour is logged and skipped; the
engine never raises into the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from kdash.sim.engine_logs import (
    LineSource,
    Style,
    crash_lines,
    guess_style,
    new_source,
    next_lines,
    start_lines,
)
from kdash.sim.engine_objects import JSON, Objects, go_duration
from kdash.sim.engine_quota import QuotaTracker
from kdash.sim.engine_scale import Scaler
from kdash.sim.logs import LogKey
from kdash.sim.metrics_model import CREEP_SECONDS
from kdash.sim.scenarios.endpoints import EndpointsController
from kdash.sim.state import SimState
from kdash.sim.store import Store

log = logging.getLogger(__name__)

TICK_SECONDS = 0.5
MIN_TICK_SECONDS = 0.05
#: Longest wall-time gap one tick accounts for (a stalled loop must not replay minutes at once).
MAX_GAP_SECONDS = 2.0
#: Ticks between scans for containers that started or stopped running (counted in ticks, not wall
#: time, so a hand-stepped engine with a given seed always makes the same choices).
SCAN_TICKS = 10
MAX_LIVE = 200
MAX_CRASH = 50
MAX_LINES_PER_TICK = 25
#: Past LOG_HIGH lines a container's current log is cut back to LOG_LOW (see ``_trim``).
LOG_HIGH = 2000
LOG_LOW = 1500
#: Kubernetes' crash-loop back-off: 10 s, doubling, capped at 5 min (simulated seconds).
BACKOFF_START = 10.0
BACKOFF_MAX = 300.0
#: Simulated seconds a crash-looping container runs before dying again.
RUN_SECONDS = 5.0
OOM_RUN_SECONDS = 8.0


@dataclass
class _CrashLoop:
    key: LogKey
    reason: str
    exit_code: int
    message: str
    style: Style
    service: str
    next_at: float
    backoff: float = BACKOFF_START * 2
    running: bool = False
    #: How long each instance runs before it dies (None: RUN_SECONDS, or OOM_RUN_SECONDS for an
    #: OOMKill); the creeping container's instances run until their memory reaches the limit.
    run_seconds: float | None = None
    started_at: float = 0.0  # sim time the current instance started


class BehaviourEngine:
    """Live logs, crash loops with back-off, an HPA under load, and quotas and EndpointSlices that
    follow the pods."""

    def __init__(self, state: SimState, *, seed: int = 0) -> None:
        self.state = state
        self.rng = random.Random(seed)
        self.objects = Objects(state)
        self.scaler = Scaler(self.objects, self.rng)
        self.quotas = QuotaTracker(self.objects)
        self.endpoints = EndpointsController(state)
        #: Simulated seconds since the engine started.
        self.sim_time = 0.0
        self.ticks = 0
        #: Failures per behaviour (logged, never raised).
        self.errors: dict[str, int] = {}
        self._live: dict[LogKey, LineSource] = {}
        self._crash: dict[LogKey, _CrashLoop] = {}
        #: (store, its pods' changed_at, live count, crash count) after the last scan: while that
        #: holds a scan would find nothing new (a pod that starts or stops running is a pod write).
        self._scanned: tuple[object, int, int, int] | None = None
        self._dt = 0.0
        self._creep_adopted = False
        self._task: asyncio.Task[None] | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start ticking; call on the simulator's event loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="kdash-sim-engine")

    async def stop(self) -> None:
        """Cancel the task and wait for it; safe to call twice or before ``start``."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def interval(self) -> float:
        scale = self.state.time_scale if self.state.time_scale > 0 else 1.0
        return min(TICK_SECONDS, max(MIN_TICK_SECONDS, TICK_SECONDS / scale))

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(self.interval())
            now = loop.time()
            gap, last = min(now - last, MAX_GAP_SECONDS), now
            try:
                self.step(gap * max(self.state.time_scale, 0.0))
            except Exception:  # noqa: BLE001 - step already guards each behaviour; belt and braces
                log.exception("behaviour engine: tick failed; continuing")

    # ---- one tick --------------------------------------------------------------------------

    def step(self, sim_seconds: float) -> None:
        """Advance simulated time by ``sim_seconds`` and run every behaviour once."""
        self.sim_time += sim_seconds
        self._dt = sim_seconds
        self.ticks += 1
        if self.state.metrics is not None:
            self.state.metrics.sim_time = self.sim_time
        behaviours: list[tuple[str, Callable[[], None]]] = [
            ("creep", self._creep_tick),
            ("scan", self._scan),
            ("crash loops", self._crash_tick),
            ("live logs", self._log_tick),
            ("hpa", self._hpa_tick),
            ("quotas", self.quotas.tick),
            ("endpoints", self._endpoints_tick),
        ]
        for name, fn in behaviours:
            try:
                fn()
            except Exception:  # noqa: BLE001 - one broken behaviour must not stop the others
                count = self.errors[name] = self.errors.get(name, 0) + 1
                if count == 1 or count % 100 == 0:
                    log.exception("behaviour engine: %s failed (%d times); continuing", name, count)

    def _endpoints_tick(self) -> None:
        self.endpoints.sync()

    def _hpa_tick(self) -> None:
        self.scaler.discover()
        self.scaler.tick(self.sim_time)

    def _scan(self) -> None:
        """Find running containers (live logs) and crash-looping ones (driven restarts)."""
        if (self.ticks - 1) % SCAN_TICKS:
            return
        allowed = self.state.live_logs
        max_live = MAX_LIVE if allowed is None else min(MAX_LIVE, len(allowed))
        if len(self._live) >= max_live and len(self._crash) >= MAX_CRASH:
            return
        store = self.state.store
        seen = self._scanned
        if seen is not None and seen[0] is store and seen[1:] == self._scan_stamp(store):
            return
        for (ns, name), entry in store.iter_entries("pods"):
            pod = entry.obj
            if not (pod.get("spec") or {}).get("nodeName"):
                continue
            status = pod.get("status") or {}
            specs = {c.get("name"): c for c in (pod.get("spec") or {}).get("containers") or []}
            for cs in status.get("containerStatuses") or []:
                key: LogKey = (ns, name, str(cs.get("name")))
                if key in self._live or key in self._crash:
                    continue
                state = cs.get("state") or {}
                waiting = state.get("waiting") or {}
                if waiting.get("reason") == "CrashLoopBackOff" and len(self._crash) < MAX_CRASH:
                    self._adopt_crash(key, cs, specs.get(key[2]) or {})
                elif (
                    "running" in state
                    and status.get("phase") == "Running"
                    and len(self._live) < max_live
                    and (allowed is None or key in allowed)
                ):
                    style, service = self._style(key, specs.get(key[2]) or {})
                    self._live[key] = new_source(style, service, self.rng, self.state.now())
            if len(self._live) >= max_live and len(self._crash) >= MAX_CRASH:
                break
        self._scanned = (store, *self._scan_stamp(store))

    def _scan_stamp(self, store: Store) -> tuple[int, int, int]:
        return store.changed_at("pods"), len(self._live), len(self._crash)

    def _style(self, key: LogKey, container: JSON) -> tuple[Style, str]:
        clog = self.state.logs.container_log(key)  # materialises the default history first
        texts = [t for _, t in (clog.previous or [])[:40] + clog.current[:40]]
        return guess_style(container, texts)

    def _container_status(self, key: LogKey) -> JSON | None:
        pod = self.objects.peek("pods", key[0], key[1])
        for cs in ((pod or {}).get("status") or {}).get("containerStatuses") or []:
            if cs.get("name") == key[2]:
                return dict(cs)
        return None

    # ---- live logs ---------------------------------------------------------------------------

    def _log_tick(self) -> None:
        now = self.state.now()
        for key, src in list(self._live.items()):
            cs = self._container_status(key)
            if cs is None or "running" not in (cs.get("state") or {}):
                del self._live[key]  # gone or stopped; a later scan picks it up again if it runs
                continue
            src.due += src.rate * self._dt
            events = int(src.due)
            src.due -= events
            if not events:
                continue
            if self._trim(key):
                continue
            lines: list[str] = []
            for _ in range(min(events, MAX_LINES_PER_TICK)):
                lines += next_lines(src, self.rng, now)
            self.state.logs.append(key, lines)

    def _trim(self, key: LogKey) -> bool:
        """Cut a long log back to LOG_LOW lines; True if it did (then nothing is appended this tick).

        Followers remember how many lines they sent. Waking them with no new lines after a cut makes
        them re-sync to the shorter list (they see nothing new and take its length), so the next
        tick's lines reach them intact.
        """
        clog = self.state.logs.container_log(key)
        if len(clog.current) < LOG_HIGH:
            return False
        clog.current = clog.current[-LOG_LOW:]
        self.state.logs.append(key, [])
        return True

    # ---- the creeping container (metrics.k8s.io) ----------------------------------------------

    def _creep_tick(self) -> None:
        """Drive the scenario's creeping container as a crash loop whose instances run until their
        memory (kdash.sim.metrics_model) reaches the limit: OOMKilled, 10 s back-off, creep again."""
        model = self.state.metrics
        if model is None or model.creep is None:
            return
        loop = self._crash.get(model.creep)
        if loop is None:
            if self._creep_adopted:
                return  # the pod is gone (or was never running): nothing to drive
            self._creep_adopted = True
            cs = self._container_status(model.creep)
            if cs is None or "running" not in (cs.get("state") or {}):
                return
            pod = self.objects.peek("pods", model.creep[0], model.creep[1]) or {}
            specs = {c.get("name"): c for c in (pod.get("spec") or {}).get("containers") or []}
            style, service = self._style(model.creep, specs.get(model.creep[2]) or {})
            loop = _CrashLoop(
                key=model.creep,
                reason="OOMKilled",
                exit_code=137,
                message="",
                style=style,
                service=service,
                next_at=model.creep_start + CREEP_SECONDS,
                running=True,
                run_seconds=CREEP_SECONDS,
                started_at=model.creep_start,
            )
            self._crash[model.creep] = loop
        loop.backoff = BACKOFF_START  # it ran for minutes: the kubelet's back-off starts over
        if loop.running:
            model.creep_start = loop.started_at

    # ---- crash loops -------------------------------------------------------------------------

    def _adopt_crash(self, key: LogKey, cs: JSON, container: JSON) -> None:
        term = (cs.get("lastState") or {}).get("terminated") or {}
        reason = str(term.get("reason") or "Error")
        style, service = self._style(key, container)
        loop = _CrashLoop(
            key=key,
            reason=reason,
            exit_code=int(term.get("exitCode", 137 if reason == "OOMKilled" else 1)),
            message=str(term.get("message") or ""),
            style=style,
            service=service,
            next_at=self.sim_time + BACKOFF_START,
        )
        self._crash[key] = loop
        self._set_waiting(loop, BACKOFF_START)

    def _waiting(self, loop: _CrashLoop, wait: float) -> JSON:
        ns, pod, container = loop.key
        return {
            "waiting": {
                "reason": "CrashLoopBackOff",
                "message": f"back-off {go_duration(wait)} restarting failed container={container} pod={pod}_{ns}",
            }
        }

    def _set_waiting(self, loop: _CrashLoop, wait: float) -> None:
        def change(pod: JSON) -> bool:
            for cs in (pod.get("status") or {}).get("containerStatuses") or []:
                if cs.get("name") == loop.key[2]:
                    cs["state"] = self._waiting(loop, wait)
                    return True
            return False

        self._update_or_forget(loop, change)

    def _update_or_forget(self, loop: _CrashLoop, fn: Callable[[JSON], bool]) -> None:
        if not self.objects.update("pods", loop.key[0], loop.key[1], fn):
            self._crash.pop(loop.key, None)

    def _crash_tick(self) -> None:
        for loop in list(self._crash.values()):
            if self.sim_time < loop.next_at:
                continue
            if loop.running:
                self._die(loop)
            else:
                self._run_instance(loop)

    def _run_instance(self, loop: _CrashLoop) -> None:
        """The back-off is over: a new instance starts (briefly Running) and prints its banner."""
        stamp = self.objects.stamp()

        def change(pod: JSON) -> bool:
            for cs in (pod.get("status") or {}).get("containerStatuses") or []:
                if cs.get("name") == loop.key[2]:
                    cs["state"] = {"running": {"startedAt": stamp}}
                    cs["started"] = True
                    cs["ready"] = False  # the readiness probe never gets that far
                    return True
            return False

        loop.running = True
        loop.started_at = self.sim_time
        run = loop.run_seconds or (OOM_RUN_SECONDS if loop.reason == "OOMKilled" else RUN_SECONDS)
        loop.next_at = self.sim_time + run
        self._update_or_forget(loop, change)
        if loop.key in self._crash:
            self.state.logs.append(loop.key, start_lines(loop.style, loop.service, self.state.now()))

    def _die(self, loop: _CrashLoop) -> None:
        """The instance dies: last words, logs to previous, restartCount+1, back to CrashLoopBackOff."""
        if self.objects.peek("pods", loop.key[0], loop.key[1]) is None:
            self._crash.pop(loop.key, None)  # deleted meanwhile: no logs for a pod that is gone
            return
        now = self.state.now()
        stamp = self.objects.stamp()
        wait = loop.backoff
        loop.backoff = min(wait * 2, BACKOFF_MAX)
        loop.running = False
        loop.next_at = self.sim_time + wait
        last = crash_lines(
            loop.style, loop.service, now, reason=loop.reason, exit_code=loop.exit_code, message=loop.message
        )
        self.state.logs.append(loop.key, last)

        def change(pod: JSON) -> bool:
            for cs in (pod.get("status") or {}).get("containerStatuses") or []:
                if cs.get("name") != loop.key[2]:
                    continue
                started = ((cs.get("state") or {}).get("running") or {}).get("startedAt", stamp)
                term: JSON = {
                    "exitCode": loop.exit_code,
                    "reason": loop.reason,
                    "startedAt": started,
                    "finishedAt": stamp,
                }
                if loop.message:
                    term["message"] = loop.message
                if cs.get("containerID"):
                    term["containerID"] = cs["containerID"]
                cs["lastState"] = {"terminated": term}
                cs["restartCount"] = int(cs.get("restartCount", 0)) + 1
                cs["state"] = self._waiting(loop, wait)
                cs["started"] = False
                cs["ready"] = False
                return True
            return False

        self.state.logs.restart(loop.key)
        self._update_or_forget(loop, change)
        pod = self.objects.get("pods", loop.key[0], loop.key[1])
        if pod is None:
            return
        ns, name, container = loop.key
        host = str((pod.get("spec") or {}).get("nodeName") or "")
        uid = pod["metadata"].get("uid", "")
        self.objects.event(
            pod,
            "BackOff",
            f"Back-off restarting failed container {container} in pod {name}_{ns}({uid})",
            etype="Warning",
            field_path=f"spec.containers{{{container}}}",
            host=host,
        )
        if loop.reason == "OOMKilled":
            self.objects.event(
                pod,
                "OOMKilling",
                f"Memory cgroup out of memory: Killed process in container {container}",
                etype="Warning",
                component="kernel-monitor",
                host=host,
            )
