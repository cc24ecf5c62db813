"""Restart rows (the last termination in words, crash-looping red, killed yellow) and event rows
(Warnings yellow and first, the involved object, when last seen)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from kdash.model.cluster import EventRecord
from kdash.model.meta import ObjectKey
from kdash.model.pods import RestartRecord
from kdash.ui.render import events, restarts
from kdash.ui.render.text import ERROR_STYLE, WARNING_STYLE
from tests.ui.render.records import NOW, check, meta, record

FINISHED = NOW - timedelta(minutes=2)


def restart(state: str, reason: str, code: int | None, message: str = "") -> RestartRecord:
    return RestartRecord("shop", "cart-1", "app", 7, state, reason, code, FINISHED, message)


@pytest.mark.parametrize(
    ("record_", "style_class", "expected"),
    [
        (
            restart("CrashLoopBackOff", "Error", 1, "panic: boom\n\tat main.go:12\n"),
            "error",
            {
                "restarts": ("7", "", 7),
                "state": ("CrashLoopBackOff", ERROR_STYLE, "CrashLoopBackOff"),
                "last": ("Error (1)", "", "Error (1)"),
                "when": ("2m", "", 120.0),
                "message": ("panic: boom", "", "panic: boom\n\tat main.go:12\n"),  # first line shown
            },
        ),
        (
            restart("Running", "OOMKilled", 137),
            "warning",
            {"last": ("OOMKilled (137)", "", "OOMKilled (137)")},
        ),
        (restart("Running", "Completed", None), None, {"last": ("Completed", "", "Completed")}),
        (restart("Running", "", None), None, {"last": ("-", "", "-")}),
    ],
)
def test_restart_row(record_: RestartRecord, style_class: str | None, expected: dict[str, Any]) -> None:
    key = restarts.restart_key(record_)
    assert key == (ObjectKey("Pod", "shop", "cart-1"), "app")  # the pod is what enter opens
    row = restarts.restart_row(key, record_, NOW)
    assert row.style_class == style_class
    base = {"pod": ("cart-1", "", "cart-1"), "container": ("app", "", "app")}
    check(row, restarts.COLUMNS, {**base, **expected})


def event(kind: str, *, seconds_ago: int, count: int = 1) -> EventRecord:
    seen = (NOW - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    raw = {
        "kind": "Event",
        "metadata": meta(f"cart-1.{kind.lower()}{seconds_ago}"),
        "type": kind,
        "reason": "BackOff" if kind == "Warning" else "Pulled",
        "message": "Back-off restarting failed container",
        "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "cart-1"},
        "count": count,
        "lastTimestamp": seen,
    }
    return record("events", raw, EventRecord)


@pytest.mark.parametrize(
    ("record_", "style_class", "expected"),
    [
        (
            event("Warning", seconds_ago=30, count=12),
            "warning",
            {
                "last": ("30s", "", 30.0),
                "type": ("Warning", WARNING_STYLE, "Warning"),
                "reason": ("BackOff", "", "BackOff"),
                "object": ("Pod/cart-1", "", "Pod/cart-1"),
                "count": ("12", "", 12),
            },
        ),
        (
            event("Normal", seconds_ago=90),
            None,
            {"last": ("90s", "", 90.0), "type": ("Normal", "", "Normal")},
        ),
    ],
)
def test_event_row(record_: EventRecord, style_class: str | None, expected: dict[str, Any]) -> None:
    row = events.event_row(record_, NOW)
    assert row.key == record_.meta.key and row.style_class == style_class
    check(row, events.COLUMNS, expected)


def test_events_are_listed_warnings_first_then_newest() -> None:
    listed = [
        event("Normal", seconds_ago=5),
        event("Warning", seconds_ago=300),
        event("Warning", seconds_ago=20),
    ]
    ordered = sorted(listed, key=lambda e: events.event_order(e, NOW))
    assert [(e.type, events.seen_at(e)) for e in ordered] == [
        ("Warning", NOW - timedelta(seconds=20)),
        ("Warning", NOW - timedelta(seconds=300)),
        ("Normal", NOW - timedelta(seconds=5)),
    ]
