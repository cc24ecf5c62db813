"""`kdash sim --clusters N`: N simulators behind one kubeconfig, a context each, one with faults."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kdash.k8s.kubeconfig import load_target
from kdash.k8s.probe import probe
from kdash.sim.cli import main
from tests.helpers import wait_for


def test_clusters_writes_one_kubeconfig_with_a_context_each(tmp_path: Path) -> None:
    out = tmp_path / "fleet.kubeconfig"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kdash",
            "sim",
            "--clusters",
            "3",
            "--pods",
            "20",
            "--kubeconfig-out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "KUBECONFIG"},
    )
    try:
        wait_for(out.exists, "the kubeconfig", timeout=120)
        doc = yaml.safe_load(out.read_text())
        names = [c["name"] for c in doc["contexts"]]
        assert names == ["prod", "staging", "dev"] and doc["current-context"] == "prod"
        servers = set()
        for name in names:
            target = load_target(kubeconfig=str(out), context=name)
            assert probe(target, timeout=10.0).startswith("v1.")
            servers.add(target.server)
        assert len(servers) == 3  # three servers, not three names for one
    finally:
        proc.send_signal(signal.SIGTERM)
        stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "context dev: scenario 'big', faults forbid=events" in stdout
    assert "--fleet" in stdout


def test_clusters_must_not_be_negative(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--clusters", "-1", "--kubeconfig-out", str(tmp_path / "k")]) == 2
    err = capsys.readouterr().err
    assert "--clusters must be zero or more" in err and "Traceback" not in err
