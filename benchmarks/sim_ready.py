"""Measure ``kdash sim --pods N`` readiness, full-list time, and watch latency during a big list.

Usage: .venv/bin/python benchmarks/sim_ready.py [N]
"""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from base64 import b64decode
from pathlib import Path

import yaml

from kdash.sim import start_sim


def _ctx_and_token(kc: Path) -> tuple[ssl.SSLContext, str, str]:
    doc = yaml.safe_load(kc.read_text())
    cluster = doc["clusters"][0]["cluster"]
    ctx = ssl.create_default_context(cadata=b64decode(cluster["certificate-authority-data"]).decode())
    return ctx, doc["users"][0]["user"]["token"], cluster["server"]


def _get(url: str, ctx: ssl.SSLContext, token: str) -> bytes:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, context=ctx, timeout=120) as resp:
        return bytes(resp.read())


def cli_ready(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        kc = Path(tmp, "kc")
        t0 = time.perf_counter()
        cmd = [
            sys.executable,
            "-m",
            "kdash.sim.cli",
            "--scenario",
            "big",
            "--pods",
            str(n),
            "--kubeconfig-out",
            str(kc),
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        try:
            while not kc.exists():
                time.sleep(0.02)
            ready = time.perf_counter() - t0
            ctx, token, server = _ctx_and_token(kc)
            t1 = time.perf_counter()
            body = _get(f"{server}/api/v1/pods", ctx, token)
            listed = time.perf_counter() - t1
            items = len(json.loads(body)["items"])
            print(f"kdash sim --pods {n}: kubeconfig ready after {ready:.2f} s (process start included)")
            print(f"GET /api/v1/pods: {items} pods, {len(body) / 1e6:.1f} MB in {listed:.2f} s")
        finally:
            proc.send_signal(2)
            proc.wait(timeout=30)


def watch_during_list(n: int) -> None:
    """Max gap between a steady stream of changes seen on a watch while full lists are served."""
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


if __name__ == "__main__":
    pods = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    cli_ready(pods)
    watch_during_list(pods)
