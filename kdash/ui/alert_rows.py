"""Rows of the Alerts screen: open and recently resolved alerts, and past crashes from the journal.

Pure functions (record -> cells), like kdash/ui/render (which may not import kdash.alerts). Every
name and message is untrusted: cells carry them as plain str (cleaned when drawn) or as Text built
from cleaned strings, never markup.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from kdash.alerts.model import Alert, AlertSeverity
from kdash.journal import JournalEntry
from kdash.model.logtext import clean
from kdash.model.meta import ObjectKey
from kdash.ui.render.table import BLANK, Cell, Column, Row
from kdash.ui.render.text import ERROR_STYLE, MUTED_STYLE, OK_STYLE, WARNING_STYLE, age_seconds, age_text

ALERT_COLUMNS: tuple[Column, ...] = (
    Column("severity", "SEV", max_width=7),
    Column("state", "STATE", max_width=16),
    Column("condition", "CONDITION", max_width=16),
    Column("namespace", "NAMESPACE", max_width=16, ident=True),
    Column("object", "OBJECT", min_width=10, max_width=48, ident=True),
    Column("count", "COUNT", numeric=True, max_width=6, drop=2),
    Column("first", "FIRST SEEN", numeric=True, max_width=10, drop=3),
    Column("last", "LAST SEEN", numeric=True, max_width=10, drop=1),
    Column("message", "MESSAGE", min_width=12, max_width=100, flex=True),
)

CRASH_COLUMNS: tuple[Column, ...] = (
    Column("time", "WHEN", numeric=True, max_width=10),
    Column("namespace", "NAMESPACE", max_width=16, ident=True),
    Column("pod", "POD", min_width=10, max_width=48, ident=True),
    Column("container", "CONTAINER", max_width=20, drop=3),
    Column("restarts", "RESTARTS", numeric=True, max_width=8, drop=4),
    Column("reason", "REASON", max_width=16),
    Column("exit", "EXIT", numeric=True, max_width=5, drop=1),
    Column("message", "MESSAGE / LAST LINE", min_width=12, max_width=100, flex=True),
)


def alert_row_key(alert: Alert) -> tuple[ObjectKey, str, str]:
    """(object, container, condition): `object_key_of` finds the object for `d`/`y`, and the
    container is there for `l`/`p`."""
    return (alert.key, alert.container, alert.condition)


def object_text(alert: Alert) -> str:
    key = alert.key
    return f"{key.kind}/{key.name}" + (f" [{alert.container}]" if alert.container else "")


def alert_row(alert: Alert, now: datetime) -> Row:
    """One alert; open errors are red, open warnings yellow, resolved ones muted."""
    error = alert.severity is AlertSeverity.ERROR
    if alert.open:
        state = Cell(Text("open", style=ERROR_STYLE if error else WARNING_STYLE), "0")
        style_class = "error" if error else "warning"
    else:
        ago = age_text(alert.resolved_at, now)
        state = Cell(
            Text.assemble(("resolved ", OK_STYLE), ago), f"1{age_seconds(alert.resolved_at, now) or 0:012.0f}"
        )
        style_class = "muted"
    sev = Text("error" if error else "warn", style=ERROR_STYLE if error else WARNING_STYLE)
    return Row(
        alert_row_key(alert),
        (
            Cell(sev, 0 if error else 1),
            state,
            Cell(alert.condition, alert.condition),
            Cell(alert.key.namespace or "-", alert.key.namespace),
            Cell(object_text(alert), object_text(alert)),
            Cell(str(alert.count), alert.count),
            Cell(age_text(alert.first_seen, now), age_seconds(alert.first_seen, now)),
            Cell(age_text(alert.last_seen, now), age_seconds(alert.last_seen, now)),
            Cell(alert.message),
        ),
        style_class,
    )


def alert_detail(alert: Alert, now: datetime) -> Text:
    """The cursor row's alert in full (below the table): the message, the evidence, what to press."""
    out = Text(end="")
    out.append(f"{alert.condition} ", style="bold")
    out.append(clean(f"{alert.key}" + (f" container {alert.container}" if alert.container else "")))
    first, last = age_text(alert.first_seen, now).plain, age_text(alert.last_seen, now).plain
    out.append(f"  first {first} ago, last {last} ago, seen {alert.count}×", style=MUTED_STYLE)
    if alert.resolved_at is not None:
        how = "object deleted" if alert.resolution == "deleted" else "cleared"
        out.append(f"  resolved {age_text(alert.resolved_at, now).plain} ago ({how})", style=OK_STYLE)
    out.append("\n")
    out.append(clean(alert.message))
    if alert.exit_code is not None or alert.termination_message:
        out.append("\nlast termination: ", style="bold")
        out.append(f"exit code {alert.exit_code}" if alert.exit_code is not None else "no exit code")
        if alert.termination_message:
            out.append(": " + clean(alert.termination_message))
    hint = "enter: open  l: logs  p: previous logs (the crash)" if alert.key.kind == "Pod" else "enter: open"
    out.append(f"\n{hint}", style=MUTED_STYLE)
    return out


def crash_row_key(entry: JournalEntry) -> tuple[ObjectKey, str, str]:
    return (entry.pod_key, entry.container, entry.time.isoformat())


def crash_row(entry: JournalEntry, now: datetime) -> Row:
    """One crash from the journal (its strings were cleaned when it was written, and are again)."""
    last_line = next((line for line in reversed(entry.log_tail) if line.strip()), "")
    message = entry.message or last_line
    return Row(
        crash_row_key(entry),
        (
            Cell(age_text(entry.time, now), age_seconds(entry.time, now)),
            Cell(entry.namespace, entry.namespace),
            Cell(entry.pod, entry.pod),
            Cell(entry.container, entry.container),
            Cell(str(entry.restarts), entry.restarts),
            Cell(Text(clean(entry.reason) or "-", style=ERROR_STYLE), entry.reason),
            Cell(
                "-" if entry.exit_code is None else str(entry.exit_code),
                BLANK if entry.exit_code is None else entry.exit_code,
            ),
            Cell(message),
        ),
        "error" if entry.reason == "OOMKilled" else None,
    )
