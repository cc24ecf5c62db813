"""The Fleet screen (`kdash --fleet`, `--contexts a,b`, `:fleet`): one row per context, worst first.

Rows come from `FleetWatch` (kdash/ui/fleet_watch.py), already scored and sorted off the event
loop; this screen only draws them, in the order given, so a cluster that goes wrong climbs to the
top by itself. `enter` opens the context's dashboard, `esc` goes back to the dashboard shown last
(and `esc` there comes back here). The cursor row is spelled out below the table: its state's
reason and its worst finding, in full.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from kdash.ui.fleet_rows import COLUMNS, FleetRow, row_cells
from kdash.ui.format import MUTED_STYLE, clean
from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.widgets.resource_table import ResourceTable

_NUMERIC = {"PODS", "NOT READY", "CRASHLOOP", "ALERTS"}
TABLE_COLUMNS: tuple[Column, ...] = tuple(
    Column(
        key=name.lower().replace(" ", "-"),
        label=name,
        numeric=name in _NUMERIC,
        ident=name == "CONTEXT",
        flex=name == "WORST",
        max_width=32 if name == "STATE" else 40,
        drop={"SERVER": 2, "VERSION": 1}.get(name, 0),
    )
    for name in COLUMNS
)


class FleetScreen(Screen[None]):
    """Every context of the fleet in one table, re-sorted as the rows come."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Dashboard", id="fleet-back"),
    ]

    def __init__(self, on_open: Callable[[str], None], on_back: Callable[[], None]) -> None:
        super().__init__(id="fleet")
        self._on_open = on_open
        self._on_back = on_back
        self.rows: list[FleetRow] = []
        self._title: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="fleet-title", classes="screen-title")
        table = ResourceTable(TABLE_COLUMNS, id="fleet-table")
        table.placeholder = "loading the kubeconfig's contexts…"
        yield table
        yield Static(Content(""), id="fleet-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ResourceTable).focus()
        self.show_rows(self.rows)

    def show_rows(self, rows: list[FleetRow]) -> None:
        """New rows (sorted worst first by the watch): redraw what changed, keep the cursor's context."""
        self.rows = rows
        tables = self.query(ResourceTable)  # composed (mounting may still be under way), or not yet
        if not tables:
            return
        tables.first().set_rows([_table_row(r) for r in rows])
        self._set_title(_title(rows))
        self._show_detail()

    def _set_title(self, title: Text) -> None:
        if title != self._title:
            self._title = title
            self.query_one("#fleet-title", Static).update(title)

    @on(ResourceTable.Highlighted, "#fleet-table")
    def _highlighted(self, _event: ResourceTable.Highlighted) -> None:
        self._show_detail()

    @on(ResourceTable.Selected, "#fleet-table")
    def _selected(self, event: ResourceTable.Selected) -> None:
        event.stop()
        if isinstance(event.key, str):
            self._on_open(event.key)

    def _show_detail(self) -> None:
        key: Hashable | None = self.query_one(ResourceTable).cursor_key
        row = next((r for r in self.rows if r.context == key), None)
        self.query_one("#fleet-detail", Static).update(_detail(row) if row is not None else Text(""))

    def action_back(self) -> None:
        self._on_back()


def _table_row(row: FleetRow) -> Row:
    cells = row_cells(row)
    sorts: tuple[object, ...] = (
        None,
        row.sort_key[0],
        None,
        None,
        row.pods,
        row.not_ready,
        row.crashlooping,
        row.alerts,
        row.score if row.score is not None else 101.0,
        None,
    )
    style = {"unreachable": "error", "reconnecting": "warning"}.get(row.state)
    return Row(row.context, tuple(Cell(t, s) for t, s in zip(cells, sorts, strict=True)), style_class=style)


def _title(rows: list[FleetRow]) -> Text:
    down = sum(1 for r in rows if r.state == "unreachable")
    crashing = sum(1 for r in rows if r.crashlooping)
    out = Text(f"Fleet: {len(rows)} contexts", style="bold", end="")
    if down:
        out.append(f" · {down} unreachable", style="bold red")
    if crashing:
        out.append(f" · {crashing} with crash loops", style="bold")
    out.append(" · worst first · enter opens a dashboard, esc goes back", style=MUTED_STYLE)
    return out


def _detail(row: FleetRow) -> Text:
    out = Text(end="")
    out.append(clean(row.context), style="bold")
    out.append(f"  {row.state}")
    if row.reason:
        out.append(f": {clean(row.reason)}")
    watching = "every kind (opened)" if row.full else "the fleet's kinds"
    out.append(
        f"\nwatching {watching}; graded like every row on namespaces, pods, workloads, events, "
        "LimitRanges and PDBs (its dashboard grades every kind)",
        style=MUTED_STYLE,
    )
    if row.worst:
        out.append("\nworst: ", style=MUTED_STYLE)
        out.append(clean(row.worst))
    return out
