"""Every list has the same keys: `/` filter, sort (shift+→, `O`), `enter`, `l`, `p`, `d`, `y`, `esc`.

One case per list the user can reach on the demo cluster: the five dashboard panes, `:pods`, a
workload's pods, `:events` and quota → heaviest pods. Each key is pressed and its effect checked:
the navigation message it posts for the cursor row and what the app then shows (a screen, or the
sentence saying the row has no logs), the rows the filter keeps, the order the sort gives, and
where `esc` leads (the filter cleared first, then back one level, or the maximised pane restored).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

import pytest
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.screen import Screen

from kdash.model.meta import ObjectKey
from kdash.model.workloads import WORKLOAD_KINDS
from kdash.ui.messages import OpenObject, OpenRow, OpenRowLogs
from kdash.ui.render.table import object_key_of
from kdash.ui.screens.dashboard import PANE_IDS, DashboardScreen
from kdash.ui.screens.events import EventsScreen
from kdash.ui.screens.logs import LogsScreen
from kdash.ui.screens.pods_list import PodListScreen
from kdash.ui.screens.workload import WorkloadPodsScreen
from kdash.ui.screens.yaml_view import ObjectYamlScreen
from kdash.ui.widgets.resource_table import ResourceTable
from kdash.ui.widgets.table_model import sort_key
from tests.ui.conftest import build_app, screen_text, settle, wait_for

WEB = ObjectKey("Deployment", "shop", "web")
NAVIGATION = (OpenRow, OpenRowLogs, OpenObject)


class Recorder:
    """Every navigation message posted (once, however far it bubbles) and every notification."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.notes: list[str] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, NAVIGATION) and not any(m is message for m in self.messages):
            self.messages.append(message)
        elif isinstance(message, Notify):
            self.notes.append(message.notification.message)

    def last(self) -> Message | None:
        return self.messages[-1] if self.messages else None


Opener = Callable[[Pilot[Any]], Awaitable[ResourceTable]]


async def focus_pane(pilot: Pilot[Any], pane_id: str) -> ResourceTable:
    """Tab to a dashboard pane: its table has the focus."""
    app = pilot.app
    for _ in range(PANE_IDS.index(pane_id)):
        await pilot.press("tab")
    table = app.screen.query_one(f"#{pane_id} ResourceTable", ResourceTable)
    await wait_for(pilot, lambda: table.has_focus and table.row_count > 0)
    return table


def pane(pane_id: str) -> Opener:
    async def open_(pilot: Pilot[Any]) -> ResourceTable:
        return await focus_pane(pilot, pane_id)

    return open_


def command(words: str, screen_type: type[Screen[Any]]) -> Opener:
    async def open_(pilot: Pilot[Any]) -> ResourceTable:
        await pilot.press("colon", *words, "enter")
        return await list_table(pilot, screen_type)

    return open_


def drill(pane_id: str, row: Callable[[ResourceTable], Hashable], screen_type: type[Screen[Any]]) -> Opener:
    """`enter` on a row of a dashboard pane opens the list."""

    async def open_(pilot: Pilot[Any]) -> ResourceTable:
        table = await focus_pane(pilot, pane_id)
        assert table.move_cursor(row(table))
        await pilot.press("enter")
        return await list_table(pilot, screen_type)

    return open_


async def list_table(pilot: Pilot[Any], screen_type: type[Screen[Any]]) -> ResourceTable:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, screen_type))
    table = app.screen.query_one(ResourceTable)
    await wait_for(pilot, lambda: table.has_focus and table.row_count > 0)
    return table


def first_quota(table: ResourceTable) -> Hashable:
    return next(k for k in table.visible_keys() if object_key_of(k).kind == "ResourceQuota")  # type: ignore[union-attr]


@dataclass(frozen=True)
class ListCase:
    name: str
    open: Opener
    origin: str
    on_dashboard: bool = False  # `esc` restores the maximised pane rather than going back


CASES = [
    ListCase("workloads pane", pane("workloads"), "workloads", on_dashboard=True),
    ListCase("hpa pane", pane("hpa"), "hpa", on_dashboard=True),
    ListCase("quotas pane", pane("quotas"), "quotas", on_dashboard=True),
    ListCase("restarts pane", pane("restarts"), "restarts", on_dashboard=True),
    ListCase("health pane", pane("health"), "health", on_dashboard=True),
    ListCase(":pods", command("pods", PodListScreen), "pods"),
    ListCase("a workload's pods", drill("workloads", lambda _t: WEB, WorkloadPodsScreen), "pods"),
    ListCase(":events", command("events", EventsScreen), "events"),
    ListCase("quota → heaviest pods", drill("quotas", first_quota, PodListScreen), "pods"),
]


async def back_to(pilot: Pilot[Any], screen: Screen[Any]) -> None:
    """Leave whatever a key opened (`esc`) until `screen` is on top again."""
    app = pilot.app
    if app.screen is not screen:
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


