"""`:nodes` (`:no`): kubectl's node columns from the server's Table, and how full each node is.

After kubectl's default columns come k9s' usage ones (CPU, %CPU, MEM, %MEM of allocatable,
from metrics.k8s.io) and what the node's pods request of allocatable (CPU REQ%, MEM REQ%: what the
scheduler still fits here), then the allocatable amounts (CPU/A, MEM/A), kdash/ui/render/nodes.py.
At 80 columns the usage columns are hidden before any of kubectl's, and NAME is never cut.

Allocatable is the dashboard's NodeRecord; requests are summed from the snapshot's pods when every
namespace is watched, else from an on-demand feed of every pod (a namespace's pods alone would
understate a node), n/a until it has listed. Usage moves on each metrics poll (`usage_changed`).

It extends the kind list screen (kdash/ui/screens/resources.py) rather than copying it, so it
lives beside kdash/ui/screens/: screens there never import one another.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from kdash.model.feeds import ApiResource, TableRow
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.relations import requests_by_node
from kdash.model.snapshot import SyncPhase
from kdash.model.source import ChangeSet
from kdash.ui.format import MUTED_STYLE, clean
from kdash.ui.kind_rows import default_end, table_columns
from kdash.ui.kinds import feed_source
from kdash.ui.render.nodes import USAGE_COLUMNS, usage_cells
from kdash.ui.screens.resources import KindListScreen
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.feed_set import PODS, FeedSet, TypedFeedChanged, pod_records
from kdash.ui.widgets.list_live import RowCache
from kdash.ui.widgets.pane import same_inputs
from kdash.ui.widgets.resource_table import ResourceTable, Row

Requests = dict[str, dict[str, Decimal]]


class RequestsByNode:
    """What each node's pods request, kept up to date cheaply: a pod's requests are parsed once per
    record (37 µs a pod: 10,000 pods every second would stall the UI), then only summed."""

    def __init__(self) -> None:
        self._from: object = None
        self._total: Requests = {}
        self._pods: dict[ObjectKey, tuple[PodRecord, Requests]] = {}

    def of(self, pods: Mapping[ObjectKey, PodRecord]) -> Requests:
        """The sums for `pods` (the same dict, by identity, while `pods` is the same mapping)."""
        if pods is self._from:
            return self._total
        cache, fresh = self._pods, {}
        for key, pod in pods.items():
            hit = cache.get(key)
            fresh[key] = hit if hit is not None and hit[0] is pod else (pod, requests_by_node([pod]))
        total: Requests = {}
        for _, requests in fresh.values():
            for node, amounts in requests.items():
                into = total.setdefault(node, {})
                for name, amount in amounts.items():
                    into[name] = into.get(name, Decimal(0)) + amount
        self._from, self._pods, self._total = pods, fresh, total
        return total


def is_nodes(resource: ApiResource) -> bool:
    """The core nodes resource (a CRD named "nodes" in another group keeps the plain list)."""
    return resource.group == "" and resource.resource == "nodes"


class NodeListScreen(KindListScreen):
    """The kind list of nodes with usage and requested-of-allocatable columns; without
    metrics.k8s.io a line under the title says so once (the usage cells read n/a)."""

    DEFAULT_CSS = """
    NodeListScreen > #nodes-note { height: auto; padding: 0 1; }
    """

    def __init__(self, session: LiveSession, resource: ApiResource) -> None:
        super().__init__(session, resource)
        self.pod_feeds = FeedSet(feed_source(session.source), self)
        self._by_node = RequestsByNode()
        self._requested: Requests | None = None  # None while the pods are not listed
        self._usage_seen: tuple[Any, ...] | None = None
        self._note = ""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            yield widget
            if widget.id == "kind-title":
                note = Static(id="nodes-note")
                note.display = False
                yield note

    def refresh_from(self, view: LiveView) -> None:
        pods = self._pods(view)
        self._requested = None if pods is None else self._by_node.of(pods)
        super().refresh_from(view)
        usage = view.snapshot.usage
        note = self.query_one("#nodes-note", Static)
        words = "" if usage.available else clean(usage.message) or "metrics unavailable"
        if words != self._note:
            self._note = words
            note.display = bool(words)
            note.update(Text(f"{words}: the usage columns read n/a", style=MUTED_STYLE))

    def on_unmount(self) -> None:
        # KindListScreen's on_unmount runs too (Textual calls each class's handler)
        self.pod_feeds.close()

    def _at(self) -> int:
        return default_end(self._columns, namespaced=False)

    def _new_table(self, generation: int) -> ResourceTable:
        columns = table_columns(self._columns, namespaced=False)
        at = self._at()
        return ResourceTable(
            (*columns[:at], *USAGE_COLUMNS, *columns[at:]),
            id=f"kind-table-{generation}",
            classes="kind-table",
        )

    # -- what the usage cells read -------------------------------------------------------------------

    def _pods(self, view: LiveView) -> Mapping[ObjectKey, PodRecord] | None:
        """Every pod (None while not yet listed): the snapshot's in all-namespaces mode, else a feed."""
        snapshot = view.snapshot
        if snapshot.namespace is None:
            self.pod_feeds.drop("pods")
            state = snapshot.states.get("pods")
            return snapshot.pods if state is not None and state.phase is not SyncPhase.SYNCING else None
        self.pod_feeds.want("pods", PODS, None)
        return self.pod_feeds.built("pods", pod_records) if self.pod_feeds.live("pods") else None

    def unchanged(self, *inputs: Any) -> bool:
        """KindListScreen's inputs and the usage ones: when usage, allocatable or the requests moved
        on, every row is rebuilt (a few hundred at most, once a metrics poll)."""
        view = self.view
        extra: tuple[Any, ...] = ()
        if view is not None:
            extra = (view.snapshot.usage, view.snapshot.nodes, self._requested)
        if not same_inputs(extra, self._usage_seen):
            self._usage_seen = extra
            self._rows = RowCache()
        return super().unchanged(*inputs, *extra)

    def _row(self, row: TableRow, now: datetime) -> Row:
        base = super()._row(row, now)
        view = self.view
        if view is None:
            return base
        snapshot = view.snapshot
        name = row.key.name
        record = snapshot.nodes.get(ObjectKey("Node", "", name))
        usage = snapshot.usage
        measured = usage.nodes.get(name) if usage.available else None
        requested = self._requested
        cells = usage_cells(
            measured,
            record.allocatable if record is not None else {},
            None if requested is None else requested.get(name, {}),
        )
        at = self._at()
        return Row(base.key, (*base.cells[:at], *cells, *base.cells[at:]), base.style_class, base.labels)

    # -- live updates --------------------------------------------------------------------------------

    def rows_changed(self, changes: ChangeSet) -> bool:
        """A metrics poll or a node changed (pods move requests: the next clock tick shows them)."""
        return changes.usage_changed or any(
            key.kind == "Node" for key in changes.added | changes.modified | changes.deleted
        )

    def on_typed_feed_changed(self, _message: TypedFeedChanged) -> None:
        if self.view is not None and self in self.app.screen_stack:
            self.refresh_from(self.view)
