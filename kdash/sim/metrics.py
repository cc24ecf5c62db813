"""metrics-server's API, ``metrics.k8s.io/v1beta1``, as the simulator serves it when the scenario
(or the ``metrics=on`` fault) turns it on; otherwise the group is absent and its paths answer
``404 page not found`` like a cluster without metrics-server.

Shapes follow metrics-server v0.7: ``PodMetricsList``/``NodeMetricsList`` with empty list metadata,
items carrying name, namespace, labels and a creationTimestamp of "now", the sample's ``timestamp``
and ``window``; CPU in nanocores and memory in BinarySI bytes. Lists only (label and field selectors
apply to the pods or nodes), gets, and Tables for ``kubectl get``; a watch is refused with 405
MethodNotAllowed as the generic API server words it for storage that cannot watch. Values come
from :mod:`kdash.sim.metrics_model`.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from kdash.sim import status
from kdash.sim.metrics_model import MetricsModel, byte_count, cpu_millis, cpu_text, memory_text
from kdash.sim.resources import ResourceType
from kdash.sim.selectors import SelectorError, combine, field_matcher, label_matcher
from kdash.sim.state import SimState
from kdash.sim.store import rfc3339

JSON = dict[str, Any]
GROUP, VERSION = "metrics.k8s.io", "v1beta1"
API_VERSION = f"{GROUP}/{VERSION}"
POD_METRICS = ResourceType("pods", "PodMetrics", GROUP, VERSION, True, "", (), aggregated=True)
NODE_METRICS = ResourceType("nodes", "NodeMetrics", GROUP, VERSION, False, "", (), aggregated=True)
TYPES = {rt.plural: rt for rt in (POD_METRICS, NODE_METRICS)}
#: What ``forbid=`` accepts for these (their plurals alone would name the core kinds).
KEYS = frozenset(rt.key for rt in TYPES.values())
_HEADERS = {"Cache-Control": "no-cache, private"}


def find(group: str, version: str, plural: str) -> ResourceType | None:
    return TYPES.get(plural) if (group, version) == (GROUP, VERSION) else None


def discovery_item() -> JSON:
    """The group's entry in aggregated discovery, as kube-aggregator lists metrics-server's
    APIService (verbs get and list only; metrics-server names no singular)."""

    def entry(rt: ResourceType) -> JSON:
        return {
            "resource": rt.plural,
            "responseKind": {"group": GROUP, "version": VERSION, "kind": rt.kind},
            "scope": "Namespaced" if rt.namespaced else "Cluster",
            "singularResource": "",
            "verbs": ["get", "list"],
        }

    return {
        "metadata": {"name": GROUP, "creationTimestamp": None},
        "versions": [
            {
                "version": VERSION,
                "resources": [entry(NODE_METRICS), entry(POD_METRICS)],
                "freshness": "Current",
            }
        ],
    }


def model_of(state: SimState) -> MetricsModel:
    """The simulator's metrics model (made on first use for a state built without one)."""
    if state.metrics is None:
        state.metrics = MetricsModel(origin=state.now())
    return state.metrics


def pod_items(
    state: SimState, namespace: str | None, matcher: Any = None, selector: Any = None
) -> list[JSON]:
    """The PodMetrics items of the pods a list of pods would return, in the same order."""
    model, store = model_of(state), state.store
    now = rfc3339(state.now())
    index, lo, hi = store.view("pods", namespace, selector, matcher)
    out = []
    for entry in index.entries[lo:hi]:
        item = model.pod_item(entry.obj, now)
        if item is not None:
            out.append(item)
    return out


def node_items(state: SimState, matcher: Any = None, selector: Any = None) -> list[JSON]:
    """NodeMetrics items: each node's pods summed (every pod's usage is computed once a sample)."""
    model, store = model_of(state), state.store
    now = rfc3339(state.now())
    by_node: dict[str, list[tuple[float, float]]] = {}
    for _, entry in store.iter_entries("pods"):
        node = (entry.obj.get("spec") or {}).get("nodeName")
        if node:
            total = model.pod_total(entry.obj, now)
            if total is not None:
                by_node.setdefault(str(node), []).append(total)
    index, lo, hi = store.view("nodes", None, selector, matcher)
    return [
        model.node_item(e.obj, by_node.get(str((e.obj.get("metadata") or {}).get("name")), []), now)
        for e in index.entries[lo:hi]
    ]


