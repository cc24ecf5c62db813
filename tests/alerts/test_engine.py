"""The alert engine on hand-built API objects and a manual clock (tests/alerts/world.py)."""

from __future__ import annotations

from datetime import timedelta

from kdash.alerts.config import AlertsConfig
from kdash.alerts.engine import AlertEngine
from kdash.alerts.model import AlertDelta, AlertSeverity
from kdash.model.meta import ObjectKey
from tests.alerts.world import (
    NS,
    T0,
    World,
    crash_looping,
    deployment_json,
    hpa_json,
    node_json,
    pod_json,
    quota_json,
    running_again,
    stamp,
)


def step(engine: AlertEngine, world: World) -> AlertDelta:
    snapshot, changes = world.publish()
    return engine.update(snapshot, [changes], world.now)


def ids(alerts: object) -> list[str]:
    return [a.id for a in alerts]  # type: ignore[attr-defined]


def test_a_crash_loop_opens_one_alert_counts_repeats_and_resolves_on_recovery() -> None:
    world, engine = World(), AlertEngine()
    world.put("Pod", pod_json("cart-1"))
    assert step(engine, world).empty
    world.advance(minutes=1)
    world.put("Pod", pod_json("cart-1", **crash_looping(1, message="fatal: cannot connect to redis")))
    delta = step(engine, world)
    assert ids(delta.opened) == ["CrashLoopBackOff:Pod/shop/cart-1/app"]
    alert = delta.opened[0]
    assert (alert.severity, alert.count, alert.container, alert.exit_code) == (
        AlertSeverity.ERROR,
        1,
        "app",
        1,
    )
    assert "cannot connect to redis" in alert.message and alert.first_seen == world.now
    # between back-offs the container runs for seconds, not Ready: still the same open alert
    for restarts in (2, 3):
        world.advance(seconds=20)
        world.put("Pod", pod_json("cart-1", **running_again(restarts - 1, world.now)))
        assert step(engine, world).opened == ()
        world.advance(seconds=5)
        world.put("Pod", pod_json("cart-1", **crash_looping(restarts)))
        delta = step(engine, world)
        assert delta.opened == () and delta.resolved == ()
        assert [(a.id, a.count) for a in delta.updated] == [
            ("CrashLoopBackOff:Pod/shop/cart-1/app", restarts)
        ]
    assert [a.count for a in engine.open_alerts()] == [3]
    # the fix is deployed: the container runs; after crashloop_clear_minutes it counts as recovered,
    # although nothing about the pod changes any more (the due-time heap wakes it)
    world.advance(seconds=10)
    world.put("Pod", pod_json("cart-1", **running_again(3, world.now, ready=True)))
    assert step(engine, world).resolved == ()  # Ready at once, as a container without a probe is
    world.advance(minutes=4)
    assert step(engine, world).resolved == ()
    world.advance(minutes=1)
    delta = step(engine, world)
    assert ids(delta.resolved) == ["CrashLoopBackOff:Pod/shop/cart-1/app"]
    assert delta.resolved[0].resolved_at == world.now and delta.resolved[0].resolution == "cleared"
    assert engine.open_alerts() == [] and ids(engine.resolved_alerts()) == ids(delta.resolved)
    board = engine.board()
    assert board.open == () and ids(board.resolved) == ids(delta.resolved) and board.worst is None


def test_a_crash_loop_that_recovers_and_loops_again_reopens_the_same_id() -> None:
    world, engine = World(), AlertEngine(AlertsConfig(crashloop_clear_minutes=0))
    world.put("Pod", pod_json("cart-1", **crash_looping(4)))
    assert len(step(engine, world).opened) == 1
    world.advance(seconds=30)
    world.put("Pod", pod_json("cart-1", **running_again(4, world.now, ready=True)))
    assert ids(step(engine, world).resolved) == ["CrashLoopBackOff:Pod/shop/cart-1/app"]
    world.advance(minutes=30)
    world.put("Pod", pod_json("cart-1", **crash_looping(5)))
    delta = step(engine, world)
    assert ids(delta.opened) == ["CrashLoopBackOff:Pod/shop/cart-1/app"] and delta.opened[0].count == 1
    assert engine.resolved_alerts() == []  # one row per id: the reopened alert replaces the old one


def test_oomkilled_carries_the_termination_message_and_exit_code() -> None:
    world, engine = World(), AlertEngine()
    world.put(
        "Pod",
        pod_json(
            "api-1", **crash_looping(2, reason="OOMKilled", code=137, message="heap: 512 MiB of 512 MiB")
        ),
    )
    oom = next(a for a in step(engine, world).opened if a.condition == "OOMKilled")
    assert oom.id == "OOMKilled:Pod/shop/api-1/app"
    assert (oom.exit_code, oom.termination_message) == (137, "heap: 512 MiB of 512 MiB")
    assert "exit code 137" in oom.message and "memory limit 128Mi" in oom.message
    assert oom.to_json()["termination_message"] == "heap: 512 MiB of 512 MiB"
    assert oom.to_json()["exit_code"] == 137


