"""List screens outside the dashboard (`:pods`, a workload's pods, `:events`) on the simulated cluster:
they show the sync state of the kinds they draw and their ages move on with the app's clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from kdash.model.meta import ObjectKey
from kdash.model.snapshot import SyncPhase
from kdash.sim import start_sim
from kdash.ui.format import ERROR_STYLE, OK_STYLE
from kdash.ui.messages import OpenRow
from kdash.ui.screens.dashboard import DashboardScreen
from kdash.ui.screens.events import EventsScreen
from kdash.ui.screens.pods_list import PodListScreen
from kdash.ui.screens.workload import WorkloadPodsScreen
from kdash.ui.widgets.resource_table import ResourceTable
from tests.ui.conftest import FIXED, build_app, frozen, screen_text, settle, wait_for

WEB = ObjectKey("Deployment", "shop", "web")


@pytest.fixture(scope="module")
def forbidding_sim() -> Iterator[Any]:
    sim = start_sim("demo", now=frozen, faults="forbid=pods+events")
    try:
        yield sim
    finally:
        sim.stop()


async def open_list(pilot: Any, command: str, screen_type: type) -> None:
    app = pilot.app
    await pilot.press("colon", *command, "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, screen_type))
    await pilot.pause()


async def back_to_dashboard(pilot: Any) -> None:
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DashboardScreen))


def shown(app: Any) -> str:
    return "\n".join(screen_text(app))


def marked_not_live(app: Any) -> bool:
    """The list's first lines say the data is not live: stale, or failing with the reason."""
    head = "\n".join(screen_text(app)[:3])
    return "stale for" in head or "cannot reach" in head


async def test_forbidden_kinds_show_the_servers_sentence_not_an_empty_list(forbidding_sim: Any) -> None:
    app = build_app(forbidding_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        states = app.source.snapshot().states
        assert states["pods"].phase is SyncPhase.FORBIDDEN and states["events"].phase is SyncPhase.FORBIDDEN
        pods_words, events_words = states["pods"].message, states["events"].message
        assert "forbidden" in pods_words.lower()

        await open_list(pilot, "pods", PodListScreen)
        await wait_for(pilot, lambda: pods_words[:60] in shown(app))
        assert "no pods" not in shown(app)
        await back_to_dashboard(pilot)

        await open_list(pilot, "events", EventsScreen)
        await wait_for(pilot, lambda: events_words[:60] in shown(app))
        assert "no events" not in shown(app)
        await back_to_dashboard(pilot)

        app.post_message(OpenRow("workloads", WEB))
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
        await wait_for(pilot, lambda: pods_words[:60] in shown(app))


async def test_list_screens_mark_stale_rows_during_an_outage() -> None:
    sim = start_sim("demo", now=frozen)  # its own: this test takes the server down
    try:
        app = build_app(sim)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            await open_list(pilot, "pods", PodListScreen)
            table = app.screen.query_one(ResourceTable)
            assert table.row_count > 0
            assert not marked_not_live(app)
            sim.set_faults("down=60s")
            await wait_for(pilot, lambda: marked_not_live(app))
            assert app.screen.query_one(ResourceTable).row_count > 0  # the rows are kept, and marked
            await back_to_dashboard(pilot)

            await open_list(pilot, "events", EventsScreen)
            await wait_for(pilot, lambda: marked_not_live(app))
            await back_to_dashboard(pilot)

            app.post_message(OpenRow("workloads", WEB))
            await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
            await wait_for(pilot, lambda: marked_not_live(app))
    finally:
        sim.stop()


class Clock:
    """The app's clock, moved by the test (the cluster itself stays still)."""

    def __init__(self) -> None:
        self.now = FIXED

    def __call__(self) -> datetime:
        return self.now


def age_cell(app: Any) -> str:
    table = app.screen.query_one(ResourceTable)
    key = table.visible_keys()[0]
    row = table.get_row(key)
    assert row is not None
    column = [c.key for c in table.columns].index("age")
    return row.cells[column].plain


async def test_ages_tick_on_the_pods_list_and_the_workload_pods(demo_sim: Any) -> None:
    clock = Clock()
    app = build_app(demo_sim, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await open_list(pilot, "pods", PodListScreen)
        before = age_cell(app)
        clock.now = FIXED + timedelta(days=3)
        await wait_for(pilot, lambda: age_cell(app) != before)
        await back_to_dashboard(pilot)

        clock.now = FIXED
        app.post_message(OpenRow("workloads", WEB))
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
        await pilot.pause()
        before = age_cell(app)
        clock.now = FIXED + timedelta(days=3)
        await wait_for(pilot, lambda: age_cell(app) != before)


async def test_quotas_pane_puts_limitrange_defaults_under_every_quota(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        quotas = app.screen.query_one("#quotas ResourceTable", ResourceTable)
        kinds = [key[0].kind for key in quotas.visible_keys()]
        assert "LimitRange" in kinds and "ResourceQuota" in kinds
        first_default = kinds.index("LimitRange")
        assert all(kind == "LimitRange" for kind in kinds[first_default:]), kinds  # defaults sort last


async def test_workloads_pane_paints_a_completed_job_green(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        workloads = app.screen.query_one("#workloads ResourceTable", ResourceTable)
        row = workloads.get_row(ObjectKey("Job", "batch", "import-catalog"))
        assert row is not None
        ready = row.cells[[c.key for c in workloads.columns].index("ready")].text
        assert ready.plain == "1/1"
        assert str(ready.style) == OK_STYLE and str(ready.style) != ERROR_STYLE
