"""`kdash check -f` on a big manifest: CPU, wall time and peak RSS of the whole command.

    .venv/bin/python -m benchmarks.check_manifest [--mb 50] [--runs 1] [--out FILE]

A deterministic generator writes realistic Deployments (1-3 containers, probes, resources, labels,
annotations, a mix of good and bad practice so the rules have findings) as Helm-style YAML
(`---` and `# Source:` lines) and as one JSON `List`, of about `--mb` megabytes each. Each run is
`python -m kdash check -f FILE -o json` in a fresh child process; CPU and peak RSS come from the
child's rusage, so they are kdash's own. The files are cached under the temp dir by size and seed.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
_TEAMS = ("shop", "payments", "search", "infra", "data", "web", "ml", "auth")
_IMAGES = ("nginx", "redis", "envoy", "fluent-bit", "app", "worker", "api", "postgres-exporter")
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _probe(rng: random.Random, port: int) -> dict[str, Any]:
    kind = rng.random()
    if kind < 0.7:
        handler: dict[str, Any] = {"httpGet": {"path": rng.choice(("/healthz", "/ready", "/")), "port": port}}
    elif kind < 0.9:
        handler = {"tcpSocket": {"port": port}}
    else:
        handler = {"exec": {"command": ["sh", "-c", "test -f /tmp/ok"]}}
    return {**handler, "periodSeconds": rng.choice((5, 10, 15)), "timeoutSeconds": rng.choice((1, 2, 5))}


def _container(rng: random.Random, name: str, port: int) -> dict[str, Any]:
    image = rng.choice(_IMAGES)
    tag = rng.choice(("1.27.3", "7.2", "v2.14.0", "latest", "3.1.4", "")) if rng.random() < 0.9 else ""
    c: dict[str, Any] = {
        "name": name,
        "image": f"registry.example.com/{image}:{tag}" if tag else f"registry.example.com/{image}",
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "env": [
            {"name": f"VAR_{i}", "value": f"value-{rng.randrange(1000)}"} for i in range(rng.randrange(4))
        ],
    }
    if rng.random() < 0.8:
        c["imagePullPolicy"] = rng.choice(("IfNotPresent", "Always"))
    if rng.random() < 0.75:
        c["readinessProbe"] = _probe(rng, port)
    if rng.random() < 0.6:
        same = "readinessProbe" in c and rng.random() < 0.3  # a copy: Helm output has no YAML aliases
        c["livenessProbe"] = copy.deepcopy(c["readinessProbe"]) if same else _probe(rng, port)
    res: dict[str, Any] = {}
    if rng.random() < 0.8:
        res["requests"] = {
            "cpu": rng.choice(("50m", "100m", "250m", "1")),
            "memory": rng.choice(("64Mi", "128Mi", "1Gi")),
        }
    if rng.random() < 0.6:
        res["limits"] = {
            "memory": rng.choice(("128Mi", "256Mi", "2Gi")),
            **({"cpu": "2"} if rng.random() < 0.3 else {}),
        }
    if res:
        c["resources"] = res
    if rng.random() < 0.5:
        c["securityContext"] = {
            "runAsNonRoot": rng.random() < 0.8,
            "allowPrivilegeEscalation": rng.random() < 0.2,
            "readOnlyRootFilesystem": True,
        }
    if rng.random() < 0.3:
        c["lifecycle"] = {"preStop": {"exec": {"command": ["sleep", "5"]}}}
    return c


def deployment(rng: random.Random, i: int) -> dict[str, Any]:
    """One realistic Deployment; `rng` makes the set deterministic for a seed."""
    team = rng.choice(_TEAMS)
    name = f"{team}-svc-{i}"
    labels = {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": team,
        "tier": rng.choice(("web", "api", "worker")),
    }
    annotations = {"deployment.kubernetes.io/revision": str(rng.randrange(1, 40))}
    if rng.random() < 0.6:
        annotations["owner"] = f"{team}@example.com"
    if rng.random() < 0.05:
        annotations["polaris.fairwinds.com/exempt"] = "true"
    containers = [
        _container(rng, name if n == 0 else f"sidecar-{n}", 8080 + n) for n in range(rng.choice((1, 1, 2, 3)))
    ]
    spec: dict[str, Any] = {"containers": containers, "serviceAccountName": name}
    if rng.random() < 0.5:
        spec["terminationGracePeriodSeconds"] = rng.choice((10, 30, 60))
    if rng.random() < 0.3:
        spec["securityContext"] = {"runAsNonRoot": True, "runAsUser": 10001}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": team, "labels": labels, "annotations": annotations},
        "spec": {
            "replicas": rng.choice((1, 2, 3, 5)),
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": dict(labels), "annotations": {"prometheus.io/scrape": "true"}},
                "spec": spec,
            },
        },
    }


def deployments(seed: int = 7) -> Iterator[dict[str, Any]]:
    """An endless, deterministic stream of Deployments."""
    rng = random.Random(seed)
    i = 0
    while True:
        yield deployment(rng, i)
        i += 1


def write_yaml(path: Path, target_bytes: int, seed: int = 7) -> int:
    """Helm-style output (`---`, a `# Source:` comment, the object in block style) up to the size."""
    size = n = 0
    with path.open("w", encoding="utf-8") as f:
        for d in deployments(seed):
            text = f"---\n# Source: {d['metadata']['namespace']}/templates/deployment.yaml\n" + yaml.dump(
                d, Dumper=_DUMPER, default_flow_style=False, sort_keys=False
            )
            f.write(text)
            size, n = size + len(text), n + 1
            if size >= target_bytes:
                return n
    return n


def write_json_list(path: Path, target_bytes: int, seed: int = 7) -> int:
    """`kubectl get deploy -A -o json` style (4-space indent): one List holding every Deployment."""
    size = n = 0
    with path.open("w", encoding="utf-8") as f:
        f.write('{\n    "apiVersion": "v1",\n    "items": [\n')
        for d in deployments(seed):
            text = ("" if n == 0 else ",\n") + "\n".join(
                "        " + line for line in json.dumps(d, indent=4).splitlines()
            )
            f.write(text)
            size, n = size + len(text), n + 1
            if size >= target_bytes:
                break
        f.write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')
    return n


def manifest(kind: str, mb: float, seed: int = 7) -> Path:
    """The cached manifest file (`yaml` or `json`) of about `mb` megabytes."""
    folder = Path(tempfile.gettempdir()) / "kdash-bench-check"
    folder.mkdir(exist_ok=True)
    path = folder / f"deployments-{mb:g}mb-{seed}.{kind}"
    if not path.exists():
        tmp = path.with_suffix(".part")
        (write_yaml if kind == "yaml" else write_json_list)(tmp, int(mb * 1_000_000), seed)
        tmp.rename(path)
    return path


def _result(
    path: Path, wall: float, usage: Any, rc: int | None, report: dict[str, Any], err: bytes
) -> dict[str, Any]:
    return {
        "file": path.name,
        "mb": round(path.stat().st_size / 1_000_000, 1),
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "rss_mb": round(usage.ru_maxrss / 1024, 0),
        "exit": rc,
        "objects": len(report.get("objects", [])),
        "findings": len(report.get("findings", [])),
        "score": report.get("score"),
        "stderr_lines": len(err.splitlines()),
    }


def run_child(path: Path) -> dict[str, Any]:
    """One `kdash check -f path -o json` in a fresh child: wall, CPU (user+sys) and peak RSS.

    posix_spawn + os.wait4, so the rusage is this child's alone (subprocess would reap it first).
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.posix_spawn(
            sys.executable,
            [sys.executable, "-m", "kdash", "check", "-f", str(path), "-o", "json"],
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
            ],
        )
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        report = json.loads(out.read())
        return _result(path, wall, usage, os.waitstatus_to_exitcode(status), report, err.read())


