"""Usage on the pod detail, the nodes list and the node detail, on the simulated cluster through the
real client: the figures are the metrics API's (read back with the kubernetes client), the
creeping pod's memory turns yellow then red before its OOMKill, the history sparkline grows one bar
a sample, and a cluster without metrics.k8s.io says "metrics unavailable" once.

The sim runs without its engine; a test moves its clock by hand (`sim.step`, a new sample every 15
simulated seconds) and waits for the service, which polls metrics every 0.2 s, to have read that
sample. SVG snapshots freeze the clock as tests/ui/test_snapshots.py does; update them with
`pytest --snapshot-update tests/ui/test_usage_detail.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import kubernetes
import pytest
from rich.segment import Segment
from textual.pilot import Pilot

from kdash.k8s.kubeconfig import load_target
from kdash.k8s.service import ClusterService
from kdash.k8s.settings import ServiceSettings
from kdash.model.build import build_pod
from kdash.model.meta import ObjectKey
from kdash.model.relations import requests_by_node
from kdash.model.usage import cpu_millis, memory_bytes, pod_series
from kdash.sim import start_sim
from kdash.ui.app import KdashApp
from kdash.ui.nodes_list import NodeListScreen
from kdash.ui.render.usage import SPARK_BARS, format_cpu, format_memory
from kdash.ui.screens.node import NodeScreen
from kdash.ui.screens.pod import PodDetailScreen
from tests.ui.conftest import SNAP_PORT, _screen_strips, frozen, screen_text, settle, wait_for

SnapCompare = Callable[..., bool]
SETTINGS = replace(ServiceSettings(), metrics_interval=0.2)  # metrics-server's 15 s, sped up


def usage_app(sim: Any) -> KdashApp:
    """The app over a ClusterService polling the sim's metrics every 0.2 s, on the frozen clock."""
    target = load_target(kubeconfig=str(sim.kubeconfig_path))
    return KdashApp(ClusterService(target, clock=frozen, settings=SETTINGS), clock=frozen)


@pytest.fixture
def still_sim() -> Iterator[Any]:
    """A demo sim of its own: the tests move its clock."""
    with start_sim("demo", now=frozen) as sim:
        yield sim


def metrics_api(sim: Any) -> Any:
    client = kubernetes.config.new_client_from_config(config_file=str(sim.kubeconfig_path))
    return kubernetes.client.CustomObjectsApi(client)


def api_pod(sim: Any, namespace: str, name: str) -> dict[str, tuple[float, float]]:
    """The pod's PodMetrics as the API serves it: {container: (millicores, bytes)}."""
    doc = metrics_api(sim).get_namespaced_custom_object("metrics.k8s.io", "v1beta1", namespace, "pods", name)
    return {
        c["name"]: (cpu_millis(c["usage"]["cpu"]), memory_bytes(c["usage"]["memory"]))
        for c in doc["containers"]
    }


def api_nodes(sim: Any) -> dict[str, tuple[float, float]]:
    doc = metrics_api(sim).list_cluster_custom_object("metrics.k8s.io", "v1beta1", "nodes")
    return {
        n["metadata"]["name"]: (cpu_millis(n["usage"]["cpu"]), memory_bytes(n["usage"]["memory"]))
        for n in doc["items"]
    }


def creeping(sim: Any) -> tuple[ObjectKey, str]:
    namespace, pod, container = sim.state.metrics.creep
    return ObjectKey("Pod", namespace, pod), container


async def polled(pilot: Pilot[Any], sim: Any, key: ObjectKey, container: str, samples: int) -> None:
    """Until the pod detail draws `samples` samples of the container (one bar each)."""
    app = pilot.app
    assert isinstance(app, KdashApp)

    def drawn() -> bool:
        try:
            return len(spark(usage_row(app, container, "MEM"))) >= samples
        except StopIteration:  # the section is not drawn yet
            return False

    await wait_for(pilot, drawn)


async def step_samples(pilot: Pilot[Any], sim: Any, key: ObjectKey, container: str, count: int) -> None:
    """Move the sim's clock on `count` samples, one at a time, each read by the service: the history
    then holds every one of them (none skipped between two polls)."""
    app = pilot.app
    assert isinstance(app, KdashApp)
    have = len(app.session.latest().snapshot.usage.series(pod_series(key, container)))
    for i in range(1, count + 1):
        sim.step(15.0)
        await polled(pilot, sim, key, container, have + i)


async def open_pod(pilot: Pilot[Any], key: ObjectKey) -> PodDetailScreen:
    app = pilot.app
    assert isinstance(app, KdashApp)
    await settle(pilot)
    await wait_for(pilot, lambda: app.session.latest().snapshot.usage.message != "waiting for metrics")
    await app.push_screen(PodDetailScreen(app.session, key))
    await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen) and app.screen.pod is not None)
    screen = app.screen
    assert isinstance(screen, PodDetailScreen)
    return screen


