"""The pure half of ResourceTable: columns, rows, filtering, sorting and width fitting.

Kept apart from the widget so the logic is testable without an app, and so the widget module stays
about drawing and keys. Nothing here touches Textual.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice, zip_longest
from types import MappingProxyType
from typing import Any, Literal

from rich.text import Text

from kdash.model.meta import LabelSelector
from kdash.model.selectors import parse_label_selector

Align = Literal["left", "right", "center"]

_EMPTY_LABELS: Mapping[str, str] = MappingProxyType({})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True, slots=True)
class Column:
    """One column: `width` fixes it; otherwise it is measured from the header and a sample of rows
    and held between `min_width` and `max_width`. Numeric columns sort by number and align right."""

    key: str
    label: str
    width: int | None = None
    min_width: int = 1
    max_width: int = 40
    numeric: bool = False
    align: Align | None = None
    drop: int = 0  # > 0: may be hidden when the table is too narrow; higher numbers go first

    @property
    def justify(self) -> Align:
        return self.align or ("right" if self.numeric else "left")


@dataclass(frozen=True, slots=True)
class Row:
    """One table row, identified by `key` (an ObjectKey or any hashable).

    `sort_values` (optional, one per column) are what sorting compares; a missing one falls back to
    the cell's text. `style_class` names a severity ("error", "warning", "info", "ok", "muted") that
    colours the whole row. `labels` feed the `-l key=value` filter.
    """

    key: Hashable
    cells: tuple[Text, ...]
    sort_values: tuple[Any, ...] = ()
    style_class: str | None = None
    labels: Mapping[str, str] = field(default_factory=lambda: _EMPTY_LABELS, compare=False)
    _cell_lens: tuple[int, ...] | None = field(default=None, init=False, repr=False, compare=False)

    def search_text(self) -> str:
        return " ".join(cell.plain for cell in self.cells)

    def cell_widths(self) -> tuple[int, ...]:
        """Each cell's width in terminal cells, measured once: a row is immutable (a changed record
        gets a new Row), so width sampling on every update only measures rows it has not seen."""
        lens = self._cell_lens
        if lens is None:
            lens = tuple([cell.cell_len for cell in self.cells])
            object.__setattr__(self, "_cell_lens", lens)
        return lens


class LazyRow(Row):
    """A Row whose cells are built on first use (drawing, width sampling, filtering, comparing).

    For panes with tens of thousands of rows (20,000 findings) where a screen shows a few dozen:
    only the key, sort values and style are needed up front. `build` must be pure: it runs at most
    once, whenever the table first needs the cells.
    """

    __slots__ = ("_build", "_cells")
    _build: Callable[[], tuple[Text, ...]]
    _cells: tuple[Text, ...] | None

    def __init__(
        self,
        key: Hashable,
        build: Callable[[], tuple[Text, ...]],
        sort_values: tuple[Any, ...] = (),
        style_class: str | None = None,
        labels: Mapping[str, str] = _EMPTY_LABELS,
    ) -> None:
        setter = object.__setattr__
        setter(self, "key", key)
        setter(self, "sort_values", sort_values)
        setter(self, "style_class", style_class)
        setter(self, "labels", labels)
        setter(self, "_cell_lens", None)
        setter(self, "_build", build)
        setter(self, "_cells", None)

    @property
    def cells(self) -> tuple[Text, ...]:
        cells: tuple[Text, ...] | None = self._cells
        if cells is None:
            cells = self._build()
            object.__setattr__(self, "_cells", cells)
        return cells


def clean_cell(cell: Text) -> Text:
    """A copy of `cell` safe for one terminal line: control characters (newline, ESC, …) become
    spaces one for one, so span offsets stay valid and nothing reaches the terminal raw."""
    plain = cell.plain
    if not _CONTROL.search(plain):
        return cell
    return Text(_CONTROL.sub(" ", plain), style=cell.style, spans=list(cell.spans), end="")


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
        value: Any = row.sort_values[index] if index < len(row.sort_values) else None
        if value is None and index < len(row.cells):
            plain = row.cells[index].plain
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


# -- widths ----------------------------------------------------------------------------------------

SAMPLE_ROWS = 400


def measure_widths(columns: Sequence[Column], rows: Sequence[Row]) -> list[int]:
    """Natural widths from the header and a bounded, evenly spread sample of rows (O(1) in n).

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
        w if c.width is not None else min(max(w, c.min_width), c.max_width)
        for c, w in zip(columns, widths, strict=True)
    ]


def fit_widths(columns: Sequence[Column], natural: Sequence[int], available: int, gap: int = 1) -> list[int]:
    """Hide droppable columns (width 0) while the natural widths overflow by more than a quarter,
    then shrink the widest flexible columns (never below min_width) until the row fits."""
    widths = list(natural)

    def overflow_of() -> int:
        shown = [w for w in widths if w]
        return sum(shown) + gap * max(0, len(shown) - 1) - available

    droppable = sorted((i for i, c in enumerate(columns) if c.drop > 0), key=lambda i: (-columns[i].drop, -i))
    for i in droppable:
        if overflow_of() <= available // 4:  # a little overflow is better absorbed by shrinking
            break
        widths[i] = 0
    overflow = overflow_of()
    while overflow > 0:
        flexible = [
            i
            for i, c in enumerate(columns)
            if c.width is None and widths[i] > max(c.min_width, 0) and widths[i]
        ]
        if not flexible:
            break
        widest = max(flexible, key=lambda i: widths[i])
        others = [widths[i] for i in flexible if i != widest]
        floor = max([columns[widest].min_width, *others]) if others else columns[widest].min_width
        cut = min(overflow, max(1, widths[widest] - floor))
        widths[widest] -= cut
        overflow -= cut
    return widths
