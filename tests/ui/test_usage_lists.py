"""Usage in the lists on the simulated cluster: `:pods` shows CPU, MEM, %CPU/R, %CPU/L, %MEM/R and
%MEM/L as `kubectl top` would print the metrics API's answer, sorting by %MEM/L puts the pod
creeping towards its memory limit first, a metrics poll updates the rows, the Workloads pane sums
its pods, the namespace picker shows each namespace's usage, and a cluster without metrics says
"metrics unavailable" once and shows everything else."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import kubernetes
import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import OptionList

from kdash.k8s.kubeconfig import load_target
from kdash.k8s.service import ClusterService
from kdash.k8s.settings import ServiceSettings
from kdash.model.meta import ObjectKey
from kdash.model.quantity import parse_quantity
from kdash.sim import start_sim
from kdash.ui.app import KdashApp
from kdash.ui.render.text import ERROR_STYLE, WARNING_STYLE
from kdash.ui.screens.dashboard import DashboardScreen
from kdash.ui.screens.namespaces import NamespacePicker
from kdash.ui.screens.pods_list import PodListScreen
from kdash.ui.screens.workload import WorkloadPodsScreen
from kdash.ui.widgets.resource_table import ResourceTable
from tests.ui.conftest import build_app, frozen, screen_segments, screen_text, settle, wait_for

SnapCompare = Callable[..., bool]
MI = 1024 * 1024
CREEPING = ObjectKey("Pod", "monitoring", "prometheus-j2kkpb9kq2-4s78s")  # the demo's, limit 256Mi
PROMETHEUS = ObjectKey("Deployment", "monitoring", "prometheus")
NOT_SERVED = "metrics unavailable (metrics.k8s.io is not served)"


@pytest.fixture(scope="module")
def no_metrics_sim() -> Iterator[Any]:
    sim = start_sim("demo", now=frozen, faults="metrics=off")
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def stepping_sim() -> Iterator[Any]:
    """A demo of its own: the test runs its behaviour engine by hand (`sim.step`)."""
    sim = start_sim("demo", now=frozen)
    try:
        yield sim
    finally:
        sim.stop()


def fast_metrics_app(sim: Any) -> KdashApp:
    """The app with metrics polled every half second (15 s by default)."""
    target = load_target(kubeconfig=str(sim.kubeconfig_path))
    settings = replace(ServiceSettings(), metrics_interval=0.5)
    return KdashApp(ClusterService(target, clock=frozen, settings=settings), clock=frozen)


def metrics_api(sim: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """GET /apis/metrics.k8s.io/v1beta1/pods through the real client: items by (namespace, name)."""
    api = kubernetes.config.new_client_from_config(config_file=str(sim.kubeconfig_path))  # type: ignore[no-untyped-call]
    try:
        doc: Any = kubernetes.client.CustomObjectsApi(api).list_cluster_custom_object(
            "metrics.k8s.io", "v1beta1", "pods"
        )
    finally:
        api.close()
    return {(i["metadata"]["namespace"], i["metadata"]["name"]): i for i in doc["items"]}


def kubectl_top(item: dict[str, Any]) -> tuple[str, str, Decimal, Decimal]:
    """What `kubectl top pod` prints for a PodMetrics item (its containers summed): CPU as
    Quantity.MilliValue() (rounded up), memory as Value()/Mi (rounded down); and the two sums
    (cores, bytes)."""
    cpu = sum((parse_quantity(c["usage"]["cpu"]) for c in item["containers"]), Decimal(0))
    mem = sum((parse_quantity(c["usage"]["memory"]) for c in item["containers"]), Decimal(0))
    return f"{math.ceil(cpu * 1000)}m", f"{int(mem) // MI}Mi", cpu, mem


def cells_of(table: ResourceTable, key: ObjectKey) -> dict[str, Any]:
    row = table.get_row(key)
    assert row is not None, key
    return {c.key: cell for c, cell in zip(table.columns, row.cells, strict=True)}


def option_text(app: Any, option_id: str) -> str:
    """The namespace picker's line for a namespace, as shown."""
    prompt = app.screen.query_one(OptionList).get_option(option_id).prompt
    return prompt.plain if isinstance(prompt, Text) else str(prompt)


async def open_pods(pilot: Pilot[Any]) -> ResourceTable:
    app = pilot.app
    await pilot.press("colon", *"pods", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PodListScreen))
    table = app.screen.query_one(ResourceTable)
    await wait_for(pilot, lambda: table.row_count > 0)
    return table


async def usage_in(pilot: Pilot[Any], table: ResourceTable) -> None:
    """Until the first metrics poll is in the list."""
    app = pilot.app
    assert isinstance(app, KdashApp)
    await wait_for(pilot, lambda: app.session.view.snapshot.usage.available)
    await wait_for(pilot, lambda: cells_of(table, CREEPING)["cpu"].plain != "n/a")
    await pilot.pause()


