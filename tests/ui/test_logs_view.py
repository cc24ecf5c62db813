"""LogsScreen and LogView keys and rendering, over a scripted log source (no cluster needed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App

from kdash.model.source import LogLine, LogTarget
from kdash.ui.screens.logs import LogsScreen
from kdash.ui.stylesheets import stylesheet_paths
from kdash.ui.widgets.log_view import LogView
from tests.ui.conftest import Notifications, screen_segments, screen_text, wait_for

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

HOSTILE = [
    "normal line before the storm",
    "[bold red]x[/] rich markup that must be shown literally",
    "[@click=app.quit]click[/] a link that must never quit the app",
    "closing tag without opening [/bold] and [/]",
    "\x1b[31mred via ANSI SGR\x1b[0m and more",
    "cursor moves \x1b[10A\x1b[5C and clear screen \x1b[2J\x1b[H right here",
    "window title \x1b]0;PWNED\x07 set by OSC 0",
    "clipboard write \x1b]52;c;cHduZWQ=\x07 via OSC 52",
    "hyperlink \x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\ via OSC 8",
    "bell \x07 backspace \x08 c1 \x9b2J csi",
    "A" * (1024 * 1024),
    "normal line after the 1 MB line",
]


class FakeStream:
    def __init__(self) -> None:
        self.stopped = False
        self.dropped = 0
        self.status = "following 1 container"

    def stop(self) -> None:
        self.stopped = True


class FakeLogs:
    """A LogSource whose lines the test pushes through the real `on_lines` callback."""

    def __init__(self) -> None:
        self.opened: list[tuple[LogTarget, Callable[[list[LogLine]], None], FakeStream]] = []

    def open(self, target: LogTarget, on_lines: Callable[[list[LogLine]], None]) -> FakeStream:
        stream = FakeStream()
        self.opened.append((target, on_lines, stream))
        return stream

    def push(self, texts: list[str], pod: str = "web-1", container: str = "app") -> None:
        _, on_lines, _ = self.opened[-1]
        on_lines(
            [LogLine("shop", pod, container, t, T0 + timedelta(seconds=i), i) for i, t in enumerate(texts)]
        )


class Host(App[None]):
    CSS_PATH = stylesheet_paths()

    def __init__(self, screen: Any) -> None:
        super().__init__()
        self._first = screen

    def on_mount(self) -> None:
        self.push_screen(self._first)


def make(tmp_path: Path, target: LogTarget | None = None) -> tuple[Host, FakeLogs, LogsScreen]:
    logs = FakeLogs()
    screen = LogsScreen(
        logs, target or LogTarget("shop", pod="web-1", container="app"), save_dir=tmp_path, clock=lambda: T0
    )
    return Host(screen), logs, screen


async def test_follow_pause_and_jump_to_end(tmp_path: Path) -> None:
    app, logs, screen = make(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        logs.push([f"line {i}" for i in range(200)])
        await wait_for(pilot, lambda: screen.view.line_count == 200)
        view = screen.view
        await pilot.pause()
        assert view.follow and view.scroll_y == view.max_scroll_y
        assert "line 199" in "\n".join(screen_text(app))
        await pilot.press("s")
        assert not view.follow
        assert "PAUSED" in "\n".join(screen_text(app))
        before = view.scroll_y
        logs.push([f"more {i}" for i in range(50)])
        await wait_for(pilot, lambda: view.line_count == 250)
        assert view.scroll_y == before
        await pilot.press("G")
        await pilot.pause()
        assert view.follow and view.scroll_y == view.max_scroll_y
        await pilot.press("up")  # scrolling up pauses, like k9s
        assert not view.follow
        await pilot.press("f")
        assert view.follow


async def test_search_next_and_previous(tmp_path: Path) -> None:
    app, logs, screen = make(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        logs.push([f"line {i} needle" if i in (10, 100, 150) else f"line {i}" for i in range(200)])
        await wait_for(pilot, lambda: screen.view.line_count == 200)
        await pilot.press("slash", *"needle", "enter")
        view = screen.view
        assert view.match_count == 3
        assert view.current_match == 2  # the newest match first, as when reading a tail
        assert "line 150 needle" in "\n".join(screen_text(app))
        await pilot.press("n")
        assert view.current_match == 0  # wraps around
        await pilot.pause()
        assert "line 10 needle" in "\n".join(screen_text(app))
        await pilot.press("n")
        assert view.current_match == 1
        await pilot.press("N")
        assert view.current_match == 0
        await pilot.press("N")
        assert view.current_match == 2
        assert "search needle 3/3" in "\n".join(screen_text(app))
        # The matched text is highlighted on screen (reverse or the current-match colour).
        hits = [s for s in screen_segments(app) if "needle" in s.text and s.style is not None]
        assert any(s.style.reverse or s.style.bgcolor is not None for s in hits if s.style is not None)


async def test_filter_and_negated_filter(tmp_path: Path) -> None:
    app, logs, screen = make(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        logs.push(["GET /a 200", "GET /b 500", "POST /c 200", "GET /d 503"])
        await wait_for(pilot, lambda: screen.view.line_count == 4)
        await pilot.press("ampersand", *" 5\\d\\d", "enter")
        await pilot.pause()
        assert screen.view.row_count == 2
        shown = "\n".join(screen_text(app))
        assert "GET /b 500" in shown and "GET /d 503" in shown and "GET /a 200" not in shown
        await pilot.press("ampersand", "ctrl+u", *"!GET", "enter")
        await pilot.pause()
        assert [e.plain for e in screen.view.visible_entries()] == ["POST /c 200"]


async def test_save_writes_the_filtered_lines(tmp_path: Path) -> None:
    app, logs, screen = make(tmp_path / "out")
    async with app.run_test(size=(100, 30)) as pilot:
        logs.push(["keep 1", "drop", "\x1b[31mkeep 2\x1b[0m"])
        await wait_for(pilot, lambda: screen.view.line_count == 3)
        await pilot.press("ampersand", *"keep", "enter")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.last_saved is not None)
        assert screen.last_saved is not None
        assert screen.last_saved.parent == tmp_path / "out"
        body = screen.last_saved.read_text(encoding="utf-8").splitlines()
        assert [ln.split(" ", 1)[1] for ln in body] == ["keep 1", "keep 2"]  # after the timestamp


async def test_saved_notification_says_how_many_lines_and_how_big(tmp_path: Path) -> None:
    app, logs, screen = make(tmp_path / "out")
    notes = Notifications()
    async with app.run_test(size=(100, 30), message_hook=notes) as pilot:
        logs.push(["only line"])
        await wait_for(pilot, lambda: screen.view.line_count == 1)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: notes.any("saved "))
        assert screen.last_saved is not None
        size = screen.last_saved.stat().st_size
        assert notes.messages[-1] == f"saved 1 line ({size} Bytes) to {screen.last_saved}"


async def test_wrap_timestamps_and_json_modes(tmp_path: Path) -> None:
    app, logs, screen = make(tmp_path)
    async with app.run_test(size=(80, 30)) as pilot:
        record = {
            "level": "error",
            "msg": "payment failed",
            "ts": 1.5,
            "order": 42,
            "note": "\u001b]52;c;eA==\u0007x",
        }
        logs.push(["x" * 300, json.dumps(record)])
        await wait_for(pilot, lambda: screen.view.line_count == 2)
        view = screen.view
        assert view.row_count == 2
        await pilot.press("w")
        assert view.row_count > 4
        await pilot.press("w", "t")
        await pilot.pause()
        assert "12:00:01.000" in "\n".join(screen_text(app))
        await pilot.press("j")
        await pilot.pause()
        shown = "\n".join(screen_text(app))
        assert "ERROR payment failed order=42" in shown
        assert "52;c" not in shown
        red = [s for s in screen_segments(app) if "payment failed" in s.text]
        assert red and red[0].style is not None and red[0].style.color is not None
        plain = [s for s in screen_segments(app) if s.text.startswith("42")]
        assert plain and plain[0].style is not None and plain[0].style.color != red[0].style.color


async def test_presets_container_and_previous_reopen_the_stream(tmp_path: Path) -> None:
    app, logs, screen = make(tmp_path, LogTarget("shop", pod="web-1"))
    async with app.run_test(size=(100, 30)) as pilot:
        logs.push(["from nginx"], container="nginx")
        logs.push(["from sidecar"], container="sidecar")
        await wait_for(pilot, lambda: screen.view.line_count == 2)
        await pilot.press("3")
        target, _, _ = logs.opened[-1]
        assert (target.since_seconds, target.tail_lines) == (300, None)
        assert logs.opened[0][2].stopped
        assert screen.view.line_count == 0
        logs.opened[0][1]([LogLine("shop", "web-1", "nginx", "late line from the old stream")])
        logs.push(["fresh"], container="nginx")
        await wait_for(pilot, lambda: screen.view.line_count == 1)
        await pilot.press("p")
        assert logs.opened[-1][0].previous and not logs.opened[-1][0].follow
        await pilot.press("p", "c")
        await pilot.pause()
        await pilot.press("down", "enter")  # first container after "all containers"
        await pilot.pause()
        assert logs.opened[-1][0].container == "nginx"


async def test_hostile_lines_render_literally(tmp_path: Path) -> None:
    app, logs, screen = make(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        logs.push(HOSTILE)
        await wait_for(pilot, lambda: screen.view.line_count == len(HOSTILE))
        await pilot.press("g")
        await pilot.pause()
        shown = "\n".join(screen_text(app))
        assert "[bold red]x[/] rich markup" in shown
        assert "[@click=app.quit]click[/]" in shown
        assert "closing tag without opening [/bold] and [/]" in shown
        assert "window title  set by OSC 0" in shown
        assert "clipboard write  via OSC 52" in shown
        assert "hyperlink click me via OSC 8" in shown
        assert "cursor moves  and clear screen  right here" in shown
        for bad in ("PWNED", "cHduZWQ", "evil.example", "52;c"):
            assert bad not in shown
        segs = screen_segments(app)
        assert not [s.text for s in segs if any(c in s.text for c in "\x1b\x07\x08\x9b\x9d")]
        assert not [s for s in segs if s.style is not None and s.style.link]
        red = [s for s in segs if s.text.startswith("red via ANSI SGR")]
        assert red and red[0].style is not None and red[0].style.color is not None
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "PWNED" not in svg
        assert app.is_running  # the [@click=app.quit] line did nothing


class ViewHost(App[None]):
    def __init__(self, view: LogView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> Any:
        yield self.view


async def test_log_view_ring_drops_oldest_and_counts() -> None:
    view = LogView(max_lines=100)
    async with ViewHost(view).run_test(size=(80, 20)) as pilot:
        view.feed([LogLine("ns", "p", "c", f"l{i}", None, i) for i in range(150)])  # 50 over in the feed
        view.feed([LogLine("ns", "p", "c", f"l{i}", None, i) for i in range(150, 250)])
        await wait_for(pilot, lambda: view.line_count == 100)
        view.append([LogLine("ns", "p", "c", f"l{i}", None, i) for i in range(250, 260)])
        assert view.line_count == 100
        assert view.evicted == 160
        assert view.entries[0].plain == "l160"
        assert view.row_count == 100
        await pilot.pause()
        assert "l259" in "\n".join(screen_text(pilot.app))


@pytest.mark.parametrize("prefix", [True, False])
async def test_long_line_is_truncated_for_display(prefix: bool) -> None:
    view = LogView(prefix=prefix)
    async with ViewHost(view).run_test(size=(80, 20)) as pilot:
        view.append([LogLine("ns", "p", "c", "B" * 1_000_000), LogLine("ns", "p", "c", "after")])
        assert len(view.entries[0].display) == 2000
        assert view.entries[0].display.endswith("…")
        await pilot.pause()
        view.set_options(wrap=True)
        await pilot.pause()
        assert view.row_count == 1 + -(-(2000 + (4 if prefix else 0)) // view.scrollable_content_region.width)
        assert "after" in "\n".join(screen_text(pilot.app))


async def test_filter_matches_the_pod_and_container_prefix(tmp_path: Path) -> None:
    app, logs, screen = make(tmp_path, LogTarget("shop", pod="web-1"))  # every container: prefixed
    async with app.run_test(size=(120, 30)) as pilot:
        logs.push(["GET / 200", "GET /cart 200"], container="app")
        logs.push(["shipped 2 batches", "shipped 1 batch"], container="log-shipper")
        await wait_for(pilot, lambda: screen.view.line_count == 4)
        assert screen.view.options["prefix"]
        await pilot.press("ampersand", *"log-shipper", "enter")
        await pilot.pause()
        assert [e.plain for e in screen.view.visible_entries()] == ["shipped 2 batches", "shipped 1 batch"]
        assert screen.view.row_count == 2
        await pilot.press("ampersand", "ctrl+u", *"!web-1/log-shipper", "enter")
        await pilot.pause()
        assert [e.plain for e in screen.view.visible_entries()] == ["GET / 200", "GET /cart 200"]


async def test_save_with_nothing_to_save_says_so_and_writes_no_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    app, logs, screen = make(out)
    notes = Notifications()
    async with app.run_test(size=(100, 30), notifications=True, message_hook=notes) as pilot:
        logs.push(["one", "two"])
        await wait_for(pilot, lambda: screen.view.line_count == 2)
        await pilot.press("ampersand", *"no such line", "enter")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: notes.any("nothing to save"))
        await pilot.pause(0.2)  # a write would run in a worker thread: give it the chance to (wrongly) land
        assert screen.last_saved is None
        assert not out.exists() or not list(out.iterdir())


async def test_j_and_k_move_in_the_container_picker(tmp_path: Path) -> None:
    app, logs, screen = make(tmp_path, LogTarget("shop", pod="web-1"))
    async with app.run_test(size=(100, 30)) as pilot:
        logs.push(["from nginx"], container="nginx")
        logs.push(["from sidecar"], container="sidecar")
        await wait_for(pilot, lambda: screen.view.line_count == 2)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("j", "j", "k", "enter")  # all containers → nginx → sidecar → nginx
        await wait_for(pilot, lambda: logs.opened[-1][0].container == "nginx")
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("j", "enter")  # from nginx (highlighted, as the current one) to sidecar
        await wait_for(pilot, lambda: logs.opened[-1][0].container == "sidecar")
