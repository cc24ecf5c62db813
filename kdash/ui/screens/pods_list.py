"""A generic live list of pods: `:pods` and quota → heaviest pods.

Its rows come from kdash.ui.render.pods (as do a workload's pods), with their usage from the
snapshot's metrics (kdash.ui.usage_rows: a metrics poll replaces only the usage cells); the quota
helper `heaviest_pods` is a pure function so the ordering can be tested without a UI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Footer, Static

from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.source import ChangeSet
from kdash.ui.format import clean
from kdash.ui.render import pods
from kdash.ui.render.pods import pod_amount, request_field
from kdash.ui.render.table import Cell
from kdash.ui.session import LiveSession
from kdash.ui.usage_rows import PodRows, metrics_note
from kdash.ui.view import LiveView
from kdash.ui.widgets.kind_state import state_badge
from kdash.ui.widgets.list_keys import FilterBar
from kdash.ui.widgets.list_live import TableScreen, age_step
from kdash.ui.widgets.resource_table import ResourceTable

# -- quota → heaviest pods ---------------------------------------------------------------------------


def _counts(pod: PodRecord) -> bool:
    """Quota charges only pods that have not finished."""
    return pod.phase not in ("Succeeded", "Failed")


def heaviest_pods(snapshot: ClusterSnapshot, namespace: str, resources: Sequence[str]) -> list[ObjectKey]:
    """Pods of `namespace` that count against a quota, heaviest first.

    With several resources a pod weighs its largest share of the namespace total over them, so a
    pod with half the memory outranks one with a tenth of the CPU. Ties (and quotas of object counts
    only) fall back to the name.
    """
    counted = [p for k, p in snapshot.pods.items() if k.namespace == namespace and _counts(p)]
    usable = [r for r in dict.fromkeys(resources) if request_field(r) is not None]
    totals = {r: sum((pod_amount(p, r) for p in counted), Decimal(0)) for r in usable}

    def weight(pod: PodRecord) -> Decimal:
        shares = [pod_amount(pod, r) / totals[r] for r in usable if totals[r] > 0]
        return max(shares, default=Decimal(0))

    ranked = sorted(counted, key=lambda p: (-weight(p), p.meta.name))
    return [p.meta.key for p in ranked]


# -- screen -----------------------------------------------------------------------------------------


class PodListScreen(TableScreen):
    """Pods chosen by `keys_provider` (called when the pods change), in the provider's order until
    the user sorts. `enter` opens the pod detail. The title carries the pods' sync state, and
    says "metrics unavailable" when the usage cells read n/a for want of metrics.k8s.io."""

    ORIGIN = "pods"

    DEFAULT_CSS = """
    PodListScreen > #pods-title { height: auto; padding: 0 1; background: $panel; }
    """

    def __init__(
        self,
        session: LiveSession,
        title: str,
        keys_provider: Callable[[ClusterSnapshot], list[ObjectKey]],
        *,
        show_namespace: bool = True,
        resources: Sequence[str] = (),
    ) -> None:
        super().__init__(session)
        self.list_title = title
        self.keys_provider = keys_provider
        self.show_namespace = show_namespace
        self.resources = tuple(resources)
        self._rows = PodRows(namespace=show_namespace, extra=self._extra if self.resources else None)
        self._keys: tuple[Any, list[ObjectKey]] | None = None  # (pods map, keys) of the last call
        self._title: Text | None = None

    @classmethod
    def heaviest(cls, session: LiveSession, quota: ObjectKey) -> PodListScreen:
        """Quota → the pods of its namespace weighing most on the quota's resources."""
        record = session.latest().snapshot.quotas.get(quota)
        resources = tuple(item.resource for item in record.items) if record is not None else ()
        return cls(
            session,
            f"Pods using most of quota {quota.namespace}/{quota.name}",
            lambda snap: heaviest_pods(snap, quota.namespace, resources),
            show_namespace=False,
            resources=resources,
        )

    def compose(self) -> ComposeResult:
        yield Static(id="pods-title")
        yield FilterBar()
        columns = pods.columns(namespace=self.show_namespace, requests=bool(self.resources))
        yield ResourceTable(columns, id="pods-table")
        yield Footer()

    def kinds(self) -> Iterable[str]:
        return ("pods",)

    def rows_changed(self, changes: ChangeSet) -> bool:
        if changes.usage_changed:  # a metrics poll: every row's usage
            return True
        return any(k.kind == "Pod" for k in changes.added | changes.modified | changes.deleted)

    def _keys_of(self, snapshot: ClusterSnapshot) -> list[ObjectKey]:
        """The provider's keys, recomputed only when the pod map changed (a quota's ranking walks
        every pod of the namespace; the once-a-second redraw must not)."""
        if self._keys is None or self._keys[0] is not snapshot.pods:
            self._keys = (snapshot.pods, self.keys_provider(snapshot))
        return self._keys[1]

    def refresh_from(self, view: LiveView) -> None:
        snapshot, now = view.snapshot, view.now
        table = self.query_one("#pods-table", ResourceTable)
        if not self.unchanged(snapshot.pods, snapshot.namespace, age_step(now), snapshot.usage):
            records = snapshot.pods
            shown = [records[k] for k in self._keys_of(snapshot) if k in records]
            table.set_rows(self._rows.rows(shown, now, snapshot.usage))
        state = self.state(view)
        table.placeholder = self.placeholder(state, "no pods")
        title = Text(clean(self.list_title), style="bold")
        title.append(f"  {self.shown_count()} pods{self.filter_note()}", style="dim")
        badge = state_badge(state)
        if badge:
            title.append("  ")
            title.append_text(badge)
        note = metrics_note(snapshot.usage)
        if note is not None:
            title.append("  ")
            title.append_text(note)
        if title != self._title:  # Static.update re-lays out the screen: only on change
            self._title = title
            self.query_one("#pods-title", Static).update(title)

    def _extra(self, pod: PodRecord) -> tuple[Cell, ...]:
        return (pods.requests_cell(pod, self.resources),)
