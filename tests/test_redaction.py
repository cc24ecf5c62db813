"""Credentials in the kubeconfig's server address never reach stderr or the debug log.

The CLI runs as a subprocess (its real stderr, its real `--log-file`) against the simulated
cluster, with a kubeconfig whose server URL carries a password and a `?token=`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kdash.k8s.kubeconfig import load_target
from kdash.k8s.redact import redact
from kdash.sim import start_sim

PASSWORD = "hunter2-PASSWORD-0d1f"
TOKEN = "s3cr3t-QUERY-TOKEN-9a7c"


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    with start_sim("empty") as cluster:
        yield cluster


def _kubeconfig(sim: Any, tmp_path: Path, server: str) -> Path:
    doc = yaml.safe_load(Path(sim.kubeconfig_path).read_text())
    doc["clusters"][0]["cluster"]["server"] = server
    path = tmp_path / "kubeconfig.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def _sim_server(sim: Any) -> str:
    return str(yaml.safe_load(Path(sim.kubeconfig_path).read_text())["clusters"][0]["cluster"]["server"])


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kdash", *argv], capture_output=True, text=True, timeout=120, check=False
    )


def _assert_clean(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text
        assert TOKEN not in text


def test_unreachable_server_url_with_credentials_is_redacted(sim: Any, tmp_path: Path) -> None:
    """The one-sentence connection error names the host, never the password or the token."""
    server = f"https://alice:{PASSWORD}@127.0.0.1:1/?token={TOKEN}"
    kubeconfig = _kubeconfig(sim, tmp_path, server)
    log = tmp_path / "debug.log"
    result = _run("check", "--kubeconfig", str(kubeconfig), "--log-file", str(log))
    assert result.returncode == 2
    assert "127.0.0.1:1" in result.stderr  # still says where it tried
    assert "***" in result.stderr
    _assert_clean(result.stderr, result.stdout, log.read_text())


def test_reachable_server_url_with_credentials_is_redacted(sim: Any, tmp_path: Path) -> None:
    """A working cluster addressed as https://user:password@host: the run and its log stay clean."""
    server = _sim_server(sim).replace("https://", f"https://alice:{PASSWORD}@")
    kubeconfig = _kubeconfig(sim, tmp_path, server)
    log = tmp_path / "debug.log"
    result = _run("--log-file", str(log), "check", "--kubeconfig", str(kubeconfig), "-A")
    assert result.returncode == 0, result.stderr
    text = log.read_text()
    assert "GET /api/v1/pods" in text  # the log was written (the flag before the subcommand counts)
    _assert_clean(result.stderr, result.stdout, text)


def test_target_server_is_the_redacted_address(sim: Any, tmp_path: Path) -> None:
    """The header and every error sentence take the address from here."""
    server = _sim_server(sim).replace("https://", f"https://alice:{PASSWORD}@") + f"?token={TOKEN}"
    target = load_target(kubeconfig=str(_kubeconfig(sim, tmp_path, server)))
    assert target.server.startswith("https://***@127.0.0.1:")
    assert target.server.endswith("?token=***")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cannot reach https://u:pw@h:6443: refused", "cannot reach https://***@h:6443: refused"),
        ("https://u:p@ss@h/x?a=1&access_token=XYZ&limit=5", "https://***@h/x?a=1&access_token=***&limit=5"),
        ("GET /api/v1/pods?limit=500&continue=eyJ2", "GET /api/v1/pods?limit=500&continue=eyJ2"),
        ("h/?token=abc: connection refused", "h/?token=***: connection refused"),
        ("Authorization: Bearer abcdefghijklmnop", "Authorization: ***"),
        ("sent Bearer abcdefghijklmnop", "sent Bearer ***"),
        ("a basic check on https://host:443", "a basic check on https://host:443"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected
