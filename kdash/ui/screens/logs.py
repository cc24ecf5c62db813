"""The full-screen logs view: `kubectl logs -f` for one container, stern for a workload.

Keys follow k9s where it has them (`s`/`f` autoscroll, `w` wrap, `t` timestamps, `0`–`6` tail/since
presets, `ctrl+s` save, `p` previous, `c` container) and less where it does not (`/` search with
`n`/`N`, `&` filter with `!` to negate, `G` end). A changed preset, container or previous toggle
opens a new stream and drops the old one without waiting for its threads (the UI never blocks).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from kdash.model.logtext import clean, safe_filename, strip_ansi
from kdash.model.source import ClusterSource, LogLine, LogSource, LogStream, LogTarget
from kdash.ui import prose
from kdash.ui.screens.type_ahead import ForwardsTypeAhead
from kdash.ui.widgets.log_view import LogView

#: k9s's since/tail presets: key -> (label, tail_lines, since_seconds).
PRESETS: dict[str, tuple[str, int | None, int | None]] = {
    "0": ("tail", 100, None),
    "1": ("head (all)", None, None),
    "2": ("1m", None, 60),
    "3": ("5m", None, 300),
    "4": ("15m", None, 900),
    "5": ("30m", None, 1800),
    "6": ("1h", None, 3600),
}


def default_save_dir() -> Path:
    """`$XDG_DATA_HOME/kdash/logs` when XDG_DATA_HOME is set, else the working directory."""
    base = os.environ.get("XDG_DATA_HOME")
    return Path(base, "kdash", "logs") if base else Path.cwd()


def describe(target: LogTarget) -> str:
    """What the screen shows, in words (`shop/web-1 nginx`, `Deployment shop/web`)."""
    if target.pod is not None:
        where = f"{target.namespace}/{target.pod}" if target.namespace else target.pod
        text = f"{where} {target.container}" if target.container else where
    elif target.workload is not None:
        text = f"{target.workload.kind} {target.workload.namespace}/{target.workload.name}"
    elif target.label_selector:
        text = f"-l {target.label_selector} in {target.namespace or 'all namespaces'}"
    else:
        text = f"namespace {target.namespace or '(all)'}"
    return clean(text + (" (previous)" if target.previous else ""))  # names are cluster strings


class ContainerPicker(ModalScreen[str | None]):
    """Pick one container (or all) of the pods being shown."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Cancel", id="picker-cancel"),
        # vi keys, as in the logs view behind it (OptionList knows only the arrows)
        Binding("j", "move(1)", "Down", show=False, id="picker-down"),
        Binding("k", "move(-1)", "Up", show=False, id="picker-up"),
    ]

    def __init__(self, containers: list[str], current: str | None) -> None:
        super().__init__()
        self._containers = containers
        self._current = current

    def compose(self) -> ComposeResult:
        options = [Option(Text("all containers"), id="*")]
        options += [Option(Text(clean(name)), id=name) for name in self._containers]
        picker = OptionList(*options, id="container-picker")
        picker.border_title = "container"
        yield picker

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        if self._current in self._containers:
            picker.highlighted = self._containers.index(self._current) + 1

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def action_move(self, step: int) -> None:
        picker = self.query_one(OptionList)
        if step > 0:
            picker.action_cursor_down()
        else:
            picker.action_cursor_up()


