"""Keys typed while kdash starts (before the dashboard has mounted and chosen its first pane) are
kept and applied in order once it has, as a terminal's type-ahead is: `kdash` then Tab Tab at
once must end on the third pane, not on Workloads."""

from __future__ import annotations

from typing import Any

from textual import events

from kdash.ui.app import KdashApp
from kdash.ui.screens.dashboard import PANE_IDS, DashboardScreen
from tests.ui.conftest import build_app, settle, wait_for

CHARACTERS = {"tab": "\t", "colon": ":", "ctrl+j": "\n"}  # as the terminal driver names them


class EarlyTypist(KdashApp):
    """Posts keys from its own on_mount: the dashboard screen has not mounted yet then."""

    keys: tuple[str, ...] = ()

    def on_mount(self) -> None:
        for key in self.keys:
            self.post_message(events.Key(key, CHARACTERS.get(key, key)))
        super().on_mount()


async def test_tabs_typed_during_start_up_move_the_focus(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    app.__class__ = EarlyTypist
    EarlyTypist.keys = ("tab", "tab")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        await wait_for(pilot, lambda: screen.active_pane == PANE_IDS[2])
        await wait_for(pilot, lambda: screen.focused_pane_id() == PANE_IDS[2])


async def test_a_command_typed_during_start_up_runs(demo_sim: Any) -> None:
    """`kdash` then `:pods⏎` at once: the command bar opens, takes "pods" and the Enter, and runs it
    (tmux showed the bar left open with "pods" in it, the Enter read as ctrl+j, `?` typed into it)."""
    from kdash.ui.screens.command_bar import CommandBar
    from kdash.ui.screens.pods_list import PodListScreen

    app = build_app(demo_sim)
    app.__class__ = EarlyTypist
    # typed before raw mode, the Enter went through the tty's ICRNL: it arrives as a line feed
    EarlyTypist.keys = ("colon", "p", "o", "d", "s", "ctrl+j")
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PodListScreen))
        await pilot.pause(0.2)
        assert not any(isinstance(s, CommandBar) for s in app.screen_stack)
