"""SVG snapshots of the node and service screens at 80x24 and 160x48 on the demo scenario.

Deterministic as tests/ui/test_snapshots.py: frozen clock shared by the simulator and the app, a
fixed port, and every shot taken once the service has synced, the screen's feeds have listed and
its table is filled. Update with `pytest --snapshot-update tests/ui/test_typed_snapshots.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from kdash.model.meta import ObjectKey
from kdash.ui.screens.node import NodeScreen
from kdash.ui.screens.service import ServiceScreen
from kdash.ui.widgets.typed_detail import TypedScreen
from tests.ui.conftest import build_app
from tests.ui.test_typed_screens import open_typed

SnapCompare = Callable[..., bool]


def opener(key: ObjectKey, screen: type[TypedScreen], rows: int) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        shown = await open_typed(pilot, key, screen, rows=rows)
        feeds = shown.feeds.opened()
        while not all(f.view().generation > 0 for f in feeds):
            await pilot.pause(0.05)
        pilot.app.clear_notifications()  # the dashboard's toasts (new alerts) are not this screen's
        for _ in range(3):
            await pilot.pause()
            await pilot.wait_for_scheduled_animations()

    return run_before


NODE = opener(ObjectKey("Node", "", "node-3"), NodeScreen, rows=4)
SERVICE = opener(ObjectKey("Service", "shop", "cart"), ServiceScreen, rows=2)


def test_node_80x24(snap_compare: SnapCompare, snap_sim: Any) -> None:
    """node-3 under memory pressure: the title and conditions say so; its pods below."""
    assert snap_compare(build_app(snap_sim), terminal_size=(80, 24), run_before=NODE)


def test_node_160x48(snap_compare: SnapCompare, snap_sim: Any) -> None:
    """Every section: summary, conditions, allocated resources, taints; the pods with requests."""
    assert snap_compare(build_app(snap_sim), terminal_size=(160, 48), run_before=NODE)


def test_service_80x24(snap_compare: SnapCompare, snap_sim: Any) -> None:
    """shop/cart: one ready endpoint, one crash-looping pod that gets no traffic, and why."""
    assert snap_compare(build_app(snap_sim), terminal_size=(80, 24), run_before=SERVICE)


def test_service_160x48(snap_compare: SnapCompare, snap_sim: Any) -> None:
    assert snap_compare(build_app(snap_sim), terminal_size=(160, 48), run_before=SERVICE)
