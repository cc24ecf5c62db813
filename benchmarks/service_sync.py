"""Initial sync of the cluster service against `start_sim("big", pods=N)`: time to a synced snapshot and RSS.

Usage: .venv/bin/python benchmarks/service_sync.py [--pods 10000]
The simulator runs in this process too, so RSS includes it; the baseline before starting the service
is printed so the service's own share can be read off.
"""

from __future__ import annotations

import argparse
import resource
import time


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=10000)
    args = parser.parse_args()

    from kdash.k8s.kubeconfig import load_target
    from kdash.k8s.service import ClusterService
    from kdash.sim import start_sim

    t0 = time.perf_counter()
    sim = start_sim("big", pods=args.pods)
    print(f"sim started with {args.pods} pods in {time.perf_counter() - t0:.2f}s")
    try:
        target = load_target(kubeconfig=str(sim.kubeconfig_path))
        before = rss_mb()
        svc = ClusterService(target)
        t1 = time.perf_counter()
        svc.start()
        synced = svc.wait_until_synced(300)
        elapsed = time.perf_counter() - t1
        snap = svc.snapshot()
        after = rss_mb()
        print(
            f"synced={synced} in {elapsed:.2f}s: {len(snap.pods)} pods, {len(snap.workloads)} workloads, "
            f"{len(snap.replicasets)} replicasets, {len(snap.events)} events"
        )
        print(
            f"RSS before service {before:.0f} MB, after sync {after:.0f} MB (+{after - before:.0f} MB); "
            f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )
        svc.stop()
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
