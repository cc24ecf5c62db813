"""Start/stop/switch hygiene (threads, sockets), read-only traffic, and connection failures."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from kdash.errors import ConfigError, ConnectionFailed
from kdash.k8s.kubeconfig import load_target
from kdash.k8s.probe import probe
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import SyncPhase
from kdash.model.source import ChangeSet
from kdash.sim import start_sim
from tests.helpers import wait_for

from .conftest import pod, sim_kubeconfig_entry, write_kubeconfig


def _kdash_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("kdash-") and t.name != "kdash-sim"]


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_context_switch_leaves_no_threads_or_sockets(sim: Any, make_service: Any, tmp_path: Path) -> None:
    second = start_sim("empty")
    try:
        second.apply(pod("only-in-second", ns="default"))
        kubeconfig = write_kubeconfig(
            tmp_path / "config",
            {"first": sim_kubeconfig_entry(sim), "second": sim_kubeconfig_entry(second)},
            current="first",
        )
        threads_before, fds_before = _kdash_threads(), _fds()
        svc = make_service(sim, kubeconfig=str(kubeconfig))
        seen: list[ChangeSet] = []
        svc.subscribe(seen.append)
        svc.start()
        assert svc.wait_until_synced(15)
        assert ObjectKey("Pod", "shop", "web-5d4f8-a") in svc.snapshot().pods
        assert svc.contexts() == ["first", "second"]

        svc.switch_context("second")  # returns at once
        snap = svc.snapshot()
        wait_for(lambda: any(cs.scope_changed for cs in seen), what="scope_changed ChangeSet")
        assert svc.wait_until_synced(15)
        snap = svc.snapshot()
        assert snap.context == "second"
        assert snap.server == second.url
        assert set(snap.pods) == {ObjectKey("Pod", "default", "only-in-second")}  # nothing of "first" left

        svc.set_namespace("default")
        assert svc.wait_until_synced(15)
        svc.switch_context("first")
        assert svc.wait_until_synced(15)
        assert svc.snapshot().context == "first"
        # the retired informers are gone already, while the service still runs
        wait_for(
            lambda: (
                len([n for n in _kdash_threads() if n.startswith("kdash-informer")])
                == len(svc._settings.kinds)
            ),
            what="old informers to end",
        )
        svc.stop()
        svc.stop()  # idempotent
        wait_for(lambda: _kdash_threads() == threads_before, timeout=5, what="all kdash threads to end")
        wait_for(lambda: _fds() <= fds_before + 2, timeout=5, what="sockets closed")
    finally:
        second.stop()


def test_unknown_context_raises_at_once(sim: Any, make_service: Any) -> None:
    svc = make_service(sim)
    with pytest.raises(ConfigError, match="not in the kubeconfig"):
        svc.switch_context("nope")


def test_only_read_requests(sim: Any, make_service: Any, tmp_path: Path) -> None:
    kubeconfig = write_kubeconfig(
        tmp_path / "config", {"a": sim_kubeconfig_entry(sim), "b": sim_kubeconfig_entry(sim)}, current="a"
    )
    sim.clear_audit()
    svc = make_service(sim, kubeconfig=str(kubeconfig))
    svc.start()
    assert svc.wait_until_synced(15)
    svc.fetch_object(ObjectKey("Pod", "shop", "web-5d4f8-a"))
    svc.switch_context("b")
    assert svc.wait_until_synced(15)
    svc.set_namespace("shop")
    assert svc.wait_until_synced(15)
    svc.stop()
    audit = sim.audit
    assert audit
    assert {e["verb"] for e in audit} <= {"get", "list", "watch"}
    assert {e["method"] for e in audit} == {"GET"}


def test_unreachable_server_is_an_error_state(make_service: Any, tmp_path: Path) -> None:
    server = f"https://127.0.0.1:{_free_port()}"
    kubeconfig = write_kubeconfig(tmp_path / "config", {"dead": (server, "t0ken", None)}, current="dead")
    target = load_target(kubeconfig=str(kubeconfig))
    with pytest.raises(ConnectionFailed, match="connection refused"):
        probe(target, timeout=2)
    svc = make_service(None, kubeconfig=str(kubeconfig))
    svc.start()
    assert svc.wait_until_synced(10)  # ERROR counts as having left SYNCING
    st = svc.snapshot().states["pods"]
    assert st.phase is SyncPhase.ERROR
    assert st.retry_at is not None
    assert st.message == f"cannot reach {server}: connection refused"
    assert svc.connection_error() == f"cannot reach {server}: connection refused"


def test_rejected_token_is_reported(sim: Any, make_service: Any, tmp_path: Path) -> None:
    server, _token, ca = sim_kubeconfig_entry(sim)
    kubeconfig = write_kubeconfig(tmp_path / "config", {"bad": (server, "expired", ca)}, current="bad")
    with pytest.raises(ConnectionFailed, match="401"):
        probe(load_target(kubeconfig=str(kubeconfig)), timeout=2)
    svc = make_service(sim, kubeconfig=str(kubeconfig))
    svc.start()
    assert svc.wait_until_synced(10)
    message = "the server rejected our credentials (401 Unauthorized): the token may have expired"
    assert svc.snapshot().states["pods"].message == message
    assert svc.connection_error() == message


def test_probe_returns_version(sim: Any) -> None:
    assert probe(load_target(kubeconfig=str(sim.kubeconfig_path)), timeout=2).startswith("v1.")
