"""What each idle context of a fleet costs: memory and CPU of kdash watching 5 clusters of 2,000 pods.

The five simulators run in a child process (`kdash sim`'s fleet API), so nothing of theirs is
counted. This process runs what `kdash --fleet` runs under the Fleet screen: one light service
per context (kdash/k8s/fleet.py, FLEET_KINDS) and `FleetWatch` scoring and alerting each
member off the event loop (a minimal host stands in for the Textual app: a thread for its worker,
a direct call for `call_from_thread`). Reported: RSS before and after the fleet synced and was
scored, idle CPU over a window with no change in any cluster, and what opening one context (its
full kind set) adds.

Usage: python -m benchmarks.fleet [--contexts 5] [--pods 2000] [--idle 30]  -> one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CHILD = """
import sys, time
from kdash.sim.fleet import ClusterSpec, start_fleet
n, pods, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
fleet = start_fleet([ClusterSpec(f"c{i}", "big", pods=pods) for i in range(n)], kubeconfig_path=path)
print("ready", flush=True)
sys.stdin.read()
fleet.stop()
"""


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Host:
    """What FleetWatch asks of the app: a thread for its worker, and calls "on the loop"."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def run_worker(self, work: Any, **_kwargs: Any) -> None:
        t = threading.Thread(target=work, name="fleet-worker", daemon=True)
        t.start()
        self.threads.append(t)

    def call_from_thread(self, fn: Any, *args: Any) -> None:
        fn(*args)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contexts", type=int, default=5)
    parser.add_argument("--pods", type=int, default=2000)
    parser.add_argument("--idle", type=float, default=30.0)
    opts = parser.parse_args()
    kubeconfig = str(Path(tempfile.mkdtemp(prefix="kdash-fleet-bench-")) / "kubeconfig")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(opts.contexts), str(opts.pods), kubeconfig],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        print(json.dumps(measure(kubeconfig, opts)))
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(timeout=60)


def measure(kubeconfig: str, opts: argparse.Namespace) -> dict[str, Any]:
    from kdash.k8s.fleet import Fleet
    from kdash.ui.fleet_rows import FleetRow
    from kdash.ui.fleet_watch import FleetWatch

    names = [f"c{i}" for i in range(opts.contexts)]
    gc.collect()
    base = rss_mb()
    rows: list[list[FleetRow]] = []
    fleet = Fleet(kubeconfig, names, all_contexts=names)
    host = Host()
    watch = FleetWatch(fleet, host, rows.append, clock=lambda: datetime.now(UTC))  # type: ignore[arg-type]
    began, cpu0 = time.monotonic(), time.process_time()
    fleet.start()
    watch.start()

    def scored() -> bool:
        latest = rows[-1] if rows else []
        return len(latest) == len(names) and all(r.state == "live" and r.grade for r in latest)

    while not scored():
        time.sleep(0.05)
    synced_s, synced_cpu = time.monotonic() - began, time.process_time() - cpu0
    time.sleep(3.0)  # the last publishes and a scoring pass after them
    gc.collect()
    after = rss_mb()
    passes0, cpu1, t1 = watch.passes, time.process_time(), time.monotonic()
    time.sleep(opts.idle)
    idle_cpu = (time.process_time() - cpu1) / (time.monotonic() - t1)
    passes = watch.passes - passes0
    fleet.open(names[0])  # the dashboard of one: its full kind set
    while not (fleet.status(names[0]).full and fleet.service(names[0]).wait_until_synced(0.2)):  # type: ignore[union-attr]
        pass
    time.sleep(3.0)
    gc.collect()
    opened = rss_mb()
    watch.stop()
    fleet.stop()
    per = (after - base) / len(names)
    return {
        "contexts": len(names),
        "pods_each": opts.pods,
        "rss_base_mb": round(base, 1),
        "rss_fleet_mb": round(after, 1),
        "rss_per_context_mb": round(per, 1),
        "first_rows_s": round(synced_s, 2),
        "first_rows_cpu_s": round(synced_cpu, 2),
        "idle_window_s": opts.idle,
        "idle_cpu_percent_of_a_core": round(100 * idle_cpu, 2),
        "idle_cpu_percent_per_context": round(100 * idle_cpu / len(names), 2),
        "idle_row_passes": passes,
        "rss_after_opening_one_mb": round(opened, 1),
        "opening_one_adds_mb": round(opened - after, 1),
        "cpus": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    main()
