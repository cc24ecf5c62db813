"""Node: is it healthy (conditions, pressure, taints, cordon), what does it run (kubelet, runtime,
OS), how full is it (requests and limits of its pods against allocatable, as `kubectl describe
node`'s "Allocated resources") and which pods are on it (`enter` opens one, `l` its logs).

The node's full object comes from an on-demand feed of that one node (the dashboard keeps a lean
NodeRecord); its pods are the snapshot's, or, while kdash watches a single namespace, an
on-demand feed of every pod bound to the node, so the totals are the node's and not a namespace's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.text import Text

from kdash.model.build.nodes import NodeDetail, build_node_detail
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.relations import node_allocation, pods_on_node, terminated
from kdash.model.source import ChangeSet
from kdash.model.usage import Usage, UsageView, node_series
from kdash.ui.render import nodes
from kdash.ui.render.usage_detail import node_usage_section
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.feed_set import NODES, PODS, pod_records
from kdash.ui.widgets.list_live import RowCache, age_step
from kdash.ui.widgets.typed_detail import TypedScreen, noted


def _details(objects: Mapping[ObjectKey, Mapping[str, Any]]) -> NodeDetail | None:
    return next((build_node_detail(o) for o in objects.values()), None)


def _pod_usage(usage: UsageView, key: ObjectKey) -> Usage | None:
    """The pod's usage now (its containers summed), None without a sample or metrics.k8s.io."""
    measured = usage.pods.get(key) if usage.available else None
    return measured.total if measured is not None else None


class NodeScreen(TypedScreen):
    """One node, live."""

    ORIGIN = "pods"
    KIND_LABEL = "Node"
    SECTIONS = (
        ("conditions", "Conditions"),
        ("usage", "Usage (metrics.k8s.io) and requests, against allocatable"),
        ("allocated", "Allocated resources (non-terminated pods)"),
        ("taints", "Taints"),
        ("summary", "Node"),
    )
    COLUMNS = nodes.COLUMNS
    EMPTY = "no pods on this node"

    def __init__(self, session: LiveSession, key: ObjectKey) -> None:
        super().__init__(session, key)
        self._rows = RowCache()
        self._pods: tuple[object, list[PodRecord]] = (None, [])

    def kinds(self) -> Iterable[str]:
        return ("nodes", "pods")

    def rows_changed(self, changes: ChangeSet) -> bool:
        return changes.usage_changed or any(
            key == self.key or key.kind == "Pod" for key in changes.added | changes.modified | changes.deleted
        )

    def redraw(self, view: LiveView) -> None:
        snapshot, now = view.snapshot, view.now
        name = self.key.name
        self.feeds.want("node", NODES, None, field_selector=f"metadata.name={name}")
        record = snapshot.nodes.get(self.key)
        detail = self.feeds.built("node", _details)
        pods_from: Mapping[ObjectKey, PodRecord]
        if snapshot.namespace is None:
            self.feeds.drop("pods")
            pods_from, pods_note = snapshot.pods, None
        else:  # one namespace watched: the node's pods of every namespace come from a feed
            self.feeds.want("pods", PODS, None, field_selector=f"spec.nodeName={name}")
            pods_from = self.feeds.built("pods", pod_records)
            pods_note = self.feeds.note("pods", "pods on this node")
        if self._pods[0] is not pods_from:
            self._pods = (pods_from, pods_on_node(pods_from.values(), name))
        pods = self._pods[1]
        self.gone(record is not None or detail is not None, self.listed(snapshot, "nodes"))
        self.draw_title(nodes.status_text(record, detail) if (record or detail) else None, view)
        note = self.feeds.note("node", "node details")
        step = age_step(now)
        self.show(
            "summary",
            (record, detail, note, step),
            lambda: noted(nodes.summary_section(record, detail, now), note),
        )
        self.show("conditions", (record, detail, step), lambda: nodes.conditions_section(record, detail, now))
        self.show("taints", (record, detail, step), lambda: nodes.taints_section(record, detail, now))
        # the node's own object once its feed has listed, the dashboard's record until then
        allocatable = detail.allocatable if detail is not None else record.allocatable if record else {}
        capacity = detail.capacity if detail is not None else record.capacity if record else None
        allocations = node_allocation(pods, allocatable, capacity)
        usage = snapshot.usage
        series = usage.series(node_series(name))
        self.show(
            "usage",
            (usage.available, usage.nodes.get(name), len(series), series[-1:], allocations),
            lambda: node_usage_section(name, usage, allocatable, allocations),
        )
        self.show(
            "allocated",
            (allocations, pods_note),
            lambda: noted(nodes.allocation_section(allocations), pods_note),
        )
        if not self.unchanged(pods_from, detail, step, self.filter_table.filter_text, usage):
            rows = []
            for p in pods:
                measured = _pod_usage(usage, p.meta.key)
                inputs = (nodes.pod_row_inputs(p, now), allocatable, measured)
                rows.append(
                    self._rows.get(p.meta.key, p, inputs, nodes.pod_row, p, now, allocatable, measured)
                )
            self._rows.prune(rows)
            running = sum(1 for p in pods if not terminated(p))
            caption = Text(f"Pods on {name}: {running} non-terminated", style="bold")
            if len(pods) > running:
                caption.append(f", {len(pods) - running} finished", style="dim")
            if pods_note is not None:
                caption.append("  ")
                caption.append_text(pods_note)
            self.set_rows(rows, caption)
