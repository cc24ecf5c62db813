"""The usage sections of the pod and node screens and the nodes list's usage cells, on constructed
records (kdash/ui/render/usage_detail.py, kdash/ui/render/nodes.py): the figures against requests,
limits and allocatable, the colour at 80 / 90 % of a limit, sparklines as wide as their cell that
grow with the history, and "metrics unavailable" said once."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console, RenderableType
from rich.segment import Segment

from kdash.model.feeds import TableColumn
from kdash.model.meta import Meta
from kdash.model.pods import ContainerSpec, PodRecord, PodSpecSummary
from kdash.model.relations import node_allocation, requests_by_node
from kdash.model.usage import (
    NodeUsage,
    PodUsage,
    Sample,
    Usage,
    UsageHistory,
    UsageView,
    node_series,
    pod_series,
)
from kdash.ui.kind_rows import default_end, table_columns
from kdash.ui.render import nodes
from kdash.ui.render.text import ERROR_STYLE, MUTED_STYLE, WARNING_STYLE
from kdash.ui.render.usage import SPARK_BARS
from kdash.ui.render.usage_detail import duration_text, node_usage_section, pod_usage_section

MI = 1024 * 1024
T0 = 1_700_000_000.0


def cart_pod(phase: str = "Running") -> PodRecord:
    spec = PodSpecSummary(
        containers=(
            ContainerSpec(
                "app",
                "img",
                requests={"cpu": "250m", "memory": "256Mi"},
                limits={"cpu": "500m", "memory": "512Mi"},
            ),
            ContainerSpec("sidecar", "img", requests={"cpu": "10m"}),
        )
    )
    return PodRecord(Meta("Pod", "shop", "cart-1"), phase=phase, spec=spec, node="node-1")


def view(pod: PodRecord, app_memory: list[float], *, cpu: float = 240.0) -> UsageView:
    """The pod measured every 15 s with the app container's memory going through `app_memory` (Mi)."""
    history = UsageHistory()
    key = pod.meta.key
    for i, mem in enumerate(app_memory):
        at = T0 + 15 * i
        history.add(pod_series(key, "app"), Sample(at, cpu, mem * MI))
        history.add(pod_series(key, "sidecar"), Sample(at, 5.0, 20 * MI))
        history.add(pod_series(key), Sample(at, cpu + 5, (mem + 20) * MI))
    last = app_memory[-1]
    measured = PodUsage(
        key,
        T0 + 15 * (len(app_memory) - 1),
        15.0,
        {"app": Usage(cpu, last * MI), "sidecar": Usage(5.0, 20 * MI)},
    )
    return UsageView(True, pods={key: measured}, history=history)


def render(part: RenderableType, width: int = 120) -> tuple[str, list[Segment]]:
    """The text and the styled segments `part` renders to at `width`."""
    console = Console(width=width, color_system="truecolor", force_terminal=True)
    segments = list(console.render(part, console.options.update_width(width)))
    return "".join(s.text for s in segments), segments


def lines(part: RenderableType, width: int = 120) -> list[str]:
    return [line.rstrip() for line in render(part, width)[0].splitlines()]


def styles_of(part: RenderableType, needle: str, width: int = 120) -> set[str]:
    """The styles of every segment holding `needle`."""
    return {str(s.style) for s in render(part, width)[1] if needle in s.text and s.style is not None}


def row_of(rendered: list[str], *words: str) -> str:
    found = [line for line in rendered if all(w in line.split() for w in words)]
    assert len(found) == 1, rendered
    return found[0]


def spark_of(line: str) -> str:
    return "".join(ch for ch in line if ch in SPARK_BARS)


def test_pod_usage_shows_each_container_against_its_requests_and_limits() -> None:
    pod = cart_pod()
    shown = lines(pod_usage_section(pod, view(pod, [300.0 + i for i in range(48)])))
    header = next(line for line in shown if "NOW" in line)
    assert header.split() == ["NOW", "REQUEST", "%REQ", "LIMIT", "%LIM", "HISTORY"]
    # app: 240m of 250m requested (96 %) and of 500m limit (48 %); 347Mi of 256Mi (136 %), of 512Mi (68 %)
    assert row_of(shown, "app", "CPU").split()[:7] == ["app", "CPU", "240m", "250m", "96", "500m", "48"]
    assert row_of(shown, "MEM", "347Mi", "512Mi").split()[:6] == [
        "MEM",
        "347Mi",
        "256Mi",
        "136",
        "512Mi",
        "68",
    ]
    # the sidecar sets no limit and no memory request: n/a, never a division by nothing
    assert row_of(shown, "sidecar", "CPU").split()[:7] == ["sidecar", "CPU", "5m", "10m", "50", "-", "n/a"]
    # two containers: the pod's total, with a limit only if every container has one
    total = row_of(shown, "total", "CPU").split()
    assert total[:8] == ["pod", "total", "CPU", "245m", "260m", "94", "-", "n/a"]
    assert any("last 11 min, 48 samples, up to 240 kept" in line for line in shown)


