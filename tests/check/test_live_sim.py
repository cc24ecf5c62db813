"""`kdash check` against the simulated demo cluster: crash loops, OOM kills, an HPA at its maximum
and quota pressure must all be reported, through the same service the TUI uses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kdash.cli import main
from kdash.health import evaluate
from kdash.k8s.kubeconfig import load_target
from kdash.k8s.service import ClusterService
from kdash.sim import start_sim

LIVE_RULES = {"pod-crashloop", "pod-oomkilled", "hpa-at-max", "quota-near-limit"}


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    with start_sim("demo") as cluster:
        yield cluster


def test_service_snapshot_reports_runtime_problems(sim: Any) -> None:
    target = load_target(kubeconfig=str(sim.kubeconfig_path))
    svc = ClusterService(target, namespace=None)
    svc.start()
    try:
        assert svc.wait_until_synced(timeout=30)
        snap = svc.snapshot()
    finally:
        svc.stop()
    report = evaluate(snap)
    rules = {f.rule for f in report.findings}
    assert rules >= LIVE_RULES, rules
    crash = next(f for f in report.findings if f.rule == "pod-crashloop")
    assert crash.kind in ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")  # rolled up
    assert crash.message.startswith("pod ")
    assert crash.container
    assert 0 <= report.score < 100


def test_check_command_json(sim: Any, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["check", "--kubeconfig", str(Path(sim.kubeconfig_path)), "-A", "-o", "json"])
    out, _ = capsys.readouterr()
    doc = json.loads(out)
    assert rc == 1  # the demo has errors
    assert {f["rule"] for f in doc["findings"]} >= LIVE_RULES
    assert doc["summary"]["error"] >= 3
    assert any(f["rule"] == "pod-crashloop" and "last log line" in f["message"] for f in doc["findings"])


def test_unreachable_cluster_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["check", "--kubeconfig", str(tmp_path / "missing.yaml")])
    _, err = capsys.readouterr()
    assert rc == 2
    assert "missing.yaml" in err
