"""Ages read like kubectl's (duration.HumanDuration) and time parsing never raises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kdash.model.timefmt import age, format_age, parse_time

S, M, H, D = 1, 60, 3600, 86400

# The first ten are the cases of apimachinery's own TestHumanDuration; the rest walk every boundary.
AGE_CASES = [
    (1 * S, "1s"),
    (70 * S, "70s"),
    (190 * S, "3m10s"),
    (70 * M, "70m"),
    (47 * H, "47h"),
    (49 * H, "2d1h"),
    ((8 * 24 + 2) * H, "8d"),
    (367 * D, "367d"),
    ((365 * 2 * 24 + 25) * H, "2y1d"),
    ((365 * 8 * 24 + 2) * H, "8y"),
    (0, "0s"),
    (0.999, "0s"),
    (45, "45s"),
    (59, "59s"),
    (90, "90s"),
    (119.9, "119s"),
    (120, "2m"),
    (200, "3m20s"),
    (599, "9m59s"),
    (600, "10m"),
    (179 * M + 59, "179m"),
    (3 * H, "3h"),
    (3 * H + 30 * M, "3h30m"),
    (7 * H + 59 * M + 59, "7h59m"),
    (8 * H, "8h"),
    (47 * H + 59 * M, "47h"),
    (48 * H, "2d"),
    (5 * D + 3 * H, "5d3h"),
    (7 * D + 23 * H, "7d23h"),
    (8 * D, "8d"),
    (729 * D, "729d"),
    (730 * D, "2y"),
    (731 * D, "2y1d"),
    (8 * 365 * D - 1, "7y364d"),
    (20 * 365 * D, "20y"),
    (-0.5, "0s"),
    (-1, "0s"),
    (-1.99, "0s"),  # within 2 s of the future: clock skew, kubectl says 0s
    (-2, "<invalid>"),
    (-3600, "<invalid>"),
    (float("nan"), "<invalid>"),
    (float("-inf"), "<invalid>"),
]


@pytest.mark.parametrize(("seconds", "text"), AGE_CASES, ids=[f"{c[0]}s" for c in AGE_CASES])
def test_format_age_matches_human_duration(seconds: float, text: str) -> None:
    assert format_age(seconds) == text


NOW = datetime(2026, 11, 29, 18, 40, 14, tzinfo=UTC)


def test_age_of_unknown_and_future_times() -> None:
    assert age(None, NOW) == "<unknown>"
    assert age(NOW - timedelta(minutes=4, seconds=14), NOW) == "4m14s"
    assert age(NOW + timedelta(seconds=1), NOW) == "0s"
    assert age(NOW + timedelta(days=3), NOW) == "<invalid>"
    assert age(NOW.replace(tzinfo=None), NOW) == "<unknown>"  # naive against aware: no exception


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-29T18:36:00Z", datetime(2026, 11, 29, 18, 36, tzinfo=UTC)),
        ("2026-11-29T18:36:00.834313Z", datetime(2026, 11, 29, 18, 36, 0, 834313, tzinfo=UTC)),
        ("2026-11-29T18:36:00.834313123Z", datetime(2026, 11, 29, 18, 36, 0, 834313, tzinfo=UTC)),
        ("2026-11-29T20:36:00+02:00", datetime(2026, 11, 29, 18, 36, tzinfo=UTC)),
        ("2026-11-29T18:36:00", datetime(2026, 11, 29, 18, 36, tzinfo=UTC)),
        (
            datetime(2026, 11, 29, 19, 36, tzinfo=timezone(timedelta(hours=1))),
            datetime(2026, 11, 29, 18, 36, tzinfo=UTC),
        ),
        ("0001-01-01T00:00:00Z", None),  # Go's zero time: unset
        ("", None),
        ("yesterday", None),
        ("2026-13-45T99:99:99Z", None),
        (None, None),
        (1764441360, None),
        ([], None),
        ("2" * 10_000, None),
    ],
)
def test_parse_time(text: object, expected: datetime | None) -> None:
    parsed = parse_time(text)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is UTC


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_format_age_total(seconds: float) -> None:
    text = format_age(seconds)
    assert text
    if seconds >= 0 and seconds < 2 * 60:
        assert text == f"{int(seconds)}s"


@given(st.integers(min_value=120, max_value=10**10))
def test_format_age_units_are_ordered(seconds: int) -> None:
    text = format_age(seconds)
    units = [ch for ch in text if ch.isalpha()]
    assert units in (["m"], ["m", "s"], ["h"], ["h", "m"], ["d"], ["d", "h"], ["y"], ["y", "d"])


@given(st.text(max_size=40) | st.none() | st.integers() | st.datetimes(timezones=st.timezones()))
def test_parse_time_never_raises(value: object) -> None:
    parsed = parse_time(value)
    assert parsed is None or parsed.tzinfo is UTC


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1)))
def test_rfc3339_round_trip(moment: datetime) -> None:
    aware = moment.replace(tzinfo=UTC)
    assert parse_time(aware.strftime("%Y-%m-%dT%H:%M:%S.%fZ")) == aware
