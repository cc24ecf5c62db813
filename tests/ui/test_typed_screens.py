"""The typed detail screens on the demo sim, through the real service and the on-demand feeds:
Node, Service (live with pod readiness), Ingress, PVC, ConfigMap and a StatefulSet's claims."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from kdash.model.meta import ObjectKey
from kdash.model.relations import node_allocation
from kdash.sim import start_sim
from kdash.ui.app import KdashApp
from kdash.ui.messages import OpenPods, OpenRow
from kdash.ui.screens.configmap import ConfigMapScreen
from kdash.ui.screens.ingress import IngressScreen
from kdash.ui.screens.node import NodeScreen
from kdash.ui.screens.pod import PodDetailScreen
from kdash.ui.screens.pvc import ClaimScreen
from kdash.ui.screens.service import ServiceScreen
from kdash.ui.screens.workload import WorkloadPodsScreen
from kdash.ui.widgets.resource_table import ResourceTable
from kdash.ui.widgets.typed_detail import TypedScreen
from tests.ui.conftest import build_app, frozen, screen_text, settle, wait_for


async def open_typed(
    pilot: Pilot[Any], key: ObjectKey, screen: type[TypedScreen], rows: int = 1
) -> TypedScreen:
    """Post what `enter` on a row about `key` posts; wait for its screen and at least `rows` rows."""
    app = pilot.app
    assert isinstance(app, KdashApp)
    await settle(pilot)
    app.post_message(OpenRow("health", key))
    await wait_for(pilot, lambda: isinstance(app.screen, screen))
    shown = app.screen
    assert isinstance(shown, TypedScreen)
    table = shown.query_one("#typed-table", ResourceTable)
    await wait_for(pilot, lambda: table.total_count >= rows and "loading" not in " ".join(screen_text(app)))
    await pilot.pause()
    return shown


def text_of(pilot: Pilot[Any]) -> str:
    return "\n".join(screen_text(pilot.app))


async def test_node_screen_shows_pressure_taints_allocated_and_its_pods(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        key = ObjectKey("Node", "", "node-3")
        screen = await open_typed(pilot, key, NodeScreen)
        text = text_of(pilot)
        assert "✗ MemoryPressure True  KubeletHasInsufficientMemory" in text
        assert "✓ Ready" in text and "✓ DiskPressure" in text
        assert "node.kubernetes.io/memory-pressure:NoSchedule" in text
        assert "Kubelet    v1.36.2" in text
        snapshot = app.session.view.snapshot
        on_node = {k for k, p in snapshot.pods.items() if p.node == "node-3"}
        assert on_node and set(screen.query_one("#typed-table", ResourceTable).visible_keys()) == on_node
        # the Allocated resources line for cpu is the pods' requests against the node's allocatable
        allocatable = demo_sim.get("nodes", None, "node-3")["status"]["allocatable"]
        cpu = next(
            a
            for a in node_allocation([snapshot.pods[k] for k in on_node], allocatable)
            if a.resource == "cpu"
        )
        assert cpu.requests > 0
        assert f"({cpu.request_percent}%)" in next(line for line in screen_text(app) if "│ cpu " in line)
        await pilot.press("enter")  # the first pod row opens the pod
        await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen))
        assert app.screen.key in on_node
        pod_key = app.screen.key
        await pilot.press("N")  # and the pod's N opens its node again, one screen deeper
        await wait_for(pilot, lambda: isinstance(app.screen, NodeScreen) and app.screen is not screen)
        assert app.screen.key == key
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen) and app.screen.key == pod_key)


async def test_service_endpoints_follow_pod_readiness() -> None:
    """shop/cart has one ready and one crash-looping pod; when the ready one fails its readiness
    probe the endpoint controller marks it not ready and the screen says so, with why."""
    sim = start_sim("demo", now=frozen)
    try:
        app = build_app(sim)
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await open_typed(pilot, ObjectKey("Service", "shop", "cart"), ServiceScreen, rows=2)
            table = screen.query_one("#typed-table", ResourceTable)
            rows = {k[0].name: table.get_row(k) for k in table.visible_keys()}
            ready = [name for name, row in rows.items() if row is not None and row.style_class is None]
            assert len(rows) == 2 and len(ready) == 1
            assert "1/2 endpoints ready" in text_of(pilot)
            assert "cart: CrashLoopBackOff" in text_of(pilot)
            assert "shop  shop.example.com/api/cart" in text_of(pilot)  # the Ingress routing here

            def unready(pod: dict[str, Any]) -> None:
                for cond in pod["status"]["conditions"]:
                    if cond["type"] in ("Ready", "ContainersReady"):
                        cond["status"] = "False"
                for status in pod["status"]["containerStatuses"]:
                    status["ready"] = False

            sim.update("pods", "shop", ready[0], unready)
            assert sim.sync_endpoints() > 0
            # the EndpointSlice and the pod arrive on separate watches: wait for both
            await wait_for(pilot, lambda: "0/2 endpoints ready" in text_of(pilot))
            await wait_for(
                pilot, lambda: "cart: readiness probe failing (GET /healthz :8080)" in text_of(pilot)
            )
    finally:
        sim.stop()


async def test_ingress_marks_the_backend_whose_service_does_not_exist(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_typed(pilot, ObjectKey("Ingress", "shop", "search"), IngressScreen)
        table = screen.query_one("#typed-table", ResourceTable)
        await wait_for(pilot, lambda: "service search does not exist" in text_of(pilot))
        (row,) = [table.get_row(k) for k in table.visible_keys()]
        assert row is not None and row.style_class == "error"
        assert "1 broken backend" in text_of(pilot)
        await pilot.press("escape")
        screen = await open_typed(pilot, ObjectKey("Ingress", "shop", "shop"), IngressScreen, rows=2)
        text = text_of(pilot)
        assert "shop.example.com  secret web-tls" in text and "all 2 backends exist" in text
        assert "does not exist" not in text
        await pilot.press("enter")  # the first route's backend: Service shop/web
        await wait_for(pilot, lambda: isinstance(app.screen, ServiceScreen))
        assert app.screen.key == ObjectKey("Service", "shop", "web")


async def test_pvc_screen_shows_its_volume_and_the_pods_mounting_it(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        key = ObjectKey("PersistentVolumeClaim", "monitoring", "prometheus-data")
        screen = await open_typed(pilot, key, ClaimScreen)
        claim = demo_sim.get("persistentvolumeclaims", "monitoring", "prometheus-data")
        volume = demo_sim.get("persistentvolumes", None, claim["spec"]["volumeName"])
        await wait_for(pilot, lambda: volume["metadata"]["name"] in text_of(pilot))
        text = text_of(pilot)
        assert f"Reclaim    {volume['spec']['persistentVolumeReclaimPolicy']}" in text
        assert "50Gi  ReadWriteOnce" in text
        mounting = [
            p["metadata"]["name"]
            for p in demo_sim.list("pods", "monitoring")
            if any(
                v.get("persistentVolumeClaim", {}).get("claimName") == "prometheus-data"
                for v in p["spec"].get("volumes", [])
            )
        ]
        table = screen.query_one("#typed-table", ResourceTable)
        assert mounting and [k.name for k in table.visible_keys()] == mounting
        await pilot.press("escape")
        await open_typed(pilot, ObjectKey("PersistentVolumeClaim", "shop", "uploads"), ClaimScreen, rows=0)
        await wait_for(pilot, lambda: "not bound yet" in text_of(pilot))
        assert "Pending" in text_of(pilot) and "no pod mounts this claim" in text_of(pilot)


async def test_configmap_lists_the_workloads_reading_it(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_typed(pilot, ObjectKey("ConfigMap", "shop", "cart-env"), ConfigMapScreen)
        table = screen.query_one("#typed-table", ResourceTable)
        assert table.visible_keys() == [ObjectKey("Deployment", "shop", "cart")]
        text = text_of(pilot)
        assert (
            "envFrom in cart" in text and "REDIS_URL" in text and "redis://" not in text
        )  # keys, not values
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
        await pilot.press("escape")
        await pilot.press("escape")
        await open_typed(pilot, ObjectKey("ConfigMap", "shop", "legacy-flags"), ConfigMapScreen, rows=0)
        await wait_for(pilot, lambda: "read by nothing" in text_of(pilot))


async def test_statefulset_lists_its_claims_and_v_opens_the_pods_claim(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.post_message(OpenPods(ObjectKey("StatefulSet", "shop", "redis")))
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
        await wait_for(pilot, lambda: "data-redis-1  Bound" in text_of(pilot))
        assert "data-redis-0  Bound  1Gi  standard  pvc-" in text_of(pilot)
        table = app.screen.query_one(ResourceTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        assert table.move_cursor(ObjectKey("Pod", "shop", "redis-1"))
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, ClaimScreen))
        assert app.screen.key == ObjectKey("PersistentVolumeClaim", "shop", "data-redis-1")


async def test_feeds_close_when_the_screen_closes(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_typed(pilot, ObjectKey("Service", "shop", "web"), ServiceScreen)
        feeds = screen.feeds.opened()
        assert len(feeds) == 2 and not any(f.view().closed for f in feeds)  # slices, ingresses
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ServiceScreen))
        await wait_for(pilot, lambda: all(f.view().closed for f in feeds))


async def test_kind_lists_open_the_typed_screens(demo_sim: Any) -> None:
    """`:svc`, `:ing`, `:pvc`, `:cm` as a k9s user types them, then enter on a row."""
    from tests.ui.test_kinds_screens import open_kind

    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        for command, name, screen in (
            ("svc", "Service/shop/cart", ServiceScreen),
            ("ing", "Ingress/shop/search", IngressScreen),
            ("pvc", "PersistentVolumeClaim/shop/data-redis-0", ClaimScreen),
            ("cm", "ConfigMap/shop/web-config", ConfigMapScreen),
        ):
            listing = await open_kind(pilot, command)
            table = listing.filter_table
            assert table.move_cursor(next(k for k in table.visible_keys() if str(k) == name)), command
            await pilot.press("enter")
            await wait_for(pilot, lambda screen=screen: isinstance(app.screen, screen))
            assert str(app.screen.key) == name


async def test_watching_one_namespace_the_node_and_service_read_their_own_pods(demo_sim: Any) -> None:
    """With kdash watching `shop` only, node-3 still counts its kube-system and monitoring pods
    (a feed of the pods bound to it) and payments/api still shows the pods behind it."""
    app = build_app(demo_sim, start_namespace="shop")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert app.session.view.snapshot.namespace == "shop"
        on_node = {
            ObjectKey("Pod", p["metadata"]["namespace"], p["metadata"]["name"])
            for p in demo_sim.list("pods")
            if p["spec"].get("nodeName") == "node-3"
        }
        assert {k.namespace for k in on_node} > {"shop"}
        screen = await open_typed(pilot, ObjectKey("Node", "", "node-3"), NodeScreen, rows=len(on_node))
        assert set(screen.query_one("#typed-table", ResourceTable).visible_keys()) == on_node
        await pilot.press("escape")
        screen = await open_typed(pilot, ObjectKey("Service", "payments", "api"), ServiceScreen)
        table = screen.query_one("#typed-table", ResourceTable)
        await wait_for(pilot, lambda: "Running" in text_of(pilot))
        assert all(k[0].namespace == "payments" for k in table.visible_keys())
