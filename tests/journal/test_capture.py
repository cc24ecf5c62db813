"""On the simulated cluster: a crash kdash captures is journaled, outlives the run, and stays capped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kdash.cli import main
from kdash.config import KdashConfig
from kdash.crashes import open_journal
from kdash.journal import JournalSettings
from kdash.sim.runner import SimCluster, start_sim
from tests.helpers import wait_for
from tests.journal.runs import cart_pods, crash, kdash_run

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
