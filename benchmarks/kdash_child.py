"""The kdash side of T1-T4: a fresh process that runs the real app headless against a kubeconfig.

Modes:
  launch KUBECONFIG           print {"populated": s_since_spawn, "rss_mb", "hwm_mb", "cpu_s", "picture"}
                              once every pane is populated (synced, scored and rendered), then exit;
                              "picture" is the settled header and Health title the terminal run awaits.
  churn  KUBECONFIG SECONDS [GRACE]
                              after populating, print "ready", then measure this process's CPU over
                              SECONDS while the driver changes pods, and record for each changed pod
                              how long after the driver's change (annotation bench/t0) the new value
                              was on screen, GRACE seconds longer (the driver stops changing after
                              SECONDS). Prints {"cpu_percent", "latencies_ms": [...]}.
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


def memory_mb(field: str = "VmRSS") -> float:
    """VmRSS (now) or VmHWM (peak) of this process, in MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def settled_picture(app: Any) -> dict[str, str]:
    """The header and the Health pane's title as the settled app draws them: the real-terminal
    run waits for the same picture (benchmarks/screen.py `Expect`), so a screen still showing an
    older health report does not count as populated."""
    try:
        from kdash.ui.widgets.header import header_text

        return {
            "header": header_text(app.session.view).plain,
            "health": str(app.screen.query_one("#health").border_title),
        }
    except Exception:  # noqa: BLE001 - the app's insides moved: the terminal run checks less
        return {}


def session_state(app: Any) -> dict[str, object]:
    """What `is_settled()` looks at, for the report when it never becomes true."""
    session = app.session
    snapshot = session.source.snapshot()
    names = ("report_generation", "rendered_generation", "_health_busy", "_health_scheduled", "_health_again")
    state: dict[str, object] = {n: getattr(session, n, None) for n in names}
    state["generation"] = snapshot.generation
    state["phases"] = {k: v.phase.name for k, v in snapshot.states.items()}
    return state


async def run(mode: str, kubeconfig: str, seconds: float, grace: float) -> dict[str, object]:
    spawn = float(os.environ.get("KDASH_BENCH_SPAWN", time.time()))
    from kdash.k8s.kubeconfig import load_target
    from kdash.k8s.service import ClusterService

    service = ClusterService(load_target(kubeconfig=kubeconfig), namespace=None)  # -A
    service.start()  # as the CLI does: listing runs while Textual imports and the app mounts
    from kdash.ui.app import KdashApp

    app = KdashApp(service, all_namespaces=True)
    result: dict[str, object] = {}
    deadline = time.time() + float(os.environ.get("KDASH_BENCH_TIMEOUT", "300"))
    async with app.run_test(size=(200, 60)) as pilot:
        while not app.session.is_settled():
            if time.time() > deadline:  # say what is stuck rather than hang the whole bench
                service.stop()
                return {
                    "error": "never settled",
                    "session": session_state(app),
                    "picture": settled_picture(app),
                }
            await asyncio.sleep(0.01)
        await pilot.pause()
        result["populated"] = time.time() - spawn
        result["rss_mb"] = memory_mb()
        result["hwm_mb"] = memory_mb("VmHWM")
        result["cpu_s"] = cpu_seconds()
        result["pods"] = len(service.snapshot().pods)
        result["picture"] = settled_picture(app)
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
            while time.time() - start < seconds + grace:
                generation = app.session.rendered_generation
                await asyncio.sleep(0.01)
                if "cpu_percent" not in result and time.time() - start >= seconds:
                    result["cpu_percent"] = (cpu_seconds() - start_cpu) / (time.time() - start) * 100
                if app.session.rendered_generation != generation:
                    await pilot.pause()  # the frame with the new generation has been painted
                    observe()
            result["latencies_ms"] = latencies
            unsubscribe()
    service.stop()
    return result


def main() -> None:
    mode, kubeconfig = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    grace = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    result = asyncio.run(run(mode, kubeconfig, seconds, grace))
    print(json.dumps(result, default=str), flush=True)
    if "error" in result:
        sys.exit(1)


if __name__ == "__main__":
    main()
