"""Kubeconfig discovery and the one-sentence errors, with real files in a temp dir.

The CLI is run as a subprocess so the assertions cover what a person sees: exit code 2, one line on
stderr, no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kdash.errors import ConfigError
from kdash.k8s.kubeconfig import kubeconfig_paths, load_target

GOOD = textwrap.dedent(
    """
    apiVersion: v1
    kind: Config
    current-context: dev
    clusters:
    - name: dev-cluster
      cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
    - name: prod-cluster
      cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}
    users:
    - name: dev-user
      user: {token: abc}
    contexts:
    - name: dev
      context: {cluster: dev-cluster, user: dev-user, namespace: shop}
    - name: prod
      context: {cluster: prod-cluster, user: dev-user}
    - name: orphan-cluster
      context: {cluster: nowhere, user: dev-user}
    - name: orphan-user
      context: {cluster: dev-cluster, user: nobody}
    """
)


def run_kdash(
    *args: str, env_extra: dict[str, str] | None = None, home: Path
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / "cfg"), "NO_COLOR": "1"})
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "kdash", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def assert_one_sentence(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Path:
    path = tmp_path / "config"
    path.write_text(GOOD)
    return path


def test_no_kubeconfig_suggests_demo(tmp_path: Path) -> None:
    proc = run_kdash(home=tmp_path)
    assert_one_sentence(proc, "No kubeconfig found", ".kube/config", "kdash --demo")


def test_kubeconfig_flag_to_missing_file(tmp_path: Path) -> None:
    proc = run_kdash("--kubeconfig", str(tmp_path / "nope"), home=tmp_path)
    assert_one_sentence(proc, "does not exist", "kdash --demo")


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.write_text("apiVersion: v1\nclusters: [\n  - name: x\n  cluster: {\n")
    proc = run_kdash("--kubeconfig", str(bad), home=tmp_path)
    assert_one_sentence(proc, str(bad), "not valid YAML", "line")


def test_unknown_context_lists_available(kubeconfig: Path, tmp_path: Path) -> None:
    proc = run_kdash("--kubeconfig", str(kubeconfig), "--context", "staging", home=tmp_path)
    assert_one_sentence(proc, '"staging"', "dev, prod, orphan-cluster, orphan-user")


def test_context_with_missing_cluster_entry(kubeconfig: Path, tmp_path: Path) -> None:
    proc = run_kdash("--kubeconfig", str(kubeconfig), "--context", "orphan-cluster", home=tmp_path)
    assert_one_sentence(proc, 'cluster "nowhere"', "does not define")


def test_context_with_missing_user_entry(kubeconfig: Path, tmp_path: Path) -> None:
    proc = run_kdash("--kubeconfig", str(kubeconfig), "--context", "orphan-user", home=tmp_path)
    assert_one_sentence(proc, 'user "nobody"', "does not define")


def test_unreachable_server_is_one_sentence(tmp_path: Path) -> None:
    dead = tmp_path / "dead"
    dead.write_text(GOOD.replace("https://127.0.0.1:6443", "https://127.0.0.1:1"))
    proc = run_kdash("--kubeconfig", str(dead), home=tmp_path)
    assert_one_sentence(proc, "127.0.0.1:1")


def test_current_context_and_its_namespace(kubeconfig: Path) -> None:
    target = load_target(kubeconfig=str(kubeconfig))
    assert (target.context, target.namespace, target.server) == ("dev", "shop", "https://127.0.0.1:6443")
    assert target.contexts == ("dev", "prod", "orphan-cluster", "orphan-user")
    assert target.configuration().host == "https://127.0.0.1:6443"
    other = target.with_context("prod")
    assert (other.context, other.namespace, other.server) == ("prod", None, "https://10.0.0.1:6443")


def test_kubeconfig_env_merges_like_kubectl(tmp_path: Path) -> None:
    """With several files in KUBECONFIG, the first to define a name or current-context wins."""
    first = tmp_path / "a"
    first.write_text(
        textwrap.dedent(
            """
            current-context: from-a
            clusters: [{name: shared, cluster: {server: "https://127.0.0.2:1"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: from-a, context: {cluster: shared, user: u}}]
            """
        )
    )
    second = tmp_path / "b"
    second.write_text(
        textwrap.dedent(
            """
            current-context: from-b
            clusters: [{name: shared, cluster: {server: "https://127.0.0.3:1"}}]
            contexts: [{name: from-b, context: {cluster: shared, user: u, namespace: b-ns}}]
            """
        )
    )
    env = {"KUBECONFIG": f"{first}{os.pathsep}{second}"}
    assert kubeconfig_paths(None, env) == [first, second]
    target = load_target(env=env)
    assert (target.context, target.server) == ("from-a", "https://127.0.0.2:1")
    # a context from the second file, a cluster from the first, a user from the first
    target_b = load_target(context="from-b", env=env)
    assert (target_b.server, target_b.namespace) == ("https://127.0.0.2:1", "b-ns")
    assert target_b.configuration().api_key.get("BearerToken") == "Bearer t"


def test_no_current_context(tmp_path: Path) -> None:
    path = tmp_path / "c"
    path.write_text(GOOD.replace("current-context: dev", ""))
    with pytest.raises(ConfigError, match="no current-context.*Available: dev, prod"):
        load_target(kubeconfig=str(path))
