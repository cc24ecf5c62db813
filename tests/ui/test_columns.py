"""Column widths, pure: priorities, identifying columns (middle ellipsis, never two alike) and
free-text columns that take the width left over (kdash/ui/widgets/table_columns.py)."""

from __future__ import annotations

from math import ceil

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.widgets.table_columns import (
    ELLIPSIS,
    IdentIndex,
    abbreviate,
    distinct_at,
    fit_widths,
    unique_width,
)
from kdash.ui.widgets.table_render import row_line

# k8s-like names: lower-case words joined by dashes, a generated suffix or two at the end
_word = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
NAMES = st.lists(_word, min_size=1, max_size=5).map("-".join)


def test_a_generated_name_keeps_its_base_and_its_suffix() -> None:
    assert abbreviate("checkout-7d9f8b6c5d-jp4kq", 16) == "checkout-…-jp4kq"
    assert abbreviate("checkout-7d9f8b6c5d-jp4kq", 26) == "checkout-7d9f8b6c5d-jp4kq"
    assert abbreviate("short", 8) == "short"


def _parts(shown: str) -> tuple[str, str]:
    head, _, tail = shown.partition(ELLIPSIS)
    return head, tail


@settings(max_examples=300, deadline=None)
@given(st.lists(NAMES, min_size=1, max_size=40, unique=True), st.integers(0, 60))
def test_above_the_floor_distinct_names_never_read_the_same_and_keep_their_suffix(
    names: list[str], extra: int
) -> None:
    floor = unique_width(names)
    width = floor + extra
    shown = [abbreviate(n, width) for n in names]
    assert len(set(shown)) == len(names)  # never two rows reading the same
    for name, text in zip(names, shown, strict=True):
        assert len(text) <= width
        if len(name) <= width:
            assert text == name
            continue
        head, tail = _parts(text)
        assert name.startswith(head) and name.endswith(tail)
        keep = width - 1
        assert len(tail) >= min(ceil(keep * 0.4), keep - 1)  # the end is never what goes
        segment = len(name) - name.rfind("-") if "-" in name[1:] else 0
        if segment <= (keep * 6) // 10:
            assert len(tail) >= segment  # the whole generated suffix, dash included


@settings(max_examples=200, deadline=None)
@given(st.lists(NAMES, min_size=2, max_size=30, unique=True))
def test_the_floor_is_the_narrowest_width_that_tells_them_apart(names: list[str]) -> None:
    floor = unique_width(names, lo=4)
    assert distinct_at(names, floor)
    if floor > 4:
        assert not distinct_at(names, floor - 1)


def _columns() -> tuple[Column, ...]:
    return (
        Column("namespace", "NAMESPACE", max_width=16, ident=True),
        Column("name", "NAME", max_width=40, ident=True),
        Column("status", "STATUS", max_width=20),
        Column("node", "NODE", max_width=20, drop=2),
        Column("ip", "IP", drop=3),
        Column("age", "AGE", drop=1),
        Column("message", "MESSAGE", min_width=10, flex=True),
    )


def test_low_priority_goes_first_free_text_takes_the_rest_and_namespace_stays() -> None:
    columns = _columns()
    natural = [11, 30, 16, 20, 11, 4, 200]
    assert fit_widths(columns, natural, 300) == natural  # room for all: the text's own width
    wide = fit_widths(columns, natural, 250)
    assert wide[:6] == natural[:6] and wide[6] == 250 - sum(natural[:6]) - 6  # free text: the rest
    narrow = fit_widths(columns, natural, 80)
    assert narrow[4] == 0 and narrow[0] == 11 and narrow[1] >= 16  # IP first; NAMESPACE kept
    tiny = fit_widths(columns, natural, 40, floors={1: 20})
    assert tiny[0] and tiny[1] >= 20  # identifying columns are never hidden, never below the floor
    assert tiny[3:6] == [0, 0, 0]  # the droppable ones went


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 80), min_size=7, max_size=7),
    st.integers(20, 250),
    st.integers(8, 30),
)
def test_identifying_columns_survive_every_width(natural: list[int], available: int, floor: int) -> None:
    columns = _columns()
    natural[1] = max(natural[1], 1)  # the name column is shown
    widths = fit_widths(columns, natural, available, floors={1: floor})
    assert widths[1] >= floor
    assert widths[0] == (max(natural[0], columns[0].min_width) if natural[0] else 0) or widths[0] >= 8
    for i, column in enumerate(columns):
        if column.drop and widths[i] == 0 and natural[i]:
            higher = [j for j, c in enumerate(columns) if c.drop > column.drop and natural[j]]
            assert all(widths[j] == 0 for j in higher)  # a column goes only after lower priorities


def _row(key: int, name: str) -> Row:
    return Row(key, (Cell(name),))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.one_of(st.none(), NAMES)), min_size=1, max_size=60))
def test_the_index_follows_updates_and_its_floor_always_tells_names_apart(
    updates: list[tuple[int, str | None]],
) -> None:
    rows: dict[int, Row] = {}
    index = IdentIndex(0, 4)
    index.rebuild(rows.values())
    for key, name in updates:
        if name is None:
            rows.pop(key, None)
        else:
            rows[key] = _row(key, name)
        index.update(rows, [key])
        values = {r.cells[0].plain for r in rows.values()}
        assert distinct_at(values, index.floor)


def test_a_drawn_identifying_cell_is_middle_cut_and_keeps_its_style() -> None:
    columns = (Column("name", "NAME", ident=True), Column("msg", "MSG", flex=True))
    row = Row(1, (Cell(Text("checkout-7d9f8b6c5d-jp4kq", style="red")), Cell("abcdefghijklmnop")))
    line = row_line(columns, [16, 6], row, 40)
    assert line.plain.startswith("checkout-…-jp4kq abcde…")
    assert all(span.style == "red" for span in line.spans if span.start < 16)
    scrolled = row_line(columns, [16, 6], row, 40, offset=10)
    assert scrolled.plain.startswith("checkout-…-jp4kq …lmnop")
