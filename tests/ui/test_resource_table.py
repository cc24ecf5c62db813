"""ResourceTable: keyed diffing, cursor stability, sort, filter, widths; and at 10,000 rows."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from kdash.ui.widgets.resource_table import Cell, Column, ResourceTable, Row
from kdash.ui.widgets.table_model import (
    SAMPLE_ROWS,
    RowFilter,
    fit_widths,
    measure_widths,
    sort_key,
    stale_keys,
)

COLUMNS = (
    Column("name", "NAME", max_width=20),
    Column("restarts", "RESTARTS", numeric=True),
    Column("message", "MESSAGE", max_width=30, drop=1),
)


def row(i: int, restarts: int | None = None, message: str = "", labels: dict[str, str] | None = None) -> Row:
    r = i % 13 if restarts is None else restarts
    return Row(
        i, (Cell(Text(f"pod-{i}")), Cell(Text(str(r))), Cell(Text(message))), None, labels=labels or {}
    )


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable(COLUMNS)


def test_filter_parsing_regex_negation_labels() -> None:
    rows = [row(1, labels={"app": "web"}), row(2, labels={"app": "db"}), row(10)]
    assert [r.key for r in rows if RowFilter.parse("pod-1").matches(r)] == [1, 10]
    assert [r.key for r in rows if RowFilter.parse("!pod-1").matches(r)] == [2]
    assert [r.key for r in rows if RowFilter.parse("-l app=web").matches(r)] == [1]
    assert [r.key for r in rows if RowFilter.parse("-l app!=web").matches(r)] == [2, 10]
    assert [r.key for r in rows if RowFilter.parse("-l !app").matches(r)] == [10]
    assert [r.key for r in rows if RowFilter.parse("[unclosed").matches(r)] == []  # literal, no crash


def test_sort_is_numeric_and_natural_with_blanks_last() -> None:
    rows = [row(10, 3), row(9, 20), row(2, 1), Row(99, (Cell("pod-99"), Cell(""), Cell("")))]
    by_name = sorted(rows, key=sort_key(COLUMNS, 0))
    assert [r.key for r in by_name] == [2, 9, 10, 99]
    by_restarts = sorted(rows, key=sort_key(COLUMNS, 1))
    assert [r.key for r in by_restarts] == [2, 10, 9, 99]


def test_widths_from_sample_with_caps_and_fitting() -> None:
    rows = [row(1, message="x" * 100)]
    natural = measure_widths(COLUMNS, rows)
    assert natural == [5, 9, 30]
    assert fit_widths(COLUMNS, natural, 200) == natural
    narrow = fit_widths(COLUMNS, natural, 30)
    assert narrow[2] == 0  # droppable column hidden first
    assert sum(w for w in narrow if w) + 1 <= 30


async def test_set_rows_keeps_the_cursor_on_its_key_and_reuses_unchanged_rows() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        table.focus()
        table.set_rows([row(i) for i in range(100)])
        await pilot.press("down", "down", "down")
        assert table.cursor_key == 3
        table.set_rows([row(i) for i in range(100) if i != 1][::-1])  # reordered, one removed
        assert table.cursor_key == 3
        table.sort_by("restarts", reverse=True)
        assert table.cursor_key == 3
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home", "pagedown")
        assert table.cursor_row > 5
        table.set_filter("pod-4")
        assert table.row_count == 11 and table.total_count == 99


async def test_header_click_sorts_and_row_click_selects() -> None:
    app = TableApp()
    selected: list[object] = []

    class Recorder(TableApp):
        def on_resource_table_selected(self, message: ResourceTable.Selected) -> None:
            selected.append(message.key)

    app = Recorder()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_rows([row(i) for i in range(30)])
        await pilot.click(ResourceTable, offset=(12, 0))  # RESTARTS header
        assert table.sort_column == "restarts" and not table.sort_reverse
        await pilot.click(ResourceTable, offset=(12, 0))
        assert table.sort_reverse
        await pilot.click(ResourceTable, offset=(2, 3))
        await pilot.click(ResourceTable, offset=(2, 3))
        assert selected == [table.cursor_key]


async def test_ten_thousand_rows_render_only_what_is_visible() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(ResourceTable)
        table.focus()
        table.set_rows([row(i, message="m" * (i % 50)) for i in range(10_000)])
        await pilot.pause()
        assert table.row_count == 10_000
        assert len(table._strips) < 100  # only the visible lines were drawn
        await pilot.press("end")
        assert table.cursor_key == 9_999
        assert table.scroll_y == table.max_scroll_y
        table.set_rows([row(i, message="changed" if i == 5 else "m" * (i % 50)) for i in range(10_000)])
        assert table.cursor_key == 9_999


def _reference_widths(rows: list[Row]) -> list[int]:
    """Header and every sampled cell measured directly, no caches (the definition widths must meet)."""
    step = max(1, len(rows) // SAMPLE_ROWS)
    widths = []
    for i, c in enumerate(COLUMNS):
        w = max([len(c.label) + 1, c.min_width, *(r.cells[i].width for r in rows[::step])])
        widths.append(min(max(w, c.min_width), c.max_width))
    return widths


async def test_widths_after_updates_equal_a_fresh_measurement() -> None:
    # 900 rows: the sample is every 2nd row, so updates shift rows in and out of it.
    rows = [row(i) for i in range(900)]
    updates = [
        lambda rs: rs,
        lambda rs: [*rs[:10], row(10, message="x" * 25), *rs[11:]],  # a changed row widens MESSAGE
        lambda rs: [*rs[:10], row(10), *rs[11:]],  # ... and narrows it again
        lambda rs: [row(5000, 123456789, "y" * 50), *rs],  # widest-ever row added (capped), sample shifts
        lambda rs: rs[1:],  # the widest row removed: widths shrink back
        lambda rs: [*rs[:300], *rs[301:], row(7777, message="zz" * 9)],
        lambda rs: rs[:150],  # below the sample size: every row measured
        lambda rs: [row(1, message="w" * 12), *rs[2:]],  # an unsampled-before key replaced in place
    ]
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(ResourceTable)
        for update in updates:
            rows = update(rows)
            table.set_rows(rows)
            await pilot.pause()
            assert table._natural == _reference_widths(rows)
        assert table._natural == [7, 9, 12]


def test_stale_keys_are_the_rows_to_redraw() -> None:
    rows = {i: row(i) for i in range(4)}
    assert stale_keys(rows, dict(rows)) is None  # the same rows: nothing to redraw
    assert stale_keys(rows, {i: row(i) for i in range(4)}) is None  # equal rows, new objects
    changed = {**rows, 1: row(1, restarts=99), 9: row(9)}
    del changed[3]
    assert sorted(stale_keys(rows, changed) or []) == [1, 3, 9]  # changed, gone, new