def test_pending_fires_on_time_without_a_change_to_the_pod() -> None:
    world, engine = World(), AlertEngine(AlertsConfig(pending_minutes=5))
    world.put(
        "Pod",
        pod_json(
            "batch-1",
            phase="Pending",
            created=T0,
            ready=False,
            state={"waiting": {"reason": "ContainerCreating"}},
        ),
    )
    assert step(engine, world).empty
    assert engine.next_due() == T0 + timedelta(minutes=5)
    world.advance(minutes=4, seconds=59)
    assert step(engine, world).empty
    world.advance(seconds=1)
    delta = step(engine, world)  # no change set entry for the pod: the heap woke it
    assert ids(delta.opened) == ["PodPending:Pod/shop/batch-1"]
    assert engine.last_examined == 1
    assert delta.opened[0].severity is AlertSeverity.WARNING
    world.advance(seconds=30)
    world.put("Pod", pod_json("batch-1", created=T0))
    assert ids(step(engine, world).resolved) == ["PodPending:Pod/shop/batch-1"]


def test_unready_fires_after_its_threshold() -> None:
    world, engine = World(), AlertEngine(AlertsConfig(unready_minutes=2))
    world.put("Pod", pod_json("web-1", ready=False))
    assert step(engine, world).empty
    world.advance(minutes=2)
    assert ids(step(engine, world).opened) == ["PodUnready:Pod/shop/web-1"]


def test_quota_at_95_percent_of_a_hard_limit() -> None:
    world, engine = World(), AlertEngine()
    world.put("ResourceQuota", quota_json("compute", used="1880m", hard="2"))  # 94 %
    assert step(engine, world).empty
    world.put("ResourceQuota", quota_json("compute", used="1900m", hard="2"))  # 95 %
    delta = step(engine, world)
    assert ids(delta.opened) == ["QuotaNearLimit:ResourceQuota/shop/compute"]
    assert "requests.cpu 95% (1900m of 2)" in delta.opened[0].message
    world.put("ResourceQuota", quota_json("compute", used="1", hard="2"))
    assert ids(step(engine, world).resolved) == ["QuotaNearLimit:ResourceQuota/shop/compute"]


def test_node_not_ready_and_deletion_resolves() -> None:
    world, engine = World(), AlertEngine()
    key = world.put("Node", node_json("worker-2"))
    assert step(engine, world).empty
    world.put("Node", node_json("worker-2", ready="Unknown", message="Kubelet stopped posting node status."))
    delta = step(engine, world)
    assert ids(delta.opened) == ["NodeNotReady:Node/worker-2"]
    assert "Kubelet stopped posting node status." in delta.opened[0].message
    world.delete(key)
    delta = step(engine, world)
    assert ids(delta.resolved) == ["NodeNotReady:Node/worker-2"] and delta.resolved[0].resolution == "deleted"


def test_one_alert_per_object_and_condition_however_often_it_is_seen() -> None:
    world, engine = World(), AlertEngine()
    world.put("Pod", pod_json("cart-1", **crash_looping(3)))
    world.put("Pod", pod_json("cart-2", **crash_looping(3)))
    assert len(step(engine, world).opened) == 2
    for _ in range(5):  # the same status published again (a resync): nothing new, nothing counted
        world.put("Pod", pod_json("cart-1", **crash_looping(3)))
        world.advance(seconds=1)
        assert step(engine, world).empty
    assert [(a.key.name, a.count) for a in engine.open_alerts()] == [("cart-1", 1), ("cart-2", 1)]
    assert engine.board().open_count == 2 and engine.board().worst is AlertSeverity.ERROR
    assert engine.board() is engine.board()  # rebuilt only after a change


def test_restart_jump_within_the_window_then_it_ages_out() -> None:
    world, engine = (
        World(),
        AlertEngine(
            AlertsConfig(restart_jump=3, restart_window_minutes=10, disable=frozenset({"CrashLoopBackOff"}))
        ),
    )
    world.put("Pod", pod_json("web-1", restartCount=40))  # restarts before kdash looked: no jump
    assert step(engine, world).empty
    for n in (41, 42):
        world.advance(minutes=1)
        world.put("Pod", pod_json("web-1", restartCount=n))
        assert step(engine, world).empty
    world.advance(minutes=1)
    world.put("Pod", pod_json("web-1", restartCount=43))
    delta = step(engine, world)
    assert ids(delta.opened) == ["RestartJump:Pod/shop/web-1/app"]
    assert "restarted 3 times within 10 min" in delta.opened[0].message
    world.advance(minutes=7)  # the restart to 41 is 9 min old: the window still holds 3 restarts
    assert step(engine, world).empty
    world.advance(minutes=1)
    assert ids(step(engine, world).resolved) == ["RestartJump:Pod/shop/web-1/app"]


