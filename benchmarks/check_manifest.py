"""`kdash check -f` on a big manifest: CPU, wall time and peak RSS of the whole command.

    .venv/bin/python -m benchmarks.check_manifest [--mb 50] [--runs 1] [--kind yaml|json|both]
                                                  [--output text|json|both] [--out FILE]

A deterministic generator writes realistic Deployments (1-3 containers, probes, resources, labels,
annotations, a mix of good and bad practice so the rules have findings) as Helm-style YAML
(`---` and `# Source:` lines) and as one JSON `List`, of about `--mb` megabytes each. Each run is
`python -m kdash check -f FILE [-o json]` in a fresh child process; CPU and peak RSS come from the
child's rusage, so they are kdash's own. The files are cached under the temp dir by size and seed.
`make bench` runs it too (`check_manifest_50mb`).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

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


_SUMMARY = re.compile(r"Score ([0-9.]+) \((\w)[^)]*\): (.*?); (\d+) objects? checked")


def run_child(path: Path, output: str = "text") -> dict[str, Any]:
    """One `kdash check -f path [-o json]` in a fresh child: wall, CPU (user+sys), peak RSS.

    posix_spawn + os.wait4, so the rusage is this child's alone (subprocess would reap it first).
    Output goes to a file, as in CI, so no terminal or pipe reader sets the pace; only its head
    and tail are read back, because a child's peak RSS starts at this process's own (Linux
    carries the high-water mark across exec), which must stay small.
    """
    argv = [sys.executable, "-m", "kdash", "check", "-f", str(path)] + (
        ["-o", "json"] if output == "json" else []
    )
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.posix_spawn(
            sys.executable,
            argv,
            dict(os.environ, COLUMNS="80"),
            file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)],
        )
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        size = os.fstat(out.fileno()).st_size
        out.seek(0)
        head = out.read(4096).decode(errors="replace")
        out.seek(max(0, size - 4096))
        tail = out.read().decode(errors="replace")
        err.seek(0)
        stderr = err.read(4096)
    rc = os.waitstatus_to_exitcode(status)
    if rc not in (0, 1):
        raise RuntimeError(f"{argv} exited {rc}: {stderr!r}")
    result: dict[str, Any] = {
        "file": path.name,
        "output": output,
        "mb": round(path.stat().st_size / 1_000_000, 1),
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "rss_mb": round(usage.ru_maxrss / 1024),
        "exit": rc,
        "output_mb": round(size / 1_000_000, 1),
    }
    summary = _SUMMARY.search(" ".join(tail.split()))
    if summary is not None:  # the text report's last line
        result.update(objects=int(summary.group(4)), score=float(summary.group(1)))
    elif (score := re.search(r'"score": ([0-9.]+)', head)) is not None:  # the JSON report's first key
        result["score"] = float(score.group(1))
    return result


def check_manifest_50mb(mb: float = 50, runs: int = 1) -> list[dict[str, Any]]:
    """The harness's measurement: `kdash check -f` on ~`mb` MB of Helm-style YAML and of a JSON
    List, text output (the default) and JSON output, `runs` times each."""
    return [
        run_child(manifest(kind, mb), output)
        for kind in ("yaml", "json")
        for output in ("text", "json")
        for _ in range(runs)
    ]


def render_markdown(results: list[dict[str, Any]]) -> str:
    """The section for docs/benchmarks.md."""
    lines = [
        "## `kdash check -f` on a 50 MB manifest",
        "",
        "`python -m benchmarks.check_manifest`: generated Deployments (1-3 containers, probes,",
        "resources, labels, annotations; about 2 KB of YAML each) as Helm-style YAML (`---`, `# Source:`)",
        "and as one `kubectl get -o json` style `List`; `kdash check -f FILE` in a fresh child process,",
        "output to a file. CPU is the child's user+sys time, RSS its peak.",
        "",
        "| input | output | objects | wall | CPU | peak RSS | report |",
        "|---|---|---|---|---|---|---|",
    ]
    objects = {r["file"]: r["objects"] for r in results if "objects" in r}  # from the text report
    for r in results:
        lines.append(
            f"| {r['mb']} MB {r['file'].rsplit('.', 1)[1]} | {r['output']} | {objects.get(r['file'], 0):,} "
            f"| {r['wall_s']:.1f} s | {r['cpu_s']:.1f} s | {r['rss_mb']:.0f} MB | {r['output_mb']} MB |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.check_manifest")
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--kind", choices=("yaml", "json", "both"), default="both")
    parser.add_argument("--output", choices=("text", "json", "both"), default="both")
    parser.add_argument("--out", help="also write the markdown section to this file")
    args = parser.parse_args()
    kinds = ("yaml", "json") if args.kind == "both" else (args.kind,)
    outputs = ("text", "json") if args.output == "both" else (args.output,)
    results = [
        run_child(manifest(kind, args.mb), output)
        for kind in kinds
        for output in outputs
        for _ in range(args.runs)
    ]
    print(json.dumps(results, indent=2))
    if args.out:
        Path(args.out).write_text(render_markdown(results), encoding="utf-8")


if __name__ == "__main__":
    main()
