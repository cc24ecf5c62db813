"""SVG snapshots of the dashboard, pod detail, namespace picker and help on the demo scenario.

Deterministic: the simulator and the app share the frozen clock `FIXED`, the simulator listens on
a fixed port (the header shows the server URL), and every shot waits until the service has synced
and the latest snapshot is scored and on screen. Update with `pytest --snapshot-update` after
reviewing `snapshot_report.html`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from kdash.model.meta import ObjectKey
from kdash.ui.widgets.resource_table import ResourceTable
from tests.ui.conftest import build_app, settle, wait_for

SnapCompare = Callable[..., bool]


async def _settled(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await _quiet(pilot)


async def open_pod_detail(pilot: Pilot[Any]) -> None:
    """Dashboard → workload shop/web → its first pod → pod detail."""
    from kdash.ui.screens.pod import PodDetailScreen
    from kdash.ui.screens.workload import WorkloadPodsScreen

    app = pilot.app
    await settle(pilot)
    table = app.screen.query_one("#workloads ResourceTable", ResourceTable)
    assert table.move_cursor(ObjectKey("Deployment", "shop", "web"))
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
    pods = app.screen.query_one(ResourceTable)
    await wait_for(pilot, lambda: pods.row_count > 0)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen) and app.screen.pod is not None)
    await wait_for(pilot, lambda: getattr(app.screen, "findings", None) is not None)
    await pilot.pause()


async def _quiet(pilot: Pilot[Any]) -> None:
    """Let focus/blur repaints of the screen below a modal finish before the shot."""
    for _ in range(3):
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()


async def open_help(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("question_mark")
    await _quiet(pilot)


async def open_picker(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("n")
    await _quiet(pilot)


def test_dashboard_80x24(snap_compare: SnapCompare, snap_sim: Any) -> None:
    """Compact layout: tab strip, the Workloads pane, footer; nothing wraps."""
    assert snap_compare(build_app(snap_sim), terminal_size=(80, 24), run_before=_settled)


def test_dashboard_160x48(snap_compare: SnapCompare, snap_sim: Any) -> None:
    """Wide layout: every pane at once, rows coloured by health."""
    assert snap_compare(build_app(snap_sim), terminal_size=(160, 48), run_before=_settled)


def test_pod_detail(snap_compare: SnapCompare, snap_sim: Any) -> None:
    """Enter on a workload, enter on its pod: the drill-down engineer's pod detail."""
    assert snap_compare(build_app(snap_sim), terminal_size=(160, 48), run_before=open_pod_detail)


def test_help(snap_compare: SnapCompare, snap_sim: Any) -> None:
    """`?` over the dashboard: every binding, generated from the bindings."""
    assert snap_compare(build_app(snap_sim), terminal_size=(120, 40), run_before=open_help)


def test_namespace_picker(snap_compare: SnapCompare, snap_sim: Any) -> None:
    """`n`: namespaces with their pod + workload counts."""
    assert snap_compare(build_app(snap_sim), terminal_size=(120, 36), run_before=open_picker)
