"""T5: tail 50 pods x 40 lines/s in the full-screen logs view; count lines, time key -> repaint.

    .venv/bin/python benchmarks/logs_tail.py [--pods 50] [--rate 40] [--seconds 10] [--keys 60]

A thread drives the simulated cluster's `append_log` at the given rate (one call per pod every
100 ms); `LogsScreen` runs headless over the real `LogService` (one follow stream per container,
all through the kubernetes client). Counted: lines sent, lines that reached the view's feed, lines
dropped by the stream ring and the view ring, and per-pod sequence gaps or duplicates. Timed: from
just before a key is sent (`t`, toggling timestamps) to the moment the view's last visible row is
rendered in the new mode, measured while the load runs.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing as mp
import os
import statistics
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from textual.app import App

from kdash.k8s.kubeconfig import load_target
from kdash.k8s.logs import LogService, MultiStream
from kdash.model.source import LogLine, LogTarget
from kdash.sim.runner import SimCluster, start_sim
from kdash.ui.screens.logs import LogsScreen
from kdash.ui.widgets.log_view import LogView


class Counting:
    """Wraps a LogService so every delivered line is checked for order, gaps and duplicates."""

    def __init__(self, inner: LogService) -> None:
        self.inner = inner
        self.last: dict[str, int] = {}
        self.count = 0
        self.gaps = 0
        self.dups = 0
        self.stream: MultiStream | None = None

    def open(self, target: LogTarget, on_lines: Callable[[list[LogLine]], None]) -> MultiStream:
        def counted(batch: list[LogLine]) -> None:
            for line in batch:
                if line.event or not line.text.startswith("bench "):
                    continue
                _, pod, seq, _ = line.text.split(" ", 3)
                n = int(seq)
                prev = self.last.get(pod, -1)
                if n <= prev:
                    self.dups += 1
                elif n != prev + 1:
                    self.gaps += n - prev - 1
                self.last[pod] = max(prev, n)
                self.count += 1
            on_lines(batch)

        self.stream = self.inner.open(target, counted)
        return self.stream


class Host(App[None]):
    def __init__(self, screen: LogsScreen) -> None:
        super().__init__()
        self.first = screen

    def on_mount(self) -> None:
        self.push_screen(self.first)


def make_pods(sim: SimCluster, n: int) -> list[str]:
    template = next(p for p in sim.list("pods", "shop") if p["metadata"]["name"].startswith("checkout"))
    names = []
    for i in range(n):
        name = f"bench-{i:03d}"
        meta = {**template["metadata"], "name": name, "uid": f"uid-{name}", "labels": {"app": "bench"}}
        meta.pop("resourceVersion", None)
        meta.pop("ownerReferences", None)
        sim.apply({**template, "kind": "Pod", "apiVersion": "v1", "metadata": meta})
        names.append(name)
    return names


def drive(
    sim: SimCluster, pods: list[str], rate: int, seconds: float, sent: list[int], stop: threading.Event
) -> None:
    """Append `rate` lines/s to every pod, in 10 ticks a second; `sent[0]` counts lines written."""
    per_tick = max(rate // 10, 1)
    seq = dict.fromkeys(pods, 0)
    pad = "x" * 80
    start = time.monotonic()
    tick = 0
    while not stop.is_set() and time.monotonic() - start < seconds:
        for pod in pods:
            lines = [f"bench {pod} {seq[pod] + k} {pad}" for k in range(per_tick)]
            seq[pod] += per_tick
            sim.append_log("shop", pod, "checkout", lines)
            sent[0] += per_tick
        tick += 1
        delay = start + tick * 0.1 - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def sim_process(conn: Connection, pods: int, rate: int, seconds: float) -> None:
    """The API server's side, in its own process (as a real one would be): serve, then drive."""
    sim = start_sim("demo")
    try:
        names = make_pods(sim, pods)
        conn.send(str(sim.kubeconfig_path))
        conn.recv()  # "go"
        sent = [0]
        drive(sim, names, rate, seconds, sent, threading.Event())
        conn.send(sent[0])
        conn.recv()  # "stop"
        for name in names:
            sim.delete("pods", "shop", name)
    finally:
        sim.stop()


