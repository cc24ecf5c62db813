"""Per-pane states (forbidden, stale), the command palette, logs and YAML from the dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kdash.model.snapshot import SyncPhase
from kdash.sim import start_sim
from kdash.ui.screens.dashboard import DashboardScreen
from kdash.ui.widgets.resource_table import ResourceTable
from tests.ui.conftest import Notifications, build_app, frozen, screen_text, settle, wait_for


@pytest.fixture(scope="module")
def forbidding_sim() -> Iterator[Any]:
    sim = start_sim("demo", now=frozen, faults="forbid=resourcequotas")
    try:
        yield sim
    finally:
        sim.stop()


async def test_forbidden_kind_is_shown_in_its_pane_and_the_rest_works(forbidding_sim: Any) -> None:
    app = build_app(forbidding_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert app.source.snapshot().states["resourcequotas"].phase is SyncPhase.FORBIDDEN
        quotas = app.screen.query_one("#quotas")
        assert quotas.has_class("-forbidden")
        text = "\n".join(screen_text(app))
        assert "forbidden" in text.lower() or "permission" in text.lower()
        assert app.screen.query_one("#workloads ResourceTable", ResourceTable).row_count > 0


async def test_stale_data_is_marked_in_the_header() -> None:
    sim = start_sim("demo", now=frozen)  # its own: this test takes the server down
    try:
        app = build_app(sim)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            sim.set_faults("down=60s")
            await wait_for(pilot, lambda: any(w in screen_text(app)[0] for w in ("stale", "reconnecting")))
            assert "live" not in screen_text(app)[0]  # never shown as live while it is not
            assert app.screen.query_one("#workloads ResourceTable", ResourceTable).row_count > 0  # data kept
    finally:
        sim.stop()


async def test_command_palette_runs_kdash_commands(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*":ns payments")
        await wait_for(pilot, lambda: ":ns payments" in "\n".join(screen_text(app)))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.namespace == "payments")


async def test_unknown_context_is_reported_not_crashed(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    notes = Notifications()
    async with app.run_test(size=(160, 48), notifications=True, message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"ctx nowhere", "enter")
        await wait_for(pilot, lambda: notes.any("nowhere"))
        assert app.is_running and app.source.snapshot().context == "kdash-sim"


async def test_yaml_and_previous_logs_from_the_dashboard(demo_sim: Any) -> None:
    from kdash.ui.screens.yaml_view import ObjectYamlScreen

    app = build_app(demo_sim)
    notes = Notifications()
    async with app.run_test(size=(160, 48), notifications=True, message_hook=notes) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ObjectYamlScreen))
        assert (
            app.screen.key
            == app.screen_stack[0].query_one("#workloads ResourceTable", ResourceTable).cursor_key
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("d")
        await wait_for(
            pilot, lambda: isinstance(app.screen, ObjectYamlScreen) and app.screen.mode == "describe"
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        # this app has no log source: `p` on a restart row says so instead of failing silently
        await pilot.press("tab", "tab", "tab", "p")
        await wait_for(pilot, lambda: notes.any("logs"))


async def test_log_tail_follows_the_selected_workload_and_l_opens_logs(demo_sim: Any) -> None:
    from kdash.model.meta import ObjectKey
    from kdash.ui.screens.logs import LogsScreen
    from kdash.ui.widgets.log_tail import LogTailPane

    app = build_app(demo_sim, with_logs=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#workloads ResourceTable", ResourceTable)
        table.focus()
        assert table.move_cursor(ObjectKey("Deployment", "shop", "web"))
        tail = app.screen.query_one(LogTailPane)
        await wait_for(pilot, lambda: tail.target is not None and tail.target.workload == table.cursor_key)
        await wait_for(pilot, lambda: any("web-" in line for line in screen_text(app)[-12:]))
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        app.logs.stop_all()  # type: ignore[union-attr]
