"""The behaviour engine: crash loops, live logs, HPA load and quotas, through the real client.

Live tests run the demo at ``time_scale=50`` and poll with bounded timeouts (no timing assertions);
the back-off schedule and determinism are checked by stepping an engine by hand on a frozen clock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import kubernetes
import pytest

from kdash.sim import SimCluster, start_sim
from kdash.sim.engine import BACKOFF_MAX, BehaviourEngine
from kdash.sim.engine_quota import canonical
from kdash.sim.logs import LogStore
from kdash.sim.scenarios import build_scenario
from kdash.sim.state import SimState
from kdash.sim.store import Store
from tests.helpers import wait_for
from tests.sim.conftest import FROZEN, client_for

TIMEOUT = 30.0


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    path = tmp_path_factory.mktemp("engine") / "kubeconfig"
    with start_sim("demo", kubeconfig_path=path, engine=True, time_scale=50) as sim:
        yield sim


@pytest.fixture(scope="module")
def core(live: SimCluster) -> Any:
    return kubernetes.client.CoreV1Api(client_for(live))


def _crashing(sim: SimCluster, prefix: str) -> tuple[str, str, int]:
    """(pod, container, restartCount) of the first CrashLoopBackOff pod whose name starts with prefix."""
    for p in sim.list("pods", "shop"):
        if not p["metadata"]["name"].startswith(prefix):
            continue
        for cs in p["status"].get("containerStatuses") or []:
            if cs.get("restartCount"):
                return p["metadata"]["name"], cs["name"], int(cs["restartCount"])
    raise AssertionError(f"no crash-looping {prefix} pod in the demo")


def _status(sim: SimCluster, pod: str, container: str) -> dict[str, Any]:
    obj = sim.get("pods", "shop", pod)
    assert obj is not None
    return next(cs for cs in obj["status"]["containerStatuses"] if cs["name"] == container)


def test_engine_is_off_by_default() -> None:
    with start_sim("empty", tls=False) as sim:
        assert sim.engine is None


def test_crash_loop_restarts_with_previous_logs_and_backoff_event(live: SimCluster, core: Any) -> None:
    pod, container, before = _crashing(live, "cart-")
    wait_for(lambda: _status(live, pod, container)["restartCount"] > before, "a cart restart")
    cs = _status(live, pod, container)
    term = cs["lastState"]["terminated"]
    assert (term["reason"], term["exitCode"]) == ("Error", 1)
    assert term["message"] == "fatal: cannot connect to redis"
    assert term["finishedAt"] >= term["startedAt"]
    assert set(cs["state"]) <= {"waiting", "running"}
    previous = core.read_namespaced_pod_log(pod, "shop", container=container, previous=True)
    assert "cannot connect to redis" in previous.splitlines()[-1]
    events = [
        e
        for e in live.list("events", "shop")
        if e["reason"] == "BackOff" and e["involvedObject"]["name"] == pod
    ]
    assert len(events) == 1  # the scenario's event is bumped, not duplicated
    assert events[0]["count"] > 31
    assert events[0]["type"] == "Warning"


def test_oomkilled_container_restarts_with_137(live: SimCluster, core: Any) -> None:
    pod, container, before = _crashing(live, "checkout-")
    wait_for(lambda: _status(live, pod, container)["restartCount"] > before, "a checkout restart")
    term = _status(live, pod, container)["lastState"]["terminated"]
    assert (term["reason"], term["exitCode"]) == ("OOMKilled", 137)
    previous = core.read_namespaced_pod_log(pod, "shop", container=container, previous=True)
    assert "OOMKilled" in previous.splitlines()[-1]


def test_watch_sees_engine_changes(live: SimCluster, core: Any) -> None:
    pod, _, _ = _crashing(live, "cart-")
    rv = str(live.resource_version)
    w = kubernetes.watch.Watch()
    seen = []
    for ev in w.stream(core.list_namespaced_pod, "shop", resource_version=rv, timeout_seconds=20):
        if ev["type"] == "MODIFIED" and ev["object"].metadata.name == pod:
            seen.append(int(ev["object"].metadata.resource_version))
            if len(seen) >= 2:
                w.stop()
    assert len(seen) >= 2 and seen == sorted(seen) and seen[0] > int(rv)


def test_follow_stream_gets_new_lines(live: SimCluster, core: Any) -> None:
    web = next(
        p["metadata"]["name"] for p in live.list("pods", "shop") if p["metadata"]["name"].startswith("web-")
    )
    got: list[str] = []

    def follow() -> None:
        resp = core.read_namespaced_pod_log(
            web,
            "shop",
            container="nginx",
            follow=True,
            tail_lines=0,
            _preload_content=False,
            _request_timeout=TIMEOUT,
        )
        buf = ""
        try:
            for chunk in resp.stream(1024):
                buf += chunk.decode()
                if buf.count("\n") >= 3:
                    break
        finally:
            resp.close()
        got.extend(buf.splitlines())

    t = threading.Thread(target=follow, daemon=True)
    t.start()
    t.join(timeout=TIMEOUT + 5)
    assert not t.is_alive()
    assert len(got) >= 3
    assert all('"GET /' in line and "HTTP/1.1" in line for line in got)


def test_hpa_metrics_move_and_deployment_follows(live: SimCluster) -> None:
    def metrics() -> Any:
        hpa = live.get("hpa", "payments", "api")
        assert hpa is not None
        return hpa["status"].get("currentMetrics")

    first = wait_for(metrics, "HPA metrics")
    wait_for(lambda: metrics() != first, "HPA metrics to change")
    hpa = live.get("hpa", "payments", "api")
    assert hpa is not None
    assert 2 <= hpa["status"]["desiredReplicas"] <= 6
    active = next(c for c in hpa["status"]["conditions"] if c["type"] == "ScalingActive")
    assert active["status"] == "True"

    def scaled_up() -> list[dict[str, Any]] | None:
        pods = [p for p in live.list("pods", "payments") if p["metadata"]["name"].startswith("api-")]
        return pods if len(pods) > 2 else None

    pods = wait_for(scaled_up, "the api deployment to scale up")
    rs_names = {ref["name"] for p in pods for ref in p["metadata"]["ownerReferences"]}
    assert len(rs_names) == 1
    rs = live.get("replicasets", "payments", rs_names.pop())
    assert rs is not None
    assert all(p["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"] for p in pods)
    assert all(p["metadata"]["labels"] == rs["spec"]["template"]["metadata"]["labels"] for p in pods)
    assert len({p["metadata"]["uid"] for p in pods}) == len(pods)

    def quota_pods() -> int:
        quota = live.get("resourcequotas", "payments", "payments-quota")
        assert quota is not None
        return int(quota["status"]["used"]["pods"])

    wait_for(lambda: quota_pods() > 8, "quota used.pods to follow the new pods")

    def consistent() -> bool:
        dep = live.get("deployments", "payments", "api")
        assert dep is not None
        n = len([p for p in live.list("pods", "payments") if p["metadata"]["name"].startswith("api-")])
        return bool(dep["status"]["replicas"] == n)

    wait_for(consistent, "deployment status to match its pods")


def test_engine_stops_cleanly(tmp_path: Path) -> None:
    threads_before = set(threading.enumerate())
    sim = start_sim("demo", kubeconfig_path=tmp_path / "kc", engine=True, time_scale=50, tls=False)
    engine = sim.engine
    assert engine is not None
    wait_for(lambda: engine.ticks > 3, "the engine to tick")
    assert engine.running
    sim.stop()
    sim.stop()
    assert not engine.running
    assert engine.errors == {}
    wait_for(lambda: set(threading.enumerate()) <= threads_before, "threads to end", timeout=10)


# ---- stepping by hand: exact back-off schedule and determinism ---------------------------------


def _frozen_engine(seed: int = 7) -> BehaviourEngine:
    state = SimState(
        store=Store(lambda: FROZEN), logs=LogStore(lambda: FROZEN), now=lambda: FROZEN, token="t"
    )
    scenario = build_scenario("demo", pods=0, now=FROZEN)
    state.store.load(scenario.objects)
    for key, (current, previous) in scenario.logs.items():
        state.logs.set_lines(key, current, previous)
    return BehaviourEngine(state, seed=seed)


def _restart_times(engine: BehaviourEngine, pod_prefix: str, until: float) -> list[float]:
    times: list[float] = []
    last = None
    while engine.sim_time < until:
        engine.step(1.0)
        for _, entry in engine.state.store.entries("pods", "shop"):
            if entry.obj["metadata"]["name"].startswith(pod_prefix):
                count = entry.obj["status"]["containerStatuses"][0]["restartCount"]
                if count:
                    if last is not None and count != last:
                        times.append(engine.sim_time)
                    last = count
                    break
    return times


def test_backoff_doubles_to_five_minutes() -> None:
    engine = _frozen_engine()
    times = _restart_times(engine, "cart-mhwmlvwft9-7kttc", 1300)
    # Adopted on the first step (t=1): 10 s back-off, then 5 s of running before each death.
    assert round(times[0]) == 16
    # Then 5 s running plus a back-off doubling from 20 s and capped at 300 s.
    waits = [round(b - a) for a, b in zip(times, times[1:], strict=False)]
    assert waits[:6] == [25, 45, 85, 165, 305, 305]
    assert BACKOFF_MAX == 300
    assert engine.errors == {}


def test_same_seed_same_logs() -> None:
    def run() -> dict[tuple[str, str, str], list[str]]:
        engine = _frozen_engine(seed=3)
        for _ in range(60):
            engine.step(1.0)
        out = {}
        for (ns, name), entry in engine.state.store.entries("pods", "shop"):
            for c in entry.obj["spec"]["containers"]:
                key = (ns, name, c["name"])
                out[key] = [t for _, t in engine.state.logs.container_log(key).current]
        return out

    first = run()
    web = next(k for k in first if k[1].startswith("web-") and k[2] == "nginx")
    assert len(first[web]) > 60  # the scenario's 60 lines plus the engine's
    assert first == run()


def test_quota_quantities_are_canonical() -> None:
    assert canonical("requests.cpu", Decimal("3.4")) == "3400m"
    assert canonical("requests.cpu", Decimal(3)) == "3"
    assert canonical("requests.memory", Decimal(6 * 2**30)) == "6Gi"
    assert canonical("requests.memory", Decimal(5632 * 2**20)) == "5632Mi"
    assert canonical("pods", Decimal(9)) == "9"
