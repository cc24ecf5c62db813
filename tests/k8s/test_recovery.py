"""Never show a dead or forgotten world as live: restarts into a new state, slow returns after an
outage, hostile Retry-After values and bugs inside an informer loop (issue 10, items 5-7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kdash.k8s.store import Store
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import SyncPhase
from tests.helpers import wait_for

from .conftest import FAST, pod

SHOP = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}


def _all_live(svc: Any) -> bool:
    states = svc.snapshot().states.values()
    return all(s.phase in (SyncPhase.LIVE, SyncPhase.UNAVAILABLE) and s.stale_since is None for s in states)


def _pods(svc: Any) -> set[ObjectKey]:
    return set(svc.snapshot().pods)


@pytest.mark.parametrize("graceful", [False, True], ids=["connections-drop", "watches-end-cleanly"])
def test_a_server_restarted_into_a_fresh_world_is_relisted(
    sim: Any, make_service: Any, graceful: bool
) -> None:
    """A restored etcd or a recreated cluster at the same address has lower resourceVersions; a real
    server keeps a watch from our (now future) resourceVersion open and silent, so only kdash can
    notice. The ghosts of the old world must go and the new world must be shown live."""
    svc = make_service(sim)
    svc.start()
    assert svc.wait_until_synced(15)
    assert ObjectKey("Pod", "shop", "web-5d4f8-a") in _pods(svc)
    old_rv = sim.resource_version
    sim.restart_fresh([SHOP, pod("fresh-0")], down_for=0.3, graceful=graceful)
    assert sim.resource_version < old_rv
    wanted = {ObjectKey("Pod", "shop", "fresh-0")}
    wait_for(lambda: _pods(svc) == wanted, timeout=20, what="only the new world's pods")
    wait_for(lambda: _all_live(svc), timeout=10, what="every kind live in the new world")
    sim.apply(pod("fresh-1"))  # and it keeps following the new world
    wait_for(lambda: ObjectKey("Pod", "shop", "fresh-1") in _pods(svc), what="a change in the new world")


def test_back_to_live_soon_after_the_server_returns_despite_a_long_backoff(
    sim: Any, make_service: Any
) -> None:
    """After a long outage the back-off has grown (here: 10-20 s from the first failure on); a
    cheap probe while backing off must bring every kind back within seconds of the server's return."""
    svc = make_service(sim, settings=replace(FAST, backoff_initial=20.0, backoff_max=30.0))
    svc.start()
    assert svc.wait_until_synced(15)
    sim.go_down(None)

    def all_failing() -> bool:
        states = svc.snapshot().states.values()
        return all(s.phase is SyncPhase.ERROR for s in states if s.phase is not SyncPhase.UNAVAILABLE)

    wait_for(all_failing, timeout=10, what="every kind in ERROR while the server is away")
    sim.recover()
    # A bound on waiting for a behaviour, not a measured duration: without the probe the informers
    # sleep on for 10-20 s; with it (probe_interval 1 s) they are back in about a second.
    wait_for(lambda: _all_live(svc), timeout=6, what="every kind live soon after the server's return")
    assert svc.connection_error() is None


@pytest.mark.parametrize("value", ["1e12", "99999999999999999999", "inf", "nan", "-5", "abc"])
def test_a_huge_or_malformed_retry_after_is_capped_and_survived(
    sim: Any, make_service: Any, value: str
) -> None:
    svc = make_service(sim, settings=replace(FAST, retry_after_max=1.0))
    svc.start()
    assert svc.wait_until_synced(15)
    sim.set_faults(f"throttle-rate=1,retry-after={value}")

    def throttled() -> bool:
        state = svc.snapshot().states["pods"]
        return state.phase is SyncPhase.ERROR and "Too many requests" in state.message

    wait_for(throttled, timeout=10, what="pods throttled")
    state = svc.snapshot().states["pods"]
    assert state.retry_at is not None
    assert state.retry_at <= datetime.now(UTC) + timedelta(seconds=1.5)  # capped, not 1e12 s away
    sim.set_faults(None)
    sim.apply(pod("after-the-storm"))
    wait_for(lambda: ObjectKey("Pod", "shop", "after-the-storm") in _pods(svc), what="pods followed again")
    wait_for(lambda: _all_live(svc), what="every kind live after the 429 storm")


def test_an_unexpected_exception_in_an_informer_loop_is_survived(
    sim: Any, make_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug (here: the store raising once) must cost a back-off and a relist, never the kind."""
    svc = make_service(sim)
    svc.start()
    assert svc.wait_until_synced(15)
    real_upsert = Store.upsert
    failures: list[str] = []

    def buggy_upsert(self: Store, epoch: int, kind: str, record: Any) -> None:
        if kind == "pods" and not failures:
            failures.append(kind)
            raise RuntimeError("a bug inside the loop")
        real_upsert(self, epoch, kind, record)

    monkeypatch.setattr(Store, "upsert", buggy_upsert)
    sim.apply(pod("hit-the-bug"))
    wait_for(lambda: ObjectKey("Pod", "shop", "hit-the-bug") in _pods(svc), what="the pod, relisted")
    assert failures == ["pods"]
    sim.apply(pod("after-the-bug"))
    wait_for(lambda: ObjectKey("Pod", "shop", "after-the-bug") in _pods(svc), what="watching again")
    wait_for(lambda: _all_live(svc), what="every kind live")


def test_resource_versions_are_compared_only_as_numbers() -> None:
    from kdash.k8s import resume

    assert resume.is_older("9", "10")  # numerically, not as text
    assert not resume.is_older("10", "9")
    assert not resume.is_older("", "10") and not resume.is_older("abc", "10")
    resume.check_not_before("15", 12)
    resume.check_not_before("opaque", 12)
    with pytest.raises(resume.ServerRestartedError):
        resume.check_not_before("3", 12)  # a bookmark from before the watch began: a new world
    assert (
        resume.list_resource_version(b'{"kind":"PodList","metadata":{"resourceVersion":"7"},"items":[]}')
        == "7"
    )
    assert resume.list_resource_version(b"not json") == ""
