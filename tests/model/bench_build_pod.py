"""Time `build_pod` over 10,000 copies of a real ~9 KB pod (not collected by pytest).

Run: .venv/bin/python tests/model/bench_build_pod.py
Each copy is a fresh dict (as orjson would produce) with its own name, uid and times, so nothing
is shared between iterations that would not be shared in a real list response.
"""

from __future__ import annotations

import copy
import gc
import json
import time
from pathlib import Path

from kdash.model.build import build_pod

FIXTURE = Path(__file__).parent / "fixtures" / "09b-pod-running.json"


def main(n: int = 10_000) -> None:
    base = json.loads(FIXTURE.read_text(encoding="utf-8"))
    size = len(json.dumps(base))
    pods = []
    for k in range(n):
        p = copy.deepcopy(base)
        p["metadata"]["name"] = f"web-{k:05d}"
        p["metadata"]["uid"] = f"uid-{k}"
        p["metadata"]["creationTimestamp"] = f"2026-11-29T18:{k // 600 % 60:02d}:{k % 60:02d}Z"
        pods.append(p)
    for gc_state in ("gc on", "gc off", "gc on, inputs frozen"):
        if gc_state == "gc off":
            gc.disable()
        if gc_state == "gc on, inputs frozen":  # what the service does after parsing a list
            gc.freeze()
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            records = [build_pod(p) for p in pods]
            best = min(best, time.perf_counter() - start)
            del records
        gc.enable()
        gc.collect()
        print(f"{gc_state}: {n} pods of {size} bytes: best {best:.3f} s ({best / n * 1e6:.1f} us/pod)")


if __name__ == "__main__":
    main()
