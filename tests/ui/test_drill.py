"""Drill-down screens against the simulated demo cluster: workload → pods → pod detail → YAML.

Each test drives the real screens over a real ClusterService talking to the in-process simulator
with a frozen clock. Waits poll for a state (never a duration), so a slow machine only makes them
slower, not flaky.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, Literal

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from kdash.model.meta import ObjectKey
from kdash.sim.scenarios import builders as b
from kdash.ui.app import KdashApp
from kdash.ui.render.table import object_key_of
from kdash.ui.screens.hpa import HpaScreen
from kdash.ui.screens.logs import LogsScreen
from kdash.ui.screens.pod import PodDetailScreen
from kdash.ui.screens.pods_list import PodListScreen, heaviest_pods
from kdash.ui.screens.workload import WorkloadPodsScreen
from kdash.ui.screens.yaml_view import ObjectYamlScreen
from kdash.ui.widgets.resource_table import ResourceTable
from tests.ui.conftest import FIXED, build_app, screen_text, settle, wait_for


def render_text(renderable: Any, width: int = 160) -> str:
    """A renderable as the plain text a terminal of `width` columns would show (whole sections,
    including the parts scrolled out of view)."""
    with open(os.devnull, "w") as sink:
        console = Console(width=width, record=True, color_system=None, file=sink)
        console.print(renderable)
    return console.export_text()


@contextlib.asynccontextmanager
async def drill_app(
    sim: Any, size: tuple[int, int] = (140, 50)
) -> AsyncIterator[tuple[KdashApp, Pilot[Any], Any]]:
    """The real app over a real ClusterService on `sim`, synced and scored."""
    app = build_app(sim)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield app, pilot, app.source


def _demo_pod(service: Any, namespace: str, prefix: str, status: str | None = None) -> ObjectKey:
    pods = sorted(
        k
        for k, p in service.snapshot().pods.items()
        if k.namespace == namespace
        and k.name.startswith(prefix)
        and (status is None or p.status_text == status)
    )
    assert pods, f"no {prefix}* pod in {namespace}"
    first: ObjectKey = pods[0]
    return first


def section(app: KdashApp, section_id: str) -> str:
    return render_text(app.screen.query_one(f"#pod-{section_id}", Static).content)


async def test_workload_pods_enter_detail_and_back_restores_cursor(demo_sim: Any) -> None:
    """Dashboard → workload → pods → pod detail, and `esc` twice back with the cursors where they were."""
    async with drill_app(demo_sim) as (app, pilot, _service):
        web = ObjectKey("Deployment", "shop", "web")
        workloads = app.screen.query_one("#workloads ResourceTable", ResourceTable)
        workloads.focus()
        row = next(k for k in workloads.visible_keys() if object_key_of(k) == web)
        assert workloads.move_cursor(row)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
        table = app.screen.query_one(ResourceTable)
        await wait_for(pilot, lambda: table.row_count == 3)
        summary = render_text(app.screen.query_one("#workload-summary", Static).content)
        assert "Deployment" in summary
        assert "nginx:1.25" in summary
        await pilot.press("down", "down")
        chosen = table.cursor_key
        assert table.cursor_row == 2
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen))
        assert isinstance(app.screen, PodDetailScreen)
        assert app.screen.key == chosen
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
        assert app.screen.query_one(ResourceTable).cursor_key == chosen
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard)
        assert workloads.cursor_key == row


async def test_crashloop_pod_shows_last_termination_and_warning_events(demo_sim: Any) -> None:
    async with drill_app(demo_sim) as (app, pilot, service):
        key = _demo_pod(service, "shop", "cart-", "CrashLoopBackOff")
        await app.push_screen(PodDetailScreen(app.session, key))
        await wait_for(pilot, lambda: "CrashLoopBackOff" in section(app, "containers"))
        containers = section(app, "containers")
        assert "Waiting: CrashLoopBackOff" in containers
        assert "Terminated: Error, exit code 1" in containers
        assert "fatal: cannot connect to redis" in containers
        assert "restarts 7" in containers
        events = section(app, "events")
        first = events.strip().splitlines()[0]
        assert first.startswith("Warning")
        assert "BackOff" in first
        assert "Back-off restarting failed container" in first
        owners = section(app, "owners")
        assert "ReplicaSet" in owners
        assert "Deployment cart" in owners
        await wait_for(pilot, lambda: "pod-crashloop" in section(app, "findings"))
        findings = section(app, "findings")
        assert "why" in findings
        assert "fix" in findings


async def test_init_containers_in_order_with_state(demo_sim: Any) -> None:
    async with drill_app(demo_sim) as (app, pilot, service):
        key = _demo_pod(service, "payments", "ledger-")
        await app.push_screen(PodDetailScreen(app.session, key))
        await wait_for(pilot, lambda: "wait-db" in section(app, "init"))
        lines = [line for line in section(app, "init").splitlines() if line.strip()]
        assert lines[0].startswith("1.")
        assert "wait-db" in lines[0]
        assert "Terminated: Completed, exit code 0" in lines[0]
        assert lines[1].startswith("2.")
        assert "migrate" in lines[1]
        assert "Running" in lines[1]
        assert "Waiting: PodInitializing" in section(app, "containers")


async def test_yaml_view_shows_the_object_without_managed_fields(demo_sim: Any) -> None:
    async with drill_app(demo_sim) as (app, pilot, service):
        key = _demo_pod(service, "shop", "web-")
        await app.push_screen(PodDetailScreen(app.session, key))
        await pilot.press("y")
        await wait_for(
            pilot, lambda: isinstance(app.screen, ObjectYamlScreen) and app.screen.text is not None
        )
        screen = app.screen
        assert isinstance(screen, ObjectYamlScreen)
        body = render_text(screen.query_one("#yaml-body", Static).content, width=400)
        assert "kind: Pod" in body
        assert f"name: {key.name}" in body
        assert "nginx:1.25" in body
        assert "managedFields" not in body
        await pilot.press("slash")
        await pilot.press(*"containerport", "enter")
        assert screen.matches
        assert screen.current == 0
        await pilot.press("n")
        assert screen.current == 1 % len(screen.matches)
        await pilot.press("N")
        assert screen.current == 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen))


async def test_describe_view_lists_identity_and_events(demo_sim: Any) -> None:
    async with drill_app(demo_sim) as (app, pilot, service):
        key = _demo_pod(service, "shop", "cart-", "CrashLoopBackOff")
        await app.push_screen(ObjectYamlScreen(service, key, "describe"))
        await wait_for(
            pilot, lambda: isinstance(app.screen, ObjectYamlScreen) and app.screen.text is not None
        )
        assert isinstance(app.screen, ObjectYamlScreen)
        body = render_text(app.screen.query_one("#yaml-body", Static).content, width=400)
        assert f"Name:         {key.name}" in body
        assert "Controlled By:" in body
        assert "ReplicaSet/cart-" in body
        assert "Warning  BackOff" in body


async def test_secrets_are_never_fetched(demo_sim: Any) -> None:
    async with drill_app(demo_sim) as (app, pilot, service):
        demo_sim.clear_audit()
        secret = ObjectKey("Secret", "shop", "db-password")
        await app.push_screen(ObjectYamlScreen(service, secret, "yaml"))
        await wait_for(
            pilot, lambda: isinstance(app.screen, ObjectYamlScreen) and app.screen.error is not None
        )
        assert isinstance(app.screen, ObjectYamlScreen)
        body = render_text(app.screen.query_one("#yaml-body", Static).content)
        assert "kdash does not read Secrets" in body
        assert not [e for e in demo_sim.audit if "secrets" in e.get("path", "")]


HOSTILE = "[@click=app.quit]x[/] [/bold] \x1b]52;c;cGF5bG9hZA==\x07\x1b[2J[bold]y[/]"


async def test_hostile_strings_render_literally(demo_sim: Any) -> None:
    ns, name = "shop", "evil-[bold]pod[/]"
    containers = [b.container("app", "busybox:1.36", port=None)]
    init = [b.container("wait-[/]", "busybox:1.36", port=None)]
    p = b.pod(ns, name, containers, now=FIXED, age=timedelta(minutes=30), labels={"app": "[red]x"}, init=init)
    b.crash_loop(
        p, "app", now=FIXED, restarts=3, message=HOSTILE + "\nsecond line [link=https://evil]x[/link]"
    )
    p["metadata"]["annotations"] = {"note": "[bold]x[/]"}
    demo_sim.apply(p)
    demo_sim.apply({
        "kind": "Event", "apiVersion": "v1",
        "metadata": {"name": f"{name}.hostile", "namespace": ns, "creationTimestamp": "2026-11-29T11:50:00Z"},
        "involvedObject": {"kind": "Pod", "namespace": ns, "name": name, "apiVersion": "v1"},
        "reason": "[@click=app.quit]Boom", "message": HOSTILE, "type": "Warning", "count": 2,
        "firstTimestamp": "2026-11-29T11:50:00Z", "lastTimestamp": "2026-11-29T11:59:00Z",
    })  # fmt: skip
    key = ObjectKey("Pod", ns, name)
    async with drill_app(demo_sim) as (app, pilot, service):
        await wait_for(pilot, lambda: key in service.snapshot().pods)
        await app.push_screen(PodDetailScreen(app.session, key))
        await wait_for(pilot, lambda: "[@click=app.quit]Boom" in section(app, "events"))
        screen = app.screen
        title = render_text(screen.query_one("#pod-title", Static).content)
        assert "evil-[bold]pod[/]" in title
        shown = section(app, "containers")
        assert "[@click=app.quit]x[/] [/bold] [bold]y[/]" in shown
        assert "[link=https://evil]x[/link]" in shown
        assert "\x1b" not in shown
        assert "52;c;" not in shown
        assert "wait-[/]" in section(app, "init")
        assert "\x1b" not in section(app, "events")
        svg = app.export_screenshot()  # the real compositor path: must not raise
        assert "evil-[bold]pod[/]" in svg.replace("&#160;", " ")
        assert app.is_running


async def test_hostile_values_in_yaml_view_stay_literal(demo_sim: Any) -> None:
    """API names cannot hold brackets, but labels, annotations and messages can."""
    ns, name = "shop", "hostile-yaml"
    p = b.pod(ns, name, [b.container("app", "busybox:1.36", port=None)], now=FIXED, age=timedelta(minutes=30),
              labels={"app": "x"})  # fmt: skip
    b.crash_loop(p, "app", now=FIXED, restarts=1, message=HOSTILE)
    p["metadata"]["annotations"] = {"note": "[bold]x[/]", "click": "[@click=app.quit]q"}
    demo_sim.apply(p)
    key = ObjectKey("Pod", ns, name)
    async with drill_app(demo_sim) as (app, pilot, service):
        modes: tuple[Literal["yaml", "describe"], ...] = ("yaml", "describe")
        for mode in modes:
            await app.push_screen(ObjectYamlScreen(service, key, mode))
            await wait_for(
                pilot, lambda: isinstance(app.screen, ObjectYamlScreen) and app.screen.text is not None
            )
            assert isinstance(app.screen, ObjectYamlScreen)
            body = render_text(app.screen.query_one("#yaml-body", Static).content, width=400)
            assert "[bold]x[/]" in body
            assert "[@click=app.quit]q" in body
            assert "\x1b" not in body
            app.export_screenshot()
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, ObjectYamlScreen))
        assert app.is_running


async def test_pod_detail_follows_restarts_and_deletion(demo_sim: Any) -> None:
    ns, name = "shop", "live-pod"
    demo_sim.apply(b.pod(ns, name, [b.container("app", "nginx:1.25")], now=FIXED, age=timedelta(hours=1),
                         labels={"app": "live"}))  # fmt: skip
    key = ObjectKey("Pod", ns, name)
    async with drill_app(demo_sim) as (app, pilot, service):
        await wait_for(pilot, lambda: key in service.snapshot().pods)
        await app.push_screen(PodDetailScreen(app.session, key))
        await wait_for(pilot, lambda: "restarts 0" in section(app, "containers"))
        demo_sim.restart_container(
            ns, name, "app", reason="OOMKilled", exit_code=137, message="out of memory"
        )
        await wait_for(pilot, lambda: "restarts 1" in section(app, "containers"))
        assert "Terminated: OOMKilled, exit code 137" in section(app, "containers")
        demo_sim.delete("pods", ns, name)
        await wait_for(pilot, lambda: "deleted" in section(app, "summary"))
        title = render_text(app.screen.query_one("#pod-title", Static).content)
        assert "deleted" in title
        assert "OOMKilled" in section(app, "containers")  # the last known state stays
        await app.push_screen(PodDetailScreen(app.session, ObjectKey("Pod", ns, "never-existed")))
        assert "deleted" in section(app, "summary")
        await app.push_screen(WorkloadPodsScreen(app.session, ObjectKey("Deployment", ns, "gone")))
        assert "deleted" in render_text(app.screen.query_one("#workload-summary", Static).content)
        await settle(pilot)  # let the app finish rendering before it shuts down


async def test_quota_heaviest_pods_list(demo_sim: Any) -> None:
    async with drill_app(demo_sim) as (app, pilot, service):
        quota = ObjectKey("ResourceQuota", "payments", "payments-quota")
        await wait_for(pilot, lambda: quota in service.snapshot().quotas)
        await app.push_screen(PodListScreen.heaviest(app.session, quota))
        table = app.screen.query_one(ResourceTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        keys = table.visible_keys()
        assert isinstance(keys[0], ObjectKey)
        assert keys[0].name.startswith("fraud-model-")
        assert all(isinstance(k, ObjectKey) and k.namespace == "payments" for k in keys)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen))
        assert isinstance(app.screen, PodDetailScreen)
        assert app.screen.key == keys[0]


async def test_logs_and_previous_logs_from_pod_detail(demo_sim: Any) -> None:
    """`p` and `l` on a crash-looping pod open the real log view on the sim's previous/current logs."""
    app = build_app(demo_sim, with_logs=True)
    async with app.run_test(size=(140, 50)) as pilot:
        await settle(pilot)
        key = _demo_pod(app.source, "shop", "cart-", "CrashLoopBackOff")
        detail = PodDetailScreen(app.session, key)
        await app.push_screen(detail)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
        assert isinstance(app.screen, LogsScreen)
        target = app.screen.target
        assert (target.namespace, target.pod, target.container) == ("shop", key.name, "cart")
        assert target.previous
        # the previous container's last words, fetched over HTTP from the simulated kubelet
        await wait_for(pilot, lambda: any("cannot connect to redis" in line for line in screen_text(app)))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
        assert isinstance(app.screen, LogsScreen)
        assert not app.screen.target.previous
        assert app.screen.target.container == "cart"
        await pilot.press("escape")


