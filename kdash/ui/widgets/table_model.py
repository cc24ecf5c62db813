"""The pure half of ResourceTable: filtering, sorting and width fitting of rows.

Kept apart from the widget so the logic is testable without an app, and so the widget module stays
about drawing and keys. Nothing here touches Textual. The rows themselves (Column, Cell, Row) are
kdash.ui.render.table's, built by the row builders of kdash/ui/render.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, count, islice, zip_longest
from operator import attrgetter, is_not, not_
from typing import Any

from rich.text import Text

from kdash.model.logtext import mask_controls
from kdash.model.meta import LabelSelector
from kdash.model.selectors import parse_label_selector
from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.widgets.table_columns import FLEX_CAP, fit_widths

__all__ = [
    "Cell",
    "Column",
    "Row",
    "RowFilter",
    "clean_cell",
    "fit_widths",
    "measure_widths",
    "sort_key",
    "RowDiff",
    "changed_lines",
    "diff_rows",
    "same_view",
    "view_unmoved",
    "stale_keys",
    "update_rows",
    "view_keys",
]

_DIGITS = re.compile(r"(\d+)")


def clean_cell(cell: Text) -> Text:
    """A copy of `cell` safe for one terminal line: control characters (newline, ESC, …) become
    spaces one for one, so span offsets stay valid and nothing reaches the terminal raw."""
    plain = cell.plain
    masked = mask_controls(plain)  # also bidi and zero-width characters (kdash.model.logtext)
    if masked is plain:
        return cell
    return Text(masked, style=cell.style, spans=list(cell.spans), end="")


# -- filtering -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowFilter:
    """A parsed filter: a regex over the row's text (case-insensitive, `!` negates) and/or label
    requirements (`-l app=web,tier!=db,team,!canary`). An invalid regex matches literally."""

    pattern: re.Pattern[str] | None = None
    negate: bool = False
    labels: LabelSelector | None = None

    @classmethod
    def parse(cls, text: str) -> RowFilter:
        text = text.strip()
        labels: LabelSelector | None = None
        if text.startswith("-l"):
            selector, _, rest = text[2:].strip().partition(" ")
            try:
                labels = parse_label_selector(selector)
                text = rest.strip()
            except ValueError:
                pass  # not a selector after all: search for the text literally below
        negate = text.startswith("!")
        if negate:
            text = text[1:]
        pattern = None
        if text:
            try:
                pattern = re.compile(text, re.IGNORECASE)
            except re.error:
                pattern = re.compile(re.escape(text), re.IGNORECASE)
        return cls(pattern, negate, labels)

    @property
    def active(self) -> bool:
        return self.pattern is not None or self.labels is not None

    def matches(self, row: Row) -> bool:
        if self.labels is not None and not self.labels.matches(row.labels):
            return False
        if self.pattern is None:
            return True
        return bool(self.pattern.search(row.search_text())) != self.negate


# -- sorting ---------------------------------------------------------------------------------------


def _natural(text: str) -> tuple[Any, ...]:
    """ "pod-10" after "pod-9": digit runs compare as numbers."""
    return tuple(int(p) if p.isdigit() else p.lower() for p in _DIGITS.split(text))


def _as_number(text: str) -> float | None:
    m = re.match(r"\s*(-?\d+(?:\.\d+)?)", text)
    return float(m.group(1)) if m else None


def sort_key(columns: Sequence[Column], index: int) -> Callable[[Row], tuple[Any, ...]]:
    """A key function for one column: None/empty last, numbers numerically, text naturally."""
    numeric = columns[index].numeric

    def key(row: Row) -> tuple[Any, ...]:
        cell = row.cells[index] if index < len(row.cells) else None
        value: Any = None if cell is None else cell.sort
        if value is None and cell is not None:  # the cell declared no key: its text decides
            plain = cell.plain
            value = (_as_number(plain) if numeric else plain) if plain else None
        if value is None or value == "":
            return (2, 0)
        if isinstance(value, bool):
            return (0, int(value))
        if isinstance(value, int | float):
            return (0, value)
        if isinstance(value, str):
            return (1, _natural(value))
        return (1, (str(value),))

    return key


def view_keys(
    rows: Iterable[Row],
    row_filter: RowFilter,
    columns: Sequence[Column],
    sort_index: int | None,
    reverse: bool,
) -> list[Hashable]:
    """The keys of the rows `row_filter` keeps, sorted stably by one column (None: in the given
    order); blanks stay last in either direction."""
    shown = [r for r in rows if row_filter.matches(r)] if row_filter.active else list(rows)
    if sort_index is not None:
        key_of = sort_key(columns, sort_index)
        keyed = [(key_of(r), r) for r in shown]
        keyed.sort(key=lambda kr: kr[0], reverse=reverse)
        shown = [r for k, r in keyed if k[0] != 2] + [r for k, r in keyed if k[0] == 2]
    return list(map(row_key, shown))


row_key: Callable[[Row], Hashable] = attrgetter("key")


@dataclass(frozen=True, slots=True)
class RowDiff:
    """What `diff_rows` found: the keys to redraw, the rows replaced under their key (before,
    after), whether every key kept its place (only rows replaced in place), and, when the row
    count stayed, the places whose row changed (None: not looked for)."""

    stale: list[Hashable]
    replaced: list[tuple[Row, Row]]
    same_order: bool
    at: list[int] | None = None


# A change of at most this many rows in place (the row count unchanged) is found by position:
# one identity pass over the rows instead of sets of every row's id.
POSITIONAL_MAX = 2000


def diff_rows(order: Sequence[Row], by_key: dict[Hashable, Row], rows: Sequence[Row]) -> RowDiff | None:
    """Update `by_key` (the key → row map of `order`) in place to the rows of `rows`, and say what
    changed; None (and `by_key` untouched) when `rows` holds a key twice or one object twice.

    The same answer as `stale_keys` and `same_view` (tests/ui/test_table_diff.py), in time
    proportional to the rows that changed plus a pass or a few in C over all of them: a Health
    pane of 40,000 findings of which a handful change per report hashed every key three times in
    Python. Rows are matched by identity (a pane hands back the very row it cached); the ids are
    safe to compare because `order` and `rows` keep every row they name alive."""
    if len(rows) == len(order):
        at = list(islice(compress(count(), map(is_not, rows, order)), POSITIONAL_MAX + 1))
        if len(at) <= POSITIONAL_MAX:  # rows replaced in place (or moved among those places)
            before, after = [order[i] for i in at], [rows[i] for i in at]
            after_ids = set(map(id, after))
            if len(after_ids) != len(after):
                return None  # one object twice (the places not in `at` hold `order`'s own rows)
            moved = set(map(id, before)) & after_ids
            fresh = [r for r in after if id(r) not in moved]
            gone = [r for r in before if id(r) not in moved]
            same_order = all(a.key == b.key for a, b in zip(after, before, strict=True))
            return _apply(by_key, fresh, gone, same_order, at)
    new_ids = set(map(id, rows))
    if len(new_ids) != len(rows):
        return None
    old_ids = set(map(id, order))
    fresh = list(compress(rows, map(not_, map(old_ids.__contains__, map(id, rows)))))
    gone = list(compress(order, map(not_, map(new_ids.__contains__, map(id, order)))))
    diff = _apply(by_key, fresh, gone, False)
    if diff is not None and len(rows) == len(order) and len(diff.replaced) == len(fresh):
        moved_at = compress(count(), map(is_not, rows, order))
        same = all(rows[i].key == order[i].key for i in moved_at)
        diff = RowDiff(diff.stale, diff.replaced, same)
    return diff


def _apply(
    by_key: dict[Hashable, Row],
    fresh: list[Row],
    gone: list[Row],
    same_order: bool,
    at: list[int] | None = None,
) -> RowDiff | None:
    """`diff_rows`' second half: `fresh` rows come in, `gone` rows leave (each row a new or an old
    object, not both); None before any change when a fresh row's key is held twice."""
    gone_ids = set(map(id, gone))
    fresh_keys: set[Hashable] = set()
    for row in fresh:
        key = row.key
        before = by_key.get(key)
        if key in fresh_keys or (before is not None and id(before) not in gone_ids):
            return None  # a key twice: the caller builds the map as a dict comprehension would
        fresh_keys.add(key)
    stale: list[Hashable] = []
    for row in gone:
        if row.key not in fresh_keys:
            del by_key[row.key]
            stale.append(row.key)
    replaced: list[tuple[Row, Row]] = []
    for row in fresh:
        key = row.key
        before = by_key.get(key)
        by_key[key] = row
        if before is not None:
            replaced.append((before, row))
        # a lazy row not built yet counts as changed (comparing would build it)
        if before is None or not (before.built and row.built) or before != row:
            stale.append(key)
    return RowDiff(stale, replaced, same_order, at)


