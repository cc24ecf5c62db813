"""The T1 baseline: list every kind kdash watches over HTTP and parse the JSON, in a bare process.

Deliberately minimal (stdlib http.client + ssl + orjson, no kubernetes client, gc paused while
parsing as kdash does), so the ratio against it shows what kdash adds on top of the unavoidable work.
Usage: python -m benchmarks.baseline_list KUBECONFIG  -> prints one JSON line with seconds, CPU and counts.
"""

from __future__ import annotations

import base64
import gc
import http.client
import resource
import ssl
import sys
import tempfile
import time
from urllib.parse import quote, urlparse

import orjson
import yaml

PATHS = [
    "/api/v1/namespaces",
    "/api/v1/nodes",
    "/api/v1/pods",
    "/api/v1/events",
    "/api/v1/services",
    "/api/v1/resourcequotas",
    "/api/v1/limitranges",
    "/apis/apps/v1/deployments",
    "/apis/apps/v1/replicasets",
    "/apis/apps/v1/statefulsets",
    "/apis/apps/v1/daemonsets",
    "/apis/batch/v1/jobs",
    "/apis/batch/v1/cronjobs",
    "/apis/autoscaling/v2/horizontalpodautoscalers",
    "/apis/policy/v1/poddisruptionbudgets",
]


def connect(kubeconfig: str) -> tuple[http.client.HTTPSConnection, str]:
    with open(kubeconfig, encoding="utf-8") as fh:
        cfg = yaml.safe_load(fh)
    cluster = cfg["clusters"][0]["cluster"]
    token = cfg["users"][0]["user"]["token"]
    url = urlparse(cluster["server"])
    ctx = ssl.create_default_context()
    with tempfile.NamedTemporaryFile("wb", suffix=".crt", delete=False) as ca:
        ca.write(base64.b64decode(cluster["certificate-authority-data"]))
    ctx.load_verify_locations(ca.name)
    return http.client.HTTPSConnection(url.hostname or "127.0.0.1", url.port, context=ctx), token


def list_all(kubeconfig: str, page: int = 500) -> dict[str, int]:
    conn, token = connect(kubeconfig)
    counts: dict[str, int] = {}
    for path in PATHS:
        cont, total = "", 0
        while True:
            query = f"?limit={page}" + (f"&continue={quote(cont)}" if cont else "")
            conn.request("GET", path + query, headers={"Authorization": f"Bearer {token}"})
            resp = conn.getresponse()
            body = resp.read()
            gc.disable()
            try:
                doc = orjson.loads(body)
            finally:
                gc.enable()
            total += len(doc.get("items") or [])
            cont = (doc.get("metadata") or {}).get("continue") or ""
            if not cont:
                break
        counts[path.rsplit("/", 1)[-1]] = total
    return counts


def main() -> None:
    start = time.perf_counter()
    counts = list_all(sys.argv[1])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime  # interpreter start-up included, as for kdash
    print(orjson.dumps({"seconds": time.perf_counter() - start, "cpu_s": cpu, "counts": counts}).decode())


if __name__ == "__main__":
    main()