def test_heaviest_pods_orders_by_share_of_the_quota_resources() -> None:
    from dataclasses import replace

    from kdash.model.meta import Meta
    from kdash.model.pods import ContainerSpec, PodRecord, PodSpecSummary
    from kdash.model.snapshot import ClusterSnapshot

    def pod(name: str, cpu: str, memory: str, phase: str = "Running", init_cpu: str = "") -> PodRecord:
        spec = PodSpecSummary(
            containers=(ContainerSpec("c", "img", requests={"cpu": cpu, "memory": memory}),),
            init_containers=(ContainerSpec("i", "img", requests={"cpu": init_cpu}),) if init_cpu else (),
        )
        return PodRecord(Meta("Pod", "ns", name), phase=phase, spec=spec)

    pods = [
        pod("small", "100m", "64Mi"),
        pod("cpu-heavy", "2", "64Mi"),
        pod("mem-heavy", "100m", "4Gi"),
        pod("done", "8", "8Gi", phase="Succeeded"),
        pod("init-heavy", "100m", "64Mi", init_cpu="3"),
    ]
    snap = replace(ClusterSnapshot(), pods={p.meta.key: p for p in pods})
    order = [k.name for k in heaviest_pods(snap, "ns", ["requests.cpu", "requests.memory", "pods"])]
    assert order == ["mem-heavy", "init-heavy", "cpu-heavy", "small"]
    by_name = [k.name for k in heaviest_pods(snap, "ns", ["pods"])]
    assert by_name == ["cpu-heavy", "init-heavy", "mem-heavy", "small"]


