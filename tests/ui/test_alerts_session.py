"""The session runs the alert engine on every render; a big update (here the first pass over a
2,000-pod cluster) goes to a thread, and the board it publishes equals a full pass of its own."""

from __future__ import annotations

from kdash.alerts.engine import AlertEngine
from kdash.sim import start_sim
from tests.ui.conftest import FIXED, build_app, frozen, settle, wait_for


async def test_a_big_update_runs_in_a_thread_and_the_board_is_right() -> None:
    sim = start_sim("big", pods=2000, now=frozen)
    try:
        app = build_app(sim)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            feed = app.session.alerts
            await wait_for(pilot, lambda: feed.threaded >= 1 and not feed.busy)
            app.session.render()  # the queued change sets, on the loop now
            await wait_for(pilot, lambda: not feed.busy)
            snapshot = app.source.snapshot()
            reference = AlertEngine(feed.config)
            reference.update(snapshot, None, FIXED)
            assert feed.board.open_count > 0
            assert [a.id for a in feed.board.open] == [a.id for a in reference.open_alerts()]
    finally:
        sim.stop()
