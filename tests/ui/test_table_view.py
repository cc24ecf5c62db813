"""The fast paths of the table and the panes' row caches equal the plain definitions they replace.

- `same_view` (a change that moves no row skips the filter and sort) against `view_keys` itself;
- `stale_keys` (rows matched by identity first) against "a key whose row differs, or is gone";
- `age_valid_until` against kubectl's age text at every later moment before it;
- `AgedRows` (rows not looked at again until their age text can have moved, an age-only change
  replacing one cell) against a fresh build on every render;
- lazy rows (`Row(build=)`) against the same cells given up front.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from kdash.model.timefmt import age
from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.render.text import age_cell, age_valid_until
from kdash.ui.widgets.row_cache import AgedRows
from kdash.ui.widgets.table_model import RowFilter, changed_lines, same_view, stale_keys, view_keys

COLUMNS = (
    Column("name", "NAME", max_width=20),
    Column("restarts", "RESTARTS", numeric=True),
    Column("state", "STATE", max_width=12),
)
T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def row(key: int, restarts: int, state: str, *, lazy: bool = False, built: bool = True) -> Row:
    cells = (Cell(f"pod-{key}"), Cell(Text(str(restarts)), restarts), Cell(state))
    if not lazy:
        return Row(key, cells, "error" if state == "bad" else None)
    made = Row(key, build=lambda: cells, style_class="error" if state == "bad" else None)
    if built:
        made.cells  # noqa: B018 - build it now (drawn, measured or sorted already)
    return made


rows_strategy = st.lists(
    st.tuples(st.integers(0, 30), st.integers(0, 5), st.sampled_from(["ok", "bad", "wait"])),
    max_size=25,
    unique_by=lambda t: t[0],
)


@st.composite
def histories(draw: Any) -> tuple[list[Row], list[Row], RowFilter, int | None, bool]:
    """An old row list and a new one made from it by edits (changed, added, removed, moved rows,
    equal rows in new objects, the very same objects)."""
    old = [row(k, r, s) for k, r, s in draw(rows_strategy)]
    new: list[Row] = []
    for r in old:
        what = draw(st.sampled_from(["same", "same", "same", "copy", "change", "drop"]))
        if what == "same":
            new.append(r)
        elif what == "copy":
            new.append(Row(r.key, r.cells, r.style_class))
        elif what == "change":
            new.append(row(r.key, draw(st.integers(0, 5)), draw(st.sampled_from(["ok", "bad", "wait"]))))
    for k, r, s in draw(rows_strategy):
        if all(x.key != k for x in new):
            new.insert(draw(st.integers(0, len(new))), row(k, r, s))
    if draw(st.booleans()) and len(new) > 1:  # a move
        i, j = draw(st.integers(0, len(new) - 1)), draw(st.integers(0, len(new) - 1))
        new.insert(j, new.pop(i))
    text = draw(st.sampled_from(["", "bad", "!ok", "pod-1", "3"]))
    sort = draw(st.sampled_from([None, 0, 1, 2]))
    return old, new, RowFilter.parse(text), sort, draw(st.booleans())


def reference_stale(old: dict[Any, Row], new: dict[Any, Row]) -> set[Any] | None:
    stale = {k for k, r in new.items() if old.get(k) != r} | (old.keys() - new.keys())
    return stale or None


@settings(max_examples=400, deadline=None)
@given(histories())
def test_same_view_only_when_view_keys_would_not_change(case: Any) -> None:
    old, new, row_filter, sort, reverse = case
    old_map, new_map = {r.key: r for r in old}, {r.key: r for r in new}
    stale = stale_keys(old_map, new_map, new) or []
    if same_view(old_map, new_map, stale, row_filter, COLUMNS, sort):
        before = view_keys(old_map.values(), row_filter, COLUMNS, sort, reverse)
        assert view_keys(new_map.values(), row_filter, COLUMNS, sort, reverse) == before


@settings(max_examples=400, deadline=None)
@given(histories())
def test_stale_keys_are_the_keys_whose_row_differs_or_went(case: Any) -> None:
    old, new, *_ = case
    old_map, new_map = {r.key: r for r in old}, {r.key: r for r in new}
    got = stale_keys(old_map, new_map, new)
    assert (set(got) if got is not None else None) == reference_stale(old_map, new_map)


def test_a_lazy_row_not_built_yet_counts_as_changed_and_is_not_built() -> None:
    old = {1: row(1, 0, "ok")}
    lazy = row(1, 0, "ok", lazy=True, built=False)
    assert stale_keys(old, {1: lazy}) == [1]
    assert not lazy.built
    assert lazy.cells == old[1].cells and lazy == old[1]  # the same row once built


def test_changed_lines_are_the_lines_showing_another_key_or_a_stale_row() -> None:
    old, new = [1, 2, 3, 4, 5, 6], [1, 3, 2, 4, 5]
    assert changed_lines(old, new, 0, 4, set()) == [1, 2]
    assert changed_lines(old, new, 2, 5, {5}) == [0, 2, 3]  # 5 changed; line 5 showed 6, now nothing
    assert changed_lines(old, old, 0, 6, set()) == []


# -- ages ----------------------------------------------------------------------------------------

ages = st.one_of(
    st.floats(0, 700),
    st.floats(0, 40_000),
    st.floats(0, 1e6),
    st.floats(0, 3e8),
    st.integers(0, 10**7).map(float),
    st.sampled_from([0.0, 599.999, 600.0, 10799.9995, 28800.0, 691200.0, 63072000.0, 252288000.0]),
)


@settings(max_examples=600, deadline=None)
@given(ages, st.floats(0, 1), st.lists(st.floats(0, 1), min_size=1, max_size=5))
def test_an_age_reads_the_same_until_its_valid_until(
    seconds: float, micro: float, fractions: list[float]
) -> None:
    now = T0 + timedelta(microseconds=int(micro * 1_000_000))
    created = now - timedelta(seconds=seconds)
    until = age_valid_until(created, now)
    if until == float("-inf"):
        return
    text = age(created, now)
    for f in fractions:
        later = now + (datetime.fromtimestamp(until, UTC) - now) * f
        if later >= now:
            assert age(created, later) == text, (seconds, later)


def test_age_valid_until_for_unknown_future_and_naive_times() -> None:
    assert age_valid_until(None, T0) == float("inf")
    assert age_valid_until(T0 + timedelta(seconds=5), T0) == float("-inf")
    assert age_valid_until(T0.replace(tzinfo=None), T0) == float("-inf")
    old = T0 - timedelta(days=3, minutes=5)
    assert age_valid_until(old, T0) > T0.timestamp() + 3000  # "3d" holds for the rest of its hour


class Record:
    def __init__(self, name: str, when: datetime, level: int) -> None:
        self.name, self.when, self.level = name, when, level


def build(record: Record, extra: int, now: datetime) -> Row:
    return Row(
        record.name,
        build=lambda: (Cell(record.name), Cell(Text(str(record.level + extra))), age_cell(record.when, now)),
        style_class="error" if extra else None,
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.floats(0, 90), st.booleans(), st.integers(0, 1), st.booleans()),
        min_size=1,
        max_size=40,
    )
)
def test_aged_rows_give_what_a_fresh_build_would(steps: list[tuple[int, float, bool, int, bool]]) -> None:
    """Renders seconds apart over records that sometimes change. The rule the cache keeps is the
    plain one: a row is rebuilt when its record, its extra input or its age text changed (the age
    cell's sort key is that of the build, as before). The cached row always equals the row that
    rule gives, and is the very same object whenever the rule keeps the row."""
    records = {i: Record(f"r{i}", T0 - timedelta(seconds=50 * i + 1), i) for i in range(4)}
    aged = AgedRows(age_column=2)
    now = T0
    rule: dict[int, tuple[Record, int, str, Row]] = {}  # what the plain rule shows, per record
    shown: dict[int, Row] = {}
    for i, dt, replace, extra, draw in steps:
        now = now + timedelta(seconds=dt)
        if replace:
            records[i] = Record(records[i].name, records[i].when, records[i].level + 1)
        record, text = records[i], age(records[i].when, now)
        aged.at(now)
        got = aged.get(record.name, record, extra, record.when, build, record, extra, now)
        kept = rule.get(i)
        if kept is not None and kept[:3] == (record, extra, text):
            assert got is shown[i]  # nothing it shows changed: not even a new object
        else:
            rule[i] = (record, extra, text, build(record, extra, now))
        if draw:  # drawn or measured (built): an age-only change then replaces one cell
            assert got == rule[i][3] and got.style_class == rule[i][3].style_class
        shown[i] = got
    assert all(shown[i] == rule[i][3] for i in shown)


def test_with_cells_replaces_one_cell_and_keeps_the_measured_widths() -> None:
    first = row(1, 2, "ok")
    assert first.cell_widths() == (5, 1, 2)
    second = first.with_cells({2: Cell("waiting")})
    assert second.cells[:2] == first.cells[:2] and second.cells[2].plain == "waiting"
    assert second.cell_widths() == (5, 1, 7)
    assert second == Row(1, (*first.cells[:2], Cell("waiting")))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 200_000), min_size=1, max_size=6), st.lists(st.floats(0, 120), max_size=30))
def test_a_fresh_pass_means_no_age_text_moved(born: list[float], later: list[float]) -> None:
    """`fresh(now)` (a pane may then skip its pass over unchanged records) holds only while every
    age text of the last pass still reads the same, and turns false once one can have moved."""
    aged = AgedRows(age_column=2)
    records = [Record(f"r{i}", T0 - timedelta(seconds=s), i) for i, s in enumerate(born)]
    aged.at(T0)
    texts = [age(r.when, T0) for r in records]
    for r in records:
        aged.get(r.name, r, 0, r.when, build, r, 0, T0)
    now = T0
    for dt in later:
        now = now + timedelta(seconds=dt)
        if aged.fresh(now):
            assert [age(r.when, now) for r in records] == texts
        else:
            break
    assert not aged.fresh(now + timedelta(days=400))
