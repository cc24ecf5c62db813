"""EndpointSlices and Endpoints follow pod readiness: readiness decides who gets traffic.

Stepped by hand on a frozen clock (the behaviour engine's endpoints behaviour), and over HTTP with the
engine off through ``SimCluster.sync_endpoints``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes
import orjson

from kdash.sim import start_sim
from kdash.sim.engine import BehaviourEngine
from kdash.sim.logs import LogStore
from kdash.sim.scenarios import build_scenario
from kdash.sim.state import SimState
from kdash.sim.store import Store
from tests.sim.conftest import FROZEN, client_for

JSON = dict[str, Any]


def _engine() -> BehaviourEngine:
    state = SimState(
        store=Store(lambda: FROZEN), logs=LogStore(lambda: FROZEN), now=lambda: FROZEN, token="t"
    )
    state.store.load(build_scenario("demo", pods=0, now=FROZEN).objects)
    return BehaviourEngine(state, seed=1)


def _slice(store: Store, ns: str, service: str) -> JSON:
    found = [
        e.obj
        for _, e in store.iter_entries("endpointslices", ns)
        if (e.obj["metadata"].get("labels") or {}).get("kubernetes.io/service-name") == service
    ]
    assert len(found) == 1
    return found[0]


def _conditions(eslice: JSON) -> dict[str, bool]:
    return {ep["targetRef"]["name"]: ep["conditions"]["ready"] for ep in eslice["endpoints"] or []}


def _set_ready(store: Store, ns: str, pod: str, ready: bool) -> None:
    obj: JSON = {"kind": "Pod", "apiVersion": "v1", **orjson.loads(store.entry("pods", ns, pod).raw)}  # type: ignore[union-attr]
    for cond in obj["status"]["conditions"]:
        if cond["type"] in ("Ready", "ContainersReady"):
            cond["status"] = "True" if ready else "False"
    for cs in obj["status"]["containerStatuses"]:
        cs["ready"] = ready
    store.put(obj)


def test_slices_follow_a_pod_turning_unready_ready_and_going_away() -> None:
    engine = _engine()
    store = engine.state.store
    engine.step(1.0)
    assert engine.endpoints.writes == 0  # the scenario's slices already match its pods
    before = _conditions(_slice(store, "shop", "web"))
    assert len(before) == 3 and all(before.values())
    pod = sorted(before)[1]

    _set_ready(store, "shop", pod, False)
    engine.step(1.0)
    eslice = _slice(store, "shop", "web")
    assert _conditions(eslice) == {**before, pod: False}
    assert eslice["ports"] == [{"name": "http", "protocol": "TCP", "port": 80}]
    subsets = store.entry("endpoints", "shop", "web").obj["subsets"]  # type: ignore[union-attr]
    assert [a["targetRef"]["name"] for a in subsets[0]["notReadyAddresses"]] == [pod]
    assert len(subsets[0]["addresses"]) == 2

    writes = engine.endpoints.writes
    engine.step(1.0)
    assert engine.endpoints.writes == writes  # nothing moved, nothing written

    _set_ready(store, "shop", pod, True)
    engine.step(1.0)
    assert _conditions(_slice(store, "shop", "web")) == before
    assert "notReadyAddresses" not in store.entry("endpoints", "shop", "web").obj["subsets"][0]  # type: ignore[union-attr]

    store.delete("pods", "shop", pod)
    engine.step(1.0)
    assert set(_conditions(_slice(store, "shop", "web"))) == set(before) - {pod}
    assert engine.errors == {}


def test_crash_looping_and_unschedulable_pods_get_no_traffic() -> None:
    store = _engine().state.store
    cart = _conditions(_slice(store, "shop", "cart"))
    assert sorted(cart.values()) == [False, True]  # one of the two cart pods crash-loops
    assert not any(_conditions(_slice(store, "shop", "checkout")).values())
    assert _slice(store, "shop", "legacy-search")["endpoints"] is None  # selects no pod at all


def test_sync_endpoints_over_http(tmp_path: Path) -> None:
    with start_sim("demo", kubeconfig_path=tmp_path / "kc") as sim:
        disc = kubernetes.client.DiscoveryV1Api(client_for(sim))
        core = kubernetes.client.CoreV1Api(client_for(sim))
        slices = disc.list_namespaced_endpoint_slice(
            "payments", label_selector="kubernetes.io/service-name=api"
        )
        (eslice,) = slices.items
        pod = eslice.endpoints[0].target_ref.name
        assert eslice.endpoints[0].conditions.ready is True
        assert sim.sync_endpoints() == 0

        def unready(obj: JSON) -> None:
            for cond in obj["status"]["conditions"]:
                if cond["type"] == "Ready":
                    cond["status"] = "False"

        sim.update("pods", "payments", pod, unready)
        assert sim.sync_endpoints() == 2  # the slice and the Endpoints
        again = disc.read_namespaced_endpoint_slice(eslice.metadata.name, "payments")
        ready = {ep.target_ref.name: ep.conditions.ready for ep in again.endpoints}
        assert ready[pod] is False and sum(ready.values()) == 1
        assert int(again.metadata.resource_version) > int(eslice.metadata.resource_version)
        ep = core.read_namespaced_endpoints("api", "payments")
        assert [a.target_ref.name for a in ep.subsets[0].not_ready_addresses] == [pod]
