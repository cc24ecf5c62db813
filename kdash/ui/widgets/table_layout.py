"""ColumnLayout: the column state of one ResourceTable (natural widths, hidden columns, the fitted
widths per available width, identifying columns' floors, the free-text scroll offset).

Kept out of the widget so the widget stays about drawing and keys, and so the costs are in one
place: natural widths come from a bounded sample (table_model.measure_widths); the identifying
columns' index of distinct values is built only when one of them would be cut (a narrow terminal,
or a value longer than the column's cap), and then kept up to date from changed rows alone.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

from kdash.ui.render.table import Column, Row
from kdash.ui.widgets.table_columns import IDENT_MIN, IdentIndex, fit_widths
from kdash.ui.widgets.table_model import measure_widths


class ColumnLayout:
    """Column widths for one table; `widths(available, rows)` is cached until something changes."""

    def __init__(self, columns: Sequence[Column], gap: int) -> None:
        self.columns = tuple(columns)
        self.gap = gap
        self.natural: list[int] = measure_widths(self.columns, [])
        self.hidden: frozenset[str] = frozenset()
        self.offset = 0  # how far the free-text columns are scrolled (cells)
        self._fitted: tuple[int, list[int]] = (-1, [])
        self._idents: dict[int, IdentIndex] | None = None
        self._ident_columns = [i for i, c in enumerate(self.columns) if c.ident]
        self._flex_columns = [i for i, c in enumerate(self.columns) if c.flex]

    @property
    def indexed(self) -> bool:
        """Whether the identifying columns' index exists (it is then kept up to date)."""
        return self._idents is not None

    @property
    def scrollable(self) -> bool:
        return bool(self._flex_columns)

    def invalidate(self) -> None:
        self._fitted = (-1, [])

    def measure(self, rows: Sequence[Row]) -> bool:
        """Measure `rows` again; whether the natural widths changed (then every line moves)."""
        natural = measure_widths(self.columns, rows)
        if natural == self.natural:
            return False
        self.natural = natural
        self.invalidate()
        return True

    def set_hidden(self, keys: frozenset[str]) -> bool:
        if keys == self.hidden:
            return False
        self.hidden = keys
        self.invalidate()
        return True

    def update(self, rows: Mapping[Hashable, Row], stale: Iterable[Hashable]) -> bool:
        """Keep the identifying columns' values current; whether a floor rose (a refit is due)."""
        if self._idents is None:
            return False
        stale = list(stale)
        rose = [index.update(rows, stale) for index in self._idents.values()]
        if any(rose):
            self.invalidate()
            return True
        return False

    def widths(self, available: int, rows: Mapping[Hashable, Row]) -> list[int]:
        """The widths at `available` cells; builds the identifying index the first time one of
        those columns would be narrower than its values."""
        if self._fitted[0] == available:
            return self._fitted[1]
        natural = [0 if c.key in self.hidden else w for c, w in zip(self.columns, self.natural, strict=True)]
        floors = self._floors(natural)
        widths = fit_widths(self.columns, natural, available, self.gap, floors)
        if self._idents is None and self._cuts_ident(natural, widths):
            self.build_idents(rows.values())
            widths = fit_widths(self.columns, natural, available, self.gap, self._floors(natural))
        self._fitted = (available, widths)
        self.offset = min(self.offset, self.max_offset(widths))
        return widths

    def _floors(self, natural: Sequence[int]) -> dict[int, int]:
        if self._idents is None:
            return {}
        return {i: index.floor for i, index in self._idents.items() if natural[i]}

    def _cuts_ident(self, natural: Sequence[int], widths: Sequence[int]) -> bool:
        return any(
            natural[i] and (widths[i] < natural[i] or natural[i] >= self.columns[i].max_width)
            for i in self._ident_columns
        )

    def build_idents(self, rows: Iterable[Row]) -> None:
        """Index every row's identifying values (builds lazy rows' cells: once per table)."""
        rows = list(rows)
        self._idents = {}
        for i in self._ident_columns:
            index = IdentIndex(i, max(self.columns[i].min_width, IDENT_MIN))
            index.rebuild(rows)
            self._idents[i] = index
        self.invalidate()

    def cut_without_index(self, row: Row, widths: Sequence[int]) -> bool:
        """Whether `row` (being drawn) has an identifying value wider than its column while no
        index guards them: a value the width sample did not see. Then the caller builds one."""
        if self._idents is not None or not self._ident_columns:
            return False
        lens = row.cell_widths()
        return any(i < len(lens) and widths[i] and lens[i] > widths[i] for i in self._ident_columns)

    # -- horizontal scroll of free text ------------------------------------------------------------

    def max_offset(self, widths: Sequence[int], extra: Row | None = None) -> int:
        """How far the free-text columns can scroll: until the longest measured text (or that of
        `extra`, the cursor's row) ends at its column's right edge."""
        lens = extra.cell_widths() if extra is not None else ()
        most = 0
        for i in self._flex_columns:
            if widths[i]:
                longest = max(self.natural[i], lens[i] if i < len(lens) else 0)
                most = max(most, longest - widths[i])
        return most

    def scroll(self, step: int, widths: Sequence[int], cursor: Row | None) -> bool:
        """Move the free-text columns by `step` (a negative step goes left); whether it moved."""
        shown = [widths[i] for i in self._flex_columns if widths[i]]
        if not shown:
            return False
        stride = max(4, min(shown) // 2)
        offset = max(0, min(self.offset + step * stride, self.max_offset(widths, cursor)))
        if offset == self.offset:
            return False
        self.offset = offset
        return True