async def test_the_pod_list_shows_what_the_metrics_api_answers_as_kubectl_top_prints_it(
    demo_sim: Any,
) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        table = await open_pods(pilot)
        await usage_in(pilot, table)
        served = metrics_api(demo_sim)
        snapshot = app.session.view.snapshot
        lines = screen_text(app)
        compared = 0
        for key in table.visible_keys():
            assert isinstance(key, ObjectKey)
            cells = cells_of(table, key)
            item = served.get((key.namespace, key.name))
            if item is None:  # not running: metrics-server has no sample of it
                assert all(
                    cells[k].plain == "n/a" for k in ("cpu", "mem", "cpu_r", "cpu_l", "mem_r", "mem_l")
                )
                continue
            cpu_text, mem_text, cores, nbytes = kubectl_top(item)
            assert (cells["cpu"].plain, cells["mem"].plain) == (cpu_text, mem_text), key
            assert cells["cpu"].sort == pytest.approx(float(cores * 1000))  # sorts by the number
            assert cells["mem"].sort == pytest.approx(float(nbytes))
            pod = snapshot.pods[key]
            limits = [parse_quantity(c.limits["memory"]) for c in pod.spec.containers if "memory" in c.limits]
            if len(limits) == len(pod.spec.containers):
                assert cells["mem_l"].plain == str(round(float(nbytes / sum(limits) * 100)))
            line = next(line for line in lines if f" {key.name} " in line)
            assert f" {cpu_text} " in line and f" {mem_text} " in line  # on screen, as kubectl prints
            compared += 1
        assert compared >= 15
        title = screen_text(app)[0]
        assert "Pods in all namespaces" in title and "metrics unavailable" not in title


