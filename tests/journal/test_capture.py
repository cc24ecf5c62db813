"""On the simulated cluster: a crash kdash captures is journaled, outlives the run, and stays capped."""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from kdash import cli
from kdash.cli import main
from kdash.config import KdashConfig
from kdash.crashes import crash_recorders, open_journal
from kdash.journal import JournalSettings
from kdash.sim.fleet import ClusterSpec, start_fleet
from kdash.sim.runner import SimCluster, start_sim
from kdash.ui.prefs import Preferences
from tests.helpers import wait_for
from tests.journal.runs import cart_pods, crash, kdash_run
from tests.k8s.test_crash import pod as pod_record

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimCluster]:
    cluster = start_sim("demo")
    yield cluster
    cluster.stop()


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    return tmp_path / "kdash" / "crashes"


def test_a_captured_crash_outlives_the_run_and_kdash_crashes_prints_it(
    sim: SimCluster, state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = KdashConfig()
    pod = cart_pods(sim)[0]
    with kdash_run(sim, config):
        entry = crash(
            sim,
            config,
            pod,
            ["connecting to redis", "\x1b]0;owned\x07fatal: \x1b[31mredis down\u202e"],
            reason="OOMKilled",
            exit_code=137,
            message="out of memory",
        )
    assert (entry.reason, entry.exit_code, entry.message) == ("OOMKilled", 137, "out of memory")
    assert (entry.owner_kind, entry.owner_name, entry.container) == ("Deployment", "cart", "cart")
    assert entry.log_tail[-2:] == ("connecting to redis", "fatal: redis down")
    assert entry.finished is not None
    # Another process, after the first has stopped: the journal is still there.
    journal = open_journal(config)
    assert journal is not None
    assert [e for e in journal.read("kdash-sim").entries if e.pod == pod][-1] == entry
    assert [p.parent for p in state.iterdir()] == [state, state]  # the file and its lock

    assert main(["crashes", "--kubeconfig", str(sim.kubeconfig_path), "-o", "json"]) == 0
    out = capsys.readouterr().out
    printed = [json.loads(line) for line in out.splitlines()]
    assert printed[-1]["pod"] == pod and printed[-1]["reason"] == "OOMKilled"
    assert printed[-1]["log_tail"][-1] == "fatal: redis down"
    assert "\\u001b" not in out and "\x1b" not in out

    assert main(["crashes", "--context", "kdash-sim", "-n", "shop"]) == 0
    text = capsys.readouterr().out
    assert str(state) in text
    assert f"shop/{pod}  cart  restart" in text and "OOMKilled, exit code 137" in text
    assert "    | fatal: redis down" in text


def test_the_journal_keeps_its_size_cap_through_a_crash_loop(sim: SimCluster, state: Path) -> None:
    config = KdashConfig(journal=JournalSettings(max_bytes=16_384))
    pod = cart_pods(sim)[1]
    noise = [f"{i:03d} " + "request failed, retrying " * 4 for i in range(60)]
    with kdash_run(sim, config):
        written = [crash(sim, config, pod, [*noise, f"crash {n}"]) for n in range(7)]
    journal = open_journal(config)
    assert journal is not None
    path = journal.path_for("kdash-sim")
    assert path.stat().st_size <= 16_384
    read = journal.read("kdash-sim")
    assert read.skipped == 0
    kept = [e.log_tail[-1] for e in read.entries]
    assert 1 < len(kept) < 7
    assert kept == [f"crash {n}" for n in range(7 - len(kept), 7)]  # the oldest went
    assert written[-1] == read.entries[-1]


def test_journal_disabled_writes_nothing(sim: SimCluster, state: Path) -> None:
    config = KdashConfig(journal=JournalSettings(enabled=False))
    pod = cart_pods(sim)[0]
    with kdash_run(sim, config) as service:
        sim.append_log("shop", pod, "cart", ["last words"])
        sim.restart_container("shop", pod, "cart")

        def captured() -> bool:  # the capture ran (its log is on the restart record)
            return any(r.pod == pod and "last words" in r.crash_log for r in service.snapshot().restarts)

        wait_for(captured, "the capture")
    assert not state.exists()


def test_a_crash_in_any_fleet_member_is_journaled_under_its_context(state: Path) -> None:
    """`kdash --fleet`: every member's service has a crash capture, as one cluster's has, before
    and after its dashboard is opened (a full service then replaces the light one)."""
    config = KdashConfig()
    recorders = crash_recorders(config)
    assert recorders is not None
    sims = start_fleet((ClusterSpec("prod"), ClusterSpec("staging")))
    args = argparse.Namespace(
        fleet=True,
        contexts=None,
        context="prod",
        kubeconfig=str(sims.kubeconfig_path),
        demo=False,
        namespace=None,
        all_namespaces=True,
    )
    try:
        with ExitStack() as stack:
            _source, _logs, started = cli._start_fleet(args, config, Preferences(), stack, recorders)
            fleet = started["fleet"]
            for context in ("prod", "staging"):
                wait_for(lambda c=context: fleet.service(c).wait_until_synced(0.2), f"{context} synced")
            staging = sims.sims["staging"]
            pod = cart_pods(staging)[0]

            def journaled(context: str, words: str) -> bool:
                return any(words in e.log_tail for e in recorders.journal.read(context).entries)

            staging.append_log("shop", pod, "cart", ["staging's last words"])
            staging.restart_container("shop", pod, "cart")
            wait_for(lambda: journaled("staging", "staging's last words"), "the light member's crash")
            fleet.open("staging")
            wait_for(
                lambda: fleet.status("staging").full and fleet.service("staging").wait_until_synced(0.2),
                "full",
            )
            staging.append_log("shop", pod, "cart", ["after the open"])
            staging.restart_container("shop", pod, "cart")
            wait_for(lambda: journaled("staging", "after the open"), "the opened member's crash")
            assert not recorders.journal.read("prod").entries  # prod had no restart
        entries = recorders.journal.read("staging").entries
        assert [e.log_tail[-1] for e in entries] == ["staging's last words", "after the open"]
        # each capture stopped with its service: the light one replaced by the open, and the rest
        wait_for(
            lambda: not any(t.name == "kdash-crash-capture" for t in threading.enumerate()),
            "every capture stopped",
        )
    finally:
        sims.stop()


def test_a_crash_two_captures_saw_is_written_once(state: Path) -> None:
    """After `:fleet`, the session's own context is also a fleet member with a capture of its own."""
    recorders = crash_recorders(KdashConfig())
    assert recorders is not None
    session, member = recorders.recorder(lambda: "prod"), recorders.recorder(lambda: "prod")
    crashed = pod_record("web-1")
    session(crashed, "app", 3, ("boom",))
    member(crashed, "app", 3, ("boom",))
    member(crashed, "app", 4, ("boom again",))
    recorders.recorder(lambda: "staging")(crashed, "app", 3, ("elsewhere",))  # another cluster's pod
    assert [(e.restarts, e.log_tail) for e in recorders.journal.read("prod").entries] == [
        (3, ("boom",)),
        (4, ("boom again",)),
    ]
    assert len(recorders.journal.read("staging").entries) == 1
