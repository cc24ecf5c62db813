"""Incremental updates (only the change sets' objects, plus those due) equal a full pass each time.

Two engines see the same random history of API objects and clock: one gets the change sets, the
other `None` (re-examine everything) on every update. Their deltas and alerts must be identical,
including time-based alerts that fire or clear with no change to the object (the due-time heap).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kdash.alerts.config import AlertsConfig
from kdash.alerts.engine import AlertEngine
from tests.alerts.world import (
    T0,
    World,
    crash_looping,
    deployment_json,
    hpa_json,
    node_json,
    pod_json,
    quota_json,
    running_again,
)

NAMES = ["a", "b", "c", "d"]
NAMESPACES = ["shop", "data"]
CONFIG = AlertsConfig(
    restart_jump=2,
    restart_window_minutes=5,
    pending_minutes=3,
    unready_minutes=2,
    crashloop_clear_minutes=2,
    hpa_max_minutes=3,
    resolved_keep=5,
    resolved_minutes=10,
)


@st.composite
def pod_status(draw: st.DrawFn, now: Any) -> dict[str, Any]:
    restarts = draw(st.integers(0, 6))
    kind = draw(st.sampled_from(["running", "unready", "crash", "oom", "pending", "pull", "again"]))
    if kind == "running":
        return {"restartCount": restarts}
    if kind == "unready":
        return {"restartCount": restarts, "ready": False}
    if kind == "crash":
        return crash_looping(restarts)
    if kind == "oom":
        return crash_looping(restarts, reason="OOMKilled", code=137, message="out of memory")
    if kind == "pending":
        return {"phase": "Pending", "ready": False, "state": {"waiting": {"reason": "ContainerCreating"}}}
    if kind == "pull":
        return {"phase": "Pending", "ready": False, "state": {"waiting": {"reason": "ErrImagePull"}}}
    return running_again(restarts, now, ready=draw(st.booleans()))


def apply(world: World, data: st.DataObject) -> None:
    op = data.draw(
        st.sampled_from(["pod", "pod", "pod", "delete", "node", "quota", "hpa", "deploy", "scope"])
    )
    name = data.draw(st.sampled_from(NAMES))
    ns = data.draw(st.sampled_from(NAMESPACES))
    if op == "pod":
        fields = data.draw(pod_status(world.now))
        phase = fields.pop("phase", "Running")
        created = world.now if data.draw(st.booleans()) else T0
        world.put("Pod", pod_json(name, ns=ns, phase=phase, created=created, **fields))
    elif op == "delete":
        keys = sorted(world.objects)
        if keys:
            world.delete(data.draw(st.sampled_from(keys)))
    elif op == "node":
        world.put("Node", node_json(name, ready=data.draw(st.sampled_from(["True", "False", "Unknown"]))))
    elif op == "quota":
        world.put("ResourceQuota", quota_json(name, used=str(data.draw(st.integers(80, 100))), hard="100"))
    elif op == "hpa":
        world.put(
            "HorizontalPodAutoscaler",
            hpa_json(name, current=data.draw(st.integers(3, 5)), limited=data.draw(st.booleans())),
        )
    elif op == "deploy":
        world.put("Deployment", deployment_json(name, stuck=data.draw(st.booleans())))
    else:
        world.switch_namespace(data.draw(st.sampled_from([None, *NAMESPACES])))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), steps=st.integers(1, 30))
def test_incremental_updates_equal_a_full_pass(data: st.DataObject, steps: int) -> None:
    world = World()
    incremental, full = AlertEngine(CONFIG), AlertEngine(CONFIG)
    for _ in range(steps):
        for _ in range(data.draw(st.integers(0, 3))):
            apply(world, data)
        world.advance(seconds=data.draw(st.sampled_from([0, 1, 20, 60, 90, 150, 400])))
        snapshot, changes = world.publish()
        a = incremental.update(snapshot, [changes], world.now)
        b = full.update(snapshot, None, world.now)
        assert a == b
        assert incremental.open_alerts() == full.open_alerts()
        assert incremental.resolved_alerts() == full.resolved_alerts()
        assert incremental.next_due() == full.next_due()