def test_image_pull_rollout_stuck_and_hpa_at_max() -> None:
    world, engine = World(), AlertEngine(AlertsConfig(hpa_max_minutes=10))
    world.put(
        "Pod",
        pod_json(
            "web-2",
            phase="Pending",
            ready=False,
            state={
                "waiting": {"reason": "ImagePullBackOff", "message": 'Back-off pulling image "shop/web:9"'}
            },
        ),
    )
    world.put("Deployment", deployment_json("web", stuck=True))
    world.put("HorizontalPodAutoscaler", hpa_json("web", current=5, maximum=5))
    world.put("HorizontalPodAutoscaler", hpa_json("api", current=5, maximum=5, limited=True))
    delta = step(engine, world)
    assert ids(delta.opened) == [
        "HpaAtMax:HorizontalPodAutoscaler/shop/api",
        "ImagePull:Pod/shop/web-2/app",
        "RolloutStuck:Deployment/shop/web",
    ]
    assert (
        "ProgressDeadlineExceeded" in next(a for a in delta.opened if a.condition == "RolloutStuck").message
    )
    world.advance(minutes=10)  # "web" has been at its maximum for 10 minutes now
    assert ids(step(engine, world).opened) == ["HpaAtMax:HorizontalPodAutoscaler/shop/web"]
    world.put("HorizontalPodAutoscaler", hpa_json("web", current=3, maximum=5))
    assert ids(step(engine, world).resolved) == ["HpaAtMax:HorizontalPodAutoscaler/shop/web"]


def test_pending_with_an_image_pull_failure_is_one_alert_not_two() -> None:
    world, engine = World(), AlertEngine()
    world.put(
        "Pod", pod_json("web-2", phase="Pending", ready=False, state={"waiting": {"reason": "ErrImagePull"}})
    )
    step(engine, world)
    world.advance(minutes=30)
    assert step(engine, world).empty
    assert ids(engine.open_alerts()) == ["ImagePull:Pod/shop/web-2/app"]


def test_disabled_conditions_never_fire() -> None:
    world, engine = World(), AlertEngine(AlertsConfig(disable=frozenset({"CrashLoopBackOff", "OOMKilled"})))
    world.put("Pod", pod_json("api-1", **crash_looping(2, reason="OOMKilled", code=137)))
    assert step(engine, world).empty


def test_a_namespace_switch_drops_out_of_scope_alerts_without_resolving_them() -> None:
    world, engine = World(), AlertEngine()
    world.put("Pod", pod_json("cart-1", **crash_looping(3)))
    world.put("Pod", pod_json("db-1", ns="data", **crash_looping(3)))
    world.put("Node", node_json("worker-2", ready="False"))
    assert len(step(engine, world).opened) == 3
    world.switch_namespace(NS)
    delta = step(engine, world)
    assert delta.resolved == () and ids(delta.dropped) == ["CrashLoopBackOff:Pod/data/db-1/app"]
    assert engine.last_full
    assert sorted(a.key.name for a in engine.open_alerts()) == ["cart-1", "worker-2"]


def test_an_update_examines_only_the_changed_objects() -> None:
    world, engine = World(), AlertEngine()
    for n in range(200):
        world.put("Pod", pod_json(f"web-{n}"))
    step(engine, world)
    assert engine.last_full and engine.last_examined == 200
    world.put("Pod", pod_json("web-7", **crash_looping(1)))
    assert len(step(engine, world).opened) == 1
    assert not engine.last_full and engine.last_examined == 1


def test_recently_resolved_alerts_are_bounded_in_number_and_time() -> None:
    world, engine = World(), AlertEngine(AlertsConfig(resolved_keep=3, resolved_minutes=30))
    keys = [world.put("Pod", pod_json(f"cart-{n}", **crash_looping(1))) for n in range(5)]
    step(engine, world)
    for key in keys:
        world.delete(key)
        world.advance(minutes=1)
        step(engine, world)
    assert [a.key.name for a in engine.resolved_alerts()] == ["cart-4", "cart-3", "cart-2"]
    world.advance(minutes=30)  # cart-4 was resolved exactly 30 min ago, cart-3 31 min ago
    step(engine, world)
    assert [a.key.name for a in engine.resolved_alerts()] == ["cart-4"]


def test_opened_and_resolved_in_one_update_is_reported_as_nothing() -> None:
    world, engine = World(), AlertEngine()
    key = world.put("Pod", pod_json("cart-1"))
    step(engine, world)
    world.put("Pod", pod_json("cart-1", **crash_looping(1)))
    snap1, c1 = world.publish()
    world.delete(key)
    snap2, c2 = world.publish()
    assert engine.update(snap2, [c1, c2], world.now).empty
    assert snap1.generation < snap2.generation and ObjectKey("Pod", NS, "cart-1") not in snap2.pods
    assert stamp(world.now)
