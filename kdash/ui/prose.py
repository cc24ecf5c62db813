"""Numbers, sizes and times in sentences ("saved 1 line (42 Bytes)", "last 3 minutes ago").

Tables keep kubectl's compact words (`3m20s`, `kdash.model.timefmt`), which line up in columns and
read exactly like `kubectl get`. Notifications and detail views are read as sentences, where
`humanize` says it better: singular and plural, a size a person can take in, and "3 minutes ago"
rather than "3m12s ago".
"""

from __future__ import annotations

from datetime import datetime, timedelta

import humanize


def count(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 line", "1,234 lines": thousands separated, the noun agreeing with the number."""
    word = noun if n == 1 else plural or noun + "s"
    return f"{humanize.intcomma(n)} {word}"


def size(nbytes: int) -> str:
    """A byte count as people read it: "42 Bytes", "55.0 KiB", "1.2 MiB" (binary units, as kubectl's
    memory quantities)."""
    return str(humanize.naturalsize(max(0, nbytes), binary=True))


def ago(when: datetime | None, now: datetime) -> str:
    """ "3 minutes ago", "a second ago", "now"; "" when the time is unknown.

    A time slightly ahead of `now` (clock skew between the cluster and this machine) reads "now",
    never "in 2 seconds".
    """
    if when is None:
        return ""
    try:
        delta = now - when
    except TypeError:  # a naive time against an aware one: not worth a sentence
        return ""
    return str(humanize.naturaltime(max(delta, timedelta(0))))
