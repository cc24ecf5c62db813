"""One targeted measurement, for working on a target (not `make bench`): one size, one round.

    python -m benchmarks.quick t3 [--pods 10000] [--seconds 15] [--rate 20] [--profile FILE]
    python -m benchmarks.quick t1 [--pods 10000] [--runs 1]
    python -m benchmarks.quick t6 [--runs 3]

t3 is the real-terminal churn (benchmarks/tty.py `churn`): kdash's CPU in percent of a core and
change → screen p50/p95. With --profile, py-spy records kdash over the churn window (a .svg flame
graph, .txt collapsed stacks of the GIL holder, .raw of every busy thread, else speedscope
JSON); sampling costs CPU itself, so profile and measure in separate runs. Without --profile it
reports kdash's CPU per thread (/proc). --variants compares kdash environments, interleaved. t1 is the real-terminal launch with the bare-Python baseline, interleaved;
t6 the `kdash --demo` first frame. CPU-seconds are the figures to compare on a loaded machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks import tty
from benchmarks.changes import expect_of
from benchmarks.first_frame import first_frame_seconds
from benchmarks.procstat import load1


def _profiler(out: str, seconds: float) -> Any:
    def start(pid: int) -> subprocess.Popen[bytes]:
        kind = (
            "flamegraph"
            if out.endswith(".svg")
            else "raw"
            if out.endswith((".txt", ".raw"))
            else "speedscope"
        )
        fmt = (
            ["--format", kind]
            + (["--threads"] if kind == "raw" else [])
            + (["--gil"] if out.endswith(".txt") else [])
        )
        spy = str(Path(sys.executable).parent / "py-spy")
        cmd = [
            spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--rate",
            "400",
            "-o",
            out,
            *fmt,
        ]
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return start


class ThreadCpu:
    """kdash's CPU per thread over the churn window, from /proc/PID/task (exact, unlike sampling:
    TLS handshakes and writes run without the GIL); thread names from `py-spy dump`."""

    def __init__(self, pid: int) -> None:
        self.pid, self.names = pid, self._names(pid)
        self.start, self.result = self._read(), {}

    @staticmethod
    def _names(pid: int) -> dict[str, str]:
        spy = str(Path(sys.executable).parent / "py-spy")
        try:
            out = subprocess.run(
                [spy, "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=30
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return {}
        found = re.findall(r'^Thread (0x[0-9A-F]+|\d+) \((?:idle|active)[^)]*\): "([^"]*)"', out, re.M | re.I)
        return {str(int(tid, 0)): name for tid, name in found}

    def _read(self) -> dict[str, tuple[float, float]]:
        out = {}
        for tid in os.listdir(f"/proc/{self.pid}/task"):
            try:
                out[tid] = cpu_seconds_of(f"/proc/{self.pid}/task/{tid}/stat")
            except OSError:
                pass
        return out

    def wait(self, _timeout: float) -> None:
        """Called by tty.churn at the end of the window: {thread: [user s, system s]}."""
        end, zero = self._read(), (0.0, 0.0)
        used = {
            t: (u - self.start.get(t, zero)[0], s - self.start.get(t, zero)[1]) for t, (u, s) in end.items()
        }
        ranked = sorted(used.items(), key=lambda kv: -sum(kv[1]))
        self.result = {self.names.get(t, t): [round(u, 2), round(s, 2)] for t, (u, s) in ranked if u + s > 0}


def cpu_seconds_of(stat_path: str) -> tuple[float, float]:
    """(user, system) CPU seconds of one thread."""
    with open(stat_path, encoding="ascii") as fh:
        stat = fh.read()
    fields = stat[stat.rindex(")") + 2 :].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def t3(args: argparse.Namespace) -> dict[str, Any]:
    """One churn run per variant (environment settings for kdash, `;`-separated sets of
    `KEY=VALUE,...`), `--runs` rounds interleaved on one simulated cluster."""
    from kdash.sim import start_sim

    variants = (args.variants or "").split(";")
    made = 0  # each run continues the restart counts (a lower count would not reach the top row)
    out: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    with start_sim("big", pods=args.pods) as sim:
        expect = expect_of(sim)
        for _ in range(args.runs):
            for variant in variants:
                saved = dict(os.environ)
                os.environ.update(dict(kv.split("=", 1) for kv in variant.split(",") if kv))
                try:
                    out[variant].append(_churn_once(sim, expect, args, made))
                    made += int(out[variant][-1].get("made") or 0)
                finally:
                    os.environ.clear()
                    os.environ.update(saved)
                print(json.dumps({"variant": variant, **out[variant][-1]}), file=sys.stderr, flush=True)
    if len(variants) == 1 and args.runs == 1:
        return out[variants[0]][0]
    return {
        v: {
            "cpu_percent": [round(r["cpu_percent"], 1) for r in rs],
            "p95_ms": [round(r["p95_ms"]) for r in rs if r.get("p95_ms")],
            "median_cpu": round(statistics.median(r["cpu_percent"] for r in rs), 1),
        }
        for v, rs in out.items()
    }


def _churn_once(sim: Any, expect: Any, args: argparse.Namespace, start: int) -> dict[str, Any]:
    threads: list[ThreadCpu] = []

    def per_thread(pid: int) -> ThreadCpu:
        threads.append(ThreadCpu(pid))
        return threads[-1]

    hook = _profiler(args.profile, args.seconds) if args.profile else per_thread
    r = tty.churn(
        sim,
        str(sim.kubeconfig_path),
        expect,
        seconds=args.seconds,
        rate=args.rate,
        on_start=hook,
        timeout=120,
        start=start,
    )
    keys = ("cpu_percent", "idle_cpu_percent", "p50_ms", "p95_ms", "max_ms", "made", "seen", "bytes", "load")
    return {**{k: r.get(k) for k in keys}, "threads_cpu_s": threads[0].result if threads else None}


def t1(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.__main__ import baseline
    from kdash.sim import start_sim

    out: dict[str, list[Any]] = {"tty_s": [], "tty_cpu_s": [], "base_s": [], "base_cpu_s": []}
    with start_sim("big", pods=args.pods) as sim:
        kc = str(sim.kubeconfig_path)
        expect = expect_of(sim)
        for _ in range(args.runs):
            b = baseline(kc)
            out["base_s"].append(round(b["seconds"], 2))
            out["base_cpu_s"].append(b["cpu_s"])
            r = tty.launch(kc, expect, "200x60")
            out["tty_s"].append(round(r["populated_s"], 2))
            out["tty_cpu_s"].append(r["cpu_s"])
    ratio = statistics.median(out["tty_s"]) / statistics.median(out["base_s"])
    return {**out, "ratio": round(ratio, 2), "load": load1()}


def t6(args: argparse.Namespace) -> dict[str, Any]:
    runs = [round(first_frame_seconds(), 3) for _ in range(args.runs)]
    return {"first_frame_s": runs, "median": statistics.median(runs), "load": load1()}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quick")
    parser.add_argument("target", choices=("t1", "t3", "t6"))
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=15.0, help="t3: churn window")
    parser.add_argument("--rate", type=float, default=20.0, help="t3: pod changes per second")
    parser.add_argument("--runs", type=int, default=1, help="rounds")
    parser.add_argument("--variants", help="t3: kdash environments to compare, e.g. 'A=1;A=2' (interleaved)")
    parser.add_argument(
        "--profile",
        help="t3: py-spy output file (.svg flame graph, .txt collapsed stacks of the GIL holder, .raw of every busy thread, else speedscope)",
    )
    args = parser.parse_args()
    result = {"t1": t1, "t3": t3, "t6": t6}[args.target](args)
    print(json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    sys.exit(main())
