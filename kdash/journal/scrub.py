"""Nothing secret, nothing hostile, nothing unbounded goes into the journal.

Every string is cleaned first (escape sequences, controls and invisible bidi characters go, with
kdash.model.logtext), then redacted (bearer tokens, Authorization values, secret-looking URL
parameters: the caller passes kdash.k8s.redact.redact, a layer this package may not import), then
cut. Cleaning before redacting matters: an escape sequence inside a token must not hide it from the
pattern. An entry bigger than its byte cap loses its oldest log lines first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from kdash.journal.entry import LINE_CHARS, MESSAGE_CHARS, NAME_CHARS, JournalEntry
from kdash.model.logtext import clean, strip_ansi, truncate

Redact = Callable[[str], str]


def encode(entry: JournalEntry) -> bytes:
    """One journal line: ASCII JSON (so `cat` of the file cannot drive a terminal) and a newline."""
    return (json.dumps(entry.to_json(), ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")


def redact_lines(text: str, redact: Redact) -> str:
    """Line by line: a pattern must not reach from one line into the next."""
    return "\n".join(redact(line) for line in text.split("\n"))


def scrub_name(value: str, redact: Redact) -> str:
    """A name or short field as written: one clean line, redacted, cut."""
    return truncate(redact(clean(value)), NAME_CHARS)


def scrub_entry(entry: JournalEntry, redact: Redact, *, tail_lines: int, max_bytes: int) -> JournalEntry:
    """`entry` cleaned, redacted and bounded: at most `tail_lines` log lines and `max_bytes` encoded."""

    def name(value: str) -> str:
        return scrub_name(value, redact)

    tail = entry.log_tail[-tail_lines:] if tail_lines else ()
    safe = replace(
        entry,
        context=name(entry.context),
        namespace=name(entry.namespace),
        pod=name(entry.pod),
        container=name(entry.container),
        owner_kind=name(entry.owner_kind),
        owner_name=name(entry.owner_name),
        reason=name(entry.reason),
        message=truncate(redact_lines(clean(entry.message, multiline=True), redact), MESSAGE_CHARS),
        image=name(entry.image),
        node=name(entry.node),
        log_tail=tuple(truncate(redact(strip_ansi(line)), LINE_CHARS) for line in tail),
    )
    return _bounded(safe, max_bytes)


def _bounded(entry: JournalEntry, max_bytes: int) -> JournalEntry:
    size = len(encode(entry))
    if size <= max_bytes:
        return entry
    tail = list(entry.log_tail)
    # Drop the oldest lines, measuring each line's share instead of re-encoding every time.
    while tail and size > max_bytes:
        size -= len(json.dumps(tail.pop(0), ensure_ascii=True)) + 1
    entry = replace(entry, log_tail=tuple(tail))
    if len(encode(entry)) > max_bytes:
        entry = replace(entry, message=truncate(entry.message, 200), log_tail=())
    if len(encode(entry)) > max_bytes:  # only hostile names get here: keep what identifies the crash
        entry = _short_names(entry)
    return entry


def _short_names(e: JournalEntry, n: int = 64) -> JournalEntry:
    return replace(
        e,
        namespace=truncate(e.namespace, n),
        pod=truncate(e.pod, n),
        container=truncate(e.container, n),
        owner_kind=truncate(e.owner_kind, n),
        owner_name=truncate(e.owner_name, n),
        reason=truncate(e.reason, n),
        image=truncate(e.image, n),
        node=truncate(e.node, n),
        message="",
    )
