"""Cell and Row, the data every list is made of: a plain-string cell is untrusted and shown cleaned,
and each cell's own sort key is what its column sorts by (None: the text, BLANK: last)."""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text

from kdash.model.meta import ObjectKey
from kdash.ui.render.table import BLANK, Cell, Column, Row, object_key_of
from kdash.ui.widgets.table_model import sort_key
from kdash.ui.widgets.table_render import row_line

HOSTILE = "web\x1b]52;c;cm0gLXJmIC8=\x07\x1b[2J[@click=app.quit]x\n"


@pytest.mark.parametrize(
    ("cell", "plain", "width"),
    [
        (Cell("web"), "web", 3),
        (Cell(Text("3/4", style="yellow")), "3/4", 3),
        (Cell(HOSTILE), "web[@click=app.quit]x ", 22),  # escapes gone, markup literal, one line
        (Cell("数据库"), "数据库", 6),  # wide characters take two cells each
    ],
)
def test_cell_text_plain_and_width(cell: Cell, plain: str, width: int) -> None:
    assert cell.plain == plain
    assert cell.as_text().plain == plain
    assert cell.width == width


def test_a_drawn_string_cell_carries_no_escape_and_no_markup() -> None:
    columns = (Column("name", "NAME", max_width=40),)
    line = row_line(columns, [30], Row("k", (Cell(HOSTILE),)), 30)
    assert "\x1b" not in line.plain and "\x07" not in line.plain
    assert "[@click=app.quit]x" in line.plain
    assert not line.spans  # nothing parsed as markup


NUMERIC = (Column("n", "N", numeric=True), Column("t", "T"))


def order(rows: list[Row], index: int, columns: tuple[Column, ...] = NUMERIC) -> list[Any]:
    return [r.key for r in sorted(rows, key=sort_key(columns, index))]


def two(key: str, first: Cell, second: Cell | None = None) -> Row:
    return Row(key, (first, second or Cell("")))


@pytest.mark.parametrize(
    ("rows", "index", "expected"),
    [
        # the declared key wins over the text: "2→?" sorts by its current replicas
        ([two("a", Cell("9", 1)), two("b", Cell("1", 5))], 0, ["a", "b"]),
        # no key: a numeric column sorts by the number the text starts with
        ([two("a", Cell("10 pods")), two("b", Cell("9 pods"))], 0, ["b", "a"]),
        # no key, text column: natural order ("pod-9" before "pod-10")
        ([two("a", Cell("x"), Cell("pod-10")), two("b", Cell("x"), Cell("pod-9"))], 1, ["b", "a"]),
        # BLANK and empty text sort after everything
        ([two("a", Cell("-", BLANK)), two("b", Cell("3", 3.0)), two("c", Cell(""))], 0, ["b", "a", "c"]),
    ],
)
def test_each_cell_declares_what_its_column_sorts_by(
    rows: list[Row], index: int, expected: list[str]
) -> None:
    assert order(rows, index) == expected


def test_a_row_searches_the_text_it_shows() -> None:
    row = Row("k", (Cell(HOSTILE), Cell(Text("CrashLoopBackOff", style="bold red"))))
    assert row.search_text() == "web[@click=app.quit]x  CrashLoopBackOff"
    assert row.cell_widths() == (22, 16)


@pytest.mark.parametrize(
    ("row_key", "expected"),
    [
        (ObjectKey("Pod", "shop", "web-1"), ObjectKey("Pod", "shop", "web-1")),
        (
            (ObjectKey("ResourceQuota", "shop", "compute"), "requests.cpu"),
            ObjectKey("ResourceQuota", "shop", "compute"),
        ),
        (
            ("rule", ObjectKey("Deployment", "shop", "web"), None, "msg"),
            ObjectKey("Deployment", "shop", "web"),
        ),
        ("plain", None),
    ],
)
def test_object_key_of_a_row_key(row_key: Any, expected: ObjectKey | None) -> None:
    assert object_key_of(row_key) == expected
