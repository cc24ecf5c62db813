"""Event rows (`:events`): when last seen, type, reason, the object it is about, and the message."""

from __future__ import annotations

from datetime import datetime

from kdash.model.cluster import EventRecord
from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.render.text import WARNING_STYLE, age_seconds, age_text, number, safe

COLUMNS: tuple[Column, ...] = (
    Column("namespace", "NAMESPACE", max_width=16, ident=True),
    Column("last", "LAST SEEN", numeric=True, max_width=9),
    Column("type", "TYPE", max_width=7, drop=1),
    Column("reason", "REASON", max_width=24),
    Column("object", "OBJECT", min_width=8, max_width=60, ident=True),
    Column("count", "COUNT", numeric=True, max_width=6, drop=2),
    Column("message", "MESSAGE", min_width=10, flex=True),
)


def seen_at(event: EventRecord) -> datetime | None:
    """When an event was last seen (the newest of its timestamps the API filled in)."""
    return event.last_seen or event.first_seen or event.meta.created


def event_order(event: EventRecord, now: datetime) -> tuple[bool, float]:
    """The list's order before the user sorts: Warnings first, then the most recently seen."""
    return (event.type != "Warning", age_seconds(seen_at(event), now) or 0.0)


def event_row(event: EventRecord, now: datetime) -> Row:
    """One event; a Warning row is yellow."""
    seen = seen_at(event)
    involved = event.involved
    where = f"{involved.kind}/{involved.name}" if involved is not None else "-"
    warning = event.type == "Warning"
    return Row(
        event.meta.key,
        (
            Cell(event.meta.namespace, event.meta.namespace),
            Cell(age_text(seen, now), age_seconds(seen, now)),
            Cell(safe(event.type, WARNING_STYLE if warning else ""), event.type),
            Cell(event.reason, event.reason),
            Cell(where, where),
            Cell(number(event.count), event.count),
            Cell(event.message),
        ),
        "warning" if warning else None,
    )
