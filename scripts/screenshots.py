"""Write the README screenshots (SVG) from a real run of kdash on the simulated demo cluster.

The same code path as the snapshot tests: the simulator and the app share a frozen clock, and each
shot is taken once the service has synced and the latest snapshot is scored and on screen.
Run with `make screenshots` (or `.venv/bin/python scripts/screenshots.py [OUT_DIR]`).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from kdash.k8s.kubeconfig import load_target
from kdash.k8s.logs import LogService
from kdash.k8s.service import ClusterService
from kdash.model.meta import ObjectKey
from kdash.sim import start_sim
from kdash.ui.app import KdashApp
from kdash.ui.widgets.resource_table import ResourceTable

FIXED = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
PORT = 47124
Action = Callable[[Pilot[Any]], Awaitable[None]]


def frozen() -> datetime:
    return FIXED


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], bool], attempts: int = 1000) -> None:
    for _ in range(attempts):
        if predicate():
            return
        await pilot.pause(0.02)
    raise RuntimeError(f"screenshot: condition not reached on {pilot.app.screen!r}")


async def settled(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, KdashApp)
    await wait_for(pilot, lambda: app.session.source.snapshot().usage.message != "waiting for metrics")
    await wait_for(pilot, app.session.is_settled)
    await pilot.pause()
    await wait_for(pilot, app.session.is_settled)


async def quiet(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()


async def with_log_lines(pilot: Pilot[Any]) -> None:
    """Settled, and in the wide layout the log tail shows the selected workload's lines (a shot
    taken before they arrive shows an empty pane, and differs from run to run)."""
    await settled(pilot)
    if pilot.app.size.height >= 34:
        lines = lambda: [s.text for s in pilot.app.screen._compositor.render_strips()]  # noqa: E731
        try:
            await wait_for(pilot, lambda: any("coredns-" in line for line in lines()[-10:]), attempts=250)
        except RuntimeError:
            sys.stderr.write("screenshots: the log tail stayed empty\n")


async def main_screen(pilot: Pilot[Any]) -> None:
    await with_log_lines(pilot)
    await quiet(pilot)


async def pod_detail(pilot: Pilot[Any]) -> None:
    from kdash.ui.screens.pod import PodDetailScreen
    from kdash.ui.screens.workload import WorkloadPodsScreen

    app = pilot.app
    await settled(pilot)
    table = app.screen.query_one("#workloads ResourceTable", ResourceTable)
    table.move_cursor(ObjectKey("Deployment", "shop", "checkout"))
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
    pods = app.screen.query_one(ResourceTable)
    await wait_for(pilot, lambda: pods.row_count > 0)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen) and app.screen.pod is not None)
    await wait_for(pilot, lambda: getattr(app.screen, "findings", None) is not None)
    await quiet(pilot)


async def namespaces(pilot: Pilot[Any]) -> None:
    await with_log_lines(pilot)
    await pilot.press("n")
    await quiet(pilot)


async def help_screen(pilot: Pilot[Any]) -> None:
    await with_log_lines(pilot)
    await pilot.press("question_mark")
    await quiet(pilot)


async def alerts(pilot: Pilot[Any]) -> None:
    from kdash.ui.screens.alerts import AlertsScreen

    app = pilot.app
    await settled(pilot)
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen))
    await wait_for(pilot, lambda: app.screen.query_one(ResourceTable).row_count > 0)
    app.clear_notifications()
    await quiet(pilot)


def kind_list(line: str) -> Action:
    """`:line` typed in the command bar, shot once the list's feed is live and drawn."""

    async def action(pilot: Pilot[Any]) -> None:
        from kdash.model.snapshot import SyncPhase
        from kdash.ui.screens.resources import KindListScreen

        app = pilot.app
        await settled(pilot)
        await pilot.press("colon", *line, "enter")

        def ready() -> bool:
            screen = app.screen
            if not isinstance(screen, KindListScreen) or screen.feed is None:
                return False
            view = screen.feed.view()
            return view.phase is not SyncPhase.SYNCING and view.generation > 0

        await wait_for(pilot, ready)
        app.clear_notifications()
        await quiet(pilot)

    return action


