"""The kdash side of T1-T4: a fresh process that runs the real app headless against a kubeconfig.

Modes:
  launch KUBECONFIG           print {"populated": s_since_spawn, "rss_mb": ...} once every pane is
                              populated (synced, scored and rendered), then exit.
  churn  KUBECONFIG SECONDS   after populating, print "ready", then measure this process's CPU over
                              SECONDS while the driver changes pods, and record for each changed pod
                              how long after the driver's change (annotation bench/t0) the new value
                              was on screen. Prints {"cpu_percent", "latencies_ms": [...]}.
The driver passes its spawn time in KDASH_BENCH_SPAWN so process start-up counts, as for a user.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import threading
import time
from typing import Any

from kdash.model.source import ChangeSet


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run(mode: str, kubeconfig: str, seconds: float) -> dict[str, object]:
    spawn = float(os.environ.get("KDASH_BENCH_SPAWN", time.time()))
    from kdash.k8s.kubeconfig import load_target
    from kdash.k8s.service import ClusterService
    from kdash.ui.app import KdashApp

    service = ClusterService(load_target(kubeconfig=kubeconfig))
    app = KdashApp(service, all_namespaces=True)
    result: dict[str, object] = {}
    async with app.run_test(size=(200, 60)) as pilot:
        while not app.session.is_settled():
            await asyncio.sleep(0.01)
        await pilot.pause()
        result["populated"] = time.time() - spawn
        result["rss_mb"] = rss_mb()
        result["pods"] = len(service.snapshot().pods)
        if mode == "churn":
            latencies: list[float] = []
            pending: list[tuple[int, Any]] = []  # (generation, pod key) published but maybe not painted
            lock = threading.Lock()

            def on_change(changes: ChangeSet) -> None:
                """Publisher thread: note which pods changed in which generation (cheap, O(changes))."""
                with lock:
                    pending.extend((changes.generation, k) for k in changes.modified if k.kind == "Pod")

            unsubscribe = service.subscribe(on_change)

            def observe() -> None:
                """After a painted frame: changes up to its generation are on screen now."""
                now, painted = time.time(), app.session.rendered_generation
                with lock:
                    due = [key for generation, key in pending if generation <= painted]
                    pending[:] = [(g, k) for g, k in pending if g > painted]
                pods = service.snapshot().pods
                for key in due:
                    pod = pods.get(key)
                    stamp = pod.meta.annotations.get("bench/t0") if pod is not None else None
                    if stamp:
                        latencies.append((now - float(stamp)) * 1000)

            print("ready", flush=True)
            start_cpu, start = cpu_seconds(), time.time()
            while time.time() - start < seconds:
                generation = app.session.rendered_generation
                await asyncio.sleep(0.01)
                if app.session.rendered_generation != generation:
                    await pilot.pause()  # the frame with the new generation has been painted
                    observe()
            result["cpu_percent"] = (cpu_seconds() - start_cpu) / (time.time() - start) * 100
            result["latencies_ms"] = latencies
            unsubscribe()
    service.stop()
    return result


def main() -> None:
    mode, kubeconfig = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    print(json.dumps(asyncio.run(run(mode, kubeconfig, seconds))), flush=True)


if __name__ == "__main__":
    main()
