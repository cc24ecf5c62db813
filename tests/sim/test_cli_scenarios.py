"""Command-line errors, YAML scenario loading and demo determinism."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from kdash.sim import start_sim
from kdash.sim.cli import main
from kdash.sim.scenarios import build_scenario

NOW = datetime(2026, 11, 29, 18, 40, tzinfo=UTC)


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--scenario", str(tmp_path / "missing.yaml"), "--kubeconfig-out", str(tmp_path / "k")]) == 2
    assert main(["--faults", "latency=soon"]) == 2
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert (
            main(["--scenario", "empty", "--port", str(port), "--kubeconfig-out", str(tmp_path / "k")]) == 2
        )
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 3
    assert not (tmp_path / "k").exists()


def test_yaml_scenario(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(
        """
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a, namespace: team}
  spec: {containers: [{name: c, image: busybox}], nodeName: node-1}
  status: {phase: Failed}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: team}
spec: {replicas: 1}
"""
    )
    with start_sim(str(f), now=lambda: NOW) as sim:
        pod = sim.get("pods", "team", "a")
        assert pod is not None
        assert pod["status"]["phase"] == "Failed"
        assert pod["metadata"]["creationTimestamp"] == "2026-11-29T18:40:00Z"
        assert {n["metadata"]["name"] for n in sim.list("namespaces")} == {"default", "kube-system", "team"}
        assert sim.get("deployments", "team", "d") is not None


def test_demo_is_deterministic() -> None:
    a = build_scenario("demo", pods=0, now=NOW)
    b = build_scenario("demo", pods=0, now=NOW)
    assert orjson.dumps(a.objects) == orjson.dumps(b.objects)
    pods = [o for o in a.objects if o["kind"] == "Pod"]
    rs_uids = {o["metadata"]["uid"] for o in a.objects if o["kind"] == "ReplicaSet"}
    owned = [p for p in pods if p["metadata"].get("ownerReferences", [{}])[0].get("kind") == "ReplicaSet"]
    assert owned
    assert all(p["metadata"]["ownerReferences"][0]["uid"] in rs_uids for p in owned)
    assert all("pod-template-hash" in p["metadata"]["labels"] for p in owned)


def test_big_size() -> None:
    sc = build_scenario("big", pods=500, now=NOW)
    pods = [o for o in sc.objects if o["kind"] == "Pod"]
    assert len(pods) == 500
    assert 3000 < len(orjson.dumps(pods[0])) < 8000
