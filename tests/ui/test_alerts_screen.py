"""Alerts in the TUI on the demo simulator: the header badge, a toast for a new crash loop, the
`:alerts` screen, drill-down to the pod and its previous logs, resolution, and hostile names.

The demo holds still (no behaviour engine): the test makes the cluster change through the
simulator's API (a pod starts crash-looping, then recovers), and the app sees it over its real
watch, as it would a live cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from kdash.alerts.config import AlertsConfig
from kdash.model.meta import ObjectKey
from kdash.sim import start_sim
from kdash.sim.scenarios import builders as b
from kdash.ui.desktop import DesktopNotifier
from kdash.ui.screens.alerts import AlertsScreen
from kdash.ui.screens.logs import LogsScreen
from kdash.ui.screens.pod import PodDetailScreen
from kdash.ui.widgets.resource_table import ResourceTable
from tests.ui.conftest import FIXED, Notifications, build_app, frozen, screen_text, settle, wait_for

NS = "shop"
HOSTILE = "evil-\x1b]0;owned\x07[bold red]x[/]\x1b[2J-\u202epod"
CLICK = "[@click=app.quit]x"


def crashing_pod(name: str, message: str = "") -> dict[str, Any]:
    pod = b.pod(NS, name, [b.container("app", "busybox:1.36", port=None)], now=FIXED,
                age=timedelta(minutes=30), labels={"app": "alerting"})  # fmt: skip
    b.crash_loop(pod, "app", now=FIXED, restarts=3, message=message)
    return pod


def healthy_again(obj: dict[str, Any]) -> None:
    for cs in obj["status"]["containerStatuses"]:
        cs["state"] = {"running": {"startedAt": b.ts(FIXED, timedelta(minutes=1))}}
        cs["ready"] = True
        cs["started"] = True


@pytest.fixture
def sim() -> Iterator[Any]:
    sim = start_sim("demo", now=frozen)
    try:
        yield sim
    finally:
        sim.stop()


def header(app: Any) -> str:
    return screen_text(app)[0]


async def test_a_new_crash_loop_badge_toast_screen_drill_down_and_recovery(sim: Any) -> None:
    config = AlertsConfig(bell=True, crashloop_clear_minutes=0)
    app = build_app(sim, with_logs=True, alerts_config=config)
    notes = Notifications()
    async with app.run_test(size=(160, 48), notifications=True, message_hook=notes) as pilot:
        await settle(pilot)
        board = app.session.alerts.board
        before = board.open_count
        assert before > 0 and f"▲ {before} alerts" in header(app)  # the demo's own crash loops, OOMs...
        # what the first look finds was there before kdash: counted in the badge, not toasted
        assert not notes.any("CrashLoopBackOff") and not notes.any("press a or :alerts")
        bells = app.alert_notifier.bells
        await wait_for(pilot, lambda: not app.session.alerts.quiet)  # the first look is over
        sim.apply(crashing_pod("payments-worker-1", message="panic: nil map"))
        await wait_for(pilot, lambda: f"▲ {before + 1} alerts" in header(app))
        await wait_for(
            pilot, lambda: notes.any("container app of pod payments-worker-1 is in CrashLoopBackOff")
        )
        assert app.alert_notifier.bells == bells + 1  # --bell: an error alert rang once

        await pilot.press("colon", *"alerts", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen))
        await pilot.press("slash", *"payments-worker", "enter")
        table = app.screen.query_one(ResourceTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        text = "\n".join(screen_text(app))
        assert "CrashLoopBackOff" in text and "Pod/payments-worker-1 [app]" in text
        assert "panic: nil map" in text  # the detail below the table: the termination message
        await pilot.press("p")  # the previous container's logs: the crash
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
        target = app.screen.target
        assert (target.pod, target.container, target.previous) == ("payments-worker-1", "app", True)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen))
        assert app.screen.key == ObjectKey("Pod", NS, "payments-worker-1")
        await pilot.press("escape")

        sim.update("pods", NS, "payments-worker-1", healthy_again)  # the fix is out: it runs
        await wait_for(pilot, lambda: app.session.alerts.board.open_count == before)
        resolved = [a for a in app.session.alerts.board.resolved if a.key.name == "payments-worker-1"]
        assert [(a.condition, a.resolution) for a in resolved] == [("CrashLoopBackOff", "cleared")]
        await wait_for(pilot, lambda: "resolved 0s" in "\n".join(screen_text(app)))  # the screen follows
        await pilot.press("escape", "escape")  # clear the filter, back to the dashboard
        await wait_for(pilot, lambda: f"▲ {before} alerts" in header(app))


async def test_a_hostile_pod_name_stays_neutralised_in_toast_screen_and_notification(sim: Any) -> None:
    written: list[str] = []
    desktop = DesktopNotifier("osc777", write=written.append)
    app = build_app(sim, alerts_config=AlertsConfig(notify=True), desktop=desktop)
    notes = Notifications()
    async with app.run_test(size=(200, 50), notifications=True, message_hook=notes) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: not app.session.alerts.quiet)
        written.clear()
        sim.apply(crashing_pod(HOSTILE, message=f"{CLICK} \x1b]52;c;cGF3bmVk\x07 boom"))
        await wait_for(pilot, lambda: len(written) == 1)
        sequence = written[0]
        # exactly one OSC 777 string: the hostile ESC/BEL/bidi/";" could not end it early or add one
        # title field, then the body: the name's escapes are gone, its markup is just text
        assert sequence.startswith(
            "\x1b]777;notify;kdash: CrashLoopBackOff: Pod shop/evil-[bold red]x[/]-pod (app);container app of pod"
        )
        assert sequence.count("\x1b") == 1 and sequence.count("\x07") == 1 and sequence.endswith("\x07")
        assert "\u202e" not in sequence and "owned" not in sequence and "cGF3bmVk" not in sequence
        toast = next(m for m in notes.messages if "boom" in m)
        assert "\x1b" not in toast and "\x07" not in toast and CLICK in toast  # shown literally
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen))
        await pilot.press("slash", *"evil", "enter")
        await wait_for(pilot, lambda: app.screen.query_one(ResourceTable).row_count >= 1)
        text = "\n".join(screen_text(app))
        assert "[bold red]x[/]" in text and CLICK in text  # literal, not markup
        assert "\x1b" not in text and "\u202e" not in text
        assert app.is_running  # the [@click=app.quit] never ran


def test_alerts_screen_snapshot(snap_compare: Any, snap_sim: Any) -> None:
    """The Alerts screen on the demo at the frozen clock (the README's screenshot), with the first
    alert's detail below the table."""

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AlertsScreen))
        await wait_for(pilot, lambda: pilot.app.screen.query_one(ResourceTable).row_count > 0)
        for _ in range(3):
            await pilot.pause()

    assert snap_compare(build_app(snap_sim), terminal_size=(160, 36), run_before=run_before)
