"""One object's findings in the text report: (blank, severity, rule over message) rows.

The layout is rich's: a `Table(box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 0))`
with a 3-wide blank column, a no-wrap severity column and a folding detail column. Rich lays a
table out in about a millisecond a row, which makes the report of a big manifest take minutes, so
rows of plain printable ASCII (nearly all of them: rule ids, kinds, names, kdash's own sentences)
are laid out here with the same arithmetic (column widths, word wrap, padding) and written as the
same styled runs, a few segments a row. Anything else (other characters, a console too narrow
for the table's fixed columns) is drawn by the rich Table itself. tests/check/test_text_rows.py
holds the two to byte-identical output.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from kdash.model.logtext import strip_ansi

# (severity text, its style, rule id, its style, message, its style): the cells of one row. Rule
# and message may be raw cluster text: escape sequences are stripped here.
Row = tuple[str, str, str, str, str, str]
_WORD = re.compile(r"\s*\S+\s*")  # rich's word: leading and trailing whitespace included
_TRAILING = re.compile(r"\s+\Z")
_FILLS: dict[int, re.Pattern[str]] = {}  # width -> a line of words ending within it
_BLANK = 3  # the first column's width
_MIN_DETAIL = 8  # narrower than this, the Table's own arithmetic (it shrinks every column) is used


def table(rows: Sequence[Row]) -> Table:
    """The rich Table these rows are: the reference, and the renderer for anything not simple."""
    out = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 0))
    out.add_column(width=_BLANK)
    out.add_column(no_wrap=True)
    out.add_column(overflow="fold", ratio=1)
    for sev, sev_style, rule, rule_style, message, message_style in rows:
        rule, message = strip_ansi(rule), strip_ansi(message)
        detail = Text.assemble(Text(rule, style=rule_style), "\n", Text(message, style=message_style))
        out.add_row("", Text(sev, style=sev_style), detail)
    return out


class FindingRows:
    """A renderable for the rows of one object; see the module docstring. Print it with
    `crop=False`: no line is wider than the console, and cropping costs more than the layout."""

    def __init__(self, rows: Sequence[Row]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        runs = _Runs(console)
        yield from _rows(runs, console, options, self.rows)
        yield runs.flush()


# A one-line header as (text, style) parts, `Text.assemble(*parts)` in rich's terms; texts may be
# raw cluster text (escape sequences are stripped here).
Header = Sequence[tuple[str, str]]


class ObjectBlock:
    """Object headers (each printed as `console.print(Text.assemble(*parts))` prints it) with
    their finding rows, as one renderable, so a report of thousands of objects is a few prints,
    not two per object (each print costs as much as drawing a row). Print it with `crop=False`."""

    def __init__(self, objects: Sequence[tuple[Header, Sequence[Row]]]) -> None:
        self.objects = objects

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        runs = _Runs(console)
        for header, rows in self.objects:
            yield from _header(runs, console, options, header)
            yield from _rows(runs, console, options, rows)
        yield runs.flush()


class _Runs:
    """Output as runs: text without a style is joined up (the console writes it as is); each
    styled run is its own segment, exactly where rich makes one."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.plain: list[str] = []
        self.styles: dict[str | Style, Style | None] = {}
        # without a colour system rich writes every style as plain text (and records none)
        self.colourless = console.color_system is None and not console.record

    def style(self, name: str | Style) -> Style | None:
        """The style, or None for one that writes nothing (rich treats a null style so)."""
        if name not in self.styles:
            style = self.console.get_style(name, default=Style.null())
            self.styles[name] = style if style and not self.colourless else None
        return self.styles[name]

    def flush(self) -> Segment:
        text = "".join(self.plain)
        self.plain.clear()
        return Segment(text)


def _simple(text: str) -> bool:
    """Printable ASCII: one cell a character, nothing to strip, expand or break."""
    return text.isascii() and text.isprintable()


def _cropped(console: Console, options: ConsoleOptions, renderable: Text | Table) -> Iterator[Segment]:
    """rich's own rendering, cropped to the console as `print` crops (crop=False is used here)."""
    for line in Segment.split_and_crop_lines(console.render(renderable, options), console.width, pad=False):
        yield from line


