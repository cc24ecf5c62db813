"""SVG snapshot of the pod detail of a deterministic demo pod (the crash-looping cart replica).

Its own module, so its simulator is fresh: the other drill tests add pods to the demo cluster.
The clock, the scenario and the terminal size are fixed, so the picture only changes when the
screen does (update with `pytest --snapshot-update`).
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from kdash.model.meta import ObjectKey
from kdash.ui.screens.pod import PodDetailScreen
from tests.ui.conftest import build_app, settle, wait_for


def _crashing_cart(app: Any) -> ObjectKey:
    key: ObjectKey = min(
        k
        for k, p in app.source.snapshot().pods.items()
        if k.namespace == "shop" and k.name.startswith("cart-") and p.status_text == "CrashLoopBackOff"
    )
    return key


def test_pod_detail_of_crashlooping_pod(demo_sim: Any, snap_compare: Any) -> None:
    """Summary, containers with the last termination, conditions, events, owners and findings."""
    app = build_app(demo_sim)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        screen = PodDetailScreen(app.session, _crashing_cart(app))
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.findings is not None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(130, 60), run_before=run_before)