def test_memory_turns_warning_then_error_as_it_nears_the_limit() -> None:
    pod = cart_pod()
    calm = view(pod, [200.0, 300.0])  # 59 % of 512Mi
    warn = view(pod, [300.0, 430.0])  # 84 %
    near = view(pod, [430.0, 470.0])  # 92 %
    assert styles_of(pod_usage_section(pod, calm), "59") <= {""}
    assert WARNING_STYLE in styles_of(pod_usage_section(pod, warn), "84")
    assert ERROR_STYLE in styles_of(pod_usage_section(pod, near), "92")
    # the memory sparkline is coloured with it (scaled to the limit: the last bar is nearly full)
    assert any(
        ERROR_STYLE in str(s.style)
        for s in render(pod_usage_section(pod, near))[1]
        if "█" in s.text or "▇" in s.text
    )
    assert not any(
        str(s.style) in (WARNING_STYLE, ERROR_STYLE)
        for s in render(pod_usage_section(pod, calm))[1]
        if spark_of(s.text)
    )


def test_memory_sparkline_is_scaled_to_the_limit_and_grows_with_the_history() -> None:
    pod = cart_pod()
    short = lines(pod_usage_section(pod, view(pod, [256.0, 512.0])))
    app_mem = spark_of(row_of(short, "MEM", "512Mi", "100"))
    assert app_mem == SPARK_BARS[4] + SPARK_BARS[-1]  # half the limit, then at the limit: a full bar
    longer = lines(pod_usage_section(pod, view(pod, [256.0] * 30 + [512.0])))
    assert len(spark_of(row_of(longer, "MEM", "512Mi", "100"))) == 31
    assert any("last 7 min, 31 samples" in line for line in longer)


def test_sparkline_shows_the_newest_samples_that_fit_its_cell() -> None:
    pod = cart_pod()
    history = [100.0] * 200 + [512.0]
    narrow = lines(pod_usage_section(pod, view(pod, history)), width=76)
    wide = lines(pod_usage_section(pod, view(pod, history)), width=156)
    narrow_spark = spark_of(row_of(narrow, "MEM", "512Mi", "100"))
    wide_spark = spark_of(row_of(wide, "MEM", "512Mi", "100"))
    assert narrow_spark.endswith(SPARK_BARS[-1]) and wide_spark.endswith(SPARK_BARS[-1])  # the newest
    assert 8 <= len(narrow_spark) < len(wide_spark) < 201
    assert max(len(line) for line in narrow) <= 76


def test_without_metrics_the_section_says_so_once() -> None:
    shown = lines(pod_usage_section(cart_pod(), UsageView()))
    assert shown == ["metrics unavailable"]


def test_a_pod_not_yet_measured_keeps_its_requests_and_limits() -> None:
    pod = cart_pod(phase="Pending")
    empty = UsageView(True, history=UsageHistory())
    shown = lines(pod_usage_section(pod, empty))
    assert shown[0] == "no sample yet: metrics-server has not reported this pod"
    assert row_of(shown, "app", "CPU").split()[:7] == ["app", "CPU", "-", "250m", "n/a", "500m", "n/a"]
    assert any("no samples yet" in line for line in shown)


def test_node_usage_is_against_allocatable_beside_what_its_pods_request() -> None:
    pod = cart_pod()
    history = UsageHistory()
    for i in range(4):
        history.add(node_series("node-1"), Sample(T0 + 15 * i, 1000.0 + 500 * i, 6 * 1024 * MI))
    usage = UsageView(
        True,
        nodes={"node-1": NodeUsage("node-1", T0 + 45, 15.0, Usage(2500.0, 6 * 1024 * MI))},
        history=history,
    )
    allocatable = {"cpu": "4", "memory": "8Gi", "pods": "110"}
    section = node_usage_section("node-1", usage, allocatable, node_allocation([pod], allocatable))
    shown = lines(section)
    # used 2500m of 4000m (62 %), requested 260m (6 %); memory 6Gi of 8Gi (75 %), requested 256Mi (3 %)
    assert row_of(shown, "CPU").split()[:6] == ["CPU", "2500m", "62", "260m", "6", "4000m"]
    assert row_of(shown, "MEM").split()[:6] == ["MEM", "6144Mi", "75", "256Mi", "3", "8192Mi"]
    assert spark_of(row_of(shown, "CPU")) == "▃▄▅▅"  # scaled to allocatable, not to the peak
    assert any("last 45 s, 4 samples" in line for line in shown)
    without = lines(
        node_usage_section("node-1", UsageView(), allocatable, node_allocation([pod], allocatable))
    )
    assert without[0] == "metrics unavailable"
    assert row_of(without, "CPU").split()[:6] == ["CPU", "n/a", "n/a", "260m", "6", "4000m"]


