"""`ClusterSnapshot.usage` from a simulated metrics-server, through the real client and kdash's HTTP.

The sims run without the behaviour engine, so every poll re-reads the same sample until the test
steps the simulated clock by hand (`SimCluster.step`): history then grows by one sample per new
metrics timestamp, never per poll.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import kubernetes
import pytest

from kdash.k8s.service import ClusterService
from kdash.k8s.settings import ServiceSettings
from kdash.k8s.usage import ABSENT
from kdash.model.meta import ObjectKey
from kdash.model.quantity import parse_quantity
from kdash.model.snapshot import SyncPhase
from kdash.model.source import ChangeSet
from kdash.model.usage import UsageView, node_series, pod_series
from kdash.sim import SimCluster, start_sim
from tests.helpers import wait_for

from .conftest import FAST, sim_kubeconfig_entry, write_kubeconfig

GROUP, VERSION = "metrics.k8s.io", "v1beta1"
#: FAST, with metrics polled as often as the rest is.
SETTINGS = replace(FAST, metrics_interval=0.3, page_size=500)


@pytest.fixture
def demo() -> Iterator[SimCluster]:
    with start_sim("demo") as handle:
        yield handle


class Recorder:
    """The usage of every snapshot that came with `usage_changed` (on the service's thread)."""

    def __init__(self, svc: ClusterService) -> None:
        self.svc = svc
        self.lock = threading.Lock()
        self.views: list[UsageView] = []

    def __call__(self, cs: ChangeSet) -> None:
        if cs.usage_changed:
            with self.lock:
                self.views.append(self.svc.snapshot().usage)

    def messages(self) -> list[str]:
        with self.lock:
            return [v.message for v in self.views]


def _metrics(sim: SimCluster, resource: str) -> list[dict[str, Any]]:
    api = kubernetes.client.CustomObjectsApi(
        kubernetes.config.new_client_from_config(str(sim.kubeconfig_path))
    )
    items: list[dict[str, Any]] = api.list_cluster_custom_object(GROUP, VERSION, resource)["items"]
    return items


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _available(svc: ClusterService, pods: int = 1) -> UsageView:
    return wait_for(
        lambda: (u := svc.snapshot().usage).available and len(u.pods) >= pods and u.nodes and u,
        "usage from the metrics polls",
    )


def test_snapshot_usage_is_the_metrics_apis_answer(demo: SimCluster, make_service: Any) -> None:
    svc = make_service(demo, settings=SETTINGS)
    svc.start()
    pods, nodes = _metrics(demo, "pods"), _metrics(demo, "nodes")
    usage = _available(svc, len(pods))
    assert usage.message == "" and usage.interval == 0.3
    assert set(usage.pods) == {
        ObjectKey("Pod", i["metadata"]["namespace"], i["metadata"]["name"]) for i in pods
    }
    for item in pods:
        got = usage.pods[ObjectKey("Pod", item["metadata"]["namespace"], item["metadata"]["name"])]
        assert got.at == _epoch(item["timestamp"])
        assert got.window == pytest.approx(float(item["window"].rstrip("s")))
        assert set(got.containers) == {c["name"] for c in item["containers"]}
        for c in item["containers"]:
            u = got.containers[c["name"]]
            assert u.cpu_m == pytest.approx(float(parse_quantity(c["usage"]["cpu"])) * 1000)
            assert u.memory == float(parse_quantity(c["usage"]["memory"]))
    for item in nodes:
        node = usage.nodes[item["metadata"]["name"]]
        assert node.at == _epoch(item["timestamp"])
        assert node.usage.cpu_m == pytest.approx(float(parse_quantity(item["usage"]["cpu"])) * 1000)
        assert node.usage.memory == float(parse_quantity(item["usage"]["memory"]))
    snap = svc.snapshot()
    assert snap.states["pods.metrics.k8s.io"].phase is SyncPhase.POLLING
    assert snap.states["pods.metrics.k8s.io"].count == len(pods)
    assert snap.states["nodes.metrics.k8s.io"].count == len(nodes) == 3
    node1 = snap.nodes[ObjectKey("Node", "", "node-1")]  # allocatable and capacity for the usage columns
    assert (node1.allocatable["cpu"], node1.allocatable["memory"], node1.capacity["memory"]) == (
        "7800m",
        "31Gi",
        "32Gi",
    )


def test_history_grows_one_sample_per_new_timestamp(demo: SimCluster, make_service: Any) -> None:
    svc = make_service(demo, settings=SETTINGS)
    rec = Recorder(svc)
    svc.subscribe(rec)
    svc.start()
    usage = _available(svc)
    key = next(iter(usage.pods))
    container = next(iter(usage.pods[key].containers))
    series = [pod_series(key), pod_series(key, container), node_series("node-1")]
    polls = len(rec.views)
    wait_for(lambda: len(rec.views) >= polls + 3, "three more polls of the same sample")
    assert [len(usage.series(s)) for s in series] == [1, 1, 1]  # the same timestamp adds nothing
    for n in (2, 3):
        demo.step(15)  # metrics-server's next scrape
        wait_for(lambda n=n: all(len(usage.series(s)) == n for s in series), f"sample {n}")
    ats = [sample.at for sample in usage.series(series[1])]
    assert [b - a for a, b in zip(ats, ats[1:], strict=False)] == [15.0, 15.0]
    latest = svc.snapshot().usage.pods[key].containers[container]
    assert usage.series(series[1])[-1][1:] == (latest.cpu_m, latest.memory)
    assert svc.snapshot().usage.history is usage.history  # one history per scope


def test_deleted_pods_lose_their_series(demo: SimCluster, make_service: Any) -> None:
    svc = make_service(demo, settings=SETTINGS)
    svc.start()
    usage = _available(svc)
    key = next(k for k in usage.pods if k.namespace == "shop" and k.name.startswith("web-"))
    assert usage.series(pod_series(key))
    demo.delete("pods", key.namespace, key.name)
    wait_for(lambda: not usage.series(pod_series(key)), "the deleted pod's series to go")
    assert usage.history is not None
    series = usage.history.keys()
    assert not any(s.name == key.name for s in series)
    assert usage.series(node_series("node-1"))


def test_cluster_without_metrics_says_so_once_and_shows_the_rest(make_service: Any) -> None:
    with start_sim("demo", faults="metrics=off") as off:
        svc = make_service(off, settings=SETTINGS)
        rec = Recorder(svc)
        svc.subscribe(rec)
        svc.start()
        assert svc.wait_until_synced(15)
        wait_for(lambda: ABSENT in rec.messages(), "metrics unavailable")
        requests = lambda: sum(1 for e in off.audit if e["path"].startswith(f"/apis/{GROUP}"))  # noqa: E731
        tried = requests()
        wait_for(lambda: requests() >= tried + 4, "the metrics kinds to be tried again")
        assert rec.messages().count(ABSENT) == 1  # said once, however often it is retried
        snap = svc.snapshot()
        assert (snap.usage.available, snap.usage.message) == (False, ABSENT)
        assert snap.states["pods.metrics.k8s.io"].phase is SyncPhase.UNAVAILABLE  # not an error
        assert snap.states["pods"].phase is SyncPhase.LIVE and len(snap.pods) > 20
        assert all(s.phase is SyncPhase.LIVE for k, s in snap.states.items() if "metrics" not in k)


def test_forbidden_metrics_carry_the_servers_words(make_service: Any) -> None:
    with start_sim("demo", faults="forbid=pods.metrics.k8s.io+nodes.metrics.k8s.io") as sim:
        svc = make_service(sim, settings=SETTINGS)
        svc.start()
        assert svc.wait_until_synced(15)
        usage = wait_for(lambda: (u := svc.snapshot().usage).message.endswith("scope") and u, "the 403")
        assert usage.available is False
        assert usage.message.startswith("metrics unavailable: pods.metrics.k8s.io is forbidden: User ")
        assert svc.snapshot().states["pods"].phase is SyncPhase.LIVE


def test_failing_metrics_keep_the_last_values_and_disturb_nothing(
    demo: SimCluster, make_service: Any
) -> None:
    svc = make_service(demo, settings=SETTINGS)
    svc.start()
    before = _available(svc)
    demo.set_faults("broken-discovery=metrics.k8s.io")  # metrics-server's APIService is down: 503
    wait_for(lambda: svc.snapshot().states["pods.metrics.k8s.io"].phase is SyncPhase.ERROR, "the 503")
    snap = svc.snapshot()
    assert snap.usage.available and snap.usage.pods == before.pods  # the last values stay
    assert snap.states["pods"].phase is SyncPhase.LIVE
    demo.set_faults(None)
    wait_for(lambda: svc.snapshot().states["pods.metrics.k8s.io"].phase is SyncPhase.POLLING, "recovery")


def test_namespace_switch_starts_a_new_history(demo: SimCluster, make_service: Any) -> None:
    svc = make_service(demo, settings=SETTINGS)
    svc.start()
    old = _available(svc)
    demo.step(15)
    wait_for(lambda: len(old.series(node_series("node-1"))) == 2, "a second sample")
    svc.set_namespace("kube-system")
    new = wait_for(
        lambda: (u := svc.snapshot().usage).history is not old.history and u.available and u.pods and u,
        "usage of kube-system",
    )
    assert {k.namespace for k in new.pods} == {"kube-system"}
    assert new.history is not None
    series = new.history.keys()
    assert {s.namespace for s in series if s.kind == "Pod"} == {"kube-system"}
    assert len(new.series(node_series("node-1"))) == 1  # nothing carried over from the old scope


def test_context_switch_starts_a_new_history(demo: SimCluster, make_service: Any, tmp_path: Path) -> None:
    entry = sim_kubeconfig_entry(demo)
    path = write_kubeconfig(tmp_path / "kc.yaml", {"a": entry, "b": entry}, current="a")
    svc = make_service(demo, settings=SETTINGS, kubeconfig=str(path))
    svc.start()
    old = _available(svc)
    demo.step(15)
    wait_for(lambda: len(old.series(node_series("node-1"))) == 2, "a second sample")
    svc.switch_context("b")
    new = wait_for(
        lambda: (u := svc.snapshot().usage).history is not old.history and u.available and u.nodes and u,
        "usage of context b",
    )
    assert svc.snapshot().context == "b"
    assert len(new.series(node_series("node-1"))) == 1


def test_metrics_are_polled_at_their_own_interval(demo: SimCluster, make_service: Any) -> None:
    settings = replace(SETTINGS, metrics_interval=3600.0)  # one poll, then none during the test
    svc = make_service(demo, settings=settings)
    svc.start()
    _available(svc)
    demo.clear_audit()
    wait_for(
        lambda: sum(1 for e in demo.audit if e["path"] == "/readyz" or e["verb"] == "watch") > 5, "traffic"
    )
    assert not [e for e in demo.audit if e["path"].startswith(f"/apis/{GROUP}")]
    assert ServiceSettings().metrics_interval == 15.0
