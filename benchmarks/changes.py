"""The cluster side of the real-terminal runs: what the screen must show, and changes a user sees.

`expect_of(sim)` reads the simulated cluster's store for `benchmarks.screen.Expect` (pod count,
whether anything restarted, HPAs, quotas), so "every pane populated" follows the scenario as it
grows. `Churn` is the T3/T4 load: `rate` times a second a crash-looping pod restarts once more,
with a restart count no container had before (FLOOR, FLOOR+1, ...). The Restarts pane lists
crash-looping containers first, most restarts first, so each restarted pod rises to the pane's top
row showing that count, and the terminal can date the first screen that shows it. The pods take
turns from a pool of at least POOL crash-looping pods (the scenario's, topped up by `prepare()`),
so each one restarts every POOL/rate seconds, long after its last count was drawn. Each change is
stamped with time.time() just before the server stores it (and as annotation bench/t0, for the
headless run).
"""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime
from typing import Any

from benchmarks.screen import Expect

FLOOR = 100_000  # "100,000".."999,999" fit the RESTARTS column (8 wide) and no scenario pod has them
POOL = 40  # crash-looping pods taking turns: at 20 changes/s each restarts every 2 s
_RESTARTED = re.compile(rb'"restartCount":[1-9]|CrashLoopBackOff')

Key = tuple[str, str]


def expect_of(sim: Any) -> Expect:
    """Read while nothing writes to the store (before kdash starts; the engine is off)."""
    store = sim.state.store
    restarts = any(_RESTARTED.search(entry.raw) for _, entry in store.entries("pods"))
    return Expect(
        pods=store.count("pods"),
        restarts=restarts,
        hpas=store.count("horizontalpodautoscalers"),
        quotas=store.count("resourcequotas"),
    )


def crash_loop(pod: dict[str, Any], count: int, stamp: float) -> None:
    """The pod's first container is in CrashLoopBackOff after its `count`-th restart."""
    now = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    pod["metadata"].setdefault("annotations", {})["bench/t0"] = repr(stamp)
    statuses = pod.get("status", {}).get("containerStatuses") or []
    if not statuses:
        return
    cs = statuses[0]
    cs["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting"}}
    cs["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": now, "finishedAt": now}}
    cs["ready"] = False
    cs["started"] = False
    cs["restartCount"] = count


class Churn:
    """A thread restarting `rate` crash-looping pods a second; `made` maps each new restart count
    to its stamp. `start` continues an earlier run's sequence (higher counts)."""

    def __init__(
        self, sim: Any, rate: float, *, start: int = 0, floor: int = FLOOR, pool: int = POOL
    ) -> None:
        self.sim, self.rate, self.floor, self.first = sim, rate, floor, start
        self.made: dict[int, float] = {}
        self._size = pool
        self.pool: list[Key] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-churn", daemon=True)

    def prepare(self) -> int:
        """Find the crash-looping pods, making more crash-loop (restart count 5) until there are
        POOL; returns how many were added. Run it before the measured window."""
        entries = self.sim.state.store.entries("pods")
        self.pool = [key for key, entry in entries if b"CrashLoopBackOff" in entry.raw][: self._size]
        looping = set(self.pool)
        added = 0
        step = max(1, len(entries) // self._size)
        for key, _ in entries[::step] + entries:  # spread over namespaces, then any
            if len(self.pool) >= self._size:
                break
            if key in looping:
                continue
            self.sim.update("pods", key[0], key[1], lambda pod: crash_loop(pod, 5, time.time()))
            self.pool.append(key)
            added += 1
        return added

    def start(self) -> None:
        if not self.pool:
            self.prepare()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        interval = 1.0 / self.rate
        next_at = time.perf_counter()
        i = self.first
        while not self._stop.is_set():
            ns, name = self.pool[i % len(self.pool)]
            count = self.floor + i

            def change(pod: dict[str, Any], count: int = count) -> None:
                stamp = time.time()
                crash_loop(pod, count, stamp)
                self.made[count] = stamp

            self.sim.update("pods", ns, name, change)
            i += 1
            next_at += interval
            self._stop.wait(max(0.0, next_at - time.perf_counter()))
