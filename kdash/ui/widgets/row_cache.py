"""Row caches for the panes: rebuild a row only when what it shows changed.

A pane renders up to ten times a second, and every render used to walk all its records and format
each one's age to see whether the row was still good: 2,000 workloads, 20,000 age texts a second,
almost none of them different. `AgedRows` remembers until when each row's age text holds
(`age_valid_until`), so a render looks at a record, its extra input and a float, and formats an
age only when the clock may have moved it. The answer is the one a fresh build would give:
tests/ui/test_row_cache.py checks it against the plain rule "rebuild when the record, the extra
or the age text changed".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, datetime
from typing import Any

from kdash.model.timefmt import age
from kdash.ui.render.table import Column, Row
from kdash.ui.render.text import age_cell, age_valid_until

Same = Callable[[Any, Any], bool]


def equal(a: Any, b: Any) -> bool:
    return a is b or a == b


def column_index(columns: Sequence[Column], key: str) -> int:
    """Where the column `key` is (its cell's index in each row)."""
    return [c.key for c in columns].index(key)


class AgedRows:
    """Rows by key with the record (by identity, or `same_record`), an extra input and the age
    text they show.

    `same(old extra, new extra)` says whether the extra inputs show the same (default: equal).
    `age_column` is the index of the row's one cell that depends on the clock, `age_cell(when,
    now)`: a row whose age text moved on gets that cell replaced and keeps the others (built and
    measured once). Call `at(now)` once per render, then `get()` for each row."""

    def __init__(
        self, same: Same = equal, age_column: int | None = None, same_record: Same | None = None
    ) -> None:
        # key -> [record, extra, valid until (POSIX), age text, row]; lists: updated in place
        self._rows: dict[Hashable, list[Any]] = {}
        self._same = same
        self._age_column = age_column
        self._same_record = same_record  # a record not the same object may still show the same
        self._now = datetime.min.replace(tzinfo=UTC)
        self._now_ts = -math.inf
        self.fresh_until = -math.inf  # until when every row of the last pass reads as it did

    def at(self, now: datetime) -> None:
        """The render's clock (its POSIX time is computed once here, not once per row)."""
        self._now = now
        self._now_ts = now.timestamp()
        self.fresh_until = math.inf

    def fresh(self, now: datetime) -> bool:
        """Whether no age text of the last pass can have moved by `now` (then the same records
        and extras give the very same rows, and a pane may skip the pass)."""
        return now.timestamp() < self.fresh_until

    def get(
        self,
        key: Hashable,
        record: Any,
        extra: Any,
        when: datetime | None,
        build: Callable[..., Row],
        *args: Any,
    ) -> Row:
        """The row for `key`: the cached one if `record` is the same object, its extra shows the
        same and `age(when, now)` reads as it did; else `build(*args)`."""
        hit = self._rows.get(key)
        now = self._now
        if (
            hit is not None
            and (hit[0] is record or (self._same_record is not None and self._same_record(hit[0], record)))
            and self._same(hit[1], extra)
        ):
            hit[0], hit[1] = record, extra  # equal new objects: compared by identity next time
            if self._now_ts < hit[2]:
                self.fresh_until = min(self.fresh_until, hit[2])
                return hit[4]  # type: ignore[no-any-return]
            text = age(when, now)
            hit[2] = until = age_valid_until(when, now)
            self.fresh_until = min(self.fresh_until, until)
            if text == hit[3]:
                return hit[4]  # type: ignore[no-any-return]
            old: Row = hit[4]
            if self._age_column is not None and old.built:
                # only the age moved: what a build now would give, without building the rest
                hit[3], hit[4] = text, old.with_cells({self._age_column: age_cell(when, now)})
                return hit[4]  # type: ignore[no-any-return]
        else:
            text = age(when, now)
        row = build(*args)
        until = age_valid_until(when, now)
        self.fresh_until = min(self.fresh_until, until)
        self._rows[key] = [record, extra, until, text, row]
        return row

    def prune(self, shown: Sequence[Row]) -> None:
        """Forget rows no longer shown, once the cache holds many more than are."""
        if len(self._rows) > 2 * len(shown) + 64:
            keep = set(map(id, shown))  # the cache holds its rows: their ids stay theirs
            self._rows = {k: v for k, v in self._rows.items() if id(v[4]) in keep}