async def test_sorting_by_mem_l_puts_the_creeping_pod_first(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        table = await open_pods(pilot)
        await usage_in(pilot, table)
        index = [c.key for c in table.columns].index("mem_l")
        await pilot.press(*["shift+right"] * (index + 1))  # k9s: shift+→ moves the sort along
        await wait_for(pilot, lambda: table.sort_column == "mem_l")
        await pilot.press("O")  # highest first
        await wait_for(pilot, lambda: table.sort_reverse)
        await pilot.pause()
        order = table.visible_keys()
        assert order[0] == CREEPING
        first = cells_of(table, CREEPING)["mem_l"].sort
        assert all(cells_of(table, k)["mem_l"].sort in ("", None) or cells_of(table, k)["mem_l"].sort <= first
                   for k in order if isinstance(k, ObjectKey))  # fmt: skip
        tail = [cells_of(table, k)["mem_l"].plain for k in order[-3:] if isinstance(k, ObjectKey)]
        assert tail == ["n/a"] * 3  # no limit or no sample: last, in either order
        lines = screen_text(app)
        assert CREEPING.name in lines[2]  # the title, the header, then the creeping pod
        assert "%MEM/L↓" in lines[1]


def mem_l_of(table: ResourceTable) -> tuple[float, str]:
    """The creeping pod's %MEM/L: (the number, its style); -1 while n/a."""
    cell = cells_of(table, CREEPING)["mem_l"]
    style = str(cell.text.style) if isinstance(cell.text, Text) else ""
    return (cell.sort if isinstance(cell.sort, float) else -1.0), style


def served_mem_l(sim: Any, limit: int) -> float:
    """The creeping pod's memory as the metrics API serves it, in percent of its limit."""
    return float(kubectl_top(metrics_api(sim)[(CREEPING.namespace, CREEPING.name)])[3]) / limit * 100


async def test_metrics_polls_update_the_rows_and_colour_the_creep_yellow_then_red(stepping_sim: Any) -> None:
    app = fast_metrics_app(stepping_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        table = await open_pods(pilot)
        await usage_in(pilot, table)
        limit = int(
            parse_quantity(app.session.view.snapshot.pods[CREEPING].spec.containers[0].limits["memory"])
        )
        start = served_mem_l(stepping_sim, limit)
        number, style = mem_l_of(table)
        assert number == pytest.approx(start) and style == "" and start < 80  # plain below 80 %
        seen: list[float] = [start]
        for seconds, colour in ((95, WARNING_STYLE), (45, ERROR_STYLE)):  # the creep: 80 %, then 90 %
            stepping_sim.step(seconds)
            served = served_mem_l(stepping_sim, limit)
            await wait_for(pilot, lambda s=served: mem_l_of(table)[0] == pytest.approx(s))  # type: ignore[misc]
            assert mem_l_of(table)[1] == colour, (served, mem_l_of(table))
            seen.append(served)
        assert seen == sorted(seen) and seen[-1] >= 90
        await pilot.pause()
        shown = str(round(seen[-1]))
        assert any(seg.text.strip() == shown and seg.style is not None and seg.style.color is not None
                   for seg in screen_segments(app))  # fmt: skip

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        workloads = app.screen.query_one("#workloads ResourceTable", ResourceTable)
        mem = cells_of(table, CREEPING)["mem"].plain  # the deployment's only pod
        await wait_for(pilot, lambda: cells_of(workloads, PROMETHEUS)["mem"].plain == mem)
        trend = cells_of(workloads, PROMETHEUS)["cpu_trend"].plain
        assert len(trend) >= 3 and "n/a" not in trend  # a poll after each step: history


async def test_the_workloads_pane_and_a_workloads_pods_show_the_sum_and_the_parts(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert isinstance(app, KdashApp)
        await wait_for(pilot, lambda: app.session.view.snapshot.usage.available)
        workloads = app.screen.query_one("#workloads ResourceTable", ResourceTable)
        web = ObjectKey("Deployment", "shop", "web")
        await wait_for(pilot, lambda: cells_of(workloads, web)["cpu"].plain != "n/a")
        served = metrics_api(demo_sim)
        snapshot = app.session.view.snapshot
        pods = snapshot.pods_by_workload[web]
        cores = sum((kubectl_top(served[(k.namespace, k.name)])[2] for k in pods), Decimal(0))
        assert cells_of(workloads, web)["cpu"].sort == pytest.approx(float(cores * 1000))
        assert cells_of(workloads, web)["cpu"].plain == f"{math.ceil(cores * 1000)}m"
        header = next(line for line in screen_text(app) if "NAMESPACE" in line and "KIND" in line)
        assert " CPU " in header and " MEM " in header and "CPU TREND" in header  # 160 columns: room

        assert workloads.move_cursor(web)
        workloads.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
        table = app.screen.query_one(ResourceTable)
        await wait_for(pilot, lambda: table.row_count == len(pods))
        await wait_for(pilot, lambda: all(cells_of(table, k)["cpu"].plain != "n/a" for k in pods))
        for key in pods:
            assert cells_of(table, key)["cpu"].plain == kubectl_top(served[(key.namespace, key.name)])[0]


async def test_the_namespace_picker_shows_each_namespaces_usage(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app, KdashApp)
        await wait_for(pilot, lambda: app.session.view.snapshot.usage.available)
        served = metrics_api(demo_sim)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NamespacePicker))
        await pilot.pause()
        lines = screen_text(app)
        for namespace in ("monitoring", "kube-system", "shop"):
            items = [i for (ns, _), i in served.items() if ns == namespace]
            cores = sum((kubectl_top(i)[2] for i in items), Decimal(0))
            nbytes = sum((kubectl_top(i)[3] for i in items), Decimal(0))
            label = option_text(app, namespace).split()
            assert label[-3:] == [
                str(app.session.namespace_counts[namespace]),
                f"{math.ceil(cores * 1000)}m",
                f"{int(nbytes) // MI}Mi",
            ]
            assert any(" ".join(label) in " ".join(line.split()) for line in lines)  # on screen
        assert option_text(app, "batch").split() == ["batch", "13"]  # no pod measured (finished jobs)


async def test_without_metrics_the_lists_say_so_once_and_show_everything_else(no_metrics_sim: Any) -> None:
    app = build_app(no_metrics_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert isinstance(app, KdashApp)
        await wait_for(pilot, lambda: app.session.view.snapshot.usage.message == NOT_SERVED)
        await wait_for(pilot, lambda: NOT_SERVED in "\n".join(screen_text(app)))
        screen = "\n".join(screen_text(app))
        assert screen.count(NOT_SERVED) == 1  # the Workloads pane's bottom line, and nowhere else
        workloads = app.screen.query_one("#workloads ResourceTable", ResourceTable)
        assert workloads.row_count == 20 and cells_of(workloads, PROMETHEUS)["ready"].plain == "1/1"
        assert cells_of(workloads, PROMETHEUS)["cpu"].plain == "n/a"

        table = await open_pods(pilot)
        await pilot.pause()
        screen = "\n".join(screen_text(app))
        assert screen.count(NOT_SERVED) == 1  # in the list's title
        assert NOT_SERVED in screen_text(app)[0]
        assert table.row_count == 36
        cells = cells_of(table, CREEPING)
        assert (cells["status"].plain, cells["ready"].plain, cells["node"].plain) == (
            "Running",
            "1/1",
            "node-1",
        )
        assert {cells[k].plain for k in ("cpu", "mem", "cpu_r", "cpu_l", "mem_r", "mem_l")} == {"n/a"}
        assert "n/a" in screen  # k9s shows n/a too

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NamespacePicker))
        await pilot.pause()
        assert option_text(app, "monitoring").split() == ["monitoring", "6"]  # counts only, no figures


def test_pod_list_with_usage_160x48(snap_compare: SnapCompare, demo_sim: Any) -> None:
    """`:pods` with the usage columns (a still cluster: its metrics are constant)."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        table = await open_pods(pilot)
        await usage_in(pilot, table)
        await wait_for(pilot, lambda: "%MEM/L" in screen_text(pilot.app)[1])

    assert snap_compare(build_app(demo_sim), terminal_size=(160, 48), run_before=run_before)
