"""Usage in list rows, from constructed records: a pod's CPU, MEM, %CPU/R, %CPU/L, %MEM/R, %MEM/L
as kubectl top and k9s print them, coloured like the quota bars, sorting by number with n/a last;
a metrics poll replacing only the usage cells of a row; a workload's sum over its pods with its
CPU trend; a namespace's sum; and the columns that go first on a narrow terminal."""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType

import pytest

from kdash.model.meta import Meta, ObjectKey
from kdash.model.pods import ContainerSpec, PodRecord, PodSpecSummary
from kdash.model.usage import PodUsage, Sample, Usage, UsageFigures, UsageHistory, UsageView, pod_series
from kdash.ui.render import pods as pod_render
from kdash.ui.render import workloads as workload_render
from kdash.ui.render.table import BLANK, Row
from kdash.ui.render.text import ERROR_STYLE, MUTED_STYLE, WARNING_STYLE
from kdash.ui.render.usage import SPARK_BARS
from kdash.ui.render.usage_rows import NA_CELL, figure_cells, namespace_usage, summed_series, trend_cell
from kdash.ui.usage_rows import BoundsCache, PodRows, metrics_note, workload_usage_cells
from kdash.ui.widgets.table_columns import fit_widths
from kdash.ui.widgets.table_model import RowFilter, measure_widths, view_keys
from kdash.ui.widgets.table_render import GAP
from tests.ui.render.records import NOW, style_of

MI = 1024 * 1024
USAGE = ("cpu", "mem", "cpu_r", "cpu_l", "mem_r", "mem_l")


def pod(name: str, namespace: str = "shop", *, limits: bool = True) -> PodRecord:
    """An app container (250m/256Mi requested, 500m/512Mi limit) and a native sidecar
    (50m/64Mi, 100m/128Mi): 300m/320Mi requested, 600m/640Mi limit in all."""
    app = ContainerSpec(
        "app",
        "web:1",
        requests={"cpu": "250m", "memory": "256Mi"},
        limits={"cpu": "500m", "memory": "512Mi"} if limits else {},
    )
    sidecar = ContainerSpec(
        "proxy",
        "envoy:1",
        requests={"cpu": "50m", "memory": "64Mi"},
        limits={"cpu": "100m", "memory": "128Mi"},
        restart_policy="Always",
    )
    spec = PodSpecSummary(containers=(app,), init_containers=(sidecar,))
    return PodRecord(Meta("Pod", namespace, name), phase="Running", spec=spec, node="node-1")


PROXY = Usage(20.0, 100 * MI)  # the sidecar's usage unless a test says otherwise


def measured(p: PodRecord, app: Usage, proxy: Usage = PROXY, at: float = 1000.0) -> PodUsage:
    return PodUsage(p.meta.key, at, 15.0, MappingProxyType({"app": app, "proxy": proxy}))


def view(*items: PodUsage, available: bool = True, history: UsageHistory | None = None) -> UsageView:
    return UsageView(available, "", MappingProxyType({m.key: m for m in items}), history=history)


def usage_of(row: Row, *, namespace: bool = False) -> dict[str, tuple[str, str, object]]:
    """The usage cells of a pod row: {column key: (text, style, sort key)}."""
    keys = [c.key for c in pod_render.columns(namespace=namespace)]
    cells = dict(zip(keys, row.cells, strict=True))
    return {k: (cells[k].plain, style_of(cells[k]), cells[k].sort) for k in USAGE}


def name_of(row: Row) -> str:
    key = row.key
    assert isinstance(key, ObjectKey)
    return key.name


def test_a_pod_shows_its_usage_as_kubectl_top_and_k9s_print_it() -> None:
    p = pod("web-1")
    # 240.3m + 20m = 260.3m (kubectl top rounds millicores up: 261m); 470Mi + 100Mi = 570Mi
    row = PodRows().rows([p], NOW, view(measured(p, Usage(240.3, 470 * MI))))[0]
    assert usage_of(row) == {
        "cpu": ("261m", "", 260.3),
        "mem": ("570Mi", "", 570 * MI),
        "cpu_r": ("87", "", pytest.approx(260.3 / 300 * 100)),
        "cpu_l": ("43", "", pytest.approx(260.3 / 600 * 100)),
        "mem_r": ("178", "", pytest.approx(570 / 320 * 100)),  # above its request: allowed, plain
        "mem_l": ("89", WARNING_STYLE, pytest.approx(570 / 640 * 100)),  # yellow from 80 %
    }


