"""What is repainted, and when: only the lines of changed rows, and never a pane off screen.

- A ResourceTable redraws only the lines whose row changed or moved (counted through a
  `render_line` hook), nothing for a change off screen, and what it shows after any series of
  partial updates is what a full repaint shows.
- A dashboard pane that is not on screen (another tab of the compact layout, or the dashboard
  under a prompt) builds nothing from new views; it shows the newest one as soon as it is shown.
"""

from __future__ import annotations

import random
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip

from kdash.model.meta import ObjectKey
from kdash.ui.screens.dashboard import DashboardScreen
from kdash.ui.screens.help import HelpScreen
from kdash.ui.widgets.pane import Pane
from kdash.ui.widgets.resource_table import Cell, Column, ResourceTable, Row
from tests.ui.conftest import build_app, screen_segments, settle, wait_for

COLUMNS = (
    Column("name", "NAME", max_width=20),
    Column("restarts", "RESTARTS", numeric=True),
    Column("message", "MESSAGE", max_width=30),
)


def row(i: int, restarts: int = 0, message: str = "") -> Row:
    return Row(i, (Cell(f"pod-{i}"), Cell(Text(str(restarts)), restarts), Cell(message)))


class CountingTable(ResourceTable):
    """Records which lines Textual asked it to draw."""

    def __init__(self) -> None:
        super().__init__(COLUMNS)
        self.drawn: list[int] = []

    def render_line(self, y: int) -> Strip:
        self.drawn.append(y)
        return super().render_line(y)


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CountingTable()


async def test_only_the_lines_of_changed_rows_are_redrawn() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(CountingTable)
        rows = [row(i) for i in range(500)]
        table.set_rows(rows)
        await pilot.pause()
        table.drawn.clear()

        rows[3] = row(3, restarts=7)  # on screen: data line 3 is widget line 4
        table.set_rows(list(rows))
        await pilot.pause()
        assert sorted(set(table.drawn)) == [4]

        table.drawn.clear()
        rows[300] = row(300, restarts=9)  # off screen
        rows.append(row(500))  # a new row at the end, off screen too
        table.set_rows(list(rows))
        await pilot.pause()
        assert table.drawn == []

        table.drawn.clear()
        rows.insert(0, row(999))  # every shown line moves down one (the widths stay)
        table.set_rows(list(rows))
        await pilot.pause()
        assert sorted(set(table.drawn)) == list(range(1, 12))


async def test_after_any_partial_updates_the_table_shows_what_a_full_repaint_does() -> None:
    """Random edits, moves, growth, a filter and a sort, the cursor, focus and scrolling: after
    each, the screen equals a full repaint of the table drawn afresh (a missed line, or a cached
    one kept too long, would show a stale row)."""
    app = TableApp()
    rnd = random.Random(12)
    async with app.run_test(size=(70, 14)) as pilot:
        table = app.query_one(CountingTable)
        table.focus()
        rows = [row(i, rnd.randrange(5)) for i in range(40)]
        for step in range(60):
            what = rnd.choice(
                ["edit", "edit", "edit", "add", "drop", "move", "key", "filter", "sort", "focus"]
            )
            if what == "edit":
                i = rnd.randrange(len(rows))
                rows[i] = row(rows[i].key, rnd.randrange(5), rnd.choice(["", "oom", "crash"]))  # type: ignore[arg-type]
            elif what == "add":
                rows.insert(rnd.randrange(len(rows) + 1), row(1000 + step, rnd.randrange(5)))
            elif what == "drop" and len(rows) > 5:
                rows.pop(rnd.randrange(len(rows)))
            elif what == "move":
                rows.insert(rnd.randrange(len(rows)), rows.pop(rnd.randrange(len(rows))))
            elif what == "key":
                await pilot.press(rnd.choice(["down", "down", "up", "pagedown", "pageup", "end", "home"]))
            elif what == "focus":  # the cursor row is drawn in the blurred style, or back
                app.set_focus(None if table.has_focus else table)
            elif what == "filter":
                table.set_filter(rnd.choice(["", "", "crash", "!oom", "pod-1"]))
            else:
                table.sort_by(rnd.choice([None, "restarts", "message"]), rnd.random() < 0.5)
            table.set_rows(list(rows))
            await pilot.pause()
            partial = screen_segments(app)
            table.notify_style_update()  # drops every cached line: the repaint draws each afresh
            table.refresh()
            if table.show_vertical_scrollbar:
                table.vertical_scrollbar.refresh()  # a thumb left where it was would show here
            await pilot.pause()
            assert screen_segments(app) == partial, f"step {step} ({what}) left stale lines"


def _pane(app: Any, pane_id: str) -> Pane:
    return app.screen_stack[0].query_one(f"#{pane_id}", Pane)


def _bump(updated: int) -> Any:
    def change(obj: dict[str, Any]) -> None:
        obj["status"]["updatedReplicas"] = updated

    return change


TARGET = ObjectKey("Deployment", "shop", "frontend")


def _up_to_date_shown(pane: Pane) -> str:
    row_ = pane.table.get_row(TARGET)
    assert row_ is not None
    return row_.cells[[c.key for c in pane.table.columns].index("updated")].plain


async def test_a_pane_on_another_tab_builds_nothing_and_catches_up_when_shown(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(80, 24)) as pilot:  # compact: one pane at a time
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and screen.has_class("-compact")
        workloads = _pane(app, "workloads")
        await pilot.press("tab")  # HPA on screen, Workloads on another tab
        assert screen.active_pane == "hpa"
        shown_before = _up_to_date_shown(workloads)

        demo_sim.update("Deployment", "shop", "frontend", _bump(7))
        await wait_for(pilot, lambda: screen.view is not None and _updated(screen) == 7)
        await wait_for(pilot, lambda: workloads.holding)
        assert _up_to_date_shown(workloads) == shown_before  # not rebuilt while hidden
        assert not _pane(app, "hpa").holding  # the pane on screen follows every view

        await pilot.press("shift+tab")  # back to Workloads: filled before it is painted
        assert not workloads.holding
        assert _up_to_date_shown(workloads) == "7"


async def test_the_dashboard_under_a_prompt_is_filled_again_when_it_is_back(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        workloads = _pane(app, "workloads")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        shown_before = _up_to_date_shown(workloads)

        demo_sim.update("Deployment", "shop", "frontend", _bump(5))
        await wait_for(pilot, lambda: dashboard.view is not None and _updated(dashboard) == 5)
        await pilot.pause()
        assert _up_to_date_shown(workloads) == shown_before  # covered: nothing rebuilt

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is dashboard)
        await wait_for(pilot, lambda: _up_to_date_shown(workloads) == "5")


def _updated(screen: DashboardScreen) -> int | None:
    assert screen.view is not None
    wl = screen.view.snapshot.workloads.get(TARGET)
    return None if wl is None else wl.up_to_date