def usage_row(app: KdashApp, container: str, resource: str) -> str:
    """The Usage section's CPU or MEM line of `container` (MEM: the line under its CPU line)."""
    lines = screen_text(app)
    at = next(i for i, line in enumerate(lines) if [container, "CPU"] == line.strip("│ ").split()[:2])
    return lines[at if resource == "CPU" else at + 1].strip("│ ")


def spark(line: str) -> str:
    return "".join(ch for ch in line if ch in SPARK_BARS)


def mem_segments(app: KdashApp, container: str) -> list[Segment]:
    strips = _screen_strips(app)
    lines = [strip.text for strip in strips]
    at = next(i for i, line in enumerate(lines) if [container, "CPU"] == line.strip("│ ").split()[:2])
    return list(strips[at + 1])


def colour_of(segments: list[Segment], predicate: Callable[[str], bool]) -> tuple[str | None, bool]:
    """The colour (hex) and boldness of the first segment whose text satisfies `predicate`."""
    seg = next(s for s in segments if predicate(s.text))
    style = seg.style
    assert style is not None
    colour = style.color.get_truecolor().hex if style.color is not None else None
    return colour, bool(style.bold)


def ansi(app: KdashApp, number: int) -> str:
    """What Textual draws ANSI colour `number` as (3 yellow, 1 red) in the app's theme."""
    return app.ansi_theme.ansi_colors[number].hex


# -- pod detail ------------------------------------------------------------------------------------


async def test_pod_detail_shows_the_metrics_api_figures_and_its_history_grows(still_sim: Any) -> None:
    key, container = creeping(still_sim)
    app = usage_app(still_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_pod(pilot, key)
        await polled(pilot, still_sim, key, container, 1)
        cpu, mem = api_pod(still_sim, key.namespace, key.name)[container]
        # NOW, REQUEST, %REQ, LIMIT, %LIM: the API's usage against the spec's 100m/500m, 128Mi/256Mi
        assert usage_row(app, container, "CPU").split()[:7] == [
            container,
            "CPU",
            format_cpu(cpu),
            "100m",
            f"{round(cpu / 100 * 100)}",
            "500m",
            f"{round(cpu / 5)}",
        ]
        mib = 1024 * 1024
        assert usage_row(app, container, "MEM").split()[:6] == [
            "MEM",
            format_memory(mem),
            "128Mi",
            f"{round(mem / (128 * mib) * 100)}",
            "256Mi",
            f"{round(mem / (256 * mib) * 100)}",
        ]
        assert len(spark(usage_row(app, container, "MEM"))) == 1
        await step_samples(pilot, still_sim, key, container, 3)
        await wait_for(pilot, lambda: len(spark(usage_row(app, container, "MEM"))) == 4)
        mem_line = usage_row(app, container, "MEM")
        assert spark(mem_line) == "".join(sorted(spark(mem_line)))  # it creeps: never a lower bar
        assert any("last 45 s, 4 samples" in line for line in screen_text(app))
        _, mem = api_pod(still_sim, key.namespace, key.name)[container]
        assert mem_line.split()[1] == format_memory(mem)  # the newest sample, as the API says


async def test_the_creeping_pod_turns_warning_then_error_before_its_oomkill(still_sim: Any) -> None:
    key, container = creeping(still_sim)
    app = usage_app(still_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_pod(pilot, key)
        await polled(pilot, still_sim, key, container, 1)
        plain = colour_of(mem_segments(app, container), lambda t: t.strip() == "256Mi")  # 62 %: no colour
        bars = colour_of(mem_segments(app, container), lambda t: bool(spark(t)))
        assert bars == (plain[0], False)
        seen = []
        for samples in (6, 3):  # to t=90 (81 % of the limit), then t=135 (91 %)
            await step_samples(pilot, still_sim, key, container, samples)
            pct = usage_row(app, container, "MEM").split()[5]
            segments = mem_segments(app, container)
            seen.append((int(pct), colour_of(segments, lambda t, p=pct: t.strip() == p)))
            assert colour_of(segments, lambda t: bool(spark(t))) == seen[-1][1]  # the bars as the cell
        assert seen == [(81, (ansi(app, 3), False)), (91, (ansi(app, 1), True))]
        assert screen.pod is not None and screen.pod.restarts == 0  # all before the kill
        still_sim.step(50.0)  # t=185: OOMKilled at 180
        await wait_for(pilot, lambda: any("OOMKilled" in line for line in screen_text(app)))
        await wait_for(pilot, lambda: any("no sample now" in line for line in screen_text(app)))


async def test_without_metrics_the_pod_detail_and_the_nodes_say_so_once() -> None:
    with start_sim("demo", now=frozen, faults="metrics=off") as sim:
        app = usage_app(sim)
        async with app.run_test(size=(160, 48)) as pilot:
            await open_pod(pilot, creeping(sim)[0])
            await wait_for(pilot, lambda: any("Containers" in line for line in screen_text(app)))
            text = "\n".join(screen_text(app))
            assert text.count("metrics unavailable") == 1
            assert "metrics unavailable (metrics.k8s.io is not served)" in text
            assert "restarts 0" in text and "Conditions" in text  # everything else is there
            app.pop_screen()
            await pilot.press("colon", *"no", "enter")
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, NodeListScreen) and app.screen.filter_table.row_count == 3,
            )
            await wait_for(pilot, lambda: "metrics unavailable" in "\n".join(screen_text(app)))
            lines = screen_text(app)
            assert "\n".join(lines).count("metrics unavailable") == 1
            node = next(line for line in lines if line.startswith("node-1 "))
            assert node.split()[5:9] == ["n/a"] * 4  # CPU %CPU MEM %MEM; requests still shown
            assert node.split()[9] != "n/a"