def check_manifest_50mb(mb: float = 50, runs: int = 1) -> dict[str, list[dict[str, Any]]]:
    """The harness entry point: YAML and JSON-List runs of `kdash check -f` on ~`mb` MB each."""
    return {kind: [run_child(manifest(kind, mb)) for _ in range(runs)] for kind in ("yaml", "json")}


def render_markdown(results: dict[str, list[dict[str, Any]]]) -> str:
    lines = [
        "## `kdash check -f` on a big manifest",
        "",
        "`python -m benchmarks.check_manifest`: generated Deployments (1-3 containers, probes, resources,",
        "labels, annotations), Helm-style YAML and a JSON `List`; `kdash check -f FILE -o json` in a fresh",
        "child process; CPU is user+sys of the child, RSS its peak.",
        "",
        "| input | objects | findings | wall | CPU | peak RSS | exit |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, runs in results.items():
        for r in runs:
            lines.append(
                f"| {r['mb']} MB {kind} | {r['objects']:,} | {r['findings']:,} | {r['wall_s']:.1f} s "
                f"| {r['cpu_s']:.1f} s | {r['rss_mb']:.0f} MB | {r['exit']} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.check_manifest")
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--kind", choices=("yaml", "json", "both"), default="both")
    parser.add_argument("--out", help="also write the markdown section to this file")
    args = parser.parse_args()
    kinds = ("yaml", "json") if args.kind == "both" else (args.kind,)
    results = {kind: [run_child(manifest(kind, args.mb)) for _ in range(args.runs)] for kind in kinds}
    print(json.dumps(results, indent=2))
    if args.out:
        Path(args.out).write_text(render_markdown(results), encoding="utf-8")


if __name__ == "__main__":
    main()
