"""`CrashLogView(lines)`: a crashed container's captured last lines, shown as "last crash".

Used by pod detail and the Restarts drill-down. The lines came from a container's log, so they
are untrusted: sanitised (SGR colour kept, every other escape dropped), cut at display length, and
built as `Text`, never markup. `journal_text` shows the crash journal's entries (crashes captured
by earlier kdash runs) with one entry's log tail opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from kdash.journal import JournalEntry
from kdash.model.logtext import clean, sanitize, truncate
from kdash.model.timefmt import age
from kdash.ui.prose import count


def crash_log_text(lines: Sequence[str], *, title: str = "last crash", total: int | None = None) -> Text:
    """The captured lines as one `Text` (title first), safe for any terminal; `total` says how many
    there were when `lines` are only the last of them."""
    text = Text(no_wrap=False)
    shown = count(len(lines), "line")
    if total is not None and total > len(lines):
        shown = f"the last {len(lines)} of {count(total, 'line')}"
    head = f"{title} ({shown})\n" if lines else f"{title}: no logs captured"
    text.append(head, style="bold")
    for i, line in enumerate(lines):
        safe = sanitize(truncate(line)).replace("\t", "    ")
        text.append_text(Text.from_ansi(safe, end="") if "\x1b" in safe else Text(safe))
        if i < len(lines) - 1:
            text.append("\n")
    return text


class CrashLogView(Static):
    """A read-only block of crash log lines (the pane around it scrolls)."""

    DEFAULT_CSS = """
    CrashLogView { height: auto; padding: 0 1; border-left: thick $error; }
    """

    def __init__(self, lines: Sequence[str], *, title: str = "last crash", id: str | None = None) -> None:  # noqa: A002
        super().__init__(crash_log_text(lines, title=title), id=id, classes="crash-log")
        self.lines = tuple(lines)

    def set_lines(self, lines: Sequence[str]) -> None:
        self.lines = tuple(lines)
        self.update(crash_log_text(self.lines))


def _when(entry: JournalEntry, now: datetime | None) -> str:
    stamp = entry.time.strftime("%Y-%m-%d %H:%M:%SZ")
    if now is not None and now >= entry.time:
        return f"{stamp} ({age(entry.time, now)} ago)"
    return stamp


def journal_text(
    entries: Sequence[JournalEntry],
    selected: int,
    now: datetime | None,
    *,
    skipped: int = 0,
    error: str = "",
    limit: int = 15,
) -> Text:
    """The journal's crashes (newest first, `selected` marked) and the selected one's last `limit`
    log lines (`kdash crashes` prints them all)."""
    text = Text(no_wrap=False)
    if error:
        text.append(clean(error) + "\n", style="yellow")
    if skipped:
        text.append(f"{count(skipped, 'unreadable journal line')} skipped\n", style="dim")
    if not entries:
        text.append("no crashes in the journal", style="dim")
        return text
    text.append(f"{count(len(entries), 'crash', 'crashes')} kept from earlier (c: next)\n", style="dim")
    for i, entry in enumerate(entries):
        text.append("▶ " if i == selected else "  ", style="bold")
        text.append(_when(entry, now), style="bold" if i == selected else "")
        text.append("  ")
        text.append(clean(entry.pod), style="dim")
        text.append(f"  {clean(entry.container)}  restart {entry.restarts}  ")
        text.append(clean(entry.reason or "terminated"), style="bold red")
        if entry.exit_code is not None:
            text.append(f"  exit {entry.exit_code}")
        if entry.signal:
            text.append(f"  signal {entry.signal}")
        message = clean(entry.message)
        if message:
            text.append("  ")
            text.append(truncate(message, 200), style="italic")
        text.append("\n")
    chosen = entries[selected % len(entries)]
    text.append("\n")
    title = f"crash log of {clean(chosen.pod)}/{clean(chosen.container)}, {_when(chosen, now)}"
    text.append_text(crash_log_text(chosen.log_tail[-limit:], title=title, total=len(chosen.log_tail)))
    return text