def test_kubectl_top_rounding_cpu_up_and_memory_down() -> None:
    p = pod("web-1")
    row = PodRows().rows([p], NOW, view(measured(p, Usage(9.227134, 12888 * 1024), Usage(0.0, 0.0))))[0]
    assert (usage_of(row)["cpu"][0], usage_of(row)["mem"][0]) == ("10m", "12Mi")  # 9227134n, 12888Ki


def test_memory_at_90_percent_of_its_limit_is_red_and_a_tenth_of_a_request_is_dim() -> None:
    p = pod("web-1")
    row = PodRows().rows([p], NOW, view(measured(p, Usage(5.0, 480 * MI), Usage(1.0, 100 * MI))))[0]
    got = usage_of(row)
    assert got["mem_l"][:2] == ("91", ERROR_STYLE)  # 580Mi of 640Mi: OOMKill risk
    assert got["cpu_r"][:2] == ("2", MUTED_STYLE)  # 6m of 300m requested: waste


def test_no_limit_or_no_sample_reads_n_a_and_sorts_last_both_ways() -> None:
    unlimited, pending, busy = pod("a-unlimited", limits=False), pod("b-pending"), pod("c-busy")
    v = view(measured(unlimited, Usage(100.0, 200 * MI)), measured(busy, Usage(400.0, 500 * MI)))
    rows = PodRows().rows([unlimited, pending, busy], NOW, v)
    by_name = {name_of(r): usage_of(r) for r in rows}
    assert by_name["a-unlimited"]["mem_l"] == ("n/a", MUTED_STYLE, BLANK)  # no limit on app: unbounded
    assert by_name["a-unlimited"]["mem_r"][0] == "94"  # 300Mi of 320Mi: requests still count
    assert {v[0] for v in by_name["b-pending"].values()} == {"n/a"}
    columns, index = pod_render.COLUMNS, [c.key for c in pod_render.COLUMNS].index("mem_l")
    for reverse in (False, True):
        order = [
            k.name for k in view_keys(rows, RowFilter(), columns, index, reverse) if isinstance(k, ObjectKey)
        ]
        assert order == ["c-busy", "a-unlimited", "b-pending"]  # n/a last, in the given order


def test_without_metrics_every_cell_is_n_a_and_the_list_says_why_once() -> None:
    p = pod("web-1")
    off = UsageView(False, "metrics unavailable (metrics.k8s.io is not served)")
    row = PodRows().rows([p], NOW, off)[0]
    assert {v[0] for v in usage_of(row).values()} == {"n/a"}
    note = metrics_note(off)
    assert note is not None and note.plain == "metrics unavailable (metrics.k8s.io is not served)"
    assert metrics_note(view()) is None
    # the other cells are as they were
    cells = dict(zip([c.key for c in pod_render.COLUMNS], row.cells, strict=True))
    assert (cells["name"].plain, cells["status"].plain, cells["node"].plain) == ("web-1", "Running", "node-1")


def test_a_metrics_poll_replaces_only_the_usage_cells_of_a_built_row() -> None:
    p, q = pod("web-1"), pod("web-2")
    rows = PodRows()
    first = rows.rows([p, q], NOW, view(measured(p, Usage(100.0, 200 * MI)), measured(q, Usage(1.0, MI))))
    # equal usage (a poll metrics-server answered from the same scrape): the very rows
    again = rows.rows([p, q], NOW, view(measured(p, Usage(100.0, 200 * MI)), measured(q, Usage(1.0, MI))))
    assert all(a is b for a, b in zip(again, first, strict=True))
    built = first[0]
    old_cells, old_widths = built.cells, built.cell_widths()
    poll = view(measured(p, Usage(300.0, 400 * MI), at=1015.0), measured(q, Usage(2.0, MI), at=1015.0))
    second = rows.rows([p, q], NOW, poll)
    at = pod_render.usage_index(False)
    new = second[0]
    assert new is not built and new.built  # built at once from the old cells
    for i, (before, after) in enumerate(zip(old_cells, new.cells, strict=True)):
        if at <= i < at + 6:
            continue
        assert after is before  # kept, not rebuilt
    assert new.cells[at].plain == "320m" and new.cell_widths()[0] == old_widths[0]
    assert not second[1].built  # a row never drawn stays lazy (and shows the new poll when it is)
    assert second[1].cells[at].plain == "22m"
    # the same poll again: the very rows
    assert all(a is b for a, b in zip(rows.rows([p, q], NOW, poll), second, strict=True))


