"""RFC 3339 timestamps and kubectl-style ages ("45s", "3m20s", "5d3h", "2y31d").

The model is stdlib-only, so the age formatter reimplements k8s.io/apimachinery
`util/duration.HumanDuration`, which is what the API server's Table printer and `kubectl get` use;
kdash's AGE column then reads exactly like kubectl's.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

# Timestamps repeat a lot across a cluster (pods created in the same second, conditions flipped
# together): remembering recent ones saves parse time and shares one datetime object per instant.
_CACHE: dict[str, datetime | None] = {}
_CACHE_MAX = 16_384  # a few MB at most


def parse_time(value: object) -> datetime | None:
    """A timezone-aware UTC datetime from an RFC 3339 string, or None (never raises).

    Accepts "2026-11-29T18:36:00Z", fractional seconds of any length, numeric offsets, and
    datetimes (YAML loaders produce them). Naive values are taken as UTC. Go's zero time
    (year 1) means "unset" and gives None.
    """
    if isinstance(value, str):
        if len(value) > 64:  # no RFC 3339 time is this long: neither parse nor remember it
            return None
        try:
            return _CACHE[value]
        except KeyError:
            pass
        result = _parse_text(value)
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[value] = result
        return result
    if isinstance(value, datetime):
        return _to_utc(value)
    return None


def _parse_text(value: str) -> datetime | None:
    try:
        return _to_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def _to_utc(parsed: datetime) -> datetime | None:
    """Aware UTC; naive times are taken as UTC; Go's zero time (year 1) is None."""
    tz = parsed.tzinfo
    if tz is UTC:
        result = parsed
    elif tz is None:
        result = parsed.replace(tzinfo=UTC)
    else:
        try:
            result = parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            return None
    if result.year <= 1:
        return None
    return result


def format_age(delta_seconds: float) -> str:
    """How long ago, in kubectl's words (`duration.HumanDuration`).

    Up to 2 s in the future reads "0s" (clock skew); further in the future reads "<invalid>",
    exactly as kubectl prints it.
    """
    if math.isnan(delta_seconds):
        return "<invalid>"
    if math.isinf(delta_seconds):
        return "<invalid>" if delta_seconds < 0 else "292y"  # Go's Duration tops out at ~292 years
    seconds = int(delta_seconds)  # truncates toward zero, like Go's int(d.Seconds())
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = seconds // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def age(created: datetime | None, now: datetime) -> str:
    """kubectl's AGE cell: time since `created`, "<unknown>" when it is not known."""
    if created is None:
        return "<unknown>"
    try:
        return format_age((now - created).total_seconds())
    except (TypeError, OverflowError):  # naive `now` against an aware time, or absurd spans
        return "<unknown>"
