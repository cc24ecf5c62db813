"""Log widgets over the real LogService and the simulated cluster (and the tail pane, crash view)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_logs_view import HOSTILE, FakeLogs, Host
from textual.app import App, ComposeResult

from kdash.k8s.kubeconfig import KubeTarget, load_target
from kdash.k8s.logs import LogService
from kdash.model.meta import ObjectKey
from kdash.model.source import LogLine, LogTarget
from kdash.sim.runner import SimCluster, start_sim
from kdash.ui.screens.logs import LogsScreen
from kdash.ui.widgets.crash_log import CrashLogView
from kdash.ui.widgets.log_tail import LogTailPane
from tests.ui.conftest import screen_segments, screen_text, wait_for

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimCluster]:
    cluster = start_sim("demo")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def target(sim: SimCluster) -> KubeTarget:
    return load_target(kubeconfig=str(sim.kubeconfig_path))


def log_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(("kdash-log", "kdash-logs"))]


async def test_sim_hostile_container_renders_literally(target: KubeTarget, tmp_path: Path) -> None:
    """The demo's `toolbox` container logs markup, escapes and a 1 MB line: all shown as text."""
    logs = LogService(target, flush_interval=0.05)
    screen = LogsScreen(logs, LogTarget("shop", pod="toolbox", container="toolbox"), save_dir=tmp_path)
    app = Host(screen)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: screen.view.line_count >= 13)
        await pilot.press("g")
        await pilot.pause()
        shown = "\n".join(screen_text(app))
        assert "[bold red]x[/] rich markup that must be shown literally" in shown
        assert "[@click=app.quit]click[/]" in shown
        assert "window title  set by OSC 0" in shown
        for bad in ("PWNED", "cHduZWQ", "evil.example/"):
            assert bad not in shown
        assert not [s.text for s in screen_segments(app) if "\x1b" in s.text or "\x07" in s.text]
        assert "\x1b" not in app.export_screenshot()
        assert any(len(e.line.text) > 60_000 for e in screen.view.entries)  # the 1 MB line, capped
        await pilot.press("G")
        await pilot.pause()
        assert "normal line after the 1 MB line" in "\n".join(screen_text(app))
        assert app.is_running
        await pilot.press("escape")
        await pilot.pause()
    logs.stop_all()
    assert log_threads() == []


async def test_logs_screen_follows_a_workload_and_stops_its_threads(
    sim: SimCluster, target: KubeTarget, tmp_path: Path
) -> None:
    logs = LogService(target, flush_interval=0.05)
    web = ObjectKey("Deployment", "shop", "web")
    screen = LogsScreen(
        logs, LogTarget("shop", workload=web, label_selector="app=web", tail_lines=2), save_dir=tmp_path
    )
    app = Host(screen)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(pilot, lambda: screen.view.line_count >= 12)  # 2 lines x 6 containers
        pods = sorted({e.line.pod for e in screen.view.entries})
        assert len(pods) == 3
        sim.append_log("shop", pods[0], "nginx", ["GET /checkout 500 boom"])
        await wait_for(pilot, lambda: any(e.plain == "GET /checkout 500 boom" for e in screen.view.entries))
        await pilot.pause()
        shown = "\n".join(screen_text(app))
        assert f"{pods[0]}/nginx GET /checkout 500 boom" in shown
        await wait_for(pilot, lambda: "following 6 containers" in "\n".join(screen_text(app)))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not log_threads())


class TailHost(App[None]):
    def __init__(self, pane: LogTailPane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield self.pane


async def test_tail_pane_switches_targets_and_pauses() -> None:
    logs = FakeLogs()
    pane = LogTailPane(logs)
    app = TailHost(pane)
    async with app.run_test(size=(100, 20)) as pilot:
        await wait_for(pilot, lambda: "select a workload" in "\n".join(screen_text(app)))
        web = LogTarget("shop", workload=ObjectKey("Deployment", "shop", "web"))
        pane.follow(web)
        pane.follow(web)  # the same selection again: no new stream
        assert len(logs.opened) == 1
        logs.push(["from a"], pod="web-a")
        logs.push(["from b"], pod="web-b")
        await wait_for(pilot, lambda: pane.view.line_count == 2)
        await pilot.pause()
        shown = "\n".join(screen_text(app))
        assert "web-a/app from a" in shown and "web-b/app from b" in shown
        colours = {
            s.text: s.style.color for s in screen_segments(app) if s.text in ("web-a", "web-b") and s.style
        }
        assert len(set(colours.values())) == 2  # one colour per pod
        pane.view.focus()
        await pilot.press("space")
        assert not pane.view.follow
        assert "PAUSED" in "\n".join(screen_text(app))
        await pilot.press("slash", *"from b", "enter")
        await pilot.pause()
        assert pane.view.row_count == 1
        old_cb = logs.opened[0][1]
        pane.follow(LogTarget("payments"))
        assert logs.opened[0][2].stopped and len(logs.opened) == 2
        old_cb([LogLine("shop", "web-a", "app", "late")])  # a batch already in flight
        logs.push(["payments line"], pod="api-1")
        await wait_for(pilot, lambda: pane.view.line_count == 1)
        assert pane.view.entries[0].plain == "payments line"
    assert logs.opened[1][2].stopped  # unmount stops the stream


async def test_crash_log_view_is_safe() -> None:
    view = CrashLogView(HOSTILE[:10] + ["panic: the end"])

    class CrashHost(App[None]):
        def compose(self) -> ComposeResult:
            yield view

    app = CrashHost()
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        shown = "\n".join(screen_text(app))
        assert "last crash (11 lines)" in shown
        assert "[bold red]x[/] rich markup" in shown
        assert "panic: the end" in shown
        assert "PWNED" not in shown and "cHduZWQ" not in shown
        assert not [s.text for s in screen_segments(app) if "\x1b" in s.text]


def test_crash_log_text_empty() -> None:
    from kdash.ui.widgets.crash_log import crash_log_text

    assert crash_log_text([]).plain == "last crash: no logs captured"


async def test_dashboard_tail_and_l_key_in_the_real_app(demo_sim: Any, make_app: Any) -> None:
    """Wiring: the dashboard's tail follows the highlighted workload; `l` opens the logs screen."""
    from conftest import settle

    app = make_app(demo_sim)
    app.logs = LogService(
        load_target(kubeconfig=str(demo_sim.kubeconfig_path)), app.source, flush_interval=0.05
    )
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        tail = app.screen.query_one(LogTailPane)
        await wait_for(pilot, lambda: tail.target is not None and tail.view.line_count > 0)
        followed = tail.target
        assert followed is not None and followed.workload is not None
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
        logs_screen = app.screen
        assert isinstance(logs_screen, LogsScreen)
        await wait_for(pilot, lambda: logs_screen.view.line_count > 0)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, LogsScreen))
    app.logs.stop_all()
