"""Columns on the real screens of the demo: at 80×24 every pod name on screen reads differently
(cut in the middle, never at the end) and NAMESPACE stays in all-namespaces mode; free text is
not cut where there is room, and scrolls with ←/→ where there is not."""

from __future__ import annotations

from typing import Any

from kdash.model.meta import ObjectKey
from kdash.ui.render.table import object_key_of
from kdash.ui.screens.dashboard import DashboardScreen
from kdash.ui.screens.pods_list import PodListScreen
from kdash.ui.widgets.resource_table import ResourceTable
from kdash.ui.widgets.table_columns import ELLIPSIS
from tests.ui.conftest import build_app, screen_text, settle, wait_for


def _header_and_lines(app: Any, table: ResourceTable) -> tuple[str, list[str]]:
    """The table's header and data lines as the screen shows them."""
    region = table.region
    text = screen_text(app)
    lines = [line[region.x : region.right] for line in text[region.y : region.bottom]]
    return lines[0], lines[1 : 1 + min(table.row_count, region.height - 1)]


def _shown_names(app: Any, table: ResourceTable, label: str) -> list[tuple[str, str]]:
    """(the object's name, what the screen shows in column `label`) for each row on screen."""
    header, lines = _header_and_lines(app, table)
    start = header.index(f"{label} ") if f" {label} " not in header else header.index(f" {label} ") + 1
    keys = table.visible_keys()[int(table.scroll_y) :]
    out = []
    for key, line in zip(keys, lines, strict=False):
        obj = object_key_of(key)
        assert obj is not None
        out.append((obj.name, line[start:].split(" ", 1)[0]))
    return out


def _assert_names_read_apart(pairs: list[tuple[str, str]]) -> None:
    assert pairs, "no rows on screen"
    shown_by_name: dict[str, str] = {}
    for name, shown in pairs:
        head, cut, tail = shown.partition(ELLIPSIS)
        if cut:
            assert name.startswith(head) and name.endswith(tail) and tail, (name, shown)
            assert len(tail) >= 5, (name, shown)  # a pod's random suffix survives
        else:
            assert shown == name, (name, shown)
        shown_by_name[name] = shown
    # never two different pods reading the same
    assert len(set(shown_by_name.values())) == len(shown_by_name), shown_by_name


async def test_at_80x24_pod_names_read_apart_and_namespace_stays(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        workloads = dashboard.query_one("#workloads ResourceTable", ResourceTable)
        header, _lines = _header_and_lines(app, workloads)
        assert "NAMESPACE" in header and "NAME" in header  # all namespaces: NAMESPACE is kept

        await pilot.press("tab", "tab", "tab")  # the compact layout's Restarts tab
        restarts = dashboard.query_one("#restarts ResourceTable", ResourceTable)
        await wait_for(pilot, lambda: restarts.region.width > 0 and restarts.row_count > 0)
        await pilot.pause()
        header, _lines = _header_and_lines(app, restarts)
        assert "NAMESPACE" in header
        pairs = _shown_names(app, restarts, "POD")
        assert any(ELLIPSIS in shown for _name, shown in pairs)  # 80 columns do cut them here
        _assert_names_read_apart(pairs)

        await pilot.press("colon", *"pods", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PodListScreen))
        pods = app.screen.query_one(ResourceTable)
        await wait_for(pilot, lambda: pods.row_count > 0)
        await pilot.pause()
        header, _lines = _header_and_lines(app, pods)
        assert header.startswith("NAMESPACE")
        _assert_names_read_apart(_shown_names(app, pods, "NAME"))


async def test_free_text_is_whole_where_there_is_room_and_scrolls_where_not(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        restarts = app.screen.query_one("#restarts ResourceTable", ResourceTable)
        _header, lines = _header_and_lines(app, restarts)
        assert any("OOMKilled (137)" in line for line in lines)  # the reason whole at 160 columns

        hpa = app.screen.query_one("#hpa ResourceTable", ResourceTable)
        hpa.focus()
        await pilot.press("f")  # maximised: the metrics whole
        await wait_for(pilot, lambda: hpa.region.width > 120)
        await pilot.pause()
        frontend = hpa.get_row(ObjectKey("HorizontalPodAutoscaler", "shop", "frontend"))
        assert frontend is not None
        metrics = frontend.cells[[c.key for c in hpa.columns].index("metrics")].plain
        _header, lines = _header_and_lines(app, hpa)
        assert any(metrics in line for line in lines), (metrics, lines)

    app = build_app(demo_sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab")  # the HPA tab
        hpa = app.screen.query_one("#hpa ResourceTable", ResourceTable)
        await wait_for(pilot, lambda: hpa.region.width > 0 and hpa.row_count > 0)
        hpa.focus()
        assert hpa.move_cursor(ObjectKey("HorizontalPodAutoscaler", "shop", "web"))
        await pilot.pause()
        web = hpa.get_row(ObjectKey("HorizontalPodAutoscaler", "shop", "web"))
        assert web is not None
        metrics = web.cells[[c.key for c in hpa.columns].index("metrics")].plain
        header, lines = _header_and_lines(app, hpa)
        assert "▸" in header and not any(metrics in line for line in lines)  # cut, and says so
        for _ in range(20):
            await pilot.press("right")
        await pilot.pause()
        header, lines = _header_and_lines(app, hpa)
        assert "◂" in header
        line = lines[hpa.visible_keys().index(web.key)]
        assert metrics[-8:] in line  # the end of the metrics is on screen now
        for _ in range(20):
            await pilot.press("left")
        await pilot.pause()
        header, _lines = _header_and_lines(app, hpa)
        assert "◂" not in header
