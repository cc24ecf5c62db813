"""The stored form of a log line and how one line becomes a rich `Text` (for `LogView`).

Kept apart from the widget so the per-line code (sanitising, measuring, JSON pretty-printing,
search highlighting) reads as plain functions over plain tuples.
"""

from __future__ import annotations

import re
from typing import Any, Final, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from kdash.model.logtext import clean, json_fields, sanitize, strip_ansi, truncate
from kdash.model.source import LogLine

PALETTE = ("cyan", "magenta", "green", "yellow", "bright_blue", "bright_red", "bright_cyan", "bright_magenta")
LEVEL_STYLES = {
    "fatal": "bold red", "panic": "bold red", "critical": "bold red", "error": "red", "err": "red",
    "warn": "yellow", "warning": "yellow", "info": "green", "debug": "dim", "trace": "dim",
}  # fmt: skip
MATCH = Style(reverse=True)
CURRENT = Style(color="black", bgcolor="yellow", bold=True)


class LogEntry(NamedTuple):
    """A stored line as callers see it: `display` is safe to render (SGR only), `plain` is searched."""

    n: int
    line: LogLine
    display: str
    plain: str
    colour: int
    cells: int  # display width of `plain`
    src_cells: int  # width of the "pod/container " prefix


# Lines are stored as *exact* tuples of str/int/datetime: CPython's GC untracks those (not NamedTuple
# instances), so a 10,000-line buffer filled at 2,000 lines/s neither lengthens nor triggers the
# gen-2 collections that otherwise stalled key presses for 150-300 ms (docs/benchmarks-logs.md).
# Layout: n, namespace, pod, container, text, timestamp, seq, event, display, plain, cells, src, colour
Raw = tuple[int, str, str, str, str, Any, int, str, str, str, int, int, int]
N: Final = 0
POD: Final = 2
CONT: Final = 3
TS: Final = 5
EVENT: Final = 7
DISPLAY: Final = 8
PLAIN: Final = 9
CELLS: Final = 10
SRC: Final = 11
COLOUR: Final = 12
Prepared = tuple[str, str, str, str, Any, int, str, str, str, int, int]


def prepare(line: LogLine) -> Prepared:
    """The per-line work that needs no widget state (runs on the stream's thread in `feed`)."""
    display = sanitize(truncate(line.text)).replace("\t", "    ")
    plain = strip_ansi(display)
    src = cell_len(clean(line.pod)) + cell_len(clean(line.container)) + 2  # as line_text shows them
    return (line.namespace, line.pod, line.container, line.text, line.timestamp, line.seq, line.event,
            display, plain, cell_len(plain), src)  # fmt: skip


def as_entry(r: Raw) -> LogEntry:
    line = LogLine(r[1], r[2], r[3], r[4], r[5], r[6], r[7])
    return LogEntry(r[N], line, r[DISPLAY], r[PLAIN], r[COLOUR], r[CELLS], r[SRC])


def filter_subject(e: Raw, prefix: bool) -> str:
    """What the `&` filter matches: the line as shown, so with its "pod/container " prefix when
    that is shown (`&log-shipper` keeps a sidecar's lines, `!web-1/` drops a pod's)."""
    return f"{e[POD]}/{e[CONT]} {e[PLAIN]}" if prefix else e[PLAIN]


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A user regex (smart case); an invalid one is taken literally rather than refused."""
    flags = 0 if any(c.isupper() for c in pattern) else re.IGNORECASE
    try:
        return re.compile(pattern, flags)
    except re.error:
        return re.compile(re.escape(pattern), flags)


def body_text(e: Raw, *, pretty: bool) -> Text:
    """The line itself: an event mark, a JSON line made readable, ANSI colour, or plain text."""
    if e[EVENT]:
        return Text(f"── {e[PLAIN]} ──", style="dim italic")
    if pretty and (parsed := json_fields(e[PLAIN])) is not None:
        style = LEVEL_STYLES.get(parsed.level, "")
        text = Text()
        if parsed.level:
            text.append(f"{parsed.level.upper():5}", style=f"bold {style}".strip())
            text.append(" ")
        text.append(truncate(parsed.message), style=style)
        for key, value in parsed.fields:
            text.append(f" {key}=", style="dim")
            text.append(truncate(value, 400))
        return text
    if "\x1b" in e[DISPLAY]:
        return Text.from_ansi(e[DISPLAY], end="")
    return Text(e[DISPLAY], end="")


def line_text(
    e: Raw,
    base: Style,
    *,
    timestamps: bool,
    prefix: bool,
    pretty: bool,
    search: re.Pattern[str] | None,
    current: int | None,
) -> Text:
    """One display line: [time] [pod/container] body, search matches highlighted."""
    text = Text(style=base, no_wrap=True, end="")
    if timestamps:
        ts = e[TS]
        stamp = ts.strftime("%H:%M:%S.%f")[:12] if ts is not None else " " * 12
        text.append(stamp + " ", style="dim")
    if prefix:
        colour = PALETTE[e[COLOUR]]
        text.append(clean(e[POD]), style=colour)  # cluster names: kept raw, cleaned when shown
        text.append("/", style="dim")
        text.append(clean(e[CONT]) + " ", style=colour)
    start = len(text)
    text.append_text(body_text(e, pretty=pretty))
    if search is not None and not e[EVENT]:
        style = CURRENT if e[N] == current else MATCH
        for m in search.finditer(text.plain, start):
            if m.end() > m.start():
                text.stylize(style, m.start(), m.end())
    return text
