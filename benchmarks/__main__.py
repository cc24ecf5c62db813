"""`make bench`: measure DESIGN.md §7's targets against the `big` scenario and write docs/benchmarks.md.

The simulated cluster runs in this driver process (start_sim). Every kdash measurement is a fresh
process: the real `kdash` CLI in a pty read through a terminal emulator in a process of its own
(benchmarks/terminal.py, "real terminal"), and the app under Textual's headless driver
(benchmarks/kdash_child.py, "headless"). Each result is set against baselines measured in the same
run, interleaved with kdash's runs: a bare Python list of the same kinds (benchmarks/baseline_list.py)
and `kubectl get pods -A -o json`; every result carries the 1-minute load average.

    python -m benchmarks [--pods 10000] [--big-pods 50000] [--runs 3] [--with-100k] [--out FILE]

The scale curve runs kdash at 1k, --pods, --big-pods (and 100k with --with-100k, `make bench-100k`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import tty
from benchmarks.changes import Churn, expect_of
from benchmarks.check_manifest import check_manifest_50mb
from benchmarks.first_frame import first_frame_seconds
from benchmarks.procstat import load1
from kdash.sim import start_sim

ROOT = Path(__file__).resolve().parent.parent
SMALL = 1_000
HUGE = 100_000


def say(text: str) -> None:
    print(
        f"[bench {datetime.now().strftime('%H:%M:%S')} load {load1():.2f}] {text}",
        file=sys.stderr,
        flush=True,
    )


def timed_child(args: list[str], *, timeout: float = 900) -> tuple[float, dict[str, Any]]:
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
        raise RuntimeError(f"{' '.join(args[:3])} failed: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    return elapsed, json.loads(proc.stdout.strip().splitlines()[-1])


def baseline(kubeconfig: str) -> dict[str, Any]:
    before = load1()
    wall, out = timed_child(["-m", "benchmarks.baseline_list", kubeconfig])
    return {"seconds": wall, "cpu_s": out.get("cpu_s"), "load": [before, load1()]}


def kubectl(kubeconfig: str) -> dict[str, Any] | None:
    before, start = load1(), time.perf_counter()
    try:
        subprocess.run(
            ["kubectl", "--kubeconfig", kubeconfig, "get", "pods", "-A", "-o", "json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
            timeout=600,
            env=dict(os.environ, KUBECACHEDIR=str(Path(kubeconfig).parent / "kubecache")),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return {"seconds": time.perf_counter() - start, "load": [before, load1()]}


def headless_launch(kubeconfig: str) -> dict[str, Any]:
    before = load1()
    result = timed_child(["-m", "benchmarks.kdash_child", "launch", kubeconfig])[1]
    result["load"] = [before, load1()]
    return result


def headless_churn(sim: Any, kubeconfig: str, seconds: float, rate: float, start: int) -> dict[str, Any]:
    """T3/T4 headless: the same kind of changes as the real-terminal run (continuing after its
    `start` changes, so other pods and higher counts), timed inside the app."""
    driver = Churn(sim, rate, start=start)
    driver.prepare()  # before kdash starts: the pool is part of the cluster it loads
    before = load1()
    env = dict(os.environ, KDASH_BENCH_SPAWN=repr(time.time()))
    grace = 2.0  # the child keeps timing this long after the last change
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.kdash_child", "churn", kubeconfig, str(seconds), str(grace)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        raise RuntimeError("kdash child did not become ready")
    driver.start()
    time.sleep(seconds)
    driver.stop()
    out, _ = proc.communicate(timeout=grace + 180)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    lat = sorted(result["latencies_ms"])
    result.update(changes_per_s=rate, seconds=seconds, made=len(driver.made), seen=len(lat))
    if lat:
        result.update(p50_ms=statistics.median(lat), p95_ms=tty.p95(lat), max_ms=lat[-1])
    result["load"] = [before, load1()]
    return result


class Row:
    """One size of the scale curve: results by name; a failed measurement is noted, not fatal."""

    def __init__(self, pods: int, expect: Any) -> None:
        self.data: dict[str, Any] = {"pods": pods, "expect": getattr(expect, "__dict__", None), "errors": []}
        for key in ("baseline", "tty", "headless", "kubectl"):
            self.data[key] = []

    def add(self, key: str, fn: Callable[..., dict[str, Any] | None], *args: Any, **kwargs: Any) -> None:
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - one failed run must not lose the others
            where = f"{self.data['pods']:,} pods, {key}" if self.data["pods"] else key
            say(f"{where} failed: {str(exc)[:3000]}")
            self.data["errors"].append(f"{where}: {(str(exc).splitlines() or [''])[0][:300]}")
            return
        if isinstance(self.data.get(key), list):
            self.data[key].append(result)
        else:
            self.data[key] = result


def measure_size(sim: Any, pods: int, args: argparse.Namespace) -> dict[str, Any]:
    """One size of the scale curve; at --pods the full T1-T4 set, interleaved round by round.

    Each round's headless run comes first: the header grade and Health count it settles on are
    what the real-terminal run of that round must see before its clock stops."""
    kc = str(sim.kubeconfig_path)
    cluster = expect_of(sim)
    row = Row(pods, cluster)
    main = pods == args.pods
    rounds = args.runs if main else args.scale_runs
    expect = cluster
    for i in range(rounds):
        say(
            f"{pods:,} pods, round {i + 1}/{rounds}: "
            + ("headless, " if main or i == 0 else "")
            + "baseline, kdash in a terminal"
            + (", kubectl" if main else "")
        )
        if main or i == 0:
            row.add("headless", headless_launch, kc)
            if row.data["headless"]:
                expect = cluster.settled_as(row.data["headless"][-1].get("picture") or {})
        row.add("baseline", baseline, kc)
        row.add("tty", tty.launch, kc, expect, "200x60")
        if main:
            row.add("kubectl", kubectl, kc)
    row.data["expect"] = expect.__dict__
    if main:
        say(f"{pods:,} pods: kdash in a 160x48 terminal")
        row.add("tty_160x48", tty.launch, kc, expect, "160x48")
        say(f"{pods:,} pods: churn in a terminal, {args.churn_seconds:.0f} s at {args.rate:.0f} changes/s")
        row.add("churn_tty", tty.churn, sim, kc, expect, seconds=args.churn_seconds, rate=args.rate)
        say(f"{pods:,} pods: churn headless")
        made = int((row.data.get("churn_tty") or {}).get("made", 0))
        row.add("churn_headless", headless_churn, sim, kc, args.churn_seconds, args.rate, start=made)
    return row.data


def scale_sizes(args: argparse.Namespace) -> list[int]:
    if args.sizes:
        sizes = {int(s) for s in args.sizes.split(",")} | {args.pods}
    else:
        sizes = {SMALL, args.pods, args.big_pods} | ({HUGE} if args.with_100k else set())
    return sorted(sizes)


def precompile() -> None:
    """Write kdash's bytecode first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set (this
    machine sets it) an editable install would otherwise compile every module at every launch."""
    import compileall

    compileall.compile_dir(str(ROOT / "kdash"), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--pods", type=int, default=10_000, help="the T1-T4 size")
    parser.add_argument("--big-pods", type=int, default=50_000, help="the T2 growth size")
    parser.add_argument("--with-100k", action="store_true", help="add 100,000 pods to the scale curve")
    parser.add_argument("--sizes", help="scale curve sizes instead, e.g. 1000,10000 (--pods is always in)")
    parser.add_argument("--runs", type=int, default=3, help="rounds at --pods (baseline, kdash, kubectl)")
    parser.add_argument("--scale-runs", type=int, default=1, help="rounds at the other sizes")
    parser.add_argument("--churn-seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=20.0, help="pod changes per second (T3/T4)")
    parser.add_argument("--check-mb", type=float, default=50.0, help="size of the kdash check -f manifest")
    parser.add_argument("--skip-check", action="store_true", help="leave out kdash check -f")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args()
    precompile()
    started = time.time()
    results: dict[str, Any] = {"load_start": load1(), "scale": []}
    for pods in scale_sizes(args):
        say(f"starting the simulated cluster with {pods:,} pods")
        t0 = time.perf_counter()
        with start_sim("big", pods=pods) as sim:
            sim_start = time.perf_counter() - t0
            row = measure_size(sim, pods, args)
        row["sim_start_s"] = sim_start
        results["scale"].append(row)
    tail = Row(0, None)
    say("T6: kdash --demo first frame")
    tail.add("first_frame", lambda: {"s": statistics.median(first_frame_seconds() for _ in range(args.runs))})
    results["first_frame_s"] = (tail.data.get("first_frame") or {}).get("s")
    if not args.skip_check:
        say(f"kdash check -f, {args.check_mb:.0f} MB")
        tail.add("check_f", lambda: {"runs": check_manifest_50mb(args.check_mb)})
        results["check_f"] = (tail.data.get("check_f") or {}).get("runs")
    results["errors"] = [e for row in results["scale"] for e in row["errors"]] + tail.data["errors"]
    results["load_end"] = load1()
    results["duration_s"] = time.time() - started
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    Path(args.out).write_text(render(results, args), encoding="utf-8")
    say(f"wrote {args.out} in {results['duration_s']:.0f} s")
    print(json.dumps(results, default=str))


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), model)
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def render(r: dict[str, Any], args: argparse.Namespace) -> str:
    from benchmarks.report import render_markdown

    return render_markdown(r, args, machine=machine(), when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


if __name__ == "__main__":
    main()
