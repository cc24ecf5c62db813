"""`CrashLogView(lines)`: a crashed container's captured last lines, shown as "last crash".

Used by pod detail and the Restarts drill-down. The lines came from a container's log, so they
are untrusted: sanitised (SGR colour kept, every other escape dropped), cut at display length, and
built as `Text`, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from kdash.model.logtext import sanitize, truncate
from kdash.ui.prose import count


def crash_log_text(lines: Sequence[str], *, title: str = "last crash") -> Text:
    """The captured lines as one `Text` (title first), safe for any terminal."""
    text = Text(no_wrap=False)
    head = f"{title} ({count(len(lines), 'line')})\n" if lines else f"{title}: no logs captured"
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
