"""SVG snapshot: pod detail's "Previous crashes" section, from a journal with fixed entries.

Its own module (a fresh simulator with the frozen clock), so the picture changes only when the
screen does (update with `pytest --snapshot-update` on this file only).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from kdash.journal import CrashJournal, JournalEntry
from kdash.k8s.redact import redact
from kdash.model.meta import ObjectKey
from kdash.sim import start_sim
from kdash.ui.screens.pod import PodDetailScreen
from tests.ui.conftest import FIXED, build_app, frozen, settle, wait_for

POD = "cart-mhwmlvwft9-7kttc"  # the demo's crash-looping cart replica


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    cluster = start_sim("demo", now=frozen)
    yield cluster
    cluster.stop()


def crash(
    pod: str, age: timedelta, reason: str, code: int, message: str, tail: tuple[str, ...]
) -> JournalEntry:
    return JournalEntry(
        time=FIXED - age,
        context="kdash-sim",
        namespace="shop",
        pod=pod,
        container="cart",
        restarts=3,
        owner_kind="Deployment",
        owner_name="cart",
        reason=reason,
        exit_code=code,
        message=message,
        finished=FIXED - age,
        log_tail=tail,
    )


def test_pod_detail_with_previous_crashes(sim: Any, tmp_path: Path, snap_compare: Any) -> None:
    journal = CrashJournal(tmp_path / "crashes", redact=redact)
    journal.append(
        crash(
            "cart-mhwmlvwft9-b2x9q",
            timedelta(days=1),
            "Error",
            1,
            "redis down",
            ("connecting to redis:6379", "fatal: redis down"),
        )
    )
    journal.append(
        crash(
            POD,
            timedelta(hours=2),
            "OOMKilled",
            137,
            "",
            (
                "loading catalogue",
                "\x1b[33mwarn\x1b[0m heap at 240Mi",
                "\x1b]0;owned\x07[red]markup stays text[/red]",
                "Authorization: Bearer abcdefghijklmnopqrstuvwxyz",
                "killed",
            ),
        )
    )
    app = build_app(sim, journal=journal)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        screen = PodDetailScreen(app.session, ObjectKey("Pod", "shop", POD))
        await app.push_screen(screen)
        await wait_for(pilot, lambda: len(screen.journal_entries) == 2 and screen.findings is not None)
        screen.query_one("#pod-journal").scroll_visible(animate=False)
        app.clear_notifications()  # toasts (new alerts) are not what this picture is about
        await pilot.pause()

    assert snap_compare(app, terminal_size=(130, 60), run_before=run_before)
