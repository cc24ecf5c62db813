"""The security and reliability rules run on manifests (`kdash check -f`) and live (`kdash check`
against the simulator serving the same file): every rule fires on the object that breaks it
(tests/check/manifests_rules/hardening.yaml) and none on the hardened `api`, and a literal
credential's value never reaches the report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kdash.cli import main
from kdash.sim import start_sim

FILE = Path(__file__).parent / "manifests_rules" / "hardening.yaml"

FIRES = {
    ("DaemonSet", "agent"): {
        "security-readonly-root-fs",
        "security-capabilities-added",
        "security-capabilities-not-dropped",
        "security-host-port",
        "security-proc-mount",
        "security-run-as-group-root",
        "security-env-secret-literal",
        "security-host-path",
        "security-host-process",
        "security-seccomp-missing",
        "security-service-account-token",
        "resources-cpu-limit-missing",
        "resources-ephemeral-storage-missing",
        "env-duplicate",
        "priority-class-missing",
    },
    ("CronJob", "nightly"): {"cronjob-deadline-missing", "job-restart-policy-invalid"},
    ("Deployment", "burst"): {"deployment-max-unavailable-all", "replicas-not-spread"},
    ("HorizontalPodAutoscaler", "api"): {"hpa-min-replicas-single"},
}
MINE = set().union(*FIRES.values())


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    with start_sim(str(FILE)) as cluster:
        yield cluster


@pytest.mark.parametrize("where", ["manifests", "live"])
def test_the_rules_run(
    where: str, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    if where == "live":  # the simulator serves the same objects through the API
        args = ["--kubeconfig", str(request.getfixturevalue("sim").kubeconfig_path), "-A"]
    else:
        args = ["-f", str(FILE)]
    main(["check", *args, "-o", "json"])
    out, _ = capsys.readouterr()
    doc = json.loads(out)
    found: dict[tuple[str, str], set[str]] = {}
    for f in doc["findings"]:
        if f["rule"] in MINE:
            found.setdefault((f["kind"], f["name"]), set()).add(f["rule"])
    for key, rules in FIRES.items():
        assert rules <= found.get(key, set()), key
    assert ("Deployment", "api") not in found  # the hardened one: a near-miss for every rule
    assert "do-not-print-me" not in out
    (secret,) = [f for f in doc["findings"] if f["rule"] == "security-env-secret-literal"]
    assert "UPSTREAM_API_TOKEN" in secret["message"] and "LOG_LEVEL" not in secret["message"]
    (caps,) = [f for f in doc["findings"] if f["rule"] == "security-capabilities-added"]
    assert caps["severity"] == "error"  # SYS_ADMIN


def test_text_output_never_shows_the_value(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "-f", str(FILE)])
    out, err = capsys.readouterr()
    assert "security-env-secret-literal" in out and "UPSTREAM_API_TOKEN" in out
    assert "do-not-print-me" not in out + err