def test_a_changed_pod_record_gets_a_new_row_and_its_requests_are_read_again() -> None:
    p = pod("web-1")
    rows = PodRows()
    first = rows.rows([p], NOW, view(measured(p, Usage(100.0, 200 * MI))))[0]
    bigger = PodRecord(
        p.meta,
        phase="Running",
        spec=PodSpecSummary(containers=(ContainerSpec("app", "web:2", requests={"cpu": "1"}),)),
    )
    second = rows.rows([bigger], NOW, view(measured(bigger, Usage(100.0, 200 * MI))))[0]
    assert second is not first
    assert usage_of(second)["cpu_r"][0] == "12"  # 120m (app + proxy usage) of 1000m: the new request


def test_a_workload_sums_its_measured_pods_and_draws_its_summed_cpu_history() -> None:
    a, b, c = pod("web-1"), pod("web-2"), pod("web-3")
    history = UsageHistory()
    for i in range(12):  # two pods, scraped a second apart within each poll
        history.add(pod_series(a.meta.key), Sample(1000.0 + 15 * i, 10.0 * i, MI))
        history.add(pod_series(b.meta.key), Sample(1001.0 + 15 * i, 100.0, MI))
    v = view(measured(a, Usage(100.0, 100 * MI)), measured(b, Usage(200.0, 300 * MI)), history=history)
    pods = {x.meta.key: x for x in (a, b, c)}
    cells = workload_usage_cells((a.meta.key, b.meta.key, c.meta.key), pods, v, BoundsCache())
    shown = [cell.plain for cell in cells]
    # 100+20 + 200+20 = 340m of 600m requested, 1200m limit; 100+100 + 300+100 = 600Mi of 640Mi, 1280Mi
    assert shown[:6] == ["340m", "600Mi", "57", "28", "94", "47"]  # the unmeasured web-3 adds nothing
    trend = shown[6]
    assert len(trend) == 10 and set(trend) <= set(SPARK_BARS)
    assert trend == "".join(sorted(trend))  # a's CPU climbs, b's is flat: the sum climbs
    assert cells[6].sort == 100.0 + 110.0  # sorts by the latest summed poll
    assert summed_series([[Sample(14.0, 1, 0)], [Sample(16.0, 2, 0)], [Sample(31.0, 4, 0)]], 15.0) == [3, 4]
    nothing = workload_usage_cells((c.meta.key,), pods, v, BoundsCache())
    assert {cell.plain for cell in nothing} == {"n/a"}
    assert trend_cell([]).plain == "n/a"


def test_a_workload_row_carries_its_usage_cells_in_its_columns() -> None:
    from kdash.model.workloads import WorkloadRecord

    wl = WorkloadRecord(Meta("Deployment", "shop", "web"), kind="Deployment")
    row = workload_render.workload_row(wl.meta.key, wl, None, NOW)
    keys = [c.key for c in workload_render.COLUMNS]
    assert len(row.cells) == len(keys)
    cells = dict(zip(keys, row.cells, strict=True))
    assert {cells[k].plain for k in (*USAGE, "cpu_trend")} == {"n/a"}
    assert keys.index("cpu") == workload_render.USAGE_AT


def test_a_namespace_sums_its_pods() -> None:
    a, b, c = pod("a"), pod("b"), pod("c", namespace="payments")
    sums = namespace_usage(
        view(
            measured(a, Usage(100.0, 100 * MI)),
            measured(b, Usage(50.0, 28 * MI)),
            measured(c, Usage(5.0, 0.0)),
        ).pods
    )
    assert sums == {"shop": Usage(190.0, 328 * MI), "payments": Usage(25.0, 100 * MI)}


def shown_at(width: int, *, namespace: bool) -> list[str]:
    """The pod columns a table `width` cells wide shows for a typical pod."""
    p = PodRecord(
        Meta("Pod", "kube-system", "checkout-7d9f8b6c5-jp4kq", created=NOW - timedelta(days=3)),
        phase="Running",
        ready_count=1,
        container_count=1,
        node="node-1",
        pod_ip="10.0.0.7",
        spec=pod("x").spec,
    )
    row = PodRows(namespace=namespace).rows([p], NOW, view(measured(p, Usage(100.0, 100 * MI))))[0]
    columns = pod_render.columns(namespace=namespace)
    widths = fit_widths(columns, measure_widths(columns, [row]), width, GAP)
    return [c.key for c, w in zip(columns, widths, strict=True) if w]


