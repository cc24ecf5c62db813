"""Table rows as plain data: the columns of a list, and rows whose cells each carry their sort key.

The row builders of kdash/ui/render produce these; ResourceTable (kdash/ui/widgets) filters, sorts
and draws them. A cell declares what it shows and what it sorts by together, so a column can never
be sorted by the value of its neighbour (as two parallel tuples of texts and sort keys allowed).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from rich.cells import cell_len
from rich.text import Text

from kdash.model.logtext import clean
from kdash.model.meta import ObjectKey

Align = Literal["left", "right", "center"]

_EMPTY_LABELS: Mapping[str, str] = MappingProxyType({})

BLANK = ""
"""A sort value that sorts as blank: after every other row, in either order (None sorts by the text)."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column: `width` fixes it; otherwise it is measured from the header and a sample of rows
    and held between `min_width` and `max_width`. Numeric columns sort by number and align right.

    Priority (`drop`): 0 is always shown; 1, 2, … may be hidden when the table is too narrow, the
    highest first. `ident` marks a column that says which object a row is (NAME, NAMESPACE): it is
    never hidden or cut at its end; narrowed, it is middle-ellipsised ("checkout-…-jp4kq") and kept
    wide enough that distinct values never read the same. `flex` marks free text (messages,
    metrics): uncapped by `max_width`, it takes the width the others leave, shrinks first, and
    scrolls horizontally (←/→) instead of losing its end."""

    key: str
    label: str
    width: int | None = None
    min_width: int = 1
    max_width: int = 40
    numeric: bool = False
    align: Align | None = None
    drop: int = 0  # > 0: may be hidden when the table is too narrow; higher numbers go first
    ident: bool = False  # identifying: never hidden, middle-ellipsised, never two values alike
    flex: bool = False  # free text: takes the remaining width, scrolls with ←/→

    @property
    def justify(self) -> Align:
        return self.align or ("right" if self.numeric else "left")


class Cell(NamedTuple):
    """One cell: what it shows and what its column sorts by.

    `text` is a styled Text, or a plain str from the cluster: a str is untrusted and is shown cleaned
    of escapes and control characters (never parsed as markup), and costs no Text until it is drawn.
    `sort` None sorts by the shown text (as a number in a numeric column); BLANK sorts last.
    A tuple, not a dataclass: a table of 20,000 findings builds 80,000 of them.
    """

    text: Text | str
    sort: Any = None

    @property
    def plain(self) -> str:
        """The text as shown, without styles (what the `/` filter searches)."""
        text = self.text
        return text.plain if isinstance(text, Text) else clean(text)

    def as_text(self) -> Text:
        """The cell as Text (a str is cleaned; a Text is returned as it is: never mutate it)."""
        text = self.text
        return text if isinstance(text, Text) else Text(clean(text), end="")

    @property
    def width(self) -> int:
        """Terminal cells the text takes."""
        text = self.text
        return text.cell_len if isinstance(text, Text) else cell_len(clean(text))


CellBuilder = Callable[[], tuple[Cell, ...]]


class Row:
    """One table row, identified by `key` (an ObjectKey, a tuple holding one, or any hashable).

    `style_class` names a severity ("error", "warning", "info", "ok", "muted") that colours the
    whole row; `labels` feed the `-l key=value` filter.

    The cells may be given, or built on first use by `build` (`Row(key, build=f)`): a pane of
    20,000 findings draws a few dozen and measures a sample of 400, so building every row's Text
    up front was most of its cost. A lazy row's cells are what `build()` returns at that moment,
    so a builder must capture everything it reads (the record, its score, `now`). Rows are
    immutable: a changed record gets a new Row.
    """

    __slots__ = ("_build", "_cell_lens", "_cells", "_ident", "key", "labels", "style_class")

    def __init__(
        self,
        key: Hashable,
        cells: tuple[Cell, ...] | None = None,
        style_class: str | None = None,
        labels: Mapping[str, str] = _EMPTY_LABELS,
        *,
        build: CellBuilder | None = None,
        ident: Callable[[int], str | None] | None = None,
    ) -> None:
        if (cells is None) == (build is None):
            raise TypeError("a Row takes its cells or a build function, not both")
        self.key = key
        self._cells = cells
        self._build = build
        self.style_class = style_class
        self.labels = labels
        self._cell_lens: tuple[int, ...] | None = None
        # a lazy row's identifying cells as shown (`plain`; None: not known), so the identifying
        # column's index of a 40,000-row table need not build every row
        self._ident = ident

    def plain_at(self, index: int) -> str:
        """The text cell `index` shows (`cells[index].plain`), without building a lazy row when
        its `ident` function knows it."""
        if self._cells is None and self._ident is not None:
            known = self._ident(index)
            if known is not None:
                return known
        cells = self.cells
        return cells[index].plain if index < len(cells) else ""

    @property
    def cells(self) -> tuple[Cell, ...]:
        cells = self._cells
        if cells is None:
            assert self._build is not None
            cells = self._cells = self._build()
            self._build = self._ident = None  # the builder's captures may go now
        return cells

    @property
    def built(self) -> bool:
        """Whether the cells exist yet (for tests: a lazy row is built only when needed)."""
        return self._cells is not None

    def __eq__(self, other: object) -> bool:
        if other is self:
            return True
        if not isinstance(other, Row):
            return NotImplemented
        return self.key == other.key and self.style_class == other.style_class and self.cells == other.cells

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        cells = repr(self._cells) if self._cells is not None else "<lazy>"
        return f"Row({self.key!r}, {cells}, {self.style_class!r})"

    def with_cells(self, changes: Mapping[int, Cell]) -> Row:
        """This row with the cells at some indexes replaced (an age moved on): the other cells and
        their measured widths are shared, so nothing else is built or measured again."""
        cells = list(self.cells)
        for i, cell in changes.items():
            cells[i] = cell
        row = Row(self.key, tuple(cells), self.style_class, self.labels)
        lens = self._cell_lens
        if lens is not None:
            widths = list(lens)
            for i, cell in changes.items():
                widths[i] = cell.width
            row._cell_lens = tuple(widths)
        return row

    def search_text(self) -> str:
        return " ".join([cell.plain for cell in self.cells])

    def cell_widths(self) -> tuple[int, ...]:
        """Each cell's width in terminal cells, measured once: a row is immutable (a changed record
        gets a new Row), so width sampling on every update only measures rows it has not seen."""
        lens = self._cell_lens
        if lens is None:
            lens = self._cell_lens = tuple([cell.width for cell in self.cells])
        return lens


def object_key_of(row_key: Hashable) -> ObjectKey | None:
    """The object a row stands for (what `d`/`y` open): rows of some lists carry tuples, e.g.
    (quota key, resource) or (pod key, container)."""
    if isinstance(row_key, ObjectKey):
        return row_key
    if isinstance(row_key, tuple):
        for part in row_key:
            if isinstance(part, ObjectKey):
                return part
    return None