def view_unmoved(
    diff: RowDiff, row_filter: RowFilter, columns: Sequence[Column], sort_index: int | None
) -> bool:
    """Whether `view_keys` is what it was after `diff`: the keys kept their places and no
    replaced row's sort key or filter match moved (as `same_view` says for whole maps)."""
    if not diff.same_order:
        return False
    key_of = sort_key(columns, sort_index) if sort_index is not None else None
    for before, after in diff.replaced:
        if key_of is not None and key_of(before) != key_of(after):
            return False
        if row_filter.active and row_filter.matches(before) != row_filter.matches(after):
            return False
    return True


def stale_keys(
    old: Mapping[Hashable, Row], new: Mapping[Hashable, Row], rows: Iterable[Row] | None = None
) -> list[Hashable] | None:
    """Keys whose drawn line is out of date (a new or changed row, or one gone); None when `new`
    holds the same rows as `old`. `rows` are the rows `new` was made of (default: its values).

    Rows are matched by identity first (a pane hands back the very row it cached), so unchanged
    rows cost no hashing of their keys, and gone keys are looked for only when some went. Only
    a row that replaces another under its key is compared; a lazy row not built yet counts as
    changed (comparing would build it: the pane rebuilt it because its record, score or age text
    changed)."""
    old_ids = set(map(id, old.values()))
    stale: list[Hashable] = []
    added: set[Hashable] = set()
    for row in new.values() if rows is None else rows:
        if id(row) in old_ids:
            continue
        key = row.key
        before = old.get(key)
        if before is None:
            added.add(key)
            stale.append(key)
        elif not (before.built and row.built) or before != row:
            stale.append(key)
    # new holds the old keys that stayed plus the added ones: any other difference in size went
    if len(old) + len(added) > len(new):
        stale.extend(key for key in old if key not in new)
    return stale or None


