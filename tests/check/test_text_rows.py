"""The text report's finding rows are laid out by kdash (fast) exactly as rich's Table lays them
out: the bytes written are compared, in colour and without, at many widths."""

from __future__ import annotations

import io

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from kdash.check.textrows import FindingRows, Header, ObjectBlock, Row, table, wrap
from kdash.model.logtext import strip_ansi

SEVERITY = st.sampled_from(
    [("error", "bold red"), ("warning", "yellow"), ("info", "cyan"), ("warning (ignored)", "dim")]
)
ASCII_WORDS = st.text(st.sampled_from("ab-./:' "), max_size=12)
MESSAGE = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=200),
    st.lists(ASCII_WORDS, max_size=30).map(" ".join),
    st.text(max_size=40),  # anything: tabs, newlines, wide characters (the Table draws those)
)
RULE = st.text(st.sampled_from("abcdefghij-"), min_size=1, max_size=40)


@st.composite
def rows(draw: st.DrawFn) -> list[Row]:
    out: list[Row] = []
    for _ in range(draw(st.integers(1, 5))):
        sev, sev_style = draw(SEVERITY)
        dim = sev_style == "dim"
        out.append(
            (sev, sev_style, draw(RULE), "dim" if dim else "bold", draw(MESSAGE), "dim" if dim else "")
        )
    return out


def _console(buf: io.StringIO, width: int, colour: bool) -> Console:
    return Console(
        file=buf,
        width=width,
        force_terminal=colour,
        color_system="truecolor" if colour else None,
        highlight=False,
    )


def _render(renderable: object, width: int, colour: bool, crop: bool = True) -> str:
    buf = io.StringIO()
    _console(buf, width, colour).print(renderable, crop=crop)
    return buf.getvalue()


@given(rows(), st.integers(1, 220), st.booleans())
@settings(max_examples=250, deadline=None)
@example(
    [("info (ignored)", "dim", "rule-b", "dim", "a much longer message that will need wrapping", "dim")],
    60,
    True,
)
@example([("warning", "yellow", "rule-a", "bold", "x" * 150 + " tail", "")], 80, False)
@example([("warning", "yellow", "r", "bold", "  lead   spaces   everywhere     ", "")], 20, True)
@example(
    [("error", "bold red", "rule\x1b[2J", "bold", "name \x1b]0;pwned\x07 and \x1b[31mred", "")], 80, True
)
def test_rows_render_like_the_rich_table(found: list[Row], width: int, colour: bool) -> None:
    # printed as render_text prints them (crop=False) against the Table printed the usual way
    assert _render(FindingRows(found), width, colour, crop=False) == _render(table(found), width, colour)


@given(
    st.text(st.sampled_from("ab ."), max_size=80) | st.lists(ASCII_WORDS).map(" ".join), st.integers(1, 30)
)
@settings(max_examples=300, deadline=None)
def test_wrap_breaks_where_rich_does(text: str, width: int) -> None:
    from rich.text import Text

    console = Console(file=io.StringIO(), width=200)
    expected = [line.plain for line in Text(text).wrap(console, width, overflow="fold")]
    assert wrap(text, width) == expected


def test_simple_rows_take_the_fast_path() -> None:
    """Not vacuous: a typical row is drawn by kdash, in a handful of segments, not by the Table."""
    found: list[Row] = [
        ("warning", "yellow", "image-tag-latest", "bold", "Deployment shop/web uses " * 5, "")
    ]
    console = Console(file=io.StringIO(), width=80)
    segments = list(FindingRows(found).__rich_console__(console, console.options))
    assert all(isinstance(s, Segment) for s in segments)
    assert len(segments) <= 5


NAME = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=90), st.text(max_size=30)
)


@st.composite
def headers(draw: st.DrawFn) -> tuple[Header, Text]:
    """An object's header as render_text passes it (parts), and as it used to build it (a Text)."""
    name, score = f"Deployment/{draw(NAME)}", draw(st.integers(0, 100))
    grade, style = (
        f"({draw(st.sampled_from('ABCDF'))})",
        draw(st.sampled_from(["green", "red", "", "bold red"])),
    )
    parts = (("  ", ""), (name, "bold"), (f"  {score} ", ""), (grade, style))
    return parts, Text.assemble(
        "  ", Text(strip_ansi(name), style="bold"), f"  {score} ", Text(grade, style=style)
    )


@given(st.lists(st.tuples(headers(), rows()), min_size=1, max_size=4), st.integers(1, 160), st.booleans())
@settings(max_examples=200, deadline=None)
def test_a_block_prints_like_a_print_per_header_and_table(
    objects: list[tuple[tuple[Header, Text], list[Row]]], width: int, colour: bool
) -> None:
    buf = io.StringIO()
    console = _console(buf, width, colour)
    for (_, header), found in objects:
        console.print(header)
        console.print(table(found))
    block = ObjectBlock([(parts, found) for (parts, _), found in objects])
    assert _render(block, width, colour, crop=False) == buf.getvalue()
