"""`update_rows` (the table's data change in proportion to what changed) equals the definitions.

For any old table and any new row list made from it (rows kept, copied equal, changed, dropped,
added, moved, a key or an object twice, lazy rows built or not), the map, the order, the stale
keys and "the view is unmoved" are what the dict comprehension, `stale_keys` and `same_view` say.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.widgets.table_model import RowFilter, same_view, stale_keys, update_rows

COLUMNS = (
    Column("name", "NAME", max_width=20),
    Column("restarts", "RESTARTS", numeric=True),
    Column("state", "STATE", max_width=12),
)


def row(key: int, restarts: int, state: str, *, lazy: bool = False) -> Row:
    cells = (Cell(f"pod-{key}"), Cell(Text(str(restarts)), restarts), Cell(state))
    if lazy:
        return Row(key, build=lambda: cells, style_class="error" if state == "bad" else None)
    return Row(key, cells, "error" if state == "bad" else None)


Spec = tuple[int, int, str, bool]  # key, restarts, state, lazy


@st.composite
def histories(draw: Any) -> tuple[list[Spec], list[tuple[str, Any]], str, int | None]:
    """A recipe: the old rows, and the new list as references to old rows (by index) or new rows;
    `materialise` turns it into objects, afresh each time (the definitions build lazy rows)."""
    specs = draw(
        st.lists(
            st.tuples(st.integers(0, 30), st.integers(0, 5), st.sampled_from(["ok", "bad"]), st.booleans()),
            max_size=20,
            unique_by=lambda t: t[0],
        )
    )
    new: list[tuple[str, Any]] = []
    for i, (key, restarts, state, _lazy) in enumerate(specs):
        what = draw(st.sampled_from(["same", "same", "same", "copy", "change", "drop", "twice", "key twice"]))
        if what == "same":
            new.append(("old", i))
        elif what == "copy":
            new.append(("new", (key, restarts, state, draw(st.booleans()))))
        elif what == "change":
            new.append(("new", (key, restarts + 1, state, False)))
        elif what == "twice":
            new.extend([("old", i), ("old", i)])
        elif what == "key twice":
            new.extend([("old", i), ("new", (key, restarts + 2, state, False))])
    for k in draw(st.lists(st.integers(31, 40), max_size=4, unique=True)):
        new.insert(draw(st.integers(0, len(new))), ("new", (k, 0, "ok", False)))
    if new and draw(st.booleans()):
        i, j = draw(st.integers(0, len(new) - 1)), draw(st.integers(0, len(new) - 1))
        new[i], new[j] = new[j], new[i]
    return (
        specs,
        new,
        draw(st.sampled_from(["", "bad", "!ok", "pod-1"])),
        draw(st.sampled_from([None, 0, 1, 2])),
    )


def materialise(specs: list[Spec], ops: list[tuple[str, Any]]) -> tuple[list[Row], list[Row]]:
    old = [row(k, r, s, lazy=lazy) for k, r, s, lazy in specs]
    new = [old[arg] if what == "old" else row(arg[0], arg[1], arg[2], lazy=arg[3]) for what, arg in ops]
    return old, new


@settings(max_examples=500, deadline=None)
@given(histories())
def test_update_rows_says_what_the_definitions_say(case: Any) -> None:
    specs, ops, text, sort_index = case
    flt = RowFilter.parse(text)
    old, new = materialise(specs, ops)
    old_map = {r.key: r for r in old}
    expected = {r.key: r for r in new}
    want_stale = stale_keys(old_map, expected, new) or []
    want_unmoved = same_view(old_map, expected, want_stale, flt, COLUMNS, sort_index)

    old, new = materialise(specs, ops)  # the same history in objects the definitions did not touch
    expected = {r.key: r for r in new}
    rows_map, order, stale, unmoved, at = update_rows(
        old, {r.key: r for r in old}, new, flt, COLUMNS, sort_index
    )

    assert set(rows_map) == set(expected)
    assert all(rows_map[k] is v for k, v in expected.items())
    assert [r.key for r in order] == list(expected)  # each key at its first appearance
    assert all(a is b for a, b in zip(order, expected.values(), strict=True))
    assert sorted(stale) == sorted(want_stale)
    assert unmoved == want_unmoved
    if at is not None:  # the places whose row changed, so the table can patch its view there
        assert at == [i for i, (a, b) in enumerate(zip(order, old, strict=True)) if a is not b]


def test_a_row_replaced_in_place_is_the_only_stale_key_and_moves_nothing() -> None:
    old = [row(i, 0, "ok") for i in range(1000)]
    new = list(old)
    new[500] = row(500, 3, "bad")
    by_key = {r.key: r for r in old}
    rows_map, order, stale, unmoved, at = update_rows(old, by_key, new, RowFilter(), COLUMNS, None)
    assert stale == [500] and unmoved and order is new and rows_map is by_key and at == [500]
    new2 = list(new)
    new2.insert(0, row(2000, 0, "ok"))
    _, _, stale, unmoved, _ = update_rows(new, rows_map, new2, RowFilter(), COLUMNS, None)
    assert stale == [2000] and not unmoved  # every line below moved
