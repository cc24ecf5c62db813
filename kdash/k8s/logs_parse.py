"""Turning a raw pod-log byte stream into lines, and resuming it without duplicates.

The log endpoint sends bytes in whatever chunks the kubelet flushed: a line can straddle chunks,
and a multi-byte character can too, so bytes are split on newlines first and decoded per line
(invalid UTF-8 becomes U+FFFD instead of an exception). kdash always asks for `timestamps=true`
and strips the stamp itself: it is what lets a dropped stream resume with `sinceTime` and drop the
overlap (the API's `sinceTime` has one-second precision, so the last second comes again).
"""

from __future__ import annotations

import calendar
import re
from collections import Counter, deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from kdash.model.logtext import sanitize

#: A line longer than this (in bytes, before decoding) is cut: bounded memory beats a 1 GB line.
MAX_LINE_BYTES = 1 << 20
#: Characters kept per line after decoding (display truncates further, at ~2000).
MAX_LINE_CHARS = 64 * 1024

_TS = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?$")
_NS = 1_000_000_000


class RawLine(NamedTuple):
    """One decoded line: `ns` is the kubelet timestamp in epoch nanoseconds (None if absent)."""

    ns: int | None
    text: str

    @property
    def timestamp(self) -> datetime | None:
        if self.ns is None:
            return None
        return datetime.fromtimestamp(self.ns // _NS, UTC) + timedelta(microseconds=(self.ns % _NS) // 1000)


def parse_timestamp(stamp: str) -> int | None:
    """RFC3339(Nano) → epoch nanoseconds, or None when `stamp` is not one (kept exact for dedupe)."""
    m = _TS.match(stamp)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    try:
        secs = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    except (ValueError, OverflowError):
        return None
    frac = m.group(7) or ""
    ns = secs * _NS + (int(frac.ljust(9, "0")) if frac else 0)
    zone = m.group(8)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        ns -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60) * _NS
    return ns


def format_since_time(ns: int) -> str:
    """`sinceTime` for a resume: the API takes whole seconds, so this rounds down."""
    return datetime.fromtimestamp(ns // _NS, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def decode_line(raw: bytes, *, timestamps: bool) -> RawLine:
    """Decode one line (without its newline); split off the leading timestamp when asked for."""
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    if len(raw) > MAX_LINE_BYTES:
        raw = raw[:MAX_LINE_BYTES]
    text = raw.decode("utf-8", errors="replace")
    ns: int | None = None
    if timestamps:
        head, _, rest = text.partition(" ")
        ns = parse_timestamp(head)
        if ns is not None:
            text = rest
    text = sanitize(text)
    if len(text) > MAX_LINE_CHARS:
        text = sanitize(text[: MAX_LINE_CHARS - 1]) + "…"
    return RawLine(ns, text)


class LineSplitter:
    """Feed byte chunks, get complete lines; keeps the partial tail for the next chunk."""

    def __init__(self, *, timestamps: bool = True) -> None:
        self._timestamps = timestamps
        self._partial = bytearray()

    def feed(self, chunk: bytes) -> Iterator[RawLine]:
        """The complete lines `chunk` finishes, in order."""
        if not chunk:
            return
        start = 0
        end = chunk.find(b"\n")
        while end != -1:
            if self._partial:
                self._partial += chunk[start:end]
                raw = bytes(self._partial)
                self._partial.clear()
            else:
                raw = chunk[start:end]
            yield decode_line(raw, timestamps=self._timestamps)
            start = end + 1
            end = chunk.find(b"\n", start)
        if start < len(chunk):
            # A runaway line is cut at MAX_LINE_BYTES; the rest of it is dropped until its newline.
            room = MAX_LINE_BYTES + 1 - len(self._partial)
            if room > 0:
                self._partial += chunk[start : start + room]

    def flush(self) -> Iterator[RawLine]:
        """The last line when the stream ended without a newline."""
        if self._partial:
            raw = bytes(self._partial)
            self._partial.clear()
            yield decode_line(raw, timestamps=self._timestamps)

    def reset(self) -> None:
        """Forget a partial line (a dropped connection: the resume sends the whole line again)."""
        self._partial.clear()


class ResumeFilter:
    """Drops the lines a resumed stream sends again.

    It remembers the timestamp of the last line let through and the (timestamp, text) pairs of the
    last second before it. After `resume()`, lines older than that window are dropped, lines inside
    it are dropped when already seen (counted, so two identical lines in one nanosecond survive), and
    the first line newer than the last one ends the overlap.
    """

    def __init__(self, window_lines: int = 10_000) -> None:
        self.last_ns: int | None = None
        self._recent: deque[tuple[int, str]] = deque(maxlen=window_lines)
        self._overlap: Counter[tuple[int, str]] | None = None
        self.duplicates = 0

    def resume(self) -> None:
        """A reconnect is about to send the last second again."""
        self._overlap = Counter(self._recent) if self.last_ns is not None else None

    def accept(self, line: RawLine) -> bool:
        """True when `line` is new and should be shown."""
        ns = line.ns
        if ns is None:
            return True
        if self._overlap is not None and self.last_ns is not None:
            if ns <= self.last_ns:
                key = (ns, line.text)
                if self._overlap.get(key, 0) > 0:
                    self._overlap[key] -= 1
                    self.duplicates += 1
                    return False
                if ns < self.last_ns - _NS:
                    self.duplicates += 1
                    return False
            else:
                self._overlap = None
        if self.last_ns is None or ns >= self.last_ns:
            self.last_ns = ns
        while self._recent and self._recent[0][0] < ns - _NS:
            self._recent.popleft()
        self._recent.append((ns, line.text))
        return True
