"""The dashboard's start-up order: the service lists before the UI is imported, nothing is listed twice.

`kdash` starts the cluster service (informer threads listing) before Textual is imported, then runs
the app on the already-running service. Launches here go through the real CLI code
(`kdash.cli._run_tui`) in a fresh interpreter against the simulator, with the app driven headless
by `App.run_test()`; errors still come out as one sentence and exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kdash.cli import _open_namespace, _scope
from kdash.config import KdashConfig
from kdash.k8s.kubeconfig import KubeTarget
from kdash.sim import start_sim
from kdash.ui.prefs import Preferences
from kdash.ui.scope import NamespaceScope
from tests.helpers import launch_script

# Runs in the child: records the informer threads alive when Textual is first imported, then
# launches through the CLI and reports what the settled app shows.
LAUNCH = launch_script(
    """
    def run(app):
        async def drive():
            async with app.run_test(size=(160, 50)) as pilot:
                while not app.session.is_settled():
                    await asyncio.sleep(0.02)
                await pilot.pause()
                snap = app.source.snapshot()
                seen.update(pods=len(snap.pods), shown=app.scope.namespace, listed=snap.namespace)
            return 0

        return asyncio.run(drive())
    """
)


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    handle = start_sim("demo")
    try:
        yield handle
    finally:
        handle.stop()


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env.update(
        {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state"), "NO_COLOR": "1"}
    )
    return env


def _launch(sim: Any, tmp_path: Path, *argv: str) -> dict[str, Any]:
    sim.clear_audit()
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCH, "--kubeconfig", str(sim.kubeconfig_path), *argv],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _pod_lists(sim: Any) -> list[str]:
    return [
        e["path"]
        for e in sim.audit
        if e["path"].startswith("/api/v1/")
        and e["path"].endswith("/pods")
        and "watch" not in e.get("query", "")
        and "limit=" in e.get("query", "")
    ]


def test_listing_starts_before_textual_is_imported(sim: Any, tmp_path: Path) -> None:
    seen = _launch(sim, tmp_path, "-A")
    assert seen["rc"] == 0
    assert "kdash-informer-pods-all" in seen["informers"]  # started before the first Textual import
    assert seen["kubernetes"] is False  # a token kubeconfig never needs the official client
    assert seen["pods"] == len(sim.list("pods")) > 0
    assert seen["shown"] is None and seen["listed"] is None
    assert _pod_lists(sim) == ["/api/v1/pods"]  # listed once: the app attached, it did not restart


def test_the_remembered_namespace_is_listed_from_the_start(sim: Any, tmp_path: Path) -> None:
    """No -n/-A: the app reopens the namespace remembered for the context; the service must list
    that one from the start, not all namespaces first (a list thrown away at 10,000 pods)."""
    context = yaml.safe_load(Path(sim.kubeconfig_path).read_text())["current-context"]
    prefs = Preferences.load(tmp_path / "state" / "kdash" / "state.json")
    prefs.remember_namespace(context, "shop")
    prefs.save()
    seen = _launch(sim, tmp_path)
    assert (seen["shown"], seen["listed"]) == ("shop", "shop")
    assert _pod_lists(sim) == ["/api/v1/namespaces/shop/pods"]


# --- the namespace rule, the same as the app's NamespaceScope --------------------------------------


class _Snapshot:
    def __init__(self, namespace: str | None, context: str) -> None:
        self.namespace = namespace
        self.context = context


class _Source:
    def __init__(self, snapshot: _Snapshot) -> None:
        self._snapshot = snapshot

    def snapshot(self) -> _Snapshot:
        return self._snapshot


class _Session:
    def __init__(self, source: _Source) -> None:
        self.source = source


@pytest.mark.parametrize("flag_ns", [None, "", "web"])
@pytest.mark.parametrize("all_ns", [False, True])
@pytest.mark.parametrize("remembered", ["nothing", "all", "shop"])
@pytest.mark.parametrize("config_ns", [None, "cfg"])
@pytest.mark.parametrize("context_ns", [None, "ctx-ns"])
def test_open_namespace_is_the_apps_first_namespace(
    flag_ns: str | None, all_ns: bool, remembered: str, config_ns: str | None, context_ns: str | None
) -> None:
    args = argparse.Namespace(namespace=flag_ns, all_namespaces=all_ns)
    target = KubeTarget(context="c", server="https://h", namespace=context_ns, contexts=("c",), paths=())
    config = KdashConfig(namespace=config_ns)
    prefs = Preferences()
    if remembered != "nothing":
        prefs.remember_namespace("c", None if remembered == "all" else remembered)
    # what the app does on its own: the service opens _scope(), then the scope picks its first one
    session = _Session(_Source(_Snapshot(_scope(args, target, config), "c")))
    scope = NamespaceScope(session, None, prefs, start=flag_ns, all_namespaces=all_ns)  # type: ignore[arg-type]
    assert _open_namespace(args, target, config, prefs) == scope.namespace


# --- errors at start are still one sentence, exit 2 -------------------------------------------------


def _run_kdash(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kdash", *argv],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def _one_sentence(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for needle in needles:
        assert needle in lines[0]


def test_rejected_credentials_are_one_sentence(sim: Any, tmp_path: Path) -> None:
    doc = yaml.safe_load(Path(sim.kubeconfig_path).read_text())
    doc["users"][0]["user"]["token"] = "not-the-token"
    path = tmp_path / "kc"
    path.write_text(yaml.safe_dump(doc))
    _one_sentence(_run_kdash(tmp_path, "--kubeconfig", str(path)), "401")


def test_a_bad_theme_still_stops_kdash_after_listing_began(sim: Any, tmp_path: Path) -> None:
    (tmp_path / "cfg" / "kdash").mkdir(parents=True)
    (tmp_path / "cfg" / "kdash" / "config.toml").write_text('theme = "nrod"\n')
    proc = _run_kdash(tmp_path, "--kubeconfig", str(sim.kubeconfig_path))
    _one_sentence(proc, "unknown theme 'nrod'", "did you mean 'nord'?")


def test_help_does_not_import_the_check_command_but_check_help_lists_its_options(tmp_path: Path) -> None:
    code = (
        "import sys; from kdash.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('kdash.check.command' in sys.modules, 'textual' in sys.modules, file=sys.stderr)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "check" in proc.stdout and proc.stderr.split() == ["False", "False"]
    check_help = _run_kdash(tmp_path, "check", "--help")
    assert check_help.returncode == 0 and "--fail-on" in check_help.stdout
