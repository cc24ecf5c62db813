"""The dashboard's log tail: recent lines of the selected workload's (or namespace's) pods.

The dashboard calls `follow(target)` whenever the selection changes; the pane swaps its stream
without blocking (the old stream winds down on its own threads) and ignores the old stream's late
batches. Lines are prefixed `pod/container` in one colour per pod, like stern. `space` pauses
(the buffer keeps filling, the view stops moving), `t` toggles timestamps, `/` filters (typed
while the log view keeps the focus, see kdash/ui/widgets/inline_filter.py).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from kdash.model.source import LogLine, LogSource, LogStream, LogTarget
from kdash.ui.format import clean
from kdash.ui.widgets.inline_filter import Fed, InlineFilter
from kdash.ui.widgets.list_keys import interprets_keys
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
        self._filter_text = ""
        self._status: Text | None = None

    def compose(self) -> ComposeResult:
        yield InlineFilter(placeholder="filter: regex, !negate", classes="log-tail-filter")
        yield LogView(self.max_lines, prefix=True, timestamps=True)
        yield Static(classes="log-tail-status")

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    @property
    def filter_bar(self) -> InlineFilter:
        return self.query_one(InlineFilter)

    def on_mount(self) -> None:
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
            status.append(clean(_target_words(self.target)))  # cluster names
            if self.stream is not None:
                status.append(" · " + clean(self.stream.status))
            dropped = self.view.evicted + (self.stream.dropped if self.stream is not None else 0)
            if dropped:
                status.append(f" · {dropped:,} dropped", style="yellow")
            if self._filter_text:
                status.append(f" · /{clean(self._filter_text)}")
            if not self.view.follow:
                status.append(" · PAUSED", style="reverse")
        if status != self._status:
            # once a second: only on change, and with no layout (the line is one cell high in CSS),
            # or every second re-laid out and repainted the whole dashboard
            self._status = status
            self.query_one(".log-tail-status", Static).update(status, layout=False)

    def action_toggle_pause(self) -> None:
        self.view.follow = not self.view.follow
        self._update_status()

    def action_toggle_timestamps(self) -> None:
        self.view.set_options(timestamps=not self.view.options["timestamps"])

    def _set_filter(self, text: str) -> None:
        if text != self._filter_text:
            self._filter_text = text
            self.view.set_filter(text)
            self._update_status()

    def action_open_filter(self) -> None:
        self.filter_bar.open(self._filter_text)

    def action_close_filter(self) -> None:
        if not self._filter_text and not self.filter_bar.is_open:
            raise SkipAction()  # nothing to clear: let esc reach the screen
        self._set_filter("")
        self._close_bar()

    def _close_bar(self) -> None:
        bar = self.filter_bar
        had_focus = bar.has_focus
        bar.close()
        if had_focus:
            self.screen.set_focus(self.view)

    def on_key(self, event: events.Key) -> None:
        if not interprets_keys(self.screen):  # the dashboard calls filter_key itself, in order
            self.filter_key(event)

    def filter_key(self, event: events.Key) -> bool:
        """`/` opens the filter; while it is open every key is its own. Called by the dashboard,
        which interprets every key at one place, in order (as for a pane, list_keys.FilterKeys)."""
        bar = self.filter_bar
        if not bar.is_open:
            if event.key != "slash":
                return False
            event.stop()
            event.prevent_default()
            self.action_open_filter()
            return True
        fed = bar.feed(event)
        if fed is Fed.NOT_MINE:
            return False
        event.stop()
        event.prevent_default()
        if fed is Fed.CANCELLED:
            self.action_close_filter()
        else:
            self._set_filter(bar.value)
            if fed is Fed.SUBMITTED:
                self._close_bar()
        return True

    def on_descendant_blur(self, _event: events.DescendantBlur) -> None:
        focused = self.screen.focused
        if self.filter_bar.is_open and (focused is None or self not in focused.ancestors):
            self._set_filter(self.filter_bar.value)
            self._close_bar()

    @on(InlineFilter.Changed)
    def _filter_changed(self, event: InlineFilter.Changed) -> None:
        event.stop()
        if event.input.has_focus:  # edited in the bar itself, after a click
            self._set_filter(event.value)

    @on(InlineFilter.Submitted)
    def _filter_submitted(self, event: InlineFilter.Submitted) -> None:
        event.stop()
        self._set_filter(event.value)
        self._close_bar()

    @on(LogView.FollowChanged)
    def _follow_changed(self) -> None:
        self._update_status()
