"""Measure ``kdash sim --scenario big --pods N``: readiness, list times over TLS, the sim's CPU and RSS.

Usage: .venv/bin/python benchmarks/sim_ready.py [N ...] [--no-watch] [--no-engine] [--no-paged] [--runs K]

For each N it starts the simulator as a user would (``python -m kdash.sim.cli``, its own process)
and reports process start → kubeconfig written, the sim's CPU seconds and RSS at that point, one
unpaginated ``GET /api/v1/pods`` and a full paginated list (``limit=500``, as kdash and kubectl page)
over one keep-alive TLS connection, with the CPU seconds the sim spent serving each. CPU seconds
are what to compare on a shared machine; wall times move with the load average, which is printed.
Unless ``--no-watch``, it then measures watch delivery latency while full lists are served
(in-process server; skipped above 20,000 pods because it builds a second copy of the cluster).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from base64 import b64decode
from pathlib import Path
from urllib.parse import quote, urlparse

import yaml

WATCH_MAX_PODS = 20_000
PAGE = 500


def _ctx_and_token(kc: Path) -> tuple[ssl.SSLContext, str, str]:
    doc = yaml.safe_load(kc.read_text())
    cluster = doc["clusters"][0]["cluster"]
    ctx = ssl.create_default_context(cadata=b64decode(cluster["certificate-authority-data"]).decode())
    return ctx, doc["users"][0]["user"]["token"], cluster["server"]


def _get(url: str, ctx: ssl.SSLContext, token: str) -> bytes:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, context=ctx, timeout=600) as resp:
        return bytes(resp.read())


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size in MB."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def _paged_list(server: str, ctx: ssl.SSLContext, token: str, path: str) -> tuple[int, int, int]:
    """(items, pages, bytes) of a full list in pages of PAGE over one keep-alive connection."""
    url = urlparse(server)
    conn = http.client.HTTPSConnection(url.hostname or "127.0.0.1", url.port, context=ctx, timeout=600)
    cont, items, pages, size = "", 0, 0, 0
    try:
        while True:
            query = f"?limit={PAGE}" + (f"&continue={quote(cont)}" if cont else "")
            conn.request("GET", path + query, headers={"Authorization": f"Bearer {token}"})
            body = conn.getresponse().read()
            doc = json.loads(body)
            items += len(doc["items"])
            pages += 1
            size += len(body)
            cont = doc["metadata"].get("continue") or ""
            if not cont:
                return items, pages, size
    finally:
        conn.close()


def cli_ready(n: int, *, engine: bool, runs: int, paged: bool = True) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        kc = Path(tmp, "kc")
        cmd = [sys.executable, "-m", "kdash.sim.cli", "--scenario", "big", "--pods", str(n)]
        cmd += ["--kubeconfig-out", str(kc)] + ([] if engine else ["--no-engine"])
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        try:
            while not kc.exists():
                if proc.poll() is not None:
                    raise SystemExit(f"kdash sim exited with {proc.returncode}")
                time.sleep(0.02)
            ready = time.perf_counter() - t0
            cpu_ready = _cpu_seconds(proc.pid)
            rss_ready = _rss_mb(proc.pid)[0]
            ctx, token, server = _ctx_and_token(kc)
            print(f"kdash sim --pods {n}{'' if engine else ' --no-engine'} (load average {load:.1f}):")
            print(
                f"  kubeconfig written {ready:.2f} s after process start; "
                f"sim CPU {cpu_ready:.2f} s, RSS {rss_ready:.0f} MB"
            )
            for _ in range(runs):
                c0, t1 = _cpu_seconds(proc.pid), time.perf_counter()
                body = _get(f"{server}/api/v1/pods", ctx, token)
                listed, cpu = time.perf_counter() - t1, _cpu_seconds(proc.pid) - c0
                items = body.count(b'"resourceVersion":"') - 1  # each item's, and the list's
                del body
                print(f"  GET /api/v1/pods: {items} pods in {listed:.2f} s (sim CPU {cpu:.2f} s)")
            for _ in range(runs if paged else 0):
                c0, t1 = _cpu_seconds(proc.pid), time.perf_counter()
                items, pages, size = _paged_list(server, ctx, token, "/api/v1/pods")
                listed, cpu = time.perf_counter() - t1, _cpu_seconds(proc.pid) - c0
                print(
                    f"  GET /api/v1/pods?limit={PAGE} + continue: {items} pods, {pages} pages, "
                    f"{size / 1e6:.1f} MB in {listed:.2f} s (sim CPU {cpu:.2f} s)"
                )
            rss, peak = _rss_mb(proc.pid)
            print(f"  sim RSS after the lists {rss:.0f} MB (peak {peak:.0f} MB)")
        finally:
            proc.send_signal(2)
            proc.wait(timeout=60)


def watch_during_list(n: int) -> None:
    """Max gap between a steady stream of changes seen on a watch while full lists are served."""
    from kdash.sim import start_sim

    with start_sim("big", pods=n) as sim:
        ctx, token, server = _ctx_and_token(sim.kubeconfig_path)
        rv = sim.resource_version
        gaps: list[float] = []
        stop = threading.Event()

        def watcher() -> None:
            req = urllib.request.Request(
                f"{server}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=60",
                headers={"Authorization": f"Bearer {token}"},
            )
            with urllib.request.urlopen(req, context=ctx, timeout=120) as resp:
                for line in resp:
                    sent = json.loads(line)["object"]["metadata"]["annotations"]["sent"]
                    gaps.append(time.time() - float(sent))
                    if stop.is_set():
                        return

        def writer() -> None:
            i = 0
            while not stop.is_set():
                sim.apply(
                    {
                        "kind": "ConfigMap",
                        "apiVersion": "v1",
                        "metadata": {
                            "name": f"tick-{i % 5}",
                            "namespace": "default",
                            "annotations": {"sent": repr(time.time())},
                        },
                    }
                )
                i += 1
                time.sleep(0.02)

        threads = [threading.Thread(target=watcher), threading.Thread(target=writer)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        baseline = max(gaps) if gaps else 0.0
        gaps.clear()
        t0 = time.perf_counter()
        for _ in range(3):
            _get(f"{server}/api/v1/pods", ctx, token)
        lists = (time.perf_counter() - t0) / 3
        stop.set()
        for t in threads:
            t.join(timeout=30)
        print(f"in-process full list of {n} pods: {lists:.2f} s each (3 lists)")
        print(
            f"watch delivery latency during those lists: max {max(gaps) * 1000:.0f} ms, "
            f"median {sorted(gaps)[len(gaps) // 2] * 1000:.0f} ms over {len(gaps)} events "
            f"(idle max {baseline * 1000:.0f} ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="benchmarks/sim_ready.py")
    parser.add_argument("pods", type=int, nargs="*", default=[10_000])
    parser.add_argument("--runs", type=int, default=1, help="lists of each kind per size")
    parser.add_argument("--no-watch", action="store_true", help="skip the watch-latency measurement")
    parser.add_argument("--no-engine", action="store_true", help="run the sim with --no-engine")
    parser.add_argument("--no-paged", action="store_true", help="skip the paginated lists (slow on old sims)")
    args = parser.parse_args()
    for n in args.pods:
        cli_ready(n, engine=not args.no_engine, runs=args.runs, paged=not args.no_paged)
        if not args.no_watch and n <= WATCH_MAX_PODS:
            watch_during_list(n)


if __name__ == "__main__":
    main()