def _header(runs: _Runs, console: Console, options: ConsoleOptions, parts: Header) -> Iterator[Segment]:
    """Parts of printable ASCII that fit on the line as runs; anything else as rich prints it."""
    if options.justify is not None or sum(len(t) for t, _ in parts) > options.max_width:
        simple = False
    else:
        simple = all(_simple(t) for t, _ in parts)
    if not simple:
        yield runs.flush()
        yield from _cropped(console, options, Text.assemble(*[(strip_ansi(t), style) for t, style in parts]))
        return
    plain = runs.plain
    for text, name in parts:
        style = runs.style(name) if name else None
        if style is None or not text:
            plain.append(text)
        else:
            yield runs.flush()
            yield Segment(text, style)
    plain.append("\n")


def _rows(runs: _Runs, console: Console, options: ConsoleOptions, rows: Sequence[Row]) -> Iterator[Segment]:
    simple = bool(rows)
    sev_width = natural = rule_width = 0
    for sev, _, rule, _, message, _ in rows:
        if not (_simple(sev) and _simple(rule) and _simple(message)):
            simple = False
            break
        sev_width = max(sev_width, len(sev))
        rule_width = max(rule_width, len(rule))
        natural = max(natural, len(message))
    sev_width += 1  # the severity and its padding
    width = min(max(natural, rule_width) or 1, options.max_width - _BLANK - 1 - sev_width)
    if not simple or width < _MIN_DETAIL or rule_width > width:
        yield runs.flush()
        yield from _cropped(console, options, table(rows))
        return
    lead = " " * (_BLANK + 1)
    indent = "\n" + lead + " " * sev_width
    plain = runs.plain
    if runs.colourless:  # one string a row
        for sev, _, rule, _, message, _ in rows:
            lines = wrap(message, width)
            detail = (
                indent.join([line.ljust(width) for line in lines])
                if len(lines) > 1
                else lines[0].ljust(width)
            )
            plain.append(f"{lead}{sev.ljust(sev_width - 1)} {rule.ljust(width)}{indent}{detail}\n")
        return
    for sev, sev_style, rule, rule_style, message, message_style in rows:
        plain.append(lead)
        style = runs.style(sev_style)
        cell = sev.ljust(sev_width - 1)
        if style is None:
            plain.append(cell)
        else:
            yield runs.flush()
            yield Segment(cell, style)
        plain.append(" ")
        style = runs.style(rule_style)
        if style is None:
            plain.append(rule)
        else:
            yield runs.flush()
            yield Segment(rule, style)
        plain.append(" " * (width - len(rule)))
        style = runs.style(message_style)
        for line in wrap(message, width):
            plain.append(indent)
            if style is None or not line:
                plain.append(line)
            else:
                yield runs.flush()
                yield Segment(line, style)
            plain.append(" " * (width - len(line)))
        plain.append("\n")


def wrap(text: str, width: int) -> list[str]:
    """Lines of `text` (printable ASCII) as rich wraps it with overflow="fold": words move to the
    next line, a word longer than the line is cut, whitespace past the end of a line is dropped."""
    if len(text) <= width:
        return [text]
    lines = _fill(text, width)
    return lines if lines is not None else _fold(text, width)


def _fill(text: str, width: int) -> list[str] | None:
    """Greedy filling, one regex match a line: each line is as many words as end within `width`
    (rich's rule), trailing spaces kept up to the width. None when a word is longer than a line."""
    pattern = _FILLS.get(width)
    if pattern is None:
        pattern = _FILLS[width] = re.compile(rf".{{0,{width - 1}}}\S(?= |\Z) *")
    lines = []
    start, end = 0, len(text)
    match = pattern.match
    while start < end:
        m = match(text, start)
        if m is None:
            return None
        stop = m.end()
        line = text[start:stop]
        lines.append(line if len(line) <= width else line[:width])
        start = stop
    return lines


def _fold(text: str, width: int) -> list[str]:
    """rich's divide_line, where a character is a cell: the exact rule, folding long words."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:
            chunks = [word[i : i + width] for i in range(0, len(word), width)]
            for n, chunk in enumerate(chunks, 1):
                if start:
                    breaks.append(start)
                if n == len(chunks):
                    offset = len(chunk)
                else:
                    start += len(chunk)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    lines = []
    for a, b in zip([0, *breaks], [*breaks, len(text)], strict=True):
        line = text[a:b]
        if len(line) > width:  # whitespace past the end goes, then anything still too long
            trailing = _TRAILING.search(line)
            if trailing is not None:
                line = line[: len(line) - min(len(trailing.group()), len(line) - width)]
            line = line[:width]
        lines.append(line)
    return lines
