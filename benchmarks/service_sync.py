"""Initial sync of the cluster service: time to a synced snapshot, CPU and RSS.

Usage:
  .venv/bin/python benchmarks/service_sync.py [--pods 10000] [--runs 1]
      runs the simulator in this process too (RSS then includes it; the baseline before starting
      the service is printed so the service's own share can be read off);
  .venv/bin/python benchmarks/service_sync.py --kubeconfig /tmp/perf.kc [--runs 5]
      against a simulator already running in another process
      (`kdash sim --scenario big --pods 10000 --no-engine --port 0 --kubeconfig-out /tmp/perf.kc`):
      each run is a fresh process, as a user's launch is; prints each run and the medians.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_run(kubeconfig: str) -> dict[str, float]:
    """Sync once in this process against `kubeconfig`; the kubernetes import is not timed."""
    from kdash.k8s.kubeconfig import load_target
    from kdash.k8s.service import ClusterService

    target = load_target(kubeconfig=kubeconfig)
    target.api_client()
    before, cpu0 = rss_mb(), cpu_seconds()
    svc = ClusterService(target)
    t1 = time.perf_counter()
    svc.start()
    synced = svc.wait_until_synced(300)
    elapsed = time.perf_counter() - t1
    cpu = cpu_seconds() - cpu0
    snap = svc.snapshot()
    time.sleep(0.3)
    after = rss_mb()
    svc.stop()
    return {
        "synced": float(synced),
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "pods": float(len(snap.pods)),
        "workloads": float(len(snap.workloads)),
        "replicasets": float(len(snap.replicasets)),
        "rss_before_mb": before,
        "rss_after_mb": after,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--kubeconfig", help="a running simulator's kubeconfig (fresh process per run)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(one_run(args.kubeconfig)), flush=True)
        return
    if args.kubeconfig:
        results = []
        for _ in range(args.runs):
            out = subprocess.run(
                [sys.executable, __file__, "--child", "--kubeconfig", args.kubeconfig],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            results.append(r)
            print(
                f"synced={bool(r['synced'])} in {r['seconds']:.2f}s (cpu {r['cpu_seconds']:.2f}s): "
                f"{r['pods']:.0f} pods; RSS {r['rss_before_mb']:.0f} -> {r['rss_after_mb']:.0f} MB, "
                f"peak {r['peak_rss_mb']:.0f} MB"
            )
        keys = ("seconds", "cpu_seconds", "rss_after_mb", "peak_rss_mb")
        med = {k: statistics.median(r[k] for r in results) for k in keys}
        print(
            f"median of {len(results)}: sync {med['seconds']:.2f}s, cpu {med['cpu_seconds']:.2f}s, "
            f"RSS after {med['rss_after_mb']:.0f} MB, peak {med['peak_rss_mb']:.0f} MB"
        )
        return

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