class LogsScreen(ForwardsTypeAhead, Screen[None]):
    """Follow the logs of a container, a pod, or every pod of a workload."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="logs-back"),
        Binding("q", "back", "Back", show=False, id="logs-quit"),
        Binding("s", "toggle_follow", "Follow", id="logs-follow"),
        Binding("f", "toggle_follow", "Follow", show=False, id="logs-follow-f"),
        Binding("w", "toggle_option('wrap')", "Wrap", id="logs-wrap"),
        Binding("t", "toggle_option('timestamps')", "Time", id="logs-timestamps"),
        Binding("j", "toggle_option('pretty')", "JSON", id="logs-json"),
        Binding("c", "pick_container", "Container", id="logs-container"),
        Binding("p", "toggle_previous", "Previous", id="logs-previous"),
        Binding("slash", "prompt('search')", "Search", id="logs-search"),
        Binding("n", "next_match", "Next", show=False, id="logs-next"),
        Binding("N", "next_match(True)", "Prev match", show=False, id="logs-prev"),
        Binding("ampersand", "prompt('filter')", "Filter", id="logs-filter"),
        Binding("ctrl+s", "save", "Save", id="logs-save"),
        Binding("G", "end", "End", show=False, id="logs-end"),
        Binding("end", "end", "End", show=False, id="logs-end-key"),
        Binding("g", "home", "Top", show=False, id="logs-home"),
        *(
            Binding(k, f"preset('{k}')", label, show=False, id=f"logs-preset-{k}")
            for k, (label, *_) in PRESETS.items()
        ),
    ]

    def __init__(
        self,
        logs: LogSource,
        target: LogTarget,
        *,
        source: ClusterSource | None = None,
        clock: Callable[[], datetime] | None = None,
        save_dir: Path | str | None = None,
        max_lines: int = 10_000,
    ) -> None:
        super().__init__()
        self.logs = logs
        self.target = target
        self.source = source
        self.clock = clock or (lambda: datetime.now(UTC))
        self.save_dir = Path(save_dir) if save_dir is not None else default_save_dir()
        self.max_lines = max_lines
        self.stream: LogStream | None = None
        self.preset = "tail"
        self.last_saved: Path | None = None
        self._generation = 0
        self._prompt_mode = ""
        self._filter = ""
        self._search = ""
        self._known: set[str] = set()  # containers seen in earlier streams, for the picker

    def compose(self) -> ComposeResult:
        yield Static(id="logs-title")
        yield LogView(self.max_lines, prefix=None if self.target.container is None else False, id="logs-view")
        yield Input(id="logs-prompt")
        yield Static(id="logs-status")
        yield Footer()

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def on_mount(self) -> None:
        self.query_one("#logs-prompt", Input).display = False
        self._open()
        self.view.focus()
        self.set_interval(0.5, self._update_status)

    def on_unmount(self) -> None:
        self._close()

    # ---- streams -------------------------------------------------------------------------

    def _open(self) -> None:
        self._close()
        self._generation += 1
        generation, view = self._generation, self.view

        def on_lines(batch: list[LogLine]) -> None:
            if generation == self._generation:
                view.feed(batch)

        self.stream = self.logs.open(self.target, on_lines)
        self._update_status()

    def _close(self) -> None:
        if self.stream is not None:
            stream, self.stream = self.stream, None
            self._generation += 1
            stream.stop()  # returns at once: the stream's threads wind down on their own

    def _retarget(self, **changes: Any) -> None:
        self.target = replace(self.target, **changes)
        self._known.update(e.line.container for e in self.view.entries if not e.line.event)
        self.view.clear()
        self._open()

    # ---- status ---------------------------------------------------------------------------

    def _update_status(self) -> None:
        view = self.view
        title = Text.assemble(("logs ", "bold"), describe(self.target), (f"  [{self.preset}]", "dim"))
        self.query_one("#logs-title", Static).update(title)
        status = Text()
        if self.stream is not None:
            status.append(clean(self.stream.status))
        dropped = view.evicted + (self.stream.dropped if self.stream is not None else 0)
        status.append(f"  · {view.line_count:,} lines (buffer {view.max_lines:,})")
        if dropped:
            status.append(f" · {dropped:,} dropped", style="yellow")
        status.append(
            "  · FOLLOW" if view.follow else "  · PAUSED", style="bold" if view.follow else "reverse"
        )
        opts = view.options
        flags = [name for name in ("wrap", "timestamps", "pretty") if opts[name]]
        if flags:
            status.append(" · " + " ".join(flags))
        if self._filter:
            status.append(" · filter ")
            status.append(clean(self._filter), style="italic")
        if self._search:
            current = view.current_match
            pos = f"{current + 1}/{view.match_count}" if current is not None else f"{view.match_count}"
            status.append(" · search ")
            status.append(clean(self._search), style="italic")
            status.append(f" {pos}")
        self.query_one("#logs-status", Static).update(status)

    @on(LogView.FollowChanged)
    def _follow_changed(self) -> None:
        self._update_status()

    # ---- actions --------------------------------------------------------------------------

    def action_back(self) -> None:
        prompt = self.query_one("#logs-prompt", Input)
        if prompt.display:
            self._hide_prompt()
            return
        self.dismiss(None)

    def action_toggle_follow(self) -> None:
        self.view.follow = not self.view.follow
        self._update_status()

    def action_toggle_option(self, option: str) -> None:
        current = self.view.options[option]
        self.view.set_options(**{option: not current})
        self._update_status()

    def action_end(self) -> None:
        self.view.follow = True

    def action_home(self) -> None:
        self.view.action_scroll_home()

    def action_preset(self, key: str) -> None:
        label, tail, since = PRESETS[key]
        self.preset = label
        self._retarget(tail_lines=tail, since_seconds=since)

    def action_toggle_previous(self) -> None:
        previous = not self.target.previous
        self._retarget(previous=previous, follow=not previous)

    def action_pick_container(self) -> None:
        self.app.push_screen(ContainerPicker(self._containers(), self.target.container), self._picked)

    def _picked(self, choice: str | None) -> None:
        if choice is None:
            return
        container = None if choice == "*" else choice
        if container != self.target.container:
            self.view.set_options(prefix=container is None)
            self._retarget(container=container)

    def _containers(self) -> list[str]:
        """Container names of the pods shown: from the cluster snapshot, else from lines seen."""
        names = set(self._known)
        if self.source is not None:
            snap = self.source.snapshot()
            target = self.target
            if target.workload is not None:
                pods = snap.pods_of(target.workload)
            else:
                pods = [
                    p
                    for p in snap.pods.values()
                    if p.meta.name == target.pod
                    and p.meta.namespace == (target.namespace or p.meta.namespace)
                ]
            for pod in pods:
                names.update(c.name for c in pod.spec.containers or pod.containers)
        names.update(e.line.container for e in self.view.entries if not e.line.event)
        return sorted(names)

    def action_prompt(self, mode: str) -> None:
        prompt = self.query_one("#logs-prompt", Input)
        self._prompt_mode = mode
        prompt.placeholder = "search (regex)" if mode == "search" else "filter (regex, !negate)"
        prompt.value = self._search if mode == "search" else self._filter
        prompt.display = True
        prompt.focus()

    def _hide_prompt(self) -> None:
        self.query_one("#logs-prompt", Input).display = False
        self.view.focus()

    @on(Input.Submitted, "#logs-prompt")
    def _prompt_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._prompt_mode == "search":
            self._search = event.value
            self.view.set_search(event.value)
        else:
            self._filter = event.value
            self.view.set_filter(event.value)
        self._hide_prompt()
        self._update_status()

    def action_next_match(self, backwards: bool = False) -> None:
        self.view.next_match(backwards)
        self._update_status()

    def action_save(self) -> None:
        view = self.view
        multi = view.options["prefix"]
        lines = []
        for entry in view.visible_entries():
            line = entry.line
            stamp = line.timestamp.isoformat() + " " if line.timestamp else ""
            who = f"{clean(line.pod)}/{clean(line.container)} " if multi else ""
            lines.append(f"{stamp}{who}{strip_ansi(line.text)}\n")
        if not lines:
            # an empty file would look like a saved log; say why there is nothing instead
            why = "no line matches the filter" if self._filter and view.line_count else "no lines yet"
            self.notify(f"nothing to save: {why}", severity="warning", markup=False)
            return
        name = safe_filename(describe(self.target))  # no separators, no leading dot, bounded
        path = self.save_dir / f"{name}-{self.clock().strftime('%Y%m%d-%H%M%S')}.log"
        self._write(path, "".join(lines), len(lines))

    @work(thread=True, exit_on_error=False, group="logs-save")
    def _write(self, path: Path, body: str, count: int) -> None:
        """File I/O off the UI thread; the outcome comes back as a notification (never markup)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8")
            size = path.stat().st_size
        except OSError as exc:
            self.app.call_from_thread(
                self.app.notify, f"cannot save logs: {exc}", severity="error", markup=False
            )
            return
        self.last_saved = path
        saved = f"saved {prose.count(count, 'line')} ({prose.size(size)}) to {path}"
        self.app.call_from_thread(self.app.notify, saved, markup=False)
