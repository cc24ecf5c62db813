"""The HPA detail screen and the drill-downs that land on the object a row is about.

- `enter` on the HPA pane opens the HPA's detail (metrics, conditions, why it is at max), `o`
  its target; on the Health pane a pod finding opens the pod it names, an HPA finding the HPA,
  a Service finding the Service; `l` on a pod finding follows that pod's logs.
- Pure: every metric type with its selector, container or described object; the verdict for a
  missing target; the replica history keeps changes only, bounded.
- Snapshots of the detail at 80×24 and 160×48 (frozen clock, fixed port).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from textual.pilot import Pilot

from kdash.model.build.autoscaling import build_hpa
from kdash.model.meta import ObjectKey
from kdash.model.source import LogTarget
from kdash.ui.messages import OpenRow
from kdash.ui.render.findings import finding_key
from kdash.ui.render.hpa_detail import METRIC_COLUMNS, metric_row, verdict
from kdash.ui.render.hpa_history import ReplicaHistory
from kdash.ui.render.table import object_key_of
from kdash.ui.screens.hpa import HpaScreen
from kdash.ui.screens.logs import LogsScreen
from kdash.ui.screens.pod import PodDetailScreen
from kdash.ui.screens.service import ServiceScreen
from kdash.ui.screens.workload import WorkloadPodsScreen
from kdash.ui.widgets.resource_table import ResourceTable
from tests.ui.conftest import FIXED, build_app, screen_text, settle, wait_for

SnapCompare = Callable[..., bool]
FRONTEND = ObjectKey("HorizontalPodAutoscaler", "shop", "frontend")
API = ObjectKey("HorizontalPodAutoscaler", "payments", "api")


async def open_hpa(pilot: Pilot[Any], key: ObjectKey = FRONTEND) -> HpaScreen:
    """Dashboard → HPA pane → `enter` on `key` → its detail, drawn."""
    app = pilot.app
    await settle(pilot)
    if app.size.width < 100:
        await pilot.press("tab")  # the compact layout's HPA tab
    table = app.screen.query_one("#hpa ResourceTable", ResourceTable)
    await wait_for(pilot, lambda: table.row_count > 0)
    table.focus()
    assert table.move_cursor(key)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, HpaScreen) and app.screen.target is not None)
    app.clear_notifications()
    for _ in range(3):
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
    screen = app.screen
    assert isinstance(screen, HpaScreen)
    return screen


def _text(app: Any) -> str:
    return "\n".join(screen_text(app))


async def test_enter_on_an_hpa_opens_its_detail_and_o_its_target(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_hpa(pilot)
        assert screen.key == FRONTEND
        text = _text(app)
        for words in (
            "Resource",
            "cpu",
            "95%",
            "70%",
            "Utilization",
            "current 4  desired 4  min 2  max 4",
            "ScalingLimited",
            "TooManyReplicas",
            "the desired replica count is more than the maximum replica count",
            "It is at its maximum of 4 replicas and wants more",
            "Last scale  25m ago",
        ):
            assert words in text, words
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
        assert app.screen.key == ObjectKey("Deployment", "shop", "frontend")

        app.pop_screen()
        app.pop_screen()
        screen = await open_hpa(pilot, API)
        text = _text(app)
        assert "Its metrics are unavailable (FailedGetResourceMetric)" in text
        assert "<unknown>" in text and "Last scale  never" in text


async def test_findings_open_the_pod_the_hpa_or_the_service_they_are_about(demo_sim: Any) -> None:
    app = build_app(demo_sim, with_logs=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        health = app.screen.query_one("#health ResourceTable", ResourceTable)
        pods = app.source.snapshot().pods
        pod_row = next(
            k
            for k in health.visible_keys()
            if isinstance(k, tuple)
            and object_key_of(k) is not None
            and object_key_of(k).kind == "Deployment"  # type: ignore[union-attr]
            and str(k[3]).startswith("pod ")
        )
        named = ObjectKey("Pod", pod_row[1].namespace, str(pod_row[3]).split(",")[0].split()[1])
        assert named in pods
        health.focus()
        assert health.move_cursor(pod_row)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen))
        assert app.screen.key == named  # the pod, not its workload
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard)

        await pilot.press("l")  # the same finding row: that pod's logs, its container
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
        target = app.screen.target
        assert isinstance(target, LogTarget)
        assert (target.pod, target.container) == (named.name, pod_row[2])
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard)

        hpa_row = next(k for k in health.visible_keys() if object_key_of(k) == API)
        assert health.move_cursor(hpa_row)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HpaScreen))
        assert app.screen.key == API
        app.pop_screen()
        await wait_for(pilot, lambda: app.screen is app.dashboard)

        from kdash.model.findings import Finding, Severity

        service = ObjectKey("Service", "shop", "web")
        finding = Finding("svc.rule", Severity.WARNING, "Service", "shop", "web", "no ready endpoints")
        app.post_message(OpenRow("health", finding_key(finding)))
        await wait_for(pilot, lambda: isinstance(app.screen, ServiceScreen))
        assert app.screen.key == service


def _raw_hpa(metrics: list[dict[str, Any]], current: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": "HorizontalPodAutoscaler",
        "apiVersion": "autoscaling/v2",
        "metadata": {"name": "api", "namespace": "shop"},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": "api"},
            "minReplicas": 1,
            "maxReplicas": 5,
            "metrics": metrics,
        },
        "status": {"currentReplicas": 5, "desiredReplicas": 5, "currentMetrics": current},
    }


def test_every_metric_type_shows_what_it_selects_and_its_target() -> None:
    selector = {
        "matchLabels": {"queue": "orders"},
        "matchExpressions": [{"key": "env", "operator": "In", "values": ["a", "b"]}],
    }
    hpa = build_hpa(
        _raw_hpa(
            [
                {
                    "type": "ContainerResource",
                    "containerResource": {
                        "name": "cpu",
                        "container": "app",
                        "target": {"type": "Utilization", "averageUtilization": 60},
                    },
                },
                {
                    "type": "Pods",
                    "pods": {
                        "metric": {"name": "rps", "selector": {"matchLabels": {"verb": "GET"}}},
                        "target": {"type": "AverageValue", "averageValue": "10"},
                    },
                },
                {
                    "type": "Object",
                    "object": {
                        "metric": {"name": "hits"},
                        "describedObject": {"kind": "Ingress", "name": "main"},
                        "target": {"type": "Value", "value": "2k"},
                    },
                },
                {
                    "type": "External",
                    "external": {
                        "metric": {"name": "queue_depth", "selector": selector},
                        "target": {"type": "AverageValue", "averageValue": "30"},
                    },
                },
            ],
            [
                {
                    "type": "ContainerResource",
                    "containerResource": {
                        "name": "cpu",
                        "container": "app",
                        "current": {"averageUtilization": 80},
                    },
                },
                {"type": "Pods", "pods": {"metric": {"name": "rps"}, "current": {"averageValue": "12"}}},
                {"type": "Object", "object": {"metric": {"name": "hits"}, "current": {"value": "3k"}}},
                {"type": ""},
            ],
        )
    )
    labels = [c.key for c in METRIC_COLUMNS]
    rows = [
        dict(zip(labels, (c.plain for c in metric_row(API, i, m).cells), strict=True))
        for i, m in enumerate(hpa.metrics)
    ]
    assert rows[0] == {
        "type": "ContainerResource",
        "name": "cpu [app]",
        "current": "80%",
        "target": "60%",
        "target_type": "Utilization",
        "selector": "-",
    }
    assert (
        rows[1]["selector"] == "verb=GET"
        and rows[1]["current"] == "12"
        and rows[1]["target_type"] == "AverageValue"
    )
    assert (
        rows[2]["selector"] == "object Ingress/main"
        and rows[2]["target"] == "2k"
        and rows[2]["target_type"] == "Value"
    )
    assert rows[3]["selector"] == "queue=orders,env in (a,b)" and rows[3]["current"] == "<unknown>"
    style, sentence = verdict(hpa, None, True)
    assert "Deployment/api does not exist" in sentence  # the target is missing, said plainly
    _style, sentence = verdict(hpa, None, False)
    assert "no current value for queue_depth" in sentence


def test_the_replica_history_keeps_changes_only_and_stays_bounded() -> None:
    history = ReplicaHistory(ring=3)
    base = build_hpa(_raw_hpa([], []))
    from dataclasses import replace

    for step, replicas in enumerate([2, 2, 3, 3, 5, 4, 4, 6]):
        hpas = {API: replace(base, current_replicas=replicas, desired_replicas=replicas)}
        history.observe(hpas, FIXED + timedelta(minutes=step))
    points = history.points(API)
    assert [p.current for p in points] == [5, 4, 6]  # changes only, the newest three
    assert points[-1].when == FIXED + timedelta(minutes=7)


# -- snapshots -------------------------------------------------------------------------------------


def test_hpa_detail_80x24(snap_compare: SnapCompare, snap_sim: Any) -> None:
    assert snap_compare(build_app(snap_sim), terminal_size=(80, 24), run_before=open_hpa)


def test_hpa_detail_160x48(snap_compare: SnapCompare, snap_sim: Any) -> None:
    assert snap_compare(build_app(snap_sim), terminal_size=(160, 48), run_before=open_hpa)
