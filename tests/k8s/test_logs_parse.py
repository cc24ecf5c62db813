"""Pure parts of the log service: line splitting, timestamps, resume de-duplication, selectors."""

from __future__ import annotations

from datetime import UTC, datetime

from kdash.k8s.logs_parse import (
    MAX_LINE_BYTES,
    LineSplitter,
    RawLine,
    ResumeFilter,
    format_since_time,
    parse_timestamp,
)

TS = "2026-03-01T10:00:00.123456789Z"


def test_partial_lines_across_chunks_and_split_utf8() -> None:
    data = f"{TS} héllo wörld\n{TS} second\n{TS} third".encode()
    split = LineSplitter()
    out: list[RawLine] = []
    for i in range(len(data)):  # one byte at a time: splits every multi-byte character
        out.extend(split.feed(data[i : i + 1]))
    assert [ln.text for ln in out] == ["héllo wörld", "second"]
    assert [ln.text for ln in split.flush()] == ["third"]


def test_invalid_utf8_is_replaced_not_raised() -> None:
    split = LineSplitter(timestamps=False)
    out = list(split.feed(b"ok \xff\xfe bad\r\n"))
    assert out[0].text == "ok \ufffd\ufffd bad"


def test_control_sequences_are_stripped_at_ingest() -> None:
    split = LineSplitter(timestamps=False)
    (line,) = split.feed(b"\x1b]52;c;cGF5bG9hZA==\x07\x1b[31mred\x1b[0m\n")
    assert line.text == "\x1b[31mred\x1b[0m"


def test_huge_line_is_bounded() -> None:
    split = LineSplitter(timestamps=False)
    chunk = b"x" * (256 * 1024)
    out: list[RawLine] = []
    for _ in range(12):  # 3 MB without a newline
        out.extend(split.feed(chunk))
    out.extend(split.feed(b"\nnext\n"))
    assert len(out) == 2
    assert len(out[0].text) <= MAX_LINE_BYTES
    assert out[0].text.endswith("…")
    assert out[1].text == "next"


def test_timestamps() -> None:
    ns = parse_timestamp(TS)
    assert ns is not None
    assert ns % 1_000_000_000 == 123456789
    assert parse_timestamp("2026-03-01T11:00:00.123456789+01:00") == ns
    assert parse_timestamp("2026-03-01T10:00:00.1234Z") == ns - 123456789 + 123400000
    assert parse_timestamp("not-a-time") is None
    assert format_since_time(ns) == "2026-03-01T10:00:00Z"
    line = RawLine(ns, "x")
    assert line.timestamp == datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)


def test_line_without_timestamp_keeps_its_text() -> None:
    (line,) = LineSplitter().feed(b"no stamp here\n")
    assert line.ns is None
    assert line.text == "no stamp here"


def test_resume_filter_drops_the_overlap_only() -> None:
    f = ResumeFilter()
    base = parse_timestamp("2026-03-01T10:00:00.5Z")
    assert base is not None
    seen = [RawLine(base + i, f"line {i}") for i in range(5)]
    assert all(f.accept(ln) for ln in seen)
    f.resume()
    # The server resends the whole second (sinceTime has 1 s precision), then new lines.
    older = RawLine(base - 400_000_000, "from earlier in the second")
    replay = [older, *seen, RawLine(base + 10, "new 1"), RawLine(base + 10, "new 1 twin")]
    accepted = [ln.text for ln in replay if f.accept(ln)]
    assert accepted == ["from earlier in the second", "new 1", "new 1 twin"]
    assert f.duplicates == 5


def test_resume_filter_keeps_identical_lines_in_the_same_nanosecond() -> None:
    f = ResumeFilter()
    ln = RawLine(1_000_000_000, "same")
    assert f.accept(ln)
    assert f.accept(ln)
    f.resume()
    assert [f.accept(x) for x in (ln, ln, ln)] == [False, False, True]
