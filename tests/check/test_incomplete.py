"""`kdash check` against a cluster it can read only in part: never a pass, never an A for nothing.

Forbidden kinds that the health rules read make the report incomplete (exit 2) and every format
says what was not checked; with `[service] namespaces` a user whose cluster-wide lists are
forbidden gets those namespaces checked, as the dashboard shows them.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kdash.cli import main
from kdash.sim import start_sim

# Every cluster-wide list of a namespaced kind is forbidden while any forbid-ns is set; the
# per-namespace lists are answered (but in kube-system). The cluster-scoped kinds (nodes,
# namespaces, ClusterRoles and their bindings): forbidden outright, as for a team's user.
NAMESPACE_BOUND = "forbid-ns=kube-system,forbid=nodes+namespaces+clusterroles+clusterrolebindings"
MOST_FORBIDDEN = (
    "forbid=jobs+cronjobs+horizontalpodautoscalers+resourcequotas+limitranges+poddisruptionbudgets"
)


@pytest.fixture(scope="module")
def bound_sim() -> Iterator[Any]:
    with start_sim("demo", faults=NAMESPACE_BOUND) as sim:
        yield sim


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(["check", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def _config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return str(path)


def test_everything_forbidden_is_incomplete_and_ungraded(
    bound_sim: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kubeconfig = str(bound_sim.kubeconfig_path)
    empty = _config(tmp_path, "")
    rc, out, err = check(capsys, "--kubeconfig", kubeconfig, "--config", empty, "-A")
    assert rc == 2  # a CI gate must not pass a cluster it could not read
    assert "(A)" not in out and "Score 100" not in out
    assert "No grade: 0 objects checked; incomplete: 11 not checked" in out
    assert "Not checked (the report is incomplete):" in out
    assert "pods: forbidden: pods is forbidden" in out
    assert "kdash: pods not checked (forbidden)" in err
    assert "kdash: nodes not checked (forbidden) (the health rules do not read it)" in err
    netpol = next(line for line in err.splitlines() if line.startswith("kdash: networkpolicies not checked"))
    assert "(not run: netpol-missing" in netpol  # a kind only cross-object rules read names them
    assert "name the namespaces you may read in [service] namespaces (config.toml), or pass -n" in err

    rc, out, _ = check(capsys, "--kubeconfig", kubeconfig, "--config", empty, "-A", "-o", "json")
    doc = json.loads(out)
    assert rc == 2
    assert doc["score"] is None and doc["grade"] is None
    assert doc["complete"] is False
    assert {n["what"] for n in doc["not_checked"]} >= {"pods", "deployments", "resourcequotas"}
    assert "nodes" not in {n["what"] for n in doc["not_checked"]}  # not read by the rules

    rc, out, _ = check(capsys, "--kubeconfig", kubeconfig, "--config", empty, "-A", "-o", "junit")
    root = ET.fromstring(out.split("\n", 1)[1])
    assert rc == 2
    assert root.get("errors") == "11"
    assert root.find("./testsuite/testcase[@name='pods']/error") is not None


def test_service_namespaces_are_checked_when_cluster_wide_lists_are_forbidden(
    bound_sim: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same [service] settings as the TUI: the configured namespaces are read one by one."""
    config = _config(tmp_path, '[service]\nnamespaces = ["shop", "payments"]\n')
    rc, out, err = check(
        capsys, "--kubeconfig", str(bound_sim.kubeconfig_path), "--config", config, "-A", "-o", "json"
    )
    doc = json.loads(out)
    assert doc["complete"] is True, doc["not_checked"]
    assert doc["namespaces"] == ["payments", "shop"]
    assert {o["namespace"] for o in doc["objects"]} == {"payments", "shop"}
    assert doc["grade"] is not None
    assert rc == 1  # the demo's shop has crash loops: the thresholds decide, as for a full read
    assert "checked namespaces payments, shop" in err

    rc, out, _ = check(capsys, "--kubeconfig", str(bound_sim.kubeconfig_path), "--config", config, "-A")
    assert "Namespaces checked: payments, shop (the cluster-wide lists are forbidden)" in out


def test_config_namespace_is_a_fallback_and_a_forbidden_one_is_named(
    bound_sim: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, 'namespace = "shop"\n[service]\nnamespaces = ["kube-system"]\n')
    rc, out, _ = check(
        capsys, "--kubeconfig", str(bound_sim.kubeconfig_path), "--config", config, "-A", "-o", "json"
    )
    doc = json.loads(out)
    assert rc == 2
    assert doc["namespaces"] == ["shop"]
    assert {o["namespace"] for o in doc["objects"]} == {"shop"}
    assert doc["not_checked"][-1]["what"] == "namespace kube-system"
    assert doc["not_checked"][-1]["why"].startswith("forbidden: pods, deployments")


def test_most_graded_kinds_forbidden_is_a_partial_grade(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with start_sim("demo", faults=MOST_FORBIDDEN) as sim:
        rc, out, _ = check(
            capsys, "--kubeconfig", str(sim.kubeconfig_path), "--config", _config(tmp_path, ""), "-A"
        )
    assert rc == 2
    summary = " ".join(out.split("Score ")[-1].split())  # the last line, however the console wrapped it
    assert "partial: 5 of 11 kinds readable" in summary
    assert summary.endswith("incomplete: 6 not checked")
    assert "  horizontalpodautoscalers: forbidden: " in out


def test_service_settings_are_validated_for_check(
    bound_sim: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, "[service]\nnamespace = ['shop']\n")
    rc, out, err = check(capsys, "--kubeconfig", str(bound_sim.kubeconfig_path), "--config", config)
    assert rc == 2
    assert out == ""
    assert "unknown setting 'namespace' in [service]; did you mean 'namespaces'?" in err


def test_help_documents_exit_codes_and_limits(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "2 a usage or connection error, or an incomplete report" in out
    assert "100 MiB" in out
    assert "200 levels" in out
