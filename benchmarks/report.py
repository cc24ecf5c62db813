"""Render the harness results as docs/benchmarks.md: the T1-T6 table (real terminal and headless side
by side), the scale curve, the runs with their load averages; then the sections kept elsewhere
(the `kdash check -f` results of this run, and docs/benchmarks-{logs,sim,usage,fleet}.md, which
are written by hand or by their own scripts and copied in one heading level down, so a run keeps
them)."""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent.parent / "docs"
GROWTH_SLACK = 1.1  # "linear": a step to k× the pods may cost up to 1.1·k× (T2's 50k ≤ 5.5 × 10k)


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else "met" if ok else "**missed**"


def _median(values: Iterable[float | None]) -> float | None:
    have = [v for v in values if v is not None]
    return statistics.median(have) if have else None


def _s(value: float | None, unit: str = " s", digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def _load(results: Iterable[dict[str, Any] | None]) -> str:
    """The range of the 1-minute load averages the results were measured under."""
    loads = [x for r in results if r for x in r.get("load", [])]
    return f"{min(loads):.1f}–{max(loads):.1f}" if loads else "n/a"


def _row(rows: Sequence[dict[str, Any]], pods: int) -> dict[str, Any] | None:
    return next((r for r in rows if r["pods"] == pods), None)


def _peak(run: dict[str, Any]) -> float | None:
    value = run.get("hwm_end_mb") or run.get("hwm_mb")
    return float(value) if value is not None else None


def _churn_cell(c: dict[str, Any] | None, cpu: bool) -> str:
    if not c:
        return "n/a"
    if cpu:
        idle = c.get("idle_cpu_percent")
        return f"{c['cpu_percent']:.1f} % of one core" + (f" (idle {idle:.1f} %)" if idle is not None else "")
    if not c.get("seen"):
        return f"no change seen ({c.get('made', 0)} made)"
    return (
        f"p95 {c['p95_ms']:.0f} ms, p50 {c['p50_ms']:.0f}, max {c['max_ms']:.0f} "
        f"({c['seen']} of {c['made']} changes seen)"
    )


def target_rows(r: dict[str, Any], args: argparse.Namespace) -> list[tuple[str, ...]]:
    """(id, what, real terminal, headless, target, verdict, load) per DESIGN.md §7 target."""
    rows: list[dict[str, Any]] = r["scale"]
    main = _row(rows, args.pods) or {}
    big = _row(rows, args.big_pods) or {}
    base = _median(b["seconds"] for b in main.get("baseline", []))
    kube = _median(k["seconds"] for k in main.get("kubectl", []) if k)
    real = _median(t["populated_s"] for t in main.get("tty", []))
    head = _median(h["populated"] for h in main.get("headless", []))
    out: list[tuple[str, ...]] = []
    cpu = _median(t.get("cpu_s") for t in main.get("tty", []))
    base_cpu = _median(b.get("cpu_s") for b in main.get("baseline", []))
    if base and real is not None:
        ratio = real / base
        head_text = f"{head:.2f} s = {head / base:.2f}×" if head is not None else "n/a"
        cpu_text = f"; CPU {cpu:.1f} s (baseline {base_cpu:.1f} s)" if cpu and base_cpu else ""
        out.append(
            (
                "T1",
                (
                    f"launch → every pane populated, {args.pods:,} pods (baseline {base:.2f} s, "
                    f"kubectl get pods -A -o json {_s(kube)})"
                ),
                f"{real:.2f} s = **{ratio:.2f}×** baseline{cpu_text}",
                head_text,
                "≤ 1.5× baseline and < kubectl",
                _verdict(ratio <= 1.5 and (kube is None or real < kube)),
                _load([*main.get("tty", []), *main.get("baseline", []), *main.get("kubectl", [])]),
            )
        )
    peak10 = _median(_peak(t) for t in main.get("tty", []))
    peak50 = _median(_peak(t) for t in big.get("tty", []))
    rss10 = _median(h.get("rss_mb") for h in main.get("headless", []))
    rss50 = _median(h.get("rss_mb") for h in big.get("headless", []))
    if peak10:
        growth = f" (×{peak50 / peak10:.2f})" if peak50 else ""
        head_growth = f" (×{rss50 / rss10:.2f})" if rss10 and rss50 else ""
        out.append(
            (
                "T2",
                f"memory at {args.pods:,} / {args.big_pods:,} pods",
                f"peak {peak10:.0f} MB / {_s(peak50, ' MB', 0)}{growth}",
                f"RSS {_s(rss10, ' MB', 0)} / {_s(rss50, ' MB', 0)}{head_growth}",
                "≤ 350 MB; 50k ≤ 5.5 × 10k",
                _verdict(peak10 <= 350 and (peak50 is None or peak50 <= 5.5 * peak10)),
                _load([*main.get("tty", []), *big.get("tty", [])]),
            )
        )
    ct, ch = main.get("churn_tty"), main.get("churn_headless")
    if ct or ch:
        what = f"{args.rate:.0f} pod changes/s for {args.churn_seconds:.0f} s, {args.pods:,} pods"
        out.append(
            (
                "T3",
                f"CPU of kdash, {what}",
                _churn_cell(ct, True),
                _churn_cell(ch, True),
                "≤ 10 %",
                _verdict(ct["cpu_percent"] <= 10 if ct else None),
                _load([ct, ch]),
            )
        )
        out.append(
            (
                "T4",
                "pod change in the server → visible on screen",
                _churn_cell(ct, False),
                _churn_cell(ch, False),
                "p95 ≤ 300 ms (and ≥ 95 % of changes seen)",
                _verdict(
                    ct["p95_ms"] <= 300 and ct["seen"] >= 0.95 * ct["made"]
                    if ct and ct.get("seen")
                    else False
                ),
                _load([ct, ch]),
            )
        )
    out.append(("T5", "log tail, 50 pods × 40 lines/s", "below (`benchmarks/logs_tail.py`)", "", "", "–", ""))
    if r.get("first_frame_s") is not None:
        ff = r["first_frame_s"]
        out.append(
            (
                "T6",
                "`kdash --demo` cold start → first frame",
                f"{ff:.2f} s",
                "",
                "≤ 1.5 s",
                _verdict(ff <= 1.5),
                "",
            )
        )
    return out


def scale_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    """First paint, CPU-s and peak RSS by size; whether CPU-s grows linearly (or better)."""
    lines = [
        (
            "| pods | sim start | baseline | kdash first paint (real terminal) | ratio | headless "
            "| CPU-s to first paint | CPU-s per 1k pods | step growth (CPU-s × / pods ×) | peak RSS "
            "| baseline CPU-s | load |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    previous: tuple[int, float] | None = None
    verdicts: list[bool] = []
    for row in rows:
        pods = row["pods"]
        base = _median(b["seconds"] for b in row["baseline"])
        base_cpu = _median(b.get("cpu_s") for b in row["baseline"])
        paint = _median(t["populated_s"] for t in row["tty"])
        head = _median(h["populated"] for h in row.get("headless", []))
        cpu = _median(t.get("cpu_s") for t in row["tty"])
        peak = _median(_peak(t) for t in row["tty"])
        ratio = f"{paint / base:.2f}×" if paint and base else "n/a"
        per_k = f"{cpu / (pods / 1000):.2f}" if cpu else "n/a"
        step = "–"
        if previous is not None and cpu:
            cpu_x, pods_x = cpu / previous[1], pods / previous[0]
            ok = cpu_x <= GROWTH_SLACK * pods_x
            verdicts.append(ok)
            step = f"{cpu_x:.2f} / {pods_x:.1f}" + ("" if ok else " **super-linear**")
        if cpu:
            previous = (pods, cpu)
        lines.append(
            f"| {pods:,} | {_s(row.get('sim_start_s'), ' s', 1)} | {_s(base)} | {_s(paint)} | {ratio} "
            f"| {_s(head)} | {_s(cpu, '', 1)} | {per_k} | {step} | {_s(peak, ' MB', 0)} | {_s(base_cpu, '', 2)} "
            f"| {_load([*row['tty'], *row['baseline']])} |"
        )
    if verdicts:
        word = "linearly or better" if all(verdicts) else "**faster than linearly** at the marked steps"
        lines += [
            "",
            f"CPU-s to first paint grows {word} (a step passes when CPU-s × ≤ {GROWTH_SLACK} × pods ×).",
        ]
    return lines


def runs_table(main: dict[str, Any]) -> list[str]:
    """Every round at the T1 size, in the order run, with the load before → after each result."""

    def cell(x: dict[str, Any] | None, key: str) -> str:
        if not x or x.get(key) is None:
            return "n/a"
        load = x.get("load") or []
        return f"{x[key]:.2f} s ({' → '.join(f'{v:.1f}' for v in load)})"

    def nth(key: str, i: int) -> dict[str, Any] | None:
        runs = main.get(key) or []
        return runs[i] if i < len(runs) else None

    lines = [
        "| round | kdash, headless | baseline | kdash, real terminal | kubectl |",
        "|---|---|---|---|---|",
    ]
    for i in range(max(len(main.get(k) or []) for k in ("headless", "baseline", "tty", "kubectl"))):
        lines.append(
            f"| {i + 1} | {cell(nth('headless', i), 'populated')} | {cell(nth('baseline', i), 'seconds')} "
            f"| {cell(nth('tty', i), 'populated_s')} | {cell(nth('kubectl', i), 'seconds')} |"
        )
    small = main.get("tty_160x48")
    if small:
        lines += ["", f"At 160×48: {cell(small, 'populated_s')}."]
    return lines


def render_markdown(r: dict[str, Any], args: argparse.Namespace, *, machine: str, when: str) -> str:
    rows = target_rows(r, args)
    main = _row(r["scale"], args.pods) or {}
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python -m benchmarks`) on {when}; {machine}; 1-minute load average",
        (
            f"{r.get('load_start', 0):.2f} at the start, {r.get('load_end', 0):.2f} at the end"
            f" ({r.get('duration_s', 0) / 60:.0f} min). The simulated cluster (`big` scenario) runs in the driver"
        ),
        "process; each kdash run is a fresh process. **Real terminal**: the `kdash` CLI as a user starts it",
        "(`python -m kdash --kubeconfig KC -A`, TERM=xterm-256color, COLORTERM=truecolor, 200×60) in a pty, its",
        "output read by the `pyte` terminal emulator in a process of its own (`benchmarks/terminal.py`).",
        "T1 stops at the first screen where the header says live with the cluster's pod count and a grade, and",
        "Workloads (with health scores), Restarts, Health, HPA and Quotas show rows wherever the cluster has",
        "any, with the grade and Health count the headless run of the same round settled on",
        "(`benchmarks/screen.py`). **Headless**: the app under Textual's test driver, populated when the",
        "session has settled and painted (`benchmarks/kdash_child.py`). Baseline (T1): a bare Python process",
        "listing the same 15 kinds over HTTPS with pagination and parsing the JSON with orjson",
        "(`benchmarks/baseline_list.py`). T3/T4: the driver restarts crash-looping pods (a pool of 40 taking",
        "turns) with restart counts no container had before, so each rises to the top of the Restarts pane",
        "(`benchmarks/changes.py`); T4 is the time from the server's change to the first emulated screen",
        "showing that count; T3 is kdash's user+sys CPU (/proc) over the same window. Times are medians of",
        "the interleaved rounds below.",
        "",
        "| id | what | real terminal | headless | target | | load |",
        "|---|---|---|---|---|---|---|",
        *[f"| {' | '.join(row)} |" for row in rows],
        "",
        "Peak memory is VmHWM of the kdash process (launch and 3 s after); headless RSS is VmRSS at populated.",
        *_terminal_note(main.get("churn_tty")),
        "",
    ]
    if r.get("errors"):
        lines += ["**Failed measurements** (left out above):", "", *[f"- {e}" for e in r["errors"]], ""]
    if main:
        lines += [f"## Runs at {args.pods:,} pods (load before → after)", "", *runs_table(main), ""]
    lines += ["## Scale curve", "", *scale_table(r["scale"]), ""]
    misses = [row[0] for row in rows if "missed" in row[5]]
    lines += _why(misses)
    if r.get("check_f"):
        from benchmarks.check_manifest import render_markdown as check_section

        section = check_section(r["check_f"]).splitlines()
        lines += ["", *section, ""]
    for extra in ("benchmarks-logs.md", "benchmarks-sim.md", "benchmarks-usage.md", "benchmarks-fleet.md"):
        path = DOCS / extra
        if path.exists():
            text = path.read_text(encoding="utf-8").strip().splitlines()
            lines += ["", *[("#" + line if line.startswith("#") else line) for line in text], ""]
    return "\n".join(lines).rstrip() + "\n"


def _terminal_note(churn: dict[str, Any] | None) -> list[str]:
    """How much the terminal had to draw, and what the emulator (not kdash) spent on it."""
    if not churn or not churn.get("wall_s"):
        return []
    wall = churn["wall_s"]
    return [
        f"During the real-terminal churn kdash wrote {churn['bytes'] / wall / 1024:.0f} KB/s to the terminal;",
        f"the emulator's own process used {churn['emulator_cpu_s'] / wall * 100:.1f} % of a core.",
    ]


def _why(misses: Sequence[str]) -> list[str]:
    """Where the time goes and what was tried: docs/benchmarks-profile.md, written by hand from the
    profiles (the run itself cannot say why); named misses first."""
    path = DOCS / "benchmarks-profile.md"
    out = [f"**Missed in this run:** {', '.join(misses)}.", ""] if misses else []
    if path.exists():
        text = path.read_text(encoding="utf-8").strip().splitlines()
        out += [("#" + line if line.startswith("#") else line) for line in text] + [""]
    return out
