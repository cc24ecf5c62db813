"""Column widths for ResourceTable: which columns to show at a width, and how identifying columns
shrink without two rows reading the same.

Pure (no Textual). The rules, in the order a too-narrow table applies them:

1. free-text (`flex`) columns give up their width first, down to a quarter of the table (they
   scroll with ←/→);
2. droppable columns (`drop` > 0) are hidden, the highest number first;
3. identifying (`ident`) columns shrink to 16 cells; plain columns to their header's width; free
   text to its `min_width`; identifying columns to their floor (the width at which all their
   distinct values still read differently, `unique_width`); plain columns to their `min_width`;
4. plain columns go from the right; identifying ones never.

Identifying cells are middle-ellipsised by `abbreviate` ("checkout-…-jp4kq"): the end of a
generated name (its random suffix) tells two pods apart, the start says what they are.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from math import ceil
from typing import Any

from rich.cells import cell_len

from kdash.ui.render.table import Column, Row

ELLIPSIS = "…"
IDENT_MIN = 8  # the narrowest an identifying column gets: "c…-jp4kq"
IDENT_SOFT = 16  # identifying columns shrink to this before plain columns shrink: "checkout-…-jp4kq"
FLEX_CAP = 1000  # a free-text column is measured up to this many cells (then scrolled)


def _split(keep: int, text: str) -> tuple[int, int]:
    """How many cells of the start and of the end `abbreviate` keeps in `keep` cells.

    The end keeps the last "-segment" when it fits in 60 % (a pod's random suffix), and at least
    40 %; both parts only grow as `keep` grows, so a width that tells values apart tells them
    apart at every larger width too (which `unique_width` relies on)."""
    cut = text.rfind("-")
    segment = len(text) - cut if cut > 0 else 0
    tail = max(ceil(keep * 0.4), min(segment, (keep * 6) // 10))
    tail = min(tail, keep - 1)
    return keep - tail, tail


def abbreviate(text: str, width: int) -> str:
    """`text` in at most `width` cells, its middle replaced by "…" when it does not fit."""
    if width <= 0:
        return ""
    if text.isascii():
        if len(text) <= width:
            return text
        if width == 1:
            return ELLIPSIS
        head, tail = _split(width - 1, text)
        return f"{text[:head]}{ELLIPSIS}{text[len(text) - tail :] if tail else ''}"
    if cell_len(text) <= width:
        return text
    if width == 1:
        return ELLIPSIS
    head, tail = _split(width - 1, text)
    start, end = _cells_from_start(text, head), _cells_from_end(text, tail)
    return f"{start}{ELLIPSIS}{end}"


def _cells_from_start(text: str, cells: int) -> str:
    out, used = [], 0
    for char in text:
        used += cell_len(char)
        if used > cells:
            break
        out.append(char)
    return "".join(out)


def _cells_from_end(text: str, cells: int) -> str:
    out: list[str] = []
    used = 0
    for char in reversed(text):
        used += cell_len(char)
        if used > cells:
            break
        out.append(char)
    return "".join(reversed(out))


def distinct_at(values: Collection[str], width: int) -> bool:
    """Whether distinct `values` still read differently abbreviated to `width`."""
    return len({abbreviate(v, width) for v in values}) == len(values)


def unique_width(values: Collection[str], lo: int = IDENT_MIN) -> int:
    """The narrowest width ≥ `lo` at which the distinct `values` all read differently (at most the
    widest value, where nothing is abbreviated)."""
    hi = max((cell_len(v) for v in values), default=0)
    if hi <= lo:
        return hi  # every value fits whole
    if distinct_at(values, lo):
        return lo
    low, high = lo, hi  # distinct at high, not at low
    while high - low > 1:
        mid = (low + high) // 2
        if distinct_at(values, mid):
            high = mid
        else:
            low = mid
    return high


class IdentIndex:
    """The distinct values of one identifying column and the width that keeps them apart.

    Built once from every row (the cells of lazy rows are built then), then kept up to date from
    the changed rows of each update only: a new value is checked against the abbreviations at the
    current floor in O(1), and only a collision makes the floor be computed again."""

    def __init__(self, index: int, lo: int) -> None:
        self.index = index
        self.lo = lo
        self._by_key: dict[Hashable, str] = {}
        self._counts: dict[str, int] = {}
        self._floor: int | None = None
        self._abbr: dict[str, str] = {}  # abbreviation at the floor -> the value it stands for

    def value_of(self, row: Row) -> str:
        return row.plain_at(self.index)

    def rebuild(self, rows: Iterable[Row]) -> None:
        self._by_key = {row.key: self.value_of(row) for row in rows}
        counts: dict[str, int] = {}
        for value in self._by_key.values():
            counts[value] = counts.get(value, 0) + 1
        self._counts = counts
        self._floor = None

    @property
    def floor(self) -> int:
        if self._floor is None:
            self._floor = unique_width(self._counts.keys(), self.lo)
            self._abbr = {abbreviate(v, self._floor): v for v in self._counts}
        return self._floor

    def update(self, rows: Mapping[Any, Row], stale: Iterable[Hashable]) -> bool:
        """Take the rows of `stale` keys from `rows` (gone when absent); whether the floor rose."""
        floor = self.floor
        counts, by_key = self._counts, self._by_key
        collided = False
        for key in stale:
            old = by_key.pop(key, None)
            if old is not None:
                left = counts[old] - 1
                if left:
                    counts[old] = left
                else:
                    del counts[old]
                    if self._abbr.get(abbreviate(old, floor)) == old:
                        del self._abbr[abbreviate(old, floor)]
            row = rows.get(key)
            if row is None:
                continue
            value = by_key[key] = self.value_of(row)
            if value in counts:
                counts[value] += 1
                continue
            counts[value] = 1
            short = abbreviate(value, floor)
            if self._abbr.setdefault(short, value) != value:
                collided = True
        if collided:
            self._floor = None
            return self.floor > floor
        return False


def fit_widths(
    columns: Sequence[Column],
    natural: Sequence[int],
    available: int,
    gap: int = 1,
    floors: Mapping[int, int] | None = None,
) -> list[int]:
    """Widths for `available` cells (0: hidden), by the rules in the module docstring. `natural`
    holds 0 for a column hidden by the caller; `floors` the unique width of identifying columns."""
    widths = list(natural)
    floors = floors or {}
    count = len(columns)
    for i, column in enumerate(columns):
        if column.ident and widths[i]:
            widths[i] = max(widths[i], floors.get(i, 0))

    def overflow_of() -> int:
        shown = [w for w in widths if w]
        return sum(shown) + gap * max(0, len(shown) - 1) - available

    def ident_floor(i: int) -> int:
        return max(columns[i].min_width, floors.get(i, min(IDENT_MIN, natural[i])))

    def label_floor(i: int) -> int:  # a plain column first shrinks no further than its header
        return max(columns[i].min_width, min(natural[i], len(columns[i].label)))

    def shrink(floor_of: Callable[[int], int], which: Callable[[int], bool]) -> None:
        overflow = overflow_of()
        while overflow > 0:
            flexible = [
                i for i in range(count) if columns[i].width is None and which(i) and widths[i] > floor_of(i)
            ]
            if not flexible:
                return
            widest = max(flexible, key=lambda i: widths[i])
            others = [widths[i] for i in flexible if i != widest]
            floor = max([floor_of(widest), *others]) if others else floor_of(widest)
            cut = min(overflow, max(1, widths[widest] - floor))
            widths[widest] -= cut
            overflow -= cut

    def plain(i: int) -> bool:
        return not columns[i].ident

    def ident(i: int) -> bool:
        return columns[i].ident

    def flex(i: int) -> bool:
        return columns[i].flex

    # 1. free text scrolls: it gives way first, down to a quarter of the width between them
    share = available // (4 * max(1, sum(1 for i in range(count) if columns[i].flex and widths[i])))
    shrink(lambda i: max(columns[i].min_width, 1, min(natural[i], share)), flex)
    droppable = sorted(
        (i for i in range(count) if columns[i].drop > 0 and not columns[i].ident),
        key=lambda i: (-columns[i].drop, -i),
    )
    for i in droppable:  # 2. low priority goes, the highest number first
        if overflow_of() <= 0:
            break
        widths[i] = 0
    shrink(lambda i: max(ident_floor(i), min(natural[i], IDENT_SOFT)), ident)  # 3. names, a little
    shrink(label_floor, plain)  # plain columns to their header's width
    shrink(lambda i: max(columns[i].min_width, 1), flex)  # free text to its least
    shrink(ident_floor, ident)  # identifying columns, never below their floor
    shrink(lambda i: max(columns[i].min_width, 1), plain)  # plain columns to their least
    for i in reversed(range(count)):  # 4. whatever still does not fit, identifying columns never
        if overflow_of() <= 0:
            break
        if widths[i] and not columns[i].ident and sum(1 for w in widths if w) > 1:
            widths[i] = 0
    slack = -overflow_of()
    for i in range(count):  # free text takes whatever width is left
        if slack > 0 and columns[i].flex and widths[i] and widths[i] < natural[i]:
            grow = min(slack, natural[i] - widths[i])
            widths[i] += grow
            slack -= grow
    return widths
