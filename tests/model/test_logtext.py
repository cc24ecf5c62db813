"""The log sanitizer: SGR survives, nothing else that a terminal would act on does."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kdash.model.logtext import has_control, sanitize, strip_ansi, truncate

_SGR_AT = re.compile(r"\x1b\[[0-9;:]*m")
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f-\x9f]")

# Text rich in the characters escape sequences are made of, so the search finds the edge cases.
_alphabet = st.sampled_from(
    [
        "\x1b",
        "[",
        "]",
        "\\",
        "\x07",
        "\x9b",
        "\x9c",
        "\x9d",
        "\x90",
        "P",
        "m",
        "0",
        "1",
        ";",
        ":",
        "8",
        "\t",
        "\r",
        "\n",
        "\x00",
        "\x7f",
        "a",
        " ",
        "é",
        "?",
        "2",
        "J",
        "H",
        "~",
        "@",
    ]
)
_hostile = st.lists(_alphabet, max_size=60).map("".join) | st.text(max_size=80)


def _escs_are_sgr(out: str) -> bool:
    pos = out.find("\x1b")
    while pos != -1:
        if _SGR_AT.match(out, pos) is None:
            return False
        pos = out.find("\x1b", pos + 1)
    return True


@settings(max_examples=600)
@given(_hostile)
def test_sanitize_keeps_only_sgr_and_tab(line: str) -> None:
    out = sanitize(line)
    assert _escs_are_sgr(out)
    assert _BAD_CONTROL.search(out) is None


@settings(max_examples=600)
@given(_hostile)
def test_strip_ansi_leaves_no_control(line: str) -> None:
    out = strip_ansi(line)
    assert "\x1b" not in out
    assert _BAD_CONTROL.search(out) is None


@given(_hostile)
def test_sanitize_is_idempotent(line: str) -> None:
    once = sanitize(line)
    assert sanitize(once) == once
    assert strip_ansi(once) == strip_ansi(line)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc",)), max_size=200))
def test_plain_text_is_untouched(line: str) -> None:
    assert not has_control(line)
    assert sanitize(line) is line
    assert strip_ansi(line) is line


def test_known_attacks() -> None:
    title = "a\x1b]0;PWNED-TITLE\x07b"
    clip = "\x1b]52;c;ZXZpbA==\x1b\\after"
    link = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
    clear = "x\x1b[2J\x1b[Hy"
    assert sanitize(title) == "ab"
    assert sanitize(clip) == "after"
    assert sanitize(link) == "click"
    assert sanitize(clear) == "xy"
    assert sanitize("\x1b[31mred\x1b[0m") == "\x1b[31mred\x1b[0m"
    assert strip_ansi("\x1b[1;31mred\x1b[0m\r") == "red"
    assert sanitize("[bold red]not markup[/]") == "[bold red]not markup[/]"
    assert sanitize("tab\there") == "tab\there"


def test_unterminated_osc_swallows_rest_but_no_escape() -> None:
    assert sanitize("ok \x1b]52;c;payload-without-end") == "ok "


def test_truncate() -> None:
    assert truncate("abc", 5) == "abc"
    assert truncate("abcdef", 4) == "abc…"
    assert len(truncate("x" * 1_000_000)) == 2000
