"""Make untrusted container log text safe to put on a terminal.

Nothing in Rich or Textual strips ESC: an OSC 52 (clipboard write), OSC 0 (window title), OSC 8
(hyperlink) or a cursor-movement sequence inside a log line would reach the user's terminal byte
for byte (FACTS.md §7). Colour (SGR) is harmless and useful, as `kubectl logs` shows it, so
`sanitize` keeps SGR and drops every other escape sequence and control character; `strip_ansi`
drops SGR too, for search, filtering, JSON parsing and saving plain text.

One regex pass tokenises the line, so removing a sequence can never splice two fragments into a
new one: every ESC left in the output starts a complete SGR sequence. Stdlib only, and a fast
path skips lines without control characters (almost all of them).

Invisible format characters go too: bidi overrides, embeddings, isolates and marks reorder what
the terminal draws ("Trojan Source", CVE-2021-42574) and zero-width characters hide text, so what
the user reads would not be what the cluster holds. `clean` is the one sanitiser for every other
cluster string that reaches a screen, a title, a notification or a log record, and
`safe_filename` turns one into a file name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

__all__ = [
    "MAX_DISPLAY_CHARS",
    "JsonLine",
    "clean",
    "has_control",
    "json_fields",
    "mask_controls",
    "safe_filename",
    "sanitize",
    "strip_ansi",
    "truncate",
]

#: Lines longer than this are cut for display and wrapping (the full line is kept for saving).
MAX_DISPLAY_CHARS = 2000

# Invisible format characters: Arabic letter mark, Mongolian vowel separator, zero-width space,
# non-joiner, joiner, LRM/RLM, line/paragraph separators, bidi embeddings and overrides (202A-202E),
# word joiner and invisible operators, bidi isolates (2066-2069) and deprecated format controls, BOM,
# interlinear annotation marks, and the tag characters that can smuggle invisible ASCII.
_INVISIBLE = (
    "\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f"
)
# Any C0 control but TAB, DEL, the C1 range (which 8-bit terminals treat like ESC + letter), and
# the invisible characters above.
_CONTROL = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f{_INVISIBLE}]")

# SGR: ESC [ params m. Parameter length is capped so a hostile line cannot make one huge token.
_SGR = r"\x1b\[[0-9;:]{0,64}m"
_SEQUENCE = (
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI (cursor moves, clears, modes); unterminated too
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC (title, clipboard, hyperlink)
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # other ESC sequences (charset designation, RIS ...) and a lone ESC
)
_KEEP_SGR = re.compile(f"({_SGR})|{_SEQUENCE}|{_CONTROL.pattern}")
_DROP_ALL = re.compile(f"{_SGR}|{_SEQUENCE}|{_CONTROL.pattern}")


def has_control(line: str) -> bool:
    """True when `line` holds a control character other than TAB or an invisible format character
    (so it needs sanitising)."""
    return _CONTROL.search(line) is not None


def _keep_sgr(match: re.Match[str]) -> str:
    return match.group(1) or ""


def sanitize(line: str) -> str:
    """`line` with SGR colour sequences kept and every other escape or control character removed.

    TAB is kept; CR, newlines, BEL, backspace and C1 controls go.
    """
    if _CONTROL.search(line) is None:
        return line
    return _KEEP_SGR.sub(_keep_sgr, line)


def strip_ansi(line: str) -> str:
    """`line` as plain text: no escape sequences (SGR included) and no controls but TAB."""
    if _CONTROL.search(line) is None:
        return line
    return _DROP_ALL.sub("", line)


def clean(value: object, *, multiline: bool = False) -> str:
    """`value` as text safe for a terminal line: no escape sequence, control or invisible character.

    Single-line by default (newlines and tabs become spaces: a cell, a title, a notification line,
    a log record); `multiline` keeps the newlines of a message block.
    """
    text = value if isinstance(value, str) else str(value)
    if not multiline and ("\n" in text or "\t" in text or "\r" in text):
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    if _CONTROL.search(text) is None:
        return text
    if multiline:
        return "\n".join(_DROP_ALL.sub("", line) for line in text.split("\n"))
    return _DROP_ALL.sub("", text)


_CONTROL_OR_TAB = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}]")


def mask_controls(text: str, mask: str = " ") -> str:
    """`text` with each control (TAB too) or invisible character replaced by `mask`, one for one, so
    offsets into it (Rich spans) stay valid; escape sequences lose their ESC and cannot act."""
    if _CONTROL_OR_TAB.search(text) is None:
        return text
    return _CONTROL_OR_TAB.sub(mask, text)


_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_DOTS = re.compile(r"\.{2,}")
MAX_FILENAME_CHARS = 120


def safe_filename(value: object, *, limit: int = MAX_FILENAME_CHARS, fallback: str = "kdash") -> str:
    """A file name made from an untrusted string: cleaned, then ASCII letters, digits, `.`, `-`
    and `_` only (runs of anything else become one `_`), so no path separator, no `..`, no leading
    dot (hidden file) or dash (an option to the next command), at most `limit` characters."""
    name = _DOTS.sub(".", _UNSAFE_IN_NAME.sub("_", clean(value))).lstrip("._-")
    name = name[:limit].rstrip("._-")
    return name or fallback


def truncate(line: str, limit: int = MAX_DISPLAY_CHARS) -> str:
    """At most `limit` characters, the last one "…" when something was cut."""
    if len(line) <= limit:
        return line
    return line[: max(limit - 1, 0)] + "…"


_LEVEL_KEYS = ("level", "lvl", "severity", "loglevel", "log.level", "levelname")
_MSG_KEYS = ("msg", "message", "MESSAGE", "text", "log")
_TIME_KEYS = frozenset({"ts", "time", "timestamp", "@timestamp", "t"})


@dataclass(frozen=True, slots=True)
class JsonLine:
    """A structured log line reduced to what a reader scans for: level, message, then the rest."""

    level: str
    message: str
    fields: tuple[tuple[str, str], ...]

    def render(self) -> str:
        parts = [p for p in (self.level.upper(), self.message) if p]
        parts.extend(f"{k}={v}" for k, v in self.fields)
        return " ".join(parts)


def _scalar(value: object) -> str:
    if isinstance(value, str):
        text = value
        if not text or any(c.isspace() for c in text):
            text = json.dumps(text, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return strip_ansi(text)  # JSON "\u001b" decodes to a real ESC: drop it like any other


def json_fields(plain: str) -> JsonLine | None:
    """`plain` as a `JsonLine` when it is a JSON object, else None (cheap rejection first).

    Timestamp keys are dropped (the view has its own column); every value is control-free.
    """
    text = plain.strip()
    if len(text) < 2 or text[0] != "{" or text[-1] != "}":
        return None
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    level_key = next((k for k in _LEVEL_KEYS if isinstance(obj.get(k), str | int)), None)
    msg_key = next((k for k in _MSG_KEYS if isinstance(obj.get(k), str)), None)
    level = strip_ansi(str(obj[level_key])) if level_key else ""
    message = strip_ansi(obj[msg_key]) if msg_key else ""
    skip = {level_key, msg_key, *_TIME_KEYS}
    fields = tuple((strip_ansi(str(k)), _scalar(v)) for k, v in obj.items() if k not in skip)
    return JsonLine(level.lower(), message, fields)
