"""A live screen built around tables of records: `:pods`, a workload's pods, `:events`.

Such a screen must not freeze while the cluster is still: ages move on with the app's clock and a
"stale for N s" keeps counting during an outage, so it redraws on the session's once-a-second view
as well as on every relevant publish. To make that cheap on 10,000 pods a redraw is skipped when
nothing it depends on changed, and rows are rebuilt only when their record or their age text did
(the table then repaints nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from textual.binding import Binding, BindingType

from kdash.model.source import ChangeSet
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.detail_live import LiveScreen
from kdash.ui.widgets.kind_state import State, empty_text, kinds_state
from kdash.ui.widgets.list_keys import FILTER_BINDING, ROW_BINDINGS, FilterKeys, RowKeys
from kdash.ui.widgets.pane import same_inputs
from kdash.ui.widgets.resource_table import ResourceTable, Row

AGE_STEP = 2  # seconds: rows are re-checked for a new age text this often, as the panes do


def age_step(now: datetime) -> int:
    """`now` in AGE_STEP steps: an input of the rows, so a still cluster redraws them this often."""
    return int(now.timestamp()) // AGE_STEP


class RowCache:
    """Rows by key, with the record (compared by identity) and the extra inputs that built them."""

    def __init__(self) -> None:
        self._rows: dict[Hashable, tuple[Any, Any, Row]] = {}

    def get(self, key: Hashable, record: Any, extra: Any, build: Callable[..., Row], *args: Any) -> Row:
        """The cached row if `record` is the same object and `extra` is equal, else `build(*args)`."""
        hit = self._rows.get(key)
        if hit is not None and hit[0] is record and hit[1] == extra:
            return hit[2]
        row = build(*args)
        self._rows[key] = (record, extra, row)
        return row

    def prune(self, shown: Sequence[Row]) -> None:
        """Forget rows no longer shown, once the cache holds many more than are."""
        if len(self._rows) > 2 * len(shown) + 64:
            keep = {row.key for row in shown}
            self._rows = {k: v for k, v in self._rows.items() if k in keep}


class TableScreen(RowKeys, FilterKeys, LiveScreen):
    """A LiveScreen that also redraws on the session's clock ticks and reports the state of `kinds()`.

    The base of every list screen: the keys every list has (kdash/ui/widgets/list_keys.py) act on
    its one ResourceTable, whose rows are of the kind ORIGIN names; subclasses compose a FilterBar
    right above the table and show `filter_note()` in their title.
    """

    ORIGIN: ClassVar[str] = ""  # the kind of rows listed: "pods", "events", ...

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="drill-back"),  # clears the filter first, if one is set
        FILTER_BINDING,
        *ROW_BINDINGS,
    ]

    def __init__(self, session: LiveSession) -> None:
        super().__init__(session)
        self._last_inputs: tuple[Any, ...] | None = None

    def wants(self, changes: ChangeSet | None) -> bool:
        # None: the clock moved on (ages, "stale for N s") or the report did
        return changes is None or super().wants(changes)

    def relevant(self, changes: ChangeSet) -> bool:
        # a state change (forbidden, failing, stale) must reach the screen even if no row changed
        return changes.states_changed or self.rows_changed(changes)

    def rows_changed(self, changes: ChangeSet) -> bool:  # noqa: ARG002 - subclasses look at it
        """Whether a publish touched what the rows show (the service publishes up to 10 a second)."""
        return True

    def kinds(self) -> Iterable[str]:
        """Plural resource names whose sync state this screen's rows come from."""
        return ()

    def state(self, view: LiveView) -> State:
        return kinds_state(view.states, self.kinds(), view.snapshot.namespace, view.now)

    # -- the keys every list has -------------------------------------------------------------------

    def current_row(self) -> tuple[str, Hashable] | None:
        key = self.filter_table.cursor_key
        return None if key is None else (self.ORIGIN, key)

    def origin_of(self, table: ResourceTable) -> str | None:  # noqa: ARG002 - one table per screen
        return self.ORIGIN

    def action_back(self) -> None:
        """`esc`: clear the filter if one is set, else back one screen."""
        if self.filter_table.filter_text:
            self.close_filter()
        else:
            super().action_back()

    def filter_changed(self) -> None:
        if self.view is not None:
            self.refresh_from(self.view)  # the title shows the filter and the counts

    def filter_note(self) -> str:
        """ "  /web" while the rows are filtered by "web" (for the title), else ""."""
        text = self.filter_table.filter_text
        return f"  /{text}" if text else ""

    def placeholder(self, state: State, empty: str) -> str:
        """What the empty table says: the sync state's words, `empty`, or that the filter hid all."""
        table = self.filter_table
        if table.total_count and table.filter_text:
            return "no rows match the filter"
        return empty_text(state, empty)

    def shown_count(self) -> str:
        """The number of rows, "12/40" while a filter hides some."""
        table = self.filter_table
        if table.filter_text:
            return f"{table.row_count:,}/{table.total_count:,}"
        return f"{table.total_count:,}"

    def unchanged(self, *inputs: Any) -> bool:
        """True when the inputs are those of the last redraw (`same_inputs`, as the panes compare
        theirs); records the new ones otherwise."""
        if same_inputs(inputs, self._last_inputs):
            return True
        self._last_inputs = inputs
        return False