def watch_refused(rt: ResourceType) -> web.Response:
    """What the generic API server answers a watch on storage that cannot watch."""
    return status.error(
        405,
        f'watch is not supported on resources of kind "{rt.key}"',
        reason="MethodNotAllowed",
        details={"group": GROUP, "kind": rt.plural},
    )


def _json(doc: JSON) -> web.Response:
    return web.Response(body=orjson.dumps(doc), content_type="application/json", headers=_HEADERS)


def _wants_table(request: web.Request) -> bool:
    return "as=Table" in request.headers.get("Accept", "")


async def serve(
    request: web.Request, state: SimState, rt: ResourceType, namespace: str | None, name: str
) -> web.StreamResponse:
    """GET of a metrics path: one object, a list, or a refused watch."""
    if request.query.get("watch") in ("1", "true"):
        return watch_refused(rt)
    if name:
        return _get(request, state, rt, namespace or "", name)
    q = request.query
    try:
        matcher = combine(label_matcher(q.get("labelSelector")), field_matcher(q.get("fieldSelector")))
    except SelectorError as exc:
        return status.error(400, str(exc))
    selector = (q.get("labelSelector"), q.get("fieldSelector"))
    if rt is POD_METRICS:
        items = pod_items(state, namespace, matcher, selector)
    else:
        items = node_items(state, matcher, selector)
    if _wants_table(request):
        return _json(_table(rt, items, q.get("includeObject", "Metadata")))
    return _json({"kind": rt.list_kind, "apiVersion": API_VERSION, "metadata": {}, "items": items})


def _get(request: web.Request, state: SimState, rt: ResourceType, namespace: str, name: str) -> web.Response:
    if rt is POD_METRICS:
        if state.store.entry("pods", namespace, name) is None:
            return status.error(404, f'pods "{name}" not found', details={"name": name, "kind": "pods"})
        field = f"metadata.name={name}"
        items = pod_items(state, namespace, field_matcher(field), (None, field))
        missing = f"{namespace}/{name}"
    else:
        if state.store.entry("nodes", "", name) is None:
            return status.error(404, f'nodes "{name}" not found', details={"name": name, "kind": "nodes"})
        field = f"metadata.name={name}"
        items = node_items(state, field_matcher(field), (None, field))
        missing = name
    if not items:  # the object exists but has no metrics (not running, or not scraped yet)
        resource = "podmetrics" if rt is POD_METRICS else "nodemetrics"
        return status.error(
            404,
            f'{resource}.{GROUP} "{missing}" not found',
            details={"name": missing, "group": GROUP, "kind": resource},
        )
    if _wants_table(request):
        return _json(_table(rt, items, request.query.get("includeObject", "Metadata")))
    return _json({"kind": rt.kind, "apiVersion": API_VERSION, **items[0]})


def _table(rt: ResourceType, items: list[JSON], include: str) -> JSON:
    """metrics-server's ConvertToTable: Name, cpu, memory (summed over containers), Window."""
    rows = []
    for item in items:
        usages = [c["usage"] for c in item["containers"]] if "containers" in item else [item["usage"]]
        cpu = sum(cpu_millis(u["cpu"]) or 0.0 for u in usages)
        mem = sum(byte_count(u["memory"]) or 0.0 for u in usages)
        row: JSON = {"cells": [item["metadata"]["name"], cpu_text(cpu), memory_text(mem), item["window"]]}
        if include == "Object":
            row["object"] = {"kind": rt.kind, "apiVersion": API_VERSION, **item}
        elif include != "None":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": item["metadata"],
            }
        rows.append(row)
    columns = [
        {
            "name": "Name",
            "type": "string",
            "format": "name",
            "description": "Name of the resource",
            "priority": 0,
        },
        {"name": "cpu", "type": "string", "format": "quantity", "description": "", "priority": 0},
        {"name": "memory", "type": "string", "format": "quantity", "description": "", "priority": 0},
        {"name": "Window", "type": "string", "format": "duration", "description": "", "priority": 0},
    ]
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": columns,
        "rows": rows,
    }