def same_view(
    old: Mapping[Hashable, Row],
    new: Mapping[Hashable, Row],
    stale: Iterable[Hashable],
    row_filter: RowFilter,
    columns: Sequence[Column],
    sort_index: int | None,
) -> bool:
    """Whether `view_keys` of `new` is that of `old` without computing it: the same keys in the same
    order, and no changed row's sort key or filter match moved. Then an update of a few rows out
    of 10,000 costs no sort; `view_keys` stays the definition (tests/ui/test_table_view.py)."""
    if len(old) != len(new):
        return False
    key_of = sort_key(columns, sort_index) if sort_index is not None else None
    for key in stale:
        before, after = old.get(key), new.get(key)
        if before is None or after is None:
            return False
        if key_of is not None and key_of(before) != key_of(after):
            return False
        if row_filter.active and row_filter.matches(before) != row_filter.matches(after):
            return False
    return list(old) == list(new)  # insertion order is the rows' order; list == skips `is`-equal keys


def update_rows(
    order: list[Row],
    by_key: dict[Hashable, Row],
    rows: list[Row],
    row_filter: RowFilter,
    columns: Sequence[Column],
    sort_index: int | None,
) -> tuple[dict[Hashable, Row], list[Row], list[Hashable], bool, list[int] | None]:
    """A table's data going from `order` (mapped by key in `by_key`) to `rows`: (the new key → row
    map, the new order, the stale keys, whether the view is unmoved, the places in `rows` whose
    row changed when the count stayed, else None). `by_key` is updated in place (`diff_rows`)
    unless `rows` holds a key twice: then the last row under a key wins, at the first one's
    place, as a dict comprehension has it."""
    diff = diff_rows(order, by_key, rows) if order else None  # a first fill: the dict comprehension
    if diff is not None:
        return by_key, rows, diff.stale, view_unmoved(diff, row_filter, columns, sort_index), diff.at
    new = {row.key: row for row in rows}
    stale = stale_keys(by_key, new, rows) or []
    unmoved = same_view(by_key, new, stale, row_filter, columns, sort_index)
    return new, list(new.values()), stale, unmoved, None


def changed_lines(
    old_view: Sequence[Hashable],
    new_view: Sequence[Hashable],
    top: int,
    count: int,
    stale: Collection[Hashable],
) -> list[int]:
    """Which of the `count` lines shown from `top` must be redrawn after the view went from
    `old_view` to `new_view`: those showing another key (or none) now, or a changed row."""
    out = []
    old_len, new_len = len(old_view), len(new_view)
    for i in range(top, top + count):
        before = old_view[i] if i < old_len else None
        after = new_view[i] if i < new_len else None
        if before is None and after is None:
            continue
        if before is not after and before != after or after in stale:
            out.append(i - top)
    return out


# -- widths ----------------------------------------------------------------------------------------

SAMPLE_ROWS = 400


def measure_widths(columns: Sequence[Column], rows: Sequence[Row]) -> list[int]:
    """Natural widths from the header and a bounded, evenly spread sample of rows (O(1) in n);
    free-text (`flex`) columns are not capped by `max_width` (they scroll instead).

    Called on every update, so it reads each sampled row's cached `cell_widths()`: after the first
    update only new or changed rows are measured, and the rest is a column-wise max in C."""
    widths = [c.width if c.width is not None else max(len(c.label) + 1, c.min_width) for c in columns]
    if not rows:
        return widths
    step = max(1, len(rows) // SAMPLE_ROWS)
    sample = [row.cell_widths() for row in rows[::step]]
    for i, lens in enumerate(islice(zip_longest(*sample, fillvalue=0), len(columns))):
        if columns[i].width is None:
            widest = max(lens)
            if widest > widths[i]:
                widths[i] = widest
    return [
        w if c.width is not None else min(max(w, c.min_width), FLEX_CAP if c.flex else c.max_width)
        for c, w in zip(columns, widths, strict=True)
    ]