# -- nodes -----------------------------------------------------------------------------------------


def node_lines(app: KdashApp) -> list[str]:
    return [line for line in screen_text(app) if line.startswith("node-")]


async def open_nodes(pilot: Pilot[Any]) -> NodeListScreen:
    app = pilot.app
    assert isinstance(app, KdashApp)
    await settle(pilot)
    await wait_for(pilot, lambda: bool(app.session.latest().snapshot.usage.nodes))
    await pilot.press("colon", *"no", "enter")

    def filled() -> bool:
        screen = app.screen
        if not isinstance(screen, NodeListScreen) or screen.filter_table.row_count < 3:
            return False
        return all("n/a" not in line for line in node_lines(app))

    await wait_for(pilot, filled)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, NodeListScreen)
    return screen


@pytest.fixture(scope="module")
def demo() -> Iterator[Any]:
    with start_sim("demo", now=frozen) as sim:
        yield sim


async def test_nodes_list_shows_usage_against_allocatable_and_sorts_by_it(demo: Any) -> None:
    app = usage_app(demo)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_nodes(pilot)
        lines = screen_text(app)
        header = next(line for line in lines if line.startswith("NAME"))
        assert header.split()[5:] == [
            "CPU",
            "%CPU",
            "MEM",
            "%MEM",
            "CPU",
            "REQ%",
            "MEM",
            "REQ%",
            "CPU/A",
            "MEM/A",
        ]
        snapshot = app.session.latest().snapshot
        api = api_nodes(demo)
        alloc = {k.name: n.allocatable for k, n in snapshot.nodes.items()}
        assert set(api) == set(snapshot.usage.nodes) == {"node-1", "node-2", "node-3"}
        for name, (cpu, mem) in api.items():
            usage = snapshot.usage.nodes[name].usage
            assert (usage.cpu_m, usage.memory) == pytest.approx((cpu, mem))
            allocatable = snapshot.nodes[ObjectKey("Node", "", name)].allocatable
            alloc_cpu, alloc_mem = cpu_millis(allocatable["cpu"]), memory_bytes(allocatable["memory"])
            assert alloc_cpu and alloc_mem
            row = next(line for line in lines if line.startswith(f"{name} ")).split()
            assert row[5:9] == [
                format_cpu(cpu),
                f"{round(cpu / alloc_cpu * 100)}",
                format_memory(mem),
                f"{round(mem / alloc_mem * 100)}",
            ]
            assert row[11:13] == [format_cpu(alloc_cpu), format_memory(alloc_mem)]
        share = {n: mem / (memory_bytes(alloc[n]["memory"]) or 1) for n, (_, mem) in api.items()}
        by_memory = sorted(share, key=lambda n: -share[n])
        assert by_memory[0] == "node-3"  # the one under memory pressure
        screen.filter_table.sort_by("use_mem_pct", reverse=True)
        await wait_for(pilot, lambda: [line.split()[0] for line in node_lines(app)] == by_memory)
        screen.filter_table.sort_by("use_mem_pct", reverse=False)
        await wait_for(pilot, lambda: [line.split()[0] for line in node_lines(app)] == by_memory[::-1])


