"""Retry-After as servers (and broken proxies) send it: a bounded wait or none, never an exception."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kdash.k8s.backoff import MAX_RETRY_AFTER, Backoff, parse_retry_after
from kdash.k8s.rawapi import GoneError, ResourceVersionTooLargeError, TooManyRequestsError, error_from_status

NOW = datetime(2026, 11, 29, 18, 40, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "wait"),
    [
        ("1", 1.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        ("1e12", MAX_RETRY_AFTER),
        ("99999999999999999999", MAX_RETRY_AFTER),
        ("inf", MAX_RETRY_AFTER),
        ("Sun, 29 Nov 2026 18:40:30 GMT", 30.0),  # an HTTP date 30 s ahead
        ("Sun, 29 Nov 2026 18:39:00 GMT", 0.0),  # a date in the past: retry now
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER),
        ("-5", None),
        ("nan", None),
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_bounded(value: str | None, wait: float | None) -> None:
    assert parse_retry_after(value, NOW) == wait


def test_a_429_carries_the_capped_wait() -> None:
    err = error_from_status(429, b'{"kind":"Status","code":429,"message":"slow down"}', "1e12")
    assert isinstance(err, TooManyRequestsError)
    assert err.retry_after == MAX_RETRY_AFTER


def test_too_large_resource_version_means_relist() -> None:
    body = (
        b'{"kind":"Status","status":"Failure","message":"Timeout: Too large resource version: 9, current: 3",'
        b'"reason":"Timeout","details":{"causes":[{"reason":"ResourceVersionTooLarge",'
        b'"message":"Too large resource version"}],"retryAfterSeconds":1},"code":504}'
    )
    err = error_from_status(504, body, "1")
    assert isinstance(err, ResourceVersionTooLargeError)
    assert isinstance(err, GoneError)  # handled like a 410: relist
    assert not isinstance(error_from_status(504, b'{"code":504,"message":"gateway timeout"}'), GoneError)


def test_backoff_grows_to_its_cap_with_jitter() -> None:
    b = Backoff(1.0, 8.0)
    waits = [b.next() for _ in range(8)]
    assert all(0.5 <= w <= 1.0 for w in waits[:1])
    assert all(4.0 <= w <= 8.0 for w in waits[4:])
    b.reset()
    assert b.next() <= 1.0