def test_crash_log_section_keeps_hostile_lines_literal() -> None:
    from kdash.model.pods import RestartRecord
    from kdash.ui.widgets.detail_sections import crash_logs_section

    assert crash_logs_section([RestartRecord("ns", "p", "app", 3, "Running")]) is None
    record = RestartRecord(
        "ns", "p", "app", 3, "CrashLoopBackOff", last_reason="Error", crash_log=("ok", HOSTILE, "[/bold] end")
    )
    text = render_text(crash_logs_section([record]))
    assert "app  restart 3  Error" in text
    assert "[@click=app.quit]x[/] [/bold] [bold]y[/]" in text
    assert "[/bold] end" in text
    assert "\x1b" not in text


async def test_hpa_quota_and_restart_rows_drill_from_the_dashboard(demo_sim: Any) -> None:
    """HPA → its detail, quota → heaviest pods, restart row → the pod; `esc` back each time."""
    async with drill_app(demo_sim, size=(160, 50)) as (app, pilot, _service):
        expected = {
            "hpa": (ObjectKey("HorizontalPodAutoscaler", "shop", "frontend"), HpaScreen),
            "quotas": (ObjectKey("ResourceQuota", "payments", "payments-quota"), PodListScreen),
            "restarts": (None, PodDetailScreen),
        }
        for pane, (key, screen_type) in expected.items():
            table = app.screen.query_one(f"#{pane} ResourceTable", ResourceTable)
            table.focus()
            row = next(k for k in table.visible_keys() if key is None or object_key_of(k) == key)
            assert table.move_cursor(row)
            await pilot.press("enter")
            await wait_for(pilot, lambda t=screen_type: isinstance(app.screen, t))  # type: ignore[misc]
            if isinstance(app.screen, HpaScreen):
                assert app.screen.key == key
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.dashboard)
            assert table.cursor_key == row
