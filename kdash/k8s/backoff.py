"""How long to wait before retrying: jittered exponential back-off and a bounded Retry-After.

Every loop that talks to the API server (informers, log followers, the version fetcher) waits
through these, so a hostile or broken server can slow kdash down but never stop it: a Retry-After of
`1e12`, `inf`, `-5` or `abc` becomes a wait between 0 and `MAX_RETRY_AFTER` seconds or none at all.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

MAX_RETRY_AFTER = 60.0  # seconds; a server asking for longer gets retried after this anyway


class Backoff:
    """Jittered exponential back-off: initial, 2x, 4x ... capped; jitter spreads retries of many informers."""

    def __init__(self, initial: float, cap: float) -> None:
        self.initial, self.cap, self.attempt = initial, cap, 0

    def next(self) -> float:
        delay = min(self.cap, self.initial * 2.0 ** min(self.attempt, 30))
        self.attempt += 1
        return delay * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.attempt = 0


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), capped at
    `MAX_RETRY_AFTER`; None when absent, negative, not a number or not a date."""
    text = (value or "").strip()
    if not text:
        return None
    seconds: float | None
    try:
        seconds = float(text)
    except ValueError:
        seconds = _seconds_until(text, now)
    if seconds is None or math.isnan(seconds) or seconds < 0:
        return None
    return min(seconds, MAX_RETRY_AFTER)


def _seconds_until(text: str, now: datetime | None) -> float | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
