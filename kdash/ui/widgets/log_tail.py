"""The dashboard's log tail: recent lines of the selected workload's (or namespace's) pods.

The dashboard calls `follow(target)` whenever the selection changes; the pane swaps its stream
without blocking (the old stream winds down on its own threads) and ignores the old stream's late
batches. Lines are prefixed `pod/container` in one colour per pod, like stern. `space` pauses
(the buffer keeps filling, the view stops moving), `t` toggles timestamps, `/` filters.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from kdash.model.source import LogLine, LogSource, LogStream, LogTarget
from kdash.ui.widgets.log_view import LogView


def _target_words(target: LogTarget) -> str:
    if target.workload is not None:
        return f"{target.workload.kind} {target.workload.namespace}/{target.workload.name}"
    if target.pod is not None:
        return f"{target.namespace}/{target.pod}"
    return f"namespace {target.namespace}" if target.namespace else "all namespaces"


class LogTailPane(Vertical):
    """Follows one `LogTarget` at a time into a small `LogView`."""

    DEFAULT_CSS = """
    LogTailPane { height: 1fr; }
    LogTailPane > LogView { height: 1fr; }
    LogTailPane > .log-tail-status { height: 1; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_pause", "Pause", id="logtail-pause"),
        Binding("t", "toggle_timestamps", "Time", show=False, id="logtail-timestamps"),
        Binding("slash", "open_filter", "Filter", id="logtail-filter"),
        Binding("escape", "close_filter", "Clear filter", show=False, id="logtail-filter-clear"),
    ]

    def __init__(self, logs: LogSource | None, *, max_lines: int = 2_000, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.logs = logs
        self.max_lines = max_lines
        self.target: LogTarget | None = None
        self.stream: LogStream | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: regex, !negate", classes="log-tail-filter")
        yield LogView(self.max_lines, prefix=True, timestamps=True)
        yield Static(classes="log-tail-status")

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def on_mount(self) -> None:
        self.query_one(Input).display = False
        self._update_status()
        self.set_interval(1.0, self._update_status)

    def on_unmount(self) -> None:
        self._stop()

    def follow(self, target: LogTarget) -> None:
        """Follow `target` instead of whatever was followed (a no-op for the same target)."""
        if target == self.target:
            return
        self._stop()
        self.target = target
        self.view.clear()
        if self.logs is None:
            self._update_status()
            return
        self._generation += 1
        generation, view = self._generation, self.view

        def on_lines(batch: list[LogLine]) -> None:
            if generation == self._generation:
                view.feed(batch)

        self.stream = self.logs.open(target, on_lines)
        self._update_status()

    def _stop(self) -> None:
        if self.stream is not None:
            stream, self.stream = self.stream, None
            self._generation += 1
            stream.stop()

    def _update_status(self) -> None:
        if not self.is_mounted:
            return
        status = Text(no_wrap=True, overflow="ellipsis")
        if self.logs is None:
            status.append("no log source")
        elif self.target is None:
            status.append("select a workload to tail its logs")
        else:
            status.append(_target_words(self.target))
            if self.stream is not None:
                status.append(" · " + self.stream.status)
            dropped = self.view.evicted + (self.stream.dropped if self.stream is not None else 0)
            if dropped:
                status.append(f" · {dropped:,} dropped", style="yellow")
            if not self.view.follow:
                status.append(" · PAUSED", style="reverse")
        self.query_one(".log-tail-status", Static).update(status)

    def action_toggle_pause(self) -> None:
        self.view.follow = not self.view.follow
        self._update_status()

    def action_toggle_timestamps(self) -> None:
        self.view.set_options(timestamps=not self.view.options["timestamps"])

    def action_open_filter(self) -> None:
        box = self.query_one(Input)
        box.display = True
        box.focus()

    def action_close_filter(self) -> None:
        box = self.query_one(Input)
        box.value = ""
        box.display = False
        self.view.set_filter("")
        self.view.focus()

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.view.set_filter(event.value)

    @on(Input.Submitted)
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.view.focus()

    @on(LogView.FollowChanged)
    def _follow_changed(self) -> None:
        self._update_status()
