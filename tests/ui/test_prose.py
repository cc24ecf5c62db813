"""`kdash.ui.prose`: the words notifications and detail views use for counts, sizes and times."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from kdash.model.build import build_pod
from kdash.ui import prose
from kdash.ui.widgets.crash_log import crash_log_text
from kdash.ui.widgets.detail_sections import summary_section

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("n", "noun", "plural", "text"),
    [
        (0, "line", None, "0 lines"),
        (1, "line", None, "1 line"),
        (2, "line", None, "2 lines"),
        (1234567, "line", None, "1,234,567 lines"),
        (1, "entry", "entries", "1 entry"),
        (3, "entry", "entries", "3 entries"),
    ],
)
def test_count_agrees_with_the_number(n: int, noun: str, plural: str | None, text: str) -> None:
    assert prose.count(n, noun, plural) == text


@pytest.mark.parametrize(
    ("nbytes", "text"),
    [
        (0, "0 Bytes"),
        (1, "1 Byte"),
        (42, "42 Bytes"),
        (56_300, "55.0 KiB"),
        (5 * 1024**2, "5.0 MiB"),
        (-3, "0 Bytes"),
    ],
)
def test_size_in_binary_units(nbytes: int, text: str) -> None:
    assert prose.size(nbytes) == text


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (NOW - timedelta(minutes=3, seconds=12), "3 minutes ago"),
        (NOW - timedelta(seconds=1), "a second ago"),
        (NOW - timedelta(hours=5), "5 hours ago"),
        (NOW, "now"),
        (NOW + timedelta(seconds=2), "now"),  # clock skew never reads "in 2 seconds"
        (None, ""),
        (datetime(2026, 11, 29, 11, 0), ""),  # naive against aware: no sentence rather than a crash
    ],
)
def test_ago_in_words(when: datetime | None, text: str) -> None:
    assert prose.ago(when, NOW) == text


def test_crash_log_title_counts_one_line_as_one_line() -> None:
    assert crash_log_text(["panic: boom"]).plain.splitlines()[0] == "last crash (1 line)"
    assert crash_log_text(["a", "b"]).plain.splitlines()[0] == "last crash (2 lines)"


def _plain(renderable: object, width: int = 100) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def test_pod_detail_says_when_the_last_restart_was_in_words() -> None:
    pod = build_pod(
        {
            "metadata": {"name": "web", "namespace": "shop", "creationTimestamp": "2026-11-29T10:00:00Z"},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]},
            "status": {
                "phase": "Running",
                "containerStatuses": [
                    {
                        "name": "app",
                        "restartCount": 7,
                        "state": {"running": {"startedAt": "2026-11-29T11:57:00Z"}},
                        "lastState": {"terminated": {"exitCode": 137, "finishedAt": "2026-11-29T11:56:48Z"}},
                    }
                ],
            },
        }
    )
    assert re.search(r"Restarts +7, last 3 minutes ago", _plain(summary_section(pod, NOW)))
    never = build_pod({"metadata": {"name": "calm"}, "spec": {"containers": [{"name": "app"}]}})
    assert re.search(r"Restarts +0 +Age", _plain(summary_section(never, NOW)))