async def test_nodes_list_in_one_namespace_counts_the_requests_of_every_namespace(demo: Any) -> None:
    """Watching `shop` only, a node's CPU/MEM REQ% still counts kube-system's and monitoring's pods
    (read from a feed of every pod): a namespace's pods alone would understate the node."""
    target = load_target(kubeconfig=str(demo.kubeconfig_path))
    app = KdashApp(ClusterService(target, "shop", clock=frozen, settings=SETTINGS), clock=frozen)
    client = kubernetes.config.new_client_from_config(config_file=str(demo.kubeconfig_path))
    raw = kubernetes.client.CoreV1Api(client).list_pod_for_all_namespaces()
    every = requests_by_node(build_pod(client.sanitize_for_serialization(p)) for p in raw.items)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_nodes(pilot)
        snapshot = app.session.latest().snapshot
        assert {k.namespace for k in snapshot.pods} == {"shop"}
        in_shop = requests_by_node(snapshot.pods.values())
        for line in node_lines(app):
            name, cpu_pct = line.split()[0], line.split()[9]
            allocatable = cpu_millis(snapshot.nodes[ObjectKey("Node", "", name)].allocatable["cpu"])
            assert allocatable
            assert cpu_pct == str(int(float(every[name]["cpu"]) * 1000 / allocatable * 100))
        assert any(every[n]["cpu"] > in_shop.get(n, {}).get("cpu", 0) for n in every)


async def test_node_detail_shows_its_usage_history_against_allocatable(still_sim: Any) -> None:
    app = usage_app(still_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: bool(app.session.latest().snapshot.usage.nodes))
        await app.push_screen(NodeScreen(app.session, ObjectKey("Node", "", "node-3")))
        await wait_for(pilot, lambda: any("USED" in line for line in screen_text(app)))

        def mem_line() -> str:
            return next(line for line in screen_text(app) if line.strip("│ ").startswith("MEM "))

        cpu, mem = api_nodes(still_sim)["node-3"]
        assert mem_line().strip("│ ").split()[1] == format_memory(mem)
        assert len(spark(mem_line())) == 1
        for _ in range(2):
            still_sim.step(15.0)
        await wait_for(pilot, lambda: len(spark(mem_line())) >= 2)
        # node-3 is under memory pressure: over 90 % of allocatable, red
        pct = mem_line().strip("│ ").split()[2]
        assert int(pct) >= 90
        line_at = next(i for i, line in enumerate(screen_text(app)) if line.strip("│ ").startswith("MEM "))
        segments = list(_screen_strips(app)[line_at])
        assert colour_of(segments, lambda t: t.strip() == pct) == (ansi(app, 1), True)


# -- SVG snapshots ---------------------------------------------------------------------------------


@pytest.fixture
def snap_demo() -> Iterator[Any]:
    """A still demo on the fixed port (the header shows the server's URL), its clock ours to move."""
    with start_sim("demo", now=frozen, port=SNAP_PORT) as sim:
        yield sim


async def _quiet(pilot: Pilot[Any]) -> None:
    pilot.app.clear_notifications()  # the dashboard's toasts (new alerts) are not this screen's
    for _ in range(3):
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()


def test_pod_detail_with_sparklines_160x48(snap_compare: SnapCompare, snap_demo: Any) -> None:
    """The creeping pod after eight samples (t=120, 87 % of its memory limit): yellow bars rising."""
    key, container = creeping(snap_demo)

    async def run_before(pilot: Pilot[Any]) -> None:
        await open_pod(pilot, key)
        await polled(pilot, snap_demo, key, container, 1)
        await step_samples(pilot, snap_demo, key, container, 8)
        await wait_for(pilot, lambda: len(spark(usage_row(pilot.app, container, "MEM"))) == 9)  # type: ignore[arg-type]

        # the report scored after the last sample names the OOMKill risk with that sample's
        # value (reports may trail a poll by a few seconds while things change: CI once drew the
        # finding of the sample before, 216Mi (84%) under a usage row of 224Mi)
        def scored_last_sample() -> bool:
            now = usage_row(pilot.app, container, "MEM").split()[1]  # type: ignore[arg-type]
            return f"uses {now} of its" in "\n".join(screen_text(pilot.app))

        await wait_for(pilot, scored_last_sample)
        await _quiet(pilot)

    assert snap_compare(usage_app(snap_demo), terminal_size=(160, 48), run_before=run_before)


async def _nodes(pilot: Pilot[Any]) -> None:
    await open_nodes(pilot)
    await _quiet(pilot)


def test_nodes_usage_160x48(snap_compare: SnapCompare, snap_demo: Any) -> None:
    """kubectl's node columns, then CPU %CPU MEM %MEM, requested of allocatable, allocatable."""
    assert snap_compare(usage_app(snap_demo), terminal_size=(160, 48), run_before=_nodes)


def test_nodes_usage_80x24(snap_compare: SnapCompare, snap_demo: Any) -> None:
    """Narrow: NAME and kubectl's columns whole; the usage percentages stay, the amounts go."""
    assert snap_compare(usage_app(snap_demo), terminal_size=(80, 24), run_before=_nodes)
