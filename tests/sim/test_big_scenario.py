"""The ``big`` scenario at several sizes: exactly N pods of realistic size, and something in every
dashboard pane (HPAs, quotas near their limit, crash loops with restarts and events, log pods), in
proportion to N, with the log-producing pods few enough for the log tail's stream cap."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from typing import Any

import orjson
import pytest

from kdash.model.quantity import try_quantity
from kdash.sim import engine_quota
from kdash.sim.engine import BehaviourEngine
from kdash.sim.engine_objects import Objects
from kdash.sim.engine_quota import QuotaTracker
from kdash.sim.logs import LogStore
from kdash.sim.scenarios import build_scenario
from kdash.sim.scenarios.base import Scenario
from kdash.sim.state import SimState
from kdash.sim.store import Store
from tests.sim.conftest import FROZEN

JSON = dict[str, Any]
LOG_STREAM_CAP = 50  # kdash.k8s.logs' default max_streams


def _of(sc: Scenario, kind: str) -> list[JSON]:
    return [o for o in sc.objects if o["kind"] == kind]


def _condition(obj: JSON, ctype: str) -> JSON:
    return next((c for c in obj["status"].get("conditions") or [] if c["type"] == ctype), {})


@pytest.mark.parametrize("pods", [1000, 4000])
def test_big_fills_every_pane_in_proportion(pods: int) -> None:
    sc = build_scenario("big", pods=pods, now=FROZEN)
    kinds = Counter(o["kind"] for o in sc.objects)
    assert kinds["Pod"] == pods
    assert kinds["Deployment"] == kinds["ReplicaSet"] == pods // 5
    sizes = [len(orjson.dumps(p)) for p in _of(sc, "Pod")]
    assert 4000 < sum(sizes) / len(sizes) < 5500

    hpas = _of(sc, "HorizontalPodAutoscaler")
    assert pods // 5 // 20 <= len(hpas) <= pods // 5 // 10
    at_max = [h for h in hpas if h["status"]["currentReplicas"] == h["spec"]["maxReplicas"]]
    assert at_max and all(_condition(h, "ScalingLimited")["status"] == "True" for h in at_max)
    blind = [h for h in hpas if _condition(h, "ScalingActive")["reason"] == "FailedGetResourceMetric"]
    assert blind
    targets = {(d["metadata"]["namespace"], d["metadata"]["name"]) for d in _of(sc, "Deployment")}
    assert all((h["metadata"]["namespace"], h["spec"]["scaleTargetRef"]["name"]) in targets for h in hpas)

    namespaces = {p["metadata"]["namespace"] for p in _of(sc, "Pod")}
    quotas = _of(sc, "ResourceQuota")
    assert {q["metadata"]["namespace"] for q in quotas} == namespaces
    assert {lr["metadata"]["namespace"] for lr in _of(sc, "LimitRange")} == namespaces

    def fill(q: JSON) -> Decimal:
        st = q["status"]
        return max(_q(st["used"][k]) / _q(st["hard"][k]) for k in st["hard"])

    assert any(fill(q) >= Decimal("0.9") for q in quotas)
    assert any(fill(q) <= Decimal("0.6") for q in quotas)

    crashing = [
        (p["metadata"]["namespace"], p["metadata"]["name"])
        for p in _of(sc, "Pod")
        for cs in p["status"]["containerStatuses"]
        if cs["restartCount"] and (cs["state"].get("waiting") or {}).get("reason") == "CrashLoopBackOff"
    ]
    assert len(crashing) >= pods // 5 // 100
    backoffs = {
        (e["involvedObject"]["namespace"], e["involvedObject"]["name"])
        for e in _of(sc, "Event")
        if e["reason"] == "BackOff"
    }
    assert backoffs == set(crashing)

    scripted = {(ns, pod) for ns, pod, _ in sc.logs}
    assert 0 < len(scripted) <= LOG_STREAM_CAP
    assert sc.live_logs and {(ns, pod) for ns, pod, _ in sc.live_logs} <= scripted
    assert scripted & set(crashing)  # a crash-looping pod with a previous instance's log


def _q(text: str) -> Decimal:
    value = try_quantity(text)
    assert value is not None
    return value


def _state(sc: Scenario) -> SimState:
    state = SimState(
        store=Store(lambda: FROZEN), logs=LogStore(lambda: FROZEN), now=lambda: FROZEN, token="t"
    )
    state.store.load(sc.objects)
    for key, (current, previous) in sc.logs.items():
        state.logs.set_lines(key, current, previous)
    state.live_logs = sc.live_logs
    return state


def test_big_quotas_already_match_their_pods() -> None:
    """The engine's quota tracker, which follows pods by delta, finds nothing to correct."""
    state = _state(build_scenario("big", pods=1500, now=FROZEN))
    rv = state.store.rv
    QuotaTracker(Objects(state)).tick()
    assert state.store.rv == rv


