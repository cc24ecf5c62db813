"""The driver's side of the real-terminal runs (benchmarks/terminal.py does the terminal's side).

`launch()` is T1 as a user sees it: spawn → every pane populated on the emulated screen, with
kdash's CPU seconds and peak RSS at that moment. `churn()` is T3 and T4: once populated, kdash's
CPU (from /proc, read here) over a quiet window and then over `seconds` of `rate` pod changes a
second (benchmarks/changes.py), and for each change the time until the screen showed it.
Every result carries the 1-minute load average from before and after.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from benchmarks.changes import FLOOR, Churn
from benchmarks.procstat import cpu_seconds, load1
from benchmarks.screen import Expect

ROOT = Path(__file__).resolve().parent.parent


def _command(mode: str, kubeconfig: str, expect: Expect, size: str, timeout: float) -> list[str]:
    return [
        sys.executable,
        "-m",
        "benchmarks.terminal",
        mode,
        "--kubeconfig",
        kubeconfig,
        "--expect",
        json.dumps(dataclasses.asdict(expect)),
        "--size",
        size,
        "--timeout",
        str(timeout),
        "--floor",
        str(FLOOR),
    ]


def _last_json(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            result: dict[str, Any] = json.loads(line)
            return result
    raise RuntimeError(f"no result from the terminal: {text[-2000:]}")


def _failed(result: dict[str, Any], stderr: str) -> RuntimeError:
    screen = "\n".join(result.get("screen") or [])
    return RuntimeError(
        f"kdash in a terminal: {result.get('error')}; missing {result.get('missing')}\n{screen}\n{stderr[-2000:]}"
    )


def _stop(proc: subprocess.Popen[str]) -> None:
    """SIGTERM lets the terminal quit its kdash (it lives in its own session); KILL if it will not."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def launch(kubeconfig: str, expect: Expect, size: str = "200x60", timeout: float = 600) -> dict[str, Any]:
    """T1 in a real terminal (see benchmarks/terminal.py `launch`)."""
    before = load1()
    proc = subprocess.Popen(
        _command("launch", kubeconfig, expect, size, timeout),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        out, err = proc.communicate(timeout=timeout + 60)
    finally:
        _stop(proc)
    result = _last_json(out)
    if "error" in result:
        raise _failed(result, err)
    result["load"] = [before, load1()]
    return result


def _read_event(stream: IO[str], timeout: float) -> dict[str, Any]:
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not box or not box[0].startswith("{"):
        raise RuntimeError(f"the terminal did not report: {box[:1]}")
    event: dict[str, Any] = json.loads(box[0])
    return event


def churn(
    sim: Any,
    kubeconfig: str,
    expect: Expect,
    *,
    seconds: float,
    rate: float,
    size: str = "200x60",
    idle_seconds: float = 5.0,
    settle: float = 2.0,
    timeout: float = 600,
    on_start: Callable[[int], Any] | None = None,
    start: int = 0,
) -> dict[str, Any]:
    """T3/T4 in a real terminal: kdash's CPU while `rate` pods/s change, and change → screen.
    `on_start(pid)` is called as the changes start (benchmarks/quick.py attaches a profiler);
    `start` continues an earlier run's restart counts."""
    before = load1()
    proc = subprocess.Popen(
        _command("churn", kubeconfig, expect, size, timeout),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        return _churn(proc, sim, seconds, rate, idle_seconds, settle, timeout, before, on_start, start)
    finally:
        _stop(proc)


def _churn(
    proc: subprocess.Popen[str],
    sim: Any,
    seconds: float,
    rate: float,
    idle_seconds: float,
    settle: float,
    timeout: float,
    before: float,
    on_start: Callable[[int], Any] | None = None,
    start: int = 0,
) -> dict[str, Any]:
    assert proc.stdin is not None and proc.stdout is not None
    ready = _read_event(proc.stdout, timeout + 30)
    if ready.get("event") != "ready":
        proc.wait(30)
        raise _failed(ready, proc.stderr.read() if proc.stderr else "")
    pid = int(ready["pid"])
    driver = Churn(sim, rate, start=start)
    prepared = driver.prepare()  # a pool of crash-looping pods (changes kdash absorbs before the window)
    time.sleep(settle)  # start-up leftovers (the log tail connecting) are not the sustained load
    idle0, t0 = cpu_seconds(pid), time.perf_counter()
    time.sleep(idle_seconds)
    idle1, t1 = cpu_seconds(pid), time.perf_counter()
    load_start = load1()
    driver.start()
    cpu0, t2 = cpu_seconds(pid), time.perf_counter()
    profiler = on_start(pid) if on_start is not None else None
    time.sleep(seconds)
    cpu1, t3 = cpu_seconds(pid), time.perf_counter()
    driver.stop()
    if profiler is not None:
        profiler.wait(60)
    time.sleep(2.0)  # let the last changes reach the screen
    out, err = proc.communicate("stop\n", timeout=120)
    result = _last_json(out)
    seen = {int(k): float(v) for k, v in result.pop("seen", {}).items()}
    latencies = sorted((seen[v] - t) * 1000 for v, t in driver.made.items() if v in seen)
    result.update(
        populated_s=ready.get("populated_s"),
        idle_cpu_percent=(idle1 - idle0) / (t1 - t0) * 100,
        cpu_percent=(cpu1 - cpu0) / (t3 - t2) * 100,
        changes_per_s=rate,
        seconds=seconds,
        pool=len(driver.pool),
        pool_added=prepared,
        made=len(driver.made),
        seen=len(latencies),
        latencies_ms=latencies,
        load=[before, load_start, load1()],
    )
    if latencies:
        result.update(p50_ms=statistics.median(latencies), p95_ms=p95(latencies), max_ms=latencies[-1])
    if err.strip() and result.get("exit"):
        result["stderr"] = err[-2000:]
    return result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else float("nan")