async def hpa_detail(pilot: Pilot[Any]) -> None:
    from kdash.ui.screens.hpa import HpaScreen

    app = pilot.app
    await settled(pilot)
    table = app.screen.query_one("#hpa ResourceTable", ResourceTable)
    await wait_for(pilot, lambda: table.row_count > 0)
    table.focus()
    table.move_cursor(ObjectKey("HorizontalPodAutoscaler", "shop", "frontend"))
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, HpaScreen) and app.screen.target is not None)
    app.clear_notifications()
    await quiet(pilot)


SHOTS: tuple[tuple[str, tuple[int, int], Action], ...] = (
    ("main.svg", (160, 48), main_screen),
    ("main-80x24.svg", (80, 24), main_screen),
    ("pod-detail.svg", (160, 48), pod_detail),
    ("namespaces.svg", (120, 36), namespaces),
    ("help.svg", (120, 40), help_screen),
    ("alerts.svg", (160, 36), alerts),
    ("nodes.svg", (160, 36), kind_list("nodes")),
    ("services.svg", (160, 36), kind_list("svc")),
    ("crd-certificates.svg", (160, 36), kind_list("certificates")),
    ("hpa-detail.svg", (160, 48), hpa_detail),
)


async def shoot(sim: Any, out: Path, name: str, size: tuple[int, int], action: Action) -> None:
    target = load_target(kubeconfig=str(sim.kubeconfig_path))
    service = ClusterService(target, clock=frozen)
    logs = LogService(target, service)
    app = KdashApp(service, logs, clock=frozen)
    try:
        async with app.run_test(size=size) as pilot:
            await action(pilot)
            app.save_screenshot(filename=name, path=str(out))
    finally:
        logs.stop_all()
    sys.stdout.write(f"wrote {out / name}\n")


async def fleet_shot(out: Path, name: str = "fleet.svg", size: tuple[int, int] = (160, 16)) -> None:
    """The Fleet screen on `kdash sim --clusters 3`'s clusters (prod, staging, dev), worst first."""
    from kdash.k8s.fleet import Fleet
    from kdash.k8s.fleet_source import FleetSource
    from kdash.sim.fleet import demo_specs, start_fleet

    with start_fleet(demo_specs(3, pods=1000), now=frozen) as sims:
        fleet = Fleet(str(sims.kubeconfig_path), sims.contexts, clock=frozen, all_contexts=sims.contexts)
        app = KdashApp(FleetSource(fleet, "prod"), clock=frozen, fleet=fleet)
        async with app.run_test(size=size) as pilot:

            def ready() -> bool:
                watch, screen = app.fleet_mode.watch, app.fleet_mode.screen
                return (
                    watch is not None
                    and screen is not None
                    and len(watch.rows) == 3
                    and all(r.state in ("live", "forbidden") and r.version for r in watch.rows)
                    and all(r.grade or not r.pods for r in watch.rows)
                    and screen.rows == watch.rows
                )

            await wait_for(pilot, ready)
            await quiet(pilot)
            app.save_screenshot(filename=name, path=str(out))
    sys.stdout.write(f"wrote {out / name}\n")


async def run(out: Path, only: list[str]) -> None:
    if not only or "fleet.svg" in only:
        await fleet_shot(out)
    shots = [shot for shot in SHOTS if not only or shot[0] in only]
    if not shots:
        return
    sim = start_sim("demo", now=frozen, port=PORT)
    try:
        for name, size, action in shots:
            await shoot(sim, out, name, size, action)
    finally:
        sim.stop()


def main() -> None:
    """`screenshots.py [OUT_DIR [NAME.svg ...]]`: every shot, or only those named."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    asyncio.run(run(out, sys.argv[2:]))


if __name__ == "__main__":
    main()
