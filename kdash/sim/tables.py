"""Server-side Table printing (``Accept: application/json;as=Table;...``) with kubectl's columns.

The column sets follow kubectl's printers (k8s.io/kubernetes/pkg/printers/internalversion), so
``kubectl get`` output looks real; the cells come from `table_cells` and `table_workload_cells`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from kdash.sim.resources import ResourceType
from kdash.sim.table_cells import (
    Cells,
    Printer,
    event_cells,
    generic_cells,
    namespace_cells,
    node_cells,
    pdb_cells,
    pod_cells,
    quota_cells,
    service_cells,
)
from kdash.sim.table_workload_cells import (
    cronjob_cells,
    daemonset_cells,
    deployment_cells,
    hpa_cells,
    job_cells,
    replicaset_cells,
    statefulset_cells,
)

JSON = dict[str, Any]

_STR, _INT = "string", "integer"
Column = tuple[str, str, int]  # name, type, priority

_COLUMNS: dict[str, tuple[list[Column], Callable[[Printer, JSON], Cells]]] = {
    "pods": (
        [
            ("Name", _STR, 0),
            ("Ready", _STR, 0),
            ("Status", _STR, 0),
            ("Restarts", _STR, 0),
            ("Age", _STR, 0),
            ("IP", _STR, 1),
            ("Node", _STR, 1),
            ("Nominated Node", _STR, 1),
            ("Readiness Gates", _STR, 1),
        ],
        pod_cells,
    ),
    "deployments": (
        [
            ("Name", _STR, 0),
            ("Ready", _STR, 0),
            ("Up-to-date", _STR, 0),  # declared "string" by the real server, though the cells are numbers
            ("Available", _STR, 0),
            ("Age", _STR, 0),
            ("Containers", _STR, 1),
            ("Images", _STR, 1),
            ("Selector", _STR, 1),
        ],
        deployment_cells,
    ),
    "replicasets": (
        [
            ("Name", _STR, 0),
            ("Desired", _INT, 0),
            ("Current", _INT, 0),
            ("Ready", _INT, 0),
            ("Age", _STR, 0),
            ("Containers", _STR, 1),
            ("Images", _STR, 1),
            ("Selector", _STR, 1),
        ],
        replicaset_cells,
    ),
    "statefulsets": (
        [
            ("Name", _STR, 0),
            ("Ready", _STR, 0),
            ("Age", _STR, 0),
            ("Containers", _STR, 1),
            ("Images", _STR, 1),
        ],
        statefulset_cells,
    ),
    "daemonsets": (
        [
            ("Name", _STR, 0),
            ("Desired", _INT, 0),
            ("Current", _INT, 0),
            ("Ready", _INT, 0),
            ("Up-to-date", _INT, 0),
            ("Available", _INT, 0),
            ("Node Selector", _STR, 0),
            ("Age", _STR, 0),
            ("Containers", _STR, 1),
            ("Images", _STR, 1),
            ("Selector", _STR, 1),
        ],
        daemonset_cells,
    ),
    "jobs": (
        [
            ("Name", _STR, 0),
            ("Status", _STR, 0),
            ("Completions", _STR, 0),
            ("Duration", _STR, 0),
            ("Age", _STR, 0),
            ("Containers", _STR, 1),
            ("Images", _STR, 1),
            ("Selector", _STR, 1),
        ],
        job_cells,
    ),
    "cronjobs": (
        [
            ("Name", _STR, 0),
            ("Schedule", _STR, 0),
            ("Timezone", _STR, 0),
            ("Suspend", _STR, 0),
            ("Active", _INT, 0),
            ("Last Schedule", _STR, 0),
            ("Age", _STR, 0),
            ("Containers", _STR, 1),
            ("Images", _STR, 1),
            ("Selector", _STR, 1),
        ],
        cronjob_cells,
    ),
    "horizontalpodautoscalers": (
        [
            ("Name", _STR, 0),
            ("Reference", _STR, 0),
            ("Targets", _STR, 0),
            ("MinPods", _STR, 0),
            ("MaxPods", _INT, 0),
            ("Replicas", _INT, 0),
            ("Age", _STR, 0),
        ],
        hpa_cells,
    ),
    "resourcequotas": (
        [("Name", _STR, 0), ("Age", _STR, 0), ("Request", _STR, 0), ("Limit", _STR, 0)],
        quota_cells,
    ),
    "namespaces": ([("Name", _STR, 0), ("Status", _STR, 0), ("Age", _STR, 0)], namespace_cells),
    "nodes": (
        [
            ("Name", _STR, 0),
            ("Status", _STR, 0),
            ("Roles", _STR, 0),
            ("Age", _STR, 0),
            ("Version", _STR, 0),
            ("Internal-IP", _STR, 1),
            ("External-IP", _STR, 1),
            ("OS-Image", _STR, 1),
            ("Kernel-Version", _STR, 1),
            ("Container-Runtime", _STR, 1),
        ],
        node_cells,
    ),
    "events": (
        [
            ("Last Seen", _STR, 0),
            ("Type", _STR, 0),
            ("Reason", _STR, 0),
            ("Object", _STR, 0),
            ("Subobject", _STR, 1),
            ("Source", _STR, 1),
            ("Message", _STR, 0),
            ("First Seen", _STR, 1),
            ("Count", _INT, 1),
            ("Name", _STR, 1),
        ],
        event_cells,
    ),
    "services": (
        [
            ("Name", _STR, 0),
            ("Type", _STR, 0),
            ("Cluster-IP", _STR, 0),
            ("External-IP", _STR, 0),
            ("Port(s)", _STR, 0),
            ("Age", _STR, 0),
            ("Selector", _STR, 1),
        ],
        service_cells,
    ),
    "poddisruptionbudgets": (
        [
            ("Name", _STR, 0),
            ("Min Available", _STR, 0),
            ("Max Unavailable", _STR, 0),
            ("Allowed Disruptions", _INT, 0),
            ("Age", _STR, 0),
        ],
        pdb_cells,
    ),
}
_GENERIC: tuple[list[Column], Callable[[Printer, JSON], Cells]] = (
    [("Name", _STR, 0), ("Age", _STR, 0)],
    generic_cells,
)


def column_definitions(rt: ResourceType) -> list[JSON]:
    cols, _ = _COLUMNS.get(rt.plural, _GENERIC)
    return [
        {
            "name": name,
            "type": typ,
            "format": "name" if name == "Name" else "",
            "description": "",
            "priority": prio,
        }
        for name, typ, prio in cols
    ]


def table_row(rt: ResourceType, obj: JSON, now: datetime, include_object: str) -> JSON:
    """One row; ``obj`` is a stored object (no kind/apiVersion)."""
    _, cells_fn = _COLUMNS.get(rt.plural, _GENERIC)
    row: JSON = {"cells": cells_fn(Printer(now), obj)}
    if include_object == "Object":
        row["object"] = {"kind": rt.kind, "apiVersion": rt.api_version, **obj}
    elif include_object != "None":
        row["object"] = {
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata") or {},
        }
    return row


def table(rt: ResourceType, objs: list[JSON], now: datetime, include_object: str, list_meta: JSON) -> JSON:
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": column_definitions(rt),
        "rows": [table_row(rt, o, now, include_object) for o in objs],
    }