def test_engine_makes_only_the_scenarios_log_pods_live() -> None:
    sc = build_scenario("big", pods=2000, now=FROZEN)
    engine = BehaviourEngine(_state(sc), seed=5)
    for _ in range(40):
        engine.step(1.0)
    assert engine.errors == {}
    live = set(engine._live)  # noqa: SLF001 - what the engine follows is the point of this test
    assert live and sc.live_logs is not None and live <= sc.live_logs
    key = sorted(live)[0]
    assert len(engine.state.logs.container_log(key).current) > len(sc.logs[key][0])


def _totals(state: SimState, ns: str) -> dict[str, Decimal]:
    """The plain reading: every pod of the namespace that still runs, summed afresh."""
    totals = dict.fromkeys(engine_quota.QUOTA_KEYS, Decimal(0))
    for _, entry in state.store.entries("pods", ns):
        if (entry.obj.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
            for k, v in engine_quota.pod_usage(entry.obj).items():
                totals[k] += v
    return totals


def test_quota_used_follows_pod_changes_like_a_fresh_sum() -> None:
    """The tracker's caches (totals per namespace, quotas in step, usage per resources) give what
    summing every pod afresh gives, as pods come, go, finish and change their requests."""
    state = _state(build_scenario("big", pods=1500, now=FROZEN))
    namespaces = [f"team-00{i}" for i in range(6)]
    tracker = QuotaTracker(Objects(state))
    tracker.tick()
    start = {ns: _totals(state, ns) for ns in namespaces}
    first = {ns: dict(_quota_used(state, ns)) for ns in namespaces}
    rng = random.Random(4)
    for step in range(30):
        ns = rng.choice(namespaces)
        pods = [e.obj for _, e in state.store.entries("pods", ns)]
        pod = rng.choice(pods)
        op = rng.choice(["add", "delete", "finish", "resize", "none"])
        if op == "add":
            copy = orjson.loads(orjson.dumps(pod))
            copy["metadata"].update(name=f"extra-{step}", uid="", resourceVersion="")
            state.store.put({"kind": "Pod", "apiVersion": "v1", **copy})
        elif op == "delete":
            state.store.delete("pods", ns, pod["metadata"]["name"])
        elif op in ("finish", "resize"):
            copy = orjson.loads(orjson.dumps(pod))
            if op == "finish":
                copy["status"]["phase"] = "Succeeded"
            else:
                copy["spec"]["containers"][0]["resources"]["requests"]["cpu"] = f"{rng.randint(1, 9)}00m"
            state.store.put({"kind": "Pod", "apiVersion": "v1", **copy})
        tracker.tick()
        for q in namespaces:
            now = _totals(state, q)
            for k, used in _quota_used(state, q).items():
                assert used == max(first[q][k] + now[k] - start[q][k], Decimal(0)), (step, op, q, k)


def _quota_used(state: SimState, ns: str) -> dict[str, Decimal]:
    entry = state.store.entry("resourcequotas", ns, "compute-quota")
    assert entry is not None
    return {k: _q(v) for k, v in entry.obj["status"]["used"].items()}
