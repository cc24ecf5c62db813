"""Make untrusted container log text safe to put on a terminal.

Nothing in Rich or Textual strips ESC: an OSC 52 (clipboard write), OSC 0 (window title), OSC 8
(hyperlink) or a cursor-movement sequence inside a log line would reach the user's terminal byte
for byte (FACTS.md §7). Colour (SGR) is harmless and useful, as `kubectl logs` shows it, so
`sanitize` keeps SGR and drops every other escape sequence and control character; `strip_ansi`
drops SGR too, for search, filtering, JSON parsing and saving plain text.

One regex pass tokenises the line, so removing a sequence can never splice two fragments into a
new one: every ESC left in the output starts a complete SGR sequence. Stdlib only, and a fast
path skips lines without control characters (almost all of them).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

__all__ = [
    "MAX_DISPLAY_CHARS",
    "JsonLine",
    "has_control",
    "json_fields",
    "sanitize",
    "strip_ansi",
    "truncate",
]

#: Lines longer than this are cut for display and wrapping (the full line is kept for saving).
MAX_DISPLAY_CHARS = 2000

# Any C0 control but TAB, DEL, and the C1 range (which 8-bit terminals treat like ESC + letter).
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")

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
    """True when `line` holds a control character other than TAB (so it needs sanitising)."""
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
