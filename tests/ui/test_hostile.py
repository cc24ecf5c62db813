"""Hostile names and messages render literally on the dashboard; none becomes markup or an action."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from kdash.model.meta import ObjectKey
from kdash.sim import start_sim
from kdash.sim.scenarios import builders as b
from kdash.ui.widgets.resource_table import ResourceTable
from tests.ui.conftest import FIXED, Notifications, build_app, frozen, screen_text, settle, wait_for

CLICK = "[@click=app.quit]x"
BROKEN = "[/bold]"
ESCAPE = "\x1b]52;c;cGF3bmVk\x07\x1b[2J"


def hostile_deployment(ns: str, name: str) -> dict[str, Any]:
    meta = b.meta("Deployment", ns, name, FIXED, timedelta(hours=1), labels={"app": "evil"})
    return {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": meta,
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "evil"}},
            "template": {
                "metadata": {"labels": {"app": "evil"}},
                "spec": {"containers": [{"name": "c", "image": f"reg/{BROKEN}:1"}]},
            },
        },
        "status": {"replicas": 1, "readyReplicas": 0, "updatedReplicas": 1, "availableReplicas": 0},
    }


@pytest.fixture(scope="module")
def hostile_sim() -> Iterator[Any]:
    sim = start_sim("demo", now=frozen)
    sim.apply(hostile_deployment("shop", CLICK))
    sim.apply(hostile_deployment("shop", f"a{BROKEN}b"))
    pod = b.pod("shop", f"p-{BROKEN}", [b.container("app", "busybox:1.36", port=None)], now=FIXED,
                age=timedelta(minutes=30), labels={"app": "evil"})  # fmt: skip
    b.crash_loop(pod, "app", now=FIXED, restarts=9, message=f"{CLICK} {BROKEN} {ESCAPE}\nline two")
    sim.apply(pod)
    try:
        yield sim
    finally:
        sim.stop()


async def test_markup_in_names_and_messages_is_shown_literally(hostile_sim: Any) -> None:
    app = build_app(hostile_sim)
    notes = Notifications()
    async with app.run_test(size=(200, 60), notifications=True, message_hook=notes) as pilot:
        await settle(pilot)
        keys = app.screen.query_one("#workloads ResourceTable", ResourceTable).visible_keys()
        assert ObjectKey("Deployment", "shop", CLICK) in keys
        text = "\n".join(screen_text(app))
        assert CLICK in text  # literally, brackets and all
        assert f"a{BROKEN}b" in text
        assert f"p-{BROKEN}" in text
        assert "\x1b" not in text and "\x07" not in text
        svg = app.export_screenshot()  # the full compositor path must not raise MarkupError
        assert "app.quit" in svg
        # clicking the hostile row selects it; it must not run app.quit
        table = app.screen.query_one("#workloads ResourceTable", ResourceTable)
        table.focus()
        assert table.move_cursor(ObjectKey("Deployment", "shop", CLICK))
        row_y = 1 + table.cursor_row - int(table.scroll_y)
        await pilot.click(table, offset=(30, row_y))
        await pilot.pause()
        assert app.is_running
        # a filter and a command made of markup are shown and reported literally
        await pilot.press("slash", *BROKEN)
        await pilot.pause()
        assert f"/{BROKEN}" in "\n".join(screen_text(app))
        await pilot.press("escape", "colon", *BROKEN, "enter")
        await wait_for(pilot, lambda: notes.any(BROKEN))
        await pilot.press("colon", *"ns ", *CLICK, "enter")  # a namespace with markup in its name
        await pilot.pause()
        assert app.is_running
