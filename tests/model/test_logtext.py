"""The log sanitizer: SGR survives, nothing else that a terminal would act on does."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kdash.model.logtext import (
    clean,
    has_control,
    mask_controls,
    safe_filename,
    sanitize,
    strip_ansi,
    truncate,
)

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


# Cf (format: bidi, zero-width) and Zl/Zp (line/paragraph separators) hold the invisible characters
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Zl", "Zp")), max_size=200))
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


BIDI_AND_ZERO_WIDTH = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u2060\ufeff"


def test_bidi_and_zero_width_characters_are_dropped() -> None:
    """Trojan Source: an RLO makes `evil\u202egnp.sh` read `evilhs.png`; zero-width ones hide text."""
    line = "a" + BIDI_AND_ZERO_WIDTH + "b\u200e\u200f\u061c\U000e0041c"
    assert has_control(line)
    assert sanitize(line) == "abc"
    assert strip_ansi(line) == "abc"
    assert clean(line) == "abc"
    assert sanitize("\x1b[31m\u202ered\x1b[0m") == "\x1b[31mred\x1b[0m"


def test_clean_is_one_line_unless_asked() -> None:
    title = "shop/web\x1b]0;pwned\x1b\\\x1b[2J\x9b2J\u202e\u200bx\nnext\tcol\r"
    assert clean(title) == "shop/webx next col"
    assert clean("one\x1b[2J\ntwo\u2066", multiline=True) == "one\ntwo"
    assert clean(42) == "42"


@settings(max_examples=300)
@given(_hostile)
def test_mask_controls_keeps_offsets_and_leaves_nothing_active(line: str) -> None:
    out = mask_controls(line)
    assert len(out) == len(line)
    assert not has_control(out) and "\t" not in out


def test_safe_filename() -> None:
    assert safe_filename("shop/web-1 nginx") == "shop_web-1_nginx"
    assert safe_filename("shop/evil\x1b]0;pwned\x1b\\\u202ex (previous)") == "shop_evilx_previous"
    assert safe_filename("../../.ssh/authorized_keys") == "ssh_authorized_keys"
    assert safe_filename(".hidden") == "hidden"
    assert safe_filename("-rf") == "rf"
    assert safe_filename("\x1b[2J") == "kdash"
    assert safe_filename("") == "kdash"
    assert len(safe_filename("a" * 10_000)) == 120
    assert safe_filename("\u00e9t\u00e9") == "t"  # ASCII only: every filesystem takes it


@given(st.text(max_size=300))
def test_safe_filename_is_always_a_plain_name(value: str) -> None:
    name = safe_filename(value)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}", name) or name == "kdash"
    assert ".." not in name and not name.endswith((".", "-", "_"))
