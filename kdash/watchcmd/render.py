"""How `kdash watch` prints an alert: one text line, or one JSON line (`Alert.to_json()`).

Alert messages quote the cluster (names, termination messages): text lines are cleaned of every
escape sequence, control and invisible character (`clean`), and JSON escapes what it must. Colour
is ours only (severity and state), added after cleaning, so a message cannot colour or move anything.
"""

from __future__ import annotations

from datetime import datetime

from kdash.alerts.model import Alert, AlertSeverity
from kdash.model.logtext import clean
from kdash.notify.hooks import alert_json as json_line

__all__ = ["alert_object", "json_line", "status_line", "text_line"]

_RESET = "\x1b[0m"
_RED, _YELLOW, _GREEN, _DIM, _BOLD = "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[2m", "\x1b[1m"


def alert_object(alert: Alert) -> str:
    """`Pod/shop/cart-1/app`: the object, and the container for container conditions."""
    return f"{alert.key}/{alert.container}" if alert.container else str(alert.key)


def when(alert: Alert) -> datetime:
    """The moment the line is about: when it opened, or when it resolved."""
    return alert.resolved_at or alert.first_seen


def text_line(alert: Alert, *, colour: bool = False) -> str:
    """`2026-11-29 13:00:04  OPEN      error    CrashLoopBackOff  Pod/shop/cart-1/app  message`."""
    stamp = when(alert).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    state = "OPEN" if alert.open else "RESOLVED"
    severity = alert.severity.value
    parts = [
        stamp,
        f"{state:<8}",
        f"{severity:<7}",
        f"{clean(alert.condition):<16}",
        clean(alert_object(alert)),
        clean(alert.message),
    ]
    if not alert.open and alert.resolution == "deleted":
        parts[-1] += " (object deleted)"
    if not colour:
        return "  ".join(parts)
    tint = _GREEN if not alert.open else _RED if alert.severity is AlertSeverity.ERROR else _YELLOW
    parts[0] = f"{_DIM}{parts[0]}{_RESET}"
    parts[1] = f"{_BOLD}{tint}{parts[1]}{_RESET}"
    parts[2] = f"{tint}{parts[2]}{_RESET}"
    return "  ".join(parts)


def status_line(text: str, *, colour: bool = False) -> str:
    """A line about kdash itself (connection lost/regained, hook failures), for stderr."""
    line = f"kdash: {clean(text)}"
    return f"{_DIM}{line}{_RESET}" if colour else line