def has_logs(key: ObjectKey) -> bool:
    """Pods and workloads have logs; an autoscaler's are its target's pods' (the demo's all have one)."""
    return key.kind in ("Pod", "HorizontalPodAutoscaler") or key.kind in WORKLOAD_KINDS


async def check_row_keys(pilot: Pilot[Any], case: ListCase, table: ResourceTable, seen: Recorder) -> None:
    """`enter`, `l`, `p`, `d`, `y` on the cursor row: the message for that row, and what it opened."""
    app = pilot.app
    home = app.screen
    row_key = table.cursor_key
    assert row_key is not None
    target = object_key_of(row_key)
    assert target is not None

    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen is not home)  # a screen for the row
    message = seen.last()
    if case.origin == "events":  # an event opens the object it is about
        assert isinstance(message, OpenObject) and message.mode == "describe", message
    else:
        assert message == OpenRow(case.origin, row_key)
    await back_to(pilot, home)

    for key, previous in (("l", False), ("p", True)):
        notes = len(seen.notes)
        await pilot.press(key)
        assert seen.last() == OpenRowLogs(case.origin, row_key, previous), key
        if has_logs(target):
            await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
            assert app.screen.target.previous is previous  # type: ignore[attr-defined]
            await back_to(pilot, home)
        else:
            await wait_for(pilot, lambda n=notes: any("has no logs" in m for m in seen.notes[n:]))
            assert app.screen is home

    for key, mode in (("d", "describe"), ("y", "yaml")):
        await pilot.press(key)
        assert seen.last() == OpenObject(target, mode), key  # type: ignore[arg-type]
        await wait_for(pilot, lambda: isinstance(app.screen, ObjectYamlScreen))
        shown = app.screen
        assert (shown.key, shown.mode) == (target, mode)  # type: ignore[attr-defined]
        await back_to(pilot, home)


def filter_word(table: ResourceTable) -> str:
    """A word the cursor row shows: the name of its object if it shows it, else its longest name."""
    row_key = table.cursor_key
    row = table.get_row(row_key) if row_key is not None else None
    target = object_key_of(row_key)
    assert row is not None and target is not None
    text = row.search_text()
    if target.name in text:
        return target.name
    return max(re.findall(r"[a-z][a-z0-9.-]+", text), key=len)


async def check_filter(pilot: Pilot[Any], table: ResourceTable, word: str) -> None:
    """`/word enter` keeps exactly the rows whose text matches; the list says what it filters by."""
    everything = {key: table.get_row(key) for key in table.visible_keys()}
    await pilot.press("slash", *word, "enter")
    await wait_for(pilot, lambda: table.filter_text == word)
    pattern = re.compile(word, re.IGNORECASE)
    kept = [key for key, row in everything.items() if row is not None and pattern.search(row.search_text())]
    assert kept and set(table.visible_keys()) == set(kept)
    assert table.row_count < len(everything) or len(kept) == len(everything)
    await wait_for(pilot, lambda: any(f"/{word}" in line for line in screen_text(pilot.app)))


def in_order(table: ResourceTable) -> bool:
    """The shown rows are in the order of the sort column (blanks last in either direction)."""
    index = [c.key for c in table.columns].index(table.sort_column or "")
    keys = [sort_key(table.columns, index)(row) for k in table.visible_keys() if (row := table.get_row(k))]
    values = [k for k in keys if k[0] != 2]
    blanks_last = all(k[0] == 2 for k in keys[len(values) :])
    return blanks_last and values == sorted(values, reverse=table.sort_reverse)


async def check_sort(pilot: Pilot[Any], table: ResourceTable) -> None:
    """shift+→ sorts by the next column; `O` flips the order."""
    columns = [c.key for c in table.columns]
    before = table.sort_column
    await pilot.press("shift+right")
    expected = columns[(columns.index(before) + 1) % len(columns)] if before in columns else columns[0]
    assert table.sort_column == expected and in_order(table)
    reverse = table.sort_reverse
    await pilot.press("O")
    assert table.sort_column == expected and table.sort_reverse is not reverse and in_order(table)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_every_list_has_the_same_keys(demo_sim: Any, case: ListCase) -> None:
    seen = Recorder()
    app = build_app(demo_sim, with_logs=True)
    async with app.run_test(size=(160, 48), message_hook=seen) as pilot:
        await settle(pilot)
        table = await case.open(pilot)
        home = app.screen
        before = app.screen_stack[:-1]

        await check_row_keys(pilot, case, table, seen)

        await check_filter(pilot, table, filter_word(table))
        await pilot.press("escape")  # first `esc`: the filter goes, the list stays
        await wait_for(pilot, lambda: table.filter_text == "")
        assert app.screen is home and table.row_count == table.total_count

        await check_sort(pilot, table)

        if case.on_dashboard:  # nothing to go back to: `esc` restores a maximised pane
            await pilot.press("f")
            await wait_for(pilot, lambda: home.maximized is not None)
            await pilot.press("escape")
            await wait_for(pilot, lambda: home.maximized is None)
            assert isinstance(app.screen, DashboardScreen)
        else:
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen_stack == before)