class Load:
    """Runs the simulator and its line driver in-process (a thread) or in a child process."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sent = [0]
        self.done = threading.Event()
        self.sim: SimCluster | None = None
        if args.in_process:
            self.sim = start_sim("demo")
            self.pods = make_pods(self.sim, args.pods)
            self.kubeconfig = str(self.sim.kubeconfig_path)
        else:
            self.conn, child = mp.get_context("spawn").Pipe()
            self.proc = mp.get_context("spawn").Process(
                target=sim_process, args=(child, args.pods, args.rate, args.seconds), daemon=True
            )
            self.proc.start()
            self.kubeconfig = self.conn.recv()

    def start(self) -> None:
        if self.sim is not None:
            sim = self.sim

            def go() -> None:
                drive(sim, self.pods, self.args.rate, self.args.seconds, self.sent, threading.Event())
                self.done.set()

            threading.Thread(target=go, daemon=True).start()
        else:
            self.conn.send("go")

            def wait() -> None:
                self.sent[0] = self.conn.recv()
                self.done.set()

            threading.Thread(target=wait, daemon=True).start()

    def close(self) -> None:
        if self.sim is not None:
            for name in self.pods:  # wake the sim's follow handlers so stop() is quick
                self.sim.delete("pods", "shop", name)
            self.sim.stop()
        else:
            self.conn.send("stop")
            self.proc.join(60)


GEN2: list[float] = []  # perf_counter times of full collections


def _count_gen2(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == 2:
        GEN2.append(time.perf_counter())


async def run(args: argparse.Namespace) -> dict[str, Any]:
    gc.callbacks.append(_count_gen2)
    load = Load(args)
    try:
        target = load_target(kubeconfig=load.kubeconfig)
        logs = Counting(LogService(target, max_streams=max(50, args.pods)))
        screen = LogsScreen(logs, LogTarget("shop", label_selector="app=bench", tail_lines=0))  # type: ignore[arg-type]
        renders: list[tuple[float, bool, int]] = []
        original = LogView.render_line

        def timed(self: LogView, y: int) -> Any:
            strip = original(self, y)
            renders.append((time.perf_counter(), self.options["timestamps"], y))
            return strip

        LogView.render_line = timed  # type: ignore[method-assign]
        latencies: list[float] = []
        sent = load.sent
        app = Host(screen)
        cpu0 = os.times()
        async with app.run_test(size=(160, 45)) as pilot:
            while logs.stream is None or not logs.stream.connected:
                await pilot.pause(0.05)
            if args.gc_freeze:
                gc.freeze()  # what the app would do once after startup: the startup heap leaves gen-2 scans
            t0 = time.monotonic()
            t_start = time.perf_counter()
            load.start()
            await pilot.pause(1.0)
            height = screen.view.scrollable_content_region.height
            for _ in range(args.keys):
                want = not screen.view.options["timestamps"]
                renders.clear()
                pressed = time.perf_counter()
                await pilot.press("t")
                while True:
                    done = [t for t, ts, y in renders if ts == want and y == height - 1]
                    if done:
                        latencies.append(done[0] - pressed)
                        break
                    await pilot.pause(0.005)
                await pilot.pause(0.1)
                if load.done.is_set():
                    break
            while not load.done.is_set():
                await pilot.pause(0.1)
            elapsed = time.monotonic() - t0
            stream = logs.stream
            while logs.count < sent[0] and time.monotonic() - t0 < elapsed + 10:
                await pilot.pause(0.1)
            cpu1 = os.times()
            view = screen.view
            result = {
                "pods": args.pods,
                "rate_per_pod": args.rate,
                "seconds": round(elapsed, 1),
                "sent": sent[0],
                "sim": "in-process" if args.in_process else "separate process",
                "gc_freeze": args.gc_freeze,
                "gen2_collections": sum(1 for g in GEN2 if g >= t_start),
                "achieved_lines_per_s": round(sent[0] / elapsed),
                "received": logs.count,
                "lost": sent[0] - logs.count,
                "gaps": logs.gaps,
                "duplicates": logs.dups,
                "stream_dropped": stream.dropped if stream else None,
                "view_lines": view.line_count,
                "view_evicted": view.evicted,
                "buffer": view.max_lines,
                "keys": len(latencies),
                "key_p50_ms": round(statistics.median(latencies) * 1000, 1),
                "key_p95_ms": round(sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000, 1),
                "key_max_ms": round(max(latencies) * 1000, 1),
                "cpu_s_per_s": round((cpu1.user + cpu1.system - cpu0.user - cpu0.system) / elapsed, 2),
                "status": stream.status if stream else "",
            }
            await pilot.press("escape")
        logs.inner.stop_all()
        LogView.render_line = original  # type: ignore[method-assign]
        return result
    finally:
        load.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=50)
    parser.add_argument("--rate", type=int, default=40, help="lines per second per pod")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--keys", type=int, default=60, help="key presses timed during the load")
    parser.add_argument("--in-process", action="store_true", help="run the simulator in this process")
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() once the view is up")
    result = asyncio.run(run(parser.parse_args()))
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
