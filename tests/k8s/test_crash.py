"""Crash capture: a restart's previous logs end up on the restart record, once, off-thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence

import pytest

from kdash.k8s.crash import CrashCapture
from kdash.k8s.kubeconfig import load_target
from kdash.k8s.service import ClusterService
from kdash.k8s.settings import ServiceSettings
from kdash.model.meta import Meta
from kdash.model.pods import PodRecord
from kdash.sim.runner import SimCluster, start_sim
from tests.helpers import wait_for

pytestmark = pytest.mark.timeout(120)

RestartCb = Callable[[PodRecord, str, int, int], None]


class FakeService:
    def __init__(self) -> None:
        self.cb: RestartCb | None = None
        self.attached: list[tuple[str, str, str, tuple[str, ...]]] = []

    def on_restart(self, callback: RestartCb) -> Callable[[], None]:
        self.cb = callback

        def unsubscribe() -> None:
            self.cb = None

        return unsubscribe

    def attach_crash_log(self, namespace: str, pod: str, container: str, lines: Sequence[str]) -> None:
        self.attached.append((namespace, pod, container, tuple(lines)))


def pod(name: str) -> PodRecord:
    return PodRecord(meta=Meta("Pod", "shop", name))


def test_one_fetch_in_flight_per_container_and_once_per_restart() -> None:
    service = FakeService()
    gate = threading.Event()
    fetched: list[tuple[str, str, str, int]] = []

    def fetch(ns: str, name: str, container: str, tail: int) -> list[str]:
        fetched.append((ns, name, container, tail))
        gate.wait(10)
        return [f"{name} died"]

    capture = CrashCapture(service, None, fetch=fetch, tail=7)
    capture.start()
    assert service.cb is not None
    service.cb(pod("a"), "app", 0, 1)
    wait_for(lambda: len(fetched) == 1, "the first fetch")
    service.cb(pod("a"), "app", 1, 2)  # same container while its fetch runs: skipped
    service.cb(pod("b"), "app", 0, 1)  # another container: queued
    gate.set()
    wait_for(lambda: len(service.attached) == 2, "both captures")
    service.cb(pod("b"), "app", 0, 1)  # the same restart reported again: not fetched twice
    capture.stop()
    assert [a[1] for a in service.attached] == ["a", "b"]
    assert service.attached[0][3] == ("a died",)
    assert fetched[0][3] == 7
    assert capture.skipped == 2
    assert not capture.alive
    assert service.cb is None


def test_bounded_queue_drops_a_storm() -> None:
    service = FakeService()
    gate = threading.Event()

    def fetch(ns: str, name: str, container: str, tail: int) -> list[str]:
        gate.wait(10)
        return []

    capture = CrashCapture(service, None, fetch=fetch, queue_size=2)
    capture.start()
    assert service.cb is not None
    for i in range(10):
        service.cb(pod(f"p{i}"), "app", 0, 1)
    gate.set()
    wait_for(lambda: len(service.attached) >= 2, "the queued captures")
    capture.stop()
    assert 2 <= len(service.attached) <= 3
    assert capture.skipped >= 7
    assert service.attached[0][3] == ("(the previous container wrote no log lines)",)


def test_fetch_error_is_kept_as_evidence() -> None:
    service = FakeService()

    def fetch(ns: str, name: str, container: str, tail: int) -> list[str]:
        raise RuntimeError("boom")

    capture = CrashCapture(service, None, fetch=fetch)
    capture.start()
    assert service.cb is not None
    service.cb(pod("a"), "app", 0, 1)
    wait_for(lambda: bool(service.attached), "the note")
    capture.stop()
    assert "could not fetch the previous logs: boom" in service.attached[0][3][0]


@pytest.fixture(scope="module")
def sim() -> Iterator[SimCluster]:
    cluster = start_sim("demo")
    yield cluster
    cluster.stop()


def test_restart_in_the_sim_attaches_previous_logs(sim: SimCluster) -> None:
    target = load_target(kubeconfig=str(sim.kubeconfig_path))
    service = ClusterService(target, settings=ServiceSettings(kinds=("pods", "replicasets", "deployments")))
    service.start()
    capture = CrashCapture(service, target)
    capture.start()
    try:
        assert service.wait_until_synced(30)
        name = next(
            p["metadata"]["name"]
            for p in sim.list("pods", "shop")
            if p["metadata"]["name"].startswith("cart")
        )
        sim.append_log("shop", name, "cart", ["connecting to redis", "\x1b]0;owned\x07fatal: redis down"])
        sim.restart_container("shop", name, "cart", reason="Error", exit_code=1, message="redis down")

        def crash_log() -> tuple[str, ...]:
            for rec in service.snapshot().restarts:
                if rec.pod == name and rec.container == "cart":
                    return rec.crash_log
            return ()

        wait_for(lambda: bool(crash_log()), "the crash log on the restart record")
        assert crash_log()[-2:] == ("connecting to redis", "fatal: redis down")
        assert capture.captured == 1
    finally:
        capture.stop()
        service.stop()
    assert not capture.alive