def test_node_list_cells_sort_by_their_numbers() -> None:
    measured = NodeUsage("node-1", T0, 15.0, Usage(3700.0, 3 * 1024 * MI))
    requested = {"cpu": Decimal("3.5"), "memory": Decimal(1024 * MI)}
    cells = nodes.usage_cells(measured, {"cpu": "4", "memory": "4Gi"}, requested)
    keys = [c.key for c in nodes.USAGE_COLUMNS]
    got = {k: (c.plain, c.sort) for k, c in zip(keys, cells, strict=True)}
    assert got == {
        "use_cpu": ("3700m", 3700.0),
        "use_cpu_pct": ("92", 92.5),
        "use_mem": ("3072Mi", 3 * 1024 * MI),
        "use_mem_pct": ("75", 75.0),
        "req_cpu_pct": ("87", 87.5),
        "req_mem_pct": ("25", 25.0),
        "alloc_cpu": ("4000m", 4000.0),
        "alloc_mem": ("4096Mi", 4 * 1024 * MI),
    }
    by_key = dict(zip(keys, cells, strict=True))
    assert str(by_key["use_cpu_pct"].as_text().style) == ERROR_STYLE  # 92 % of allocatable
    assert str(by_key["req_cpu_pct"].as_text().style) == WARNING_STYLE  # 87 % requested
    # no metrics and pods not listed yet: n/a (sorting last), allocatable still known
    bare = nodes.usage_cells(None, {"cpu": "4", "memory": "4Gi"}, None)
    assert [c.plain for c in bare] == ["n/a"] * 6 + ["4000m", "4096Mi"]
    assert all(c.sort == "" for c in bare[:6])
    assert str(bare[0].as_text().style) == MUTED_STYLE
    # a node without pods requests nothing: 0, not n/a
    assert [c.plain for c in nodes.usage_cells(None, {"cpu": "4"}, {})][4:6] == ["0", "n/a"]
    assert [c.plain for c in nodes.usage_cells(None, {}, None)] == ["n/a"] * 8  # allocatable unknown


def test_requests_by_node_count_only_pods_holding_resources() -> None:
    done = cart_pod(phase="Succeeded")
    pods = [cart_pod(), done, PodRecord(Meta("Pod", "shop", "unscheduled"), spec=cart_pod().spec)]
    assert requests_by_node(pods) == {"node-1": {"cpu": Decimal("0.26"), "memory": Decimal(256 * MI)}}


def test_usage_columns_go_after_kubectls_default_ones() -> None:
    columns = (
        TableColumn("Name", format="name"),
        TableColumn("Status"),
        TableColumn("Version"),
        TableColumn("Internal-IP", priority=1),
    )
    at = default_end(columns, namespaced=False)
    assert [c.label for c in table_columns(columns, namespaced=False)][:at] == ["NAME", "STATUS", "VERSION"]
    assert default_end(columns, namespaced=True) == 4


def test_durations_read_as_people_say_them() -> None:
    assert [duration_text(s) for s in (0, 45, 60, 719, 3600, 3900)] == [
        "0 s",
        "45 s",
        "1 min",
        "11 min",
        "1 h",
        "1 h 5 min",
    ]


def test_requests_by_node_follow_pod_changes_without_reparsing_the_others() -> None:
    from dataclasses import replace

    from kdash.ui.nodes_list import RequestsByNode

    a, b = cart_pod(), replace(cart_pod(), meta=Meta("Pod", "shop", "cart-2"), node="node-2")
    sums = RequestsByNode()
    first = sums.of({a.meta.key: a, b.meta.key: b})
    assert first == {
        "node-1": {"cpu": Decimal("0.26"), "memory": Decimal(256 * MI)},
        "node-2": {"cpu": Decimal("0.26"), "memory": Decimal(256 * MI)},
    }
    moved = replace(b, node="node-1")  # rescheduled: its requests follow it
    assert sums.of({a.meta.key: a, b.meta.key: moved}) == {
        "node-1": {"cpu": Decimal("0.52"), "memory": Decimal(512 * MI)}
    }
    assert sums.of({a.meta.key: replace(a, phase="Failed")}) == {}  # gone or finished: nothing held