def test_narrow_tables_drop_the_usage_columns_before_any_name_and_keep_the_oomkill_risk_longest() -> None:
    base = ["name", "ready", "status", "restarts", "age"]
    assert shown_at(78, namespace=True) == ["namespace", *base]  # what kubectl get pods shows
    assert shown_at(78, namespace=False) == [
        *base[:4],
        "last_restart",
        "cpu",
        "age",
    ]  # one namespace: CPU too
    order = ["cpu_r", "mem_r", "cpu_l", "ip", "mem_l", "node", "mem", "cpu", "last_restart"]
    seen = [shown_at(w, namespace=True) for w in range(160, 60, -1)]
    dropped = [k for k in order if any(k not in s for s in seen)]
    assert dropped == order  # each goes at some width…
    first_gone = {k: next(i for i, s in enumerate(seen) if k not in s) for k in order}
    assert sorted(order, key=lambda k: first_gone[k]) == order  # …in this order
    assert all({"namespace", "name"} <= set(s) for s in seen)  # names never
    assert len(shown_at(158, namespace=True)) == len(pod_render.columns(namespace=True))


def test_usage_keys_are_where_the_rows_put_them() -> None:
    keys = [c.key for c in pod_render.columns(namespace=True)]
    assert keys[pod_render.usage_index(True) : pod_render.usage_index(True) + 6] == list(USAGE)
    keys = [c.key for c in pod_render.COLUMNS]
    assert keys[pod_render.usage_index(False) : pod_render.usage_index(False) + 6] == list(USAGE)
    keys = [c.key for c in workload_render.COLUMNS]
    at = workload_render.USAGE_AT
    assert keys[at : at + workload_render.USAGE_WIDTH] == [*USAGE, "cpu_trend"]


def test_rows_sort_by_the_usage_numbers() -> None:
    ps = [pod(f"p{i}") for i in range(3)]
    mems = [300, 100, 600]
    v = view(*(measured(p, Usage(1.0, m * MI), Usage(0.0, 0.0)) for p, m in zip(ps, mems, strict=True)))
    rows = PodRows().rows(ps, NOW, v)
    columns = pod_render.COLUMNS
    index = [c.key for c in columns].index("mem")
    order = view_keys(rows, RowFilter(), columns, index, True)
    assert [k.name for k in order if isinstance(k, ObjectKey)] == ["p2", "p0", "p1"]


def test_the_pods_of_other_keys_do_not_leak_between_lists() -> None:
    """Two lists (namespace shown or not) put the usage cells at their own index."""
    p = pod("web-1")
    v = view(measured(p, Usage(100.0, 200 * MI)))
    with_ns = PodRows(namespace=True).rows([p], NOW, v)[0]
    keys = [c.key for c in pod_render.columns(namespace=True)]
    cells = dict(zip(keys, with_ns.cells, strict=True))
    assert (cells["namespace"].plain, cells["cpu"].plain) == ("shop", "120m")
    assert ObjectKey("Pod", "shop", "web-1") == with_ns.key


def test_figure_cells_colour_limits_like_the_quota_bars_and_dim_waste() -> None:
    cells = figure_cells(UsageFigures(1.0, 1.0, 5.0, 85.0, 150.0, 95.0))
    assert [style_of(c) for c in cells[2:]] == [MUTED_STYLE, WARNING_STYLE, "", ERROR_STYLE]
    assert figure_cells(None) == (NA_CELL,) * 6


def test_a_trend_reads_only_the_end_of_each_series() -> None:
    history = UsageHistory()
    key = pod_series(ObjectKey("Pod", "shop", "web-1"))
    for i in range(240):
        history.add(key, Sample(1000.0 + 15 * i, float(i), MI))
    v = UsageView(True, "", history=history)
    assert v.tail(key, 3) == v.series(key)[-3:]
    assert v.tail(key, 500) == v.series(key) and v.tail(key, 0) == ()
    assert UsageView().tail(key, 3) == ()
