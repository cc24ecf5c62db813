"""kubectl (a Go client with its own discovery and table handling) against the simulator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kdash.sim import SimCluster

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


def kubectl(sim: SimCluster, tmp: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(tmp), "KUBECACHEDIR": str(tmp / "cache")}
    return subprocess.run(
        ["kubectl", "--kubeconfig", str(sim.kubeconfig_path), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def test_get_pods_json(demo: SimCluster, tmp_path: Path) -> None:
    r = kubectl(demo, tmp_path, "get", "pods", "-A", "-o", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert len(doc["items"]) == len(demo.list("pods"))


def test_get_workload_tables(demo: SimCluster, tmp_path: Path) -> None:
    r = kubectl(demo, tmp_path, "get", "deploy,sts,ds,jobs,cj,hpa,quota", "-A")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for needle in [
        "deployment.apps/checkout",
        "statefulset.apps/redis",
        "daemonset.apps/node-exporter",
        "job.batch/nightly-report",
        "cronjob.batch/cleanup",
        "horizontalpodautoscaler.autoscaling/frontend",
        "resourcequota/shop-quota",
        "UP-TO-DATE",
        "cpu: 95%/70%",
        "Failed",
    ]:
        assert needle in out
    pods = kubectl(demo, tmp_path, "get", "pods", "-A")
    for status in ["CrashLoopBackOff", "ImagePullBackOff", "Init:1/2", "Pending", "7 ("]:
        assert status in pods.stdout


def test_logs(demo: SimCluster, tmp_path: Path) -> None:
    r = kubectl(demo, tmp_path, "logs", "-n", "shop", "toolbox", "--tail", "1")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "normal line after the 1 MB line\n"
    web = sorted(
        p["metadata"]["name"] for p in demo.list("pods", "shop") if p["metadata"]["name"].startswith("web")
    )
    r = kubectl(demo, tmp_path, "logs", "-n", "shop", web[0], "-c", "nope")
    assert r.returncode != 0
    assert "container nope is not valid" in r.stderr


def test_get_pods_watch(demo: SimCluster, tmp_path: Path) -> None:
    r = kubectl(demo, tmp_path, "get", "pods", "-n", "shop", "-w", "--request-timeout=3s")
    assert "toolbox" in r.stdout
    assert r.stdout.splitlines()[0].split()[:3] == ["NAME", "READY", "STATUS"]
