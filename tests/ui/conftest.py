"""Shared fixtures for UI tests: the real app over a real ClusterService on the simulated cluster.

Reuse them from any `tests/ui/test_*.py`:

- `demo_sim` (module scope): `start_sim("demo", now=lambda: FIXED)`; stopped after the module.
- `make_app(sim, with_logs=False, **kwargs) -> KdashApp` (also importable as `build_app`): a KdashApp
  over a fresh `ClusterService` for `sim`, with the frozen clock `FIXED` and no remembered
  preferences unless `prefs=` is given; `with_logs=True` adds a real `LogService`. The app starts the
  service on mount and stops it on unmount.
- `settle(pilot)`: waits (by polling a condition, never a fixed delay) until the service has synced
  and the latest snapshot is scored and on screen.
- `wait_for(pilot, predicate)`: the one wait for UI tests (threads and servers use
  `tests.helpers.wait_for`); fails with the screen's text.
- `screen_text(app)` / `screen_segments(app)`: the current screen as plain text lines / styled segments.
- `Notifications()`: pass as `run_test(message_hook=notes)`; `notes.any("text")` says whether the app
  notified it (read from Textual's public `Notify` message, not the app's private list).

Snapshot tests use `SNAP_PORT` so the server URL in the header is the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from rich.segment import Segment
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot

from kdash.k8s.kubeconfig import load_target
from kdash.k8s.service import ClusterService
from kdash.sim import start_sim
from kdash.ui.app import KdashApp

FIXED = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SNAP_PORT = 47123  # fixed so the header's server URL is stable in SVG snapshots


def frozen() -> datetime:
    return FIXED


def build_app(sim: Any, *, with_logs: bool = False, **kwargs: Any) -> KdashApp:
    """A KdashApp over a new ClusterService talking to `sim`, with the frozen clock; `with_logs`
    adds a real LogService (the log tail pane and `l`/`p` then work)."""
    target = load_target(kubeconfig=str(sim.kubeconfig_path))
    service = ClusterService(target, clock=frozen)
    kwargs.setdefault("clock", frozen)
    if with_logs:
        from kdash.k8s.logs import LogService

        kwargs["logs"] = LogService(target, service, timeout=(5.0, 2.0))  # short reads: quick teardown
    return KdashApp(service, **kwargs)


@pytest.fixture(scope="module")
def demo_sim() -> Iterator[Any]:
    sim = start_sim("demo", now=frozen)
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture(scope="module")
def snap_sim() -> Iterator[Any]:
    """The demo on the fixed port, for SVG snapshots (the header shows the server's URL)."""
    sim = start_sim("demo", now=frozen, port=SNAP_PORT)
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def make_app() -> Callable[..., KdashApp]:
    return build_app


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], bool], attempts: int = 600) -> None:
    """Let the app run until `predicate()` holds; fails with the screen's text if it never does."""
    for _ in range(attempts):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached; screen shows:\n" + "\n".join(screen_text(pilot.app)))


async def settle(pilot: Pilot[Any]) -> None:
    """Until synced, scored and rendered; then one more refresh so the screen shows it."""
    app = pilot.app
    assert isinstance(app, KdashApp)
    # the first metrics poll (or its 404) too: a shot must not catch "waiting for metrics"
    await wait_for(pilot, lambda: app.session.source.snapshot().usage.message != "waiting for metrics")
    await wait_for(pilot, app.session.synced)
    # what the cluster held when synced, scored and drawn (later changes may still be in flight)
    generation = app.session.source.snapshot().generation
    await wait_for(pilot, lambda: app.session.caught_up(generation))
    await pilot.pause()
    await wait_for(pilot, lambda: app.session.caught_up(generation))


def _screen_strips(app: Any) -> list[Any]:
    """The active screen as rendered lines.

    The one read of Textual private state left in the tests: Textual 8 has no public way to get
    what a screen shows as text (`App.export_screenshot()` gives SVG, whose text would have to be
    parsed back out of positioned <text> elements).
    """
    return list(app.screen._compositor.render_strips())


def screen_text(app: Any) -> list[str]:
    """The active screen as plain text, one string per terminal line."""
    return [strip.text for strip in _screen_strips(app)]


def screen_segments(app: Any) -> list[Segment]:
    """Every styled segment on the active screen, for assertions on colour and emphasis."""
    return [seg for strip in _screen_strips(app) for seg in strip]


class Notifications:
    """The messages of every notification an app posts: pass as `run_test(message_hook=...)`.

    `App` keeps its notifications in a private collection; `Notify` is the public message that
    `App.notify` posts, and `message_hook` is run_test's public way to see every message.
    """

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.messages.append(message.notification.message)

    def any(self, text: str) -> bool:
        """Whether some notification so far contains `text`."""
        return any(text in m for m in self.messages)
