"""Pod detail after kdash restarts: the crash a first run journaled shows in a second run's app,
for the pod itself and for another pod of the same workload, with the log tail neutralised."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kdash.config import KdashConfig
from kdash.crashes import open_journal
from kdash.model.meta import ObjectKey
from kdash.sim import start_sim
from kdash.ui.screens.pod import PodDetailScreen
from tests.journal.runs import cart_pods, crash, kdash_run
from tests.ui.conftest import build_app, frozen, screen_segments, screen_text, settle, wait_for

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    cluster = start_sim("demo", now=frozen)
    yield cluster
    cluster.stop()


async def test_pod_detail_shows_the_previous_crashes_from_an_earlier_run(
    sim: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    config = KdashConfig()
    first, second = cart_pods(sim)[:2]
    with kdash_run(sim, config):  # the first kdash: captures two crashes, then exits
        crash(
            sim,
            config,
            first,
            ["boot", "\x1b]52;c;aGk=\x07fatal: \x1b[2Jdisk [bold]full[/bold]"],
            reason="OOMKilled",
            exit_code=137,
            message="out of memory",
        )
        crash(sim, config, second, ["second pod says bye"], reason="Error", exit_code=2, message="bad config")

    app = build_app(sim, journal=open_journal(config))  # the second kdash
    async with app.run_test(size=(160, 70)) as pilot:
        await settle(pilot)
        screen = PodDetailScreen(app.session, ObjectKey("Pod", "shop", first))
        await app.push_screen(screen)
        await wait_for(pilot, lambda: len(screen.journal_entries) == 2)
        app.clear_notifications()  # new-alert toasts would cover the right of the page
        await pilot.pause()
        text = "\n".join(screen_text(app))
        assert "Previous crashes" in text and "2 crashes kept from earlier" in text
        assert "OOMKilled" in text and "out of memory" in text and "bad config" in text
        # the newest (the other pod of the Deployment) is opened first; `c` opens the next
        assert "second pod says bye" in text and "disk" not in text, text
        await pilot.press("c")
        app.clear_notifications()
        await pilot.pause()
        text = "\n".join(screen_text(app))
        assert "fatal: disk [bold]full[/bold]" in text and "aGk=" not in text  # markup as text, no OSC
        assert not any("\x1b" in seg.text or "\x07" in seg.text for seg in screen_segments(app))

        # The sibling pod (same Deployment and container) shows both crashes too.
        await pilot.press("escape")
        sibling = PodDetailScreen(app.session, ObjectKey("Pod", "shop", second))
        await app.push_screen(sibling)
        await wait_for(pilot, lambda: len(sibling.journal_entries) == 2)


async def test_pod_detail_without_a_journal_has_no_section(sim: Any) -> None:
    app = build_app(sim)
    async with app.run_test(size=(160, 70)) as pilot:
        await settle(pilot)
        screen = PodDetailScreen(app.session, ObjectKey("Pod", "shop", cart_pods(sim)[0]))
        await app.push_screen(screen)
        await pilot.pause()
        assert "Previous crashes" not in "\n".join(screen_text(app))
        await pilot.press("c")  # says there is nothing rather than failing
