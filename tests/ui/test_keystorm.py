"""Key storms: hypothesis types sequences of the app's keys at terminal speed and resizes the
terminal in between, on the demo scenario; afterwards the app must still answer (`esc` backs out,
`?` opens help, `q` quits, each within a bounded number of frames) and nothing may have raised.

`make test` runs the explicit examples and a few generated ones; `make fuzz` runs many more
(KDASH_STORM_EXAMPLES). Keys such as ctrl+s write files and ctrl+f writes preferences: every
storm runs in a fresh temporary directory with HOME and the XDG directories inside it, so nothing
is written into the repository or the user's home.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import os
import pkgutil
import string
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from textual.dom import DOMNode
from textual.widgets import Input

import kdash.ui
from kdash.ui.prefs import Preferences
from kdash.ui.screens.dashboard import DashboardScreen
from kdash.ui.screens.help import HelpScreen
from tests.ui.burst import burst, resize_event
from tests.ui.conftest import build_app, settle

FUZZ = "KDASH_STORM_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("KDASH_STORM_EXAMPLES", "2"))
FRAMES = 150  # bound on the frames (pauses) the app may take to answer one key after a storm

# Keys that end the app by design; typed only at the end. ctrl+p opens Textual's command palette,
# where random typing can pick "Quit" (or `:q`): it is left out for the same reason.
QUIT_KEYS = {"q", "ctrl+q", "ctrl+c", "ctrl+p"}


def _binding_keys() -> set[str]:
    """Every key bound by any kdash widget or screen (collected, so new bindings are stormed too)."""
    keys: set[str] = set()
    for info in pkgutil.walk_packages(kdash.ui.__path__, "kdash.ui."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__.startswith("kdash."):
                for binding in cls.BINDINGS:
                    spec = binding[0] if isinstance(binding, tuple) else binding.key
                    keys.update(k.strip() for k in spec.split(","))
    return keys


NAMED_KEYS = {"escape", "enter", "tab", "shift+tab", "backspace", "up", "down", "left", "right"}
NAMED_KEYS |= {"pageup", "pagedown", "home", "end", "space", "delete", "ctrl+u", "ctrl+w"}
PRINTABLE = set(string.ascii_letters + string.digits + string.punctuation + " ")
ALPHABET = sorted((_binding_keys() | NAMED_KEYS | PRINTABLE) - QUIT_KEYS)

Resize = tuple[int, int]
keys_or_resizes = st.one_of(
    st.sampled_from(ALPHABET),
    st.tuples(st.integers(80, 200), st.integers(24, 60)),
)
storms = st.lists(st.lists(keys_or_resizes, min_size=1, max_size=25), min_size=1, max_size=4)


@contextmanager
def scratch_home() -> Iterator[Path]:
    """A temporary cwd, HOME and XDG directories for one storm; everything restored after."""
    names = (
        "HOME",
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "XDG_DATA_HOME",
        "XDG_CACHE_HOME",
        "XDG_DOWNLOAD_DIR",
    )
    saved = {name: os.environ.get(name) for name in names}
    cwd = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="kdash-storm-") as tmp:
        root = Path(tmp)
        try:
            os.chdir(root)
            for name in names:
                os.environ[name] = str(root / name.lower())
            yield root
        finally:
            os.chdir(cwd)
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


class Errors(logging.Handler):
    """Collects every log record at ERROR or above (kdash's and Textual's)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def open_lines(screen: Any) -> int:
    """Filter lines (inputs hidden until `/`) shown on a screen."""
    return sum(1 for field in screen.query(Input) if field.display)


def nothing_open(app: Any) -> bool:
    """The dashboard is on top with no filter line open: the state `?` and `q` act on."""
    screen = app.screen
    return isinstance(screen, DashboardScreen) and not open_lines(screen)


def layers(app: Any) -> tuple[int, int]:
    """What `esc` peels off: screens on the stack, filter lines open on top."""
    return len(app.screen_stack), open_lines(app.screen)


async def frames_until(pilot: Any, predicate: Any, frames: int = FRAMES) -> bool:
    for _ in range(frames):
        if predicate():
            return True
        await pilot.pause()
    return bool(predicate())


def pane_state(app: Any) -> tuple[str, str, str]:
    """Active pane, active tab and the pane holding the focus: one truth, so they agree."""
    dashboard = app.screen_stack[0]
    tab = dashboard.query_one("#pane-tabs").active
    return dashboard.active_pane, tab.removeprefix("tab-"), dashboard.focused_pane_id()


async def settles(pilot: Any, frames: int = 3) -> bool:
    """The pane state agrees with itself and stays put for `frames` frames (a pane switch that
    re-enters itself flips between two panes forever)."""
    app = pilot.app
    for _ in range(FRAMES):
        first = pane_state(app)
        if len(set(first)) == 1:
            for _ in range(frames):
                await pilot.pause()
                if pane_state(app) != first:
                    break
            else:
                return True
        await pilot.pause()
    return False


async def storm(sim: Any, bursts: list[list[str | Resize]], home: Path) -> None:
    app = build_app(sim, with_logs=True, prefs=Preferences.load(home / "state.json"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for chunk in bursts:
            for item in chunk:
                if isinstance(item, tuple):
                    resize_event(app, *item)
                else:
                    burst(app, [item])
            await pilot.pause()  # a terminal delivers a storm in chunks, one read each
        for _ in range(12):  # back out of whatever the storm opened, one `esc` at a time
            if nothing_open(app):
                break
            before = layers(app)
            burst(app, ["escape"])
            await frames_until(pilot, lambda b=before: layers(app) != b, frames=20)
        assert await frames_until(pilot, lambda: nothing_open(app)), f"esc did not lead back: {app.screen!r}"
        assert await settles(pilot), "the dashboard's active pane, tab strip and focus did not settle"
        burst(app, ["question_mark"])
        assert await frames_until(pilot, lambda: isinstance(app.screen, HelpScreen)), "? opened no help"
        burst(app, ["escape"])
        assert await frames_until(pilot, lambda: nothing_open(app)), "esc did not close help"
        burst(app, ["q"])
        assert await frames_until(pilot, lambda: not app.is_running), "q did not quit"


@settings(
    max_examples=EXAMPLES,
    deadline=None,  # each example starts an app on the sim: seconds, not milliseconds
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # `make test`: the same few storms on every run, no shrinking; `make fuzz`: new ones, shrunk
    derandomize=not FUZZ,
    phases=[Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if FUZZ else []),
)
@example([["tab", "tab"], ["tab", "tab", "question_mark"]])  # the livelock, then `?`
@example([[(80, 24), "tab", (160, 48), "tab", "tab", "tab", "tab", "tab"]])  # after a resize
@example([["slash", *"cart", "enter", "colon", *"deploy", "enter", "n", *"paym", "enter"]])
@example([["l", "escape", "d", "escape", "enter", "enter", "y", "slash", "x", "enter"], ["escape"] * 4])
@given(bursts=storms)
def test_the_app_answers_after_any_key_storm(demo_sim: Any, bursts: list[list[str | Resize]]) -> None:
    errors = Errors()
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        with scratch_home() as home:
            asyncio.run(storm(demo_sim, bursts, home))
    finally:
        root.removeHandler(errors)
    assert not errors.records, [r.getMessage() for r in errors.records]
