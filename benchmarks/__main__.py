"""`make bench`: measure DESIGN.md §7's targets against the `big` scenario and write docs/benchmarks.md.

Every kdash measurement runs in a fresh child process (benchmarks/kdash_child.py) against a simulated
cluster hosted by this driver process, so kdash's CPU and memory are its own. Each result is set
against a baseline measured in the same run, on the same machine, at the same moment.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.first_frame import first_frame_seconds
from kdash.sim import start_sim

ROOT = Path(__file__).resolve().parent.parent


def timed_child(args: list[str], *, timeout: float = 600) -> tuple[float, dict[str, Any]]:
    """Wall time of a child process from spawn to exit, and the JSON object on its last line."""
    env = dict(os.environ, KDASH_BENCH_SPAWN=repr(time.time()))
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed: {proc.stderr[-2000:]}")
    return elapsed, json.loads(proc.stdout.strip().splitlines()[-1])


def baseline(kubeconfig: str, runs: int) -> float:
    return statistics.median(
        timed_child(["-m", "benchmarks.baseline_list", kubeconfig])[0] for _ in range(runs)
    )


def kubectl_seconds(kubeconfig: str) -> float | None:
    start = time.perf_counter()
    try:
        subprocess.run(
            ["kubectl", "--kubeconfig", kubeconfig, "get", "pods", "-A", "-o", "json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
            timeout=300,
            env=dict(os.environ, KUBECACHEDIR=str(Path(kubeconfig).parent / "kubecache")),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return time.perf_counter() - start


def launches(kubeconfig: str, runs: int) -> list[dict[str, Any]]:
    return [timed_child(["-m", "benchmarks.kdash_child", "launch", kubeconfig])[1] for _ in range(runs)]


def churn(sim: Any, kubeconfig: str, seconds: float, rate: float) -> dict[str, Any]:
    """T3/T4: the driver changes `rate` pods a second (a restart, stamped with its time) while kdash runs."""
    env = dict(os.environ, KDASH_BENCH_SPAWN=repr(time.time()))
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.kdash_child", "churn", kubeconfig, str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        raise RuntimeError("kdash child did not become ready")
    pods = [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in sim.list("pods")]
    stop = threading.Event()

    def bump(pod: dict[str, Any]) -> None:
        pod["metadata"].setdefault("annotations", {})["bench/t0"] = repr(time.time())
        statuses = pod.get("status", {}).get("containerStatuses") or []
        if statuses:
            statuses[0]["restartCount"] = int(statuses[0].get("restartCount") or 0) + 1

    def driver() -> None:
        i = 0
        interval = 1.0 / rate
        next_at = time.perf_counter()
        while not stop.is_set():
            ns, name = pods[(i * 7919) % len(pods)]
            sim.update("pods", ns, name, bump)
            i += 1
            next_at += interval
            stop.wait(max(0.0, next_at - time.perf_counter()))

    thread = threading.Thread(target=driver, daemon=True)
    thread.start()
    out, _ = proc.communicate(timeout=seconds + 120)
    stop.set()
    thread.join()
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["changes_per_s"] = rate
    return result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--big-pods", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--churn-seconds", type=float, default=30.0)
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with start_sim("big", pods=args.pods) as sim:
        kc = str(sim.kubeconfig_path)
        results["baseline_s"] = baseline(kc, args.runs)
        results["kubectl_s"] = kubectl_seconds(kc)
        results["launch_10k"] = launches(kc, args.runs)
        results["churn"] = churn(sim, kc, args.churn_seconds, rate=20.0)
    with start_sim("big", pods=args.big_pods) as sim:
        results["launch_50k"] = launches(str(sim.kubeconfig_path), 1)
    results["first_frame_s"] = statistics.median(first_frame_seconds() for _ in range(args.runs))
    Path(args.out).write_text(render(results, args), encoding="utf-8")
    print(json.dumps(results, indent=2, default=str))


def render(r: dict[str, Any], args: argparse.Namespace) -> str:
    from benchmarks.report import render_markdown

    return render_markdown(
        r,
        args,
        machine=f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        p95=p95,
    )


if __name__ == "__main__":
    main()
