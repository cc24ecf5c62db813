"""Server-side Table printing (``Accept: application/json;as=Table;...``) with kubectl's columns.

The column sets follow kube-apiserver's printers (k8s.io/kubernetes/pkg/printers/internalversion),
so ``kubectl get`` output looks real; kinds without a printer get the default convertor's NAME and
CREATED AT, and custom resources their CRD's printer columns (`table_crd`). The cells come from
`table_cells`, `table_workload_cells` and `table_more_cells`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from kdash.sim import table_more_cells as more
from kdash.sim.resources import ResourceType
from kdash.sim.table_cells import (
    Cells,
    Printer,
    event_cells,
    namespace_cells,
    node_cells,
    pdb_cells,
    pod_cells,
    quota_cells,
    service_cells,
)
from kdash.sim.table_crd import crd_cells, crd_column_definitions
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

_STR, _INT, _BOOL = "string", "integer", "boolean"
Column = tuple[str, str, int]  # name, type, priority

_BINDING_COLUMNS: list[Column] = [
    ("Name", _STR, 0),
    ("Role", _STR, 0),
    ("Age", _STR, 0),
    ("Users", _STR, 1),
    ("Groups", _STR, 1),
    ("ServiceAccounts", _STR, 1),
]

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
            ("Suspend", _BOOL, 0),
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
            ("MaxPods", _STR, 0),
            ("Replicas", _STR, 0),
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
    "endpoints": ([("Name", _STR, 0), ("Endpoints", _STR, 0), ("Age", _STR, 0)], more.endpoints_cells),
    "endpointslices": (
        [
            ("Name", _STR, 0),
            ("AddressType", _STR, 0),
            ("Ports", _STR, 0),
            ("Endpoints", _STR, 0),
            ("Age", _STR, 0),
        ],
        more.endpointslice_cells,
    ),
    "ingresses": (
        [
            ("Name", _STR, 0),
            ("Class", _STR, 0),
            ("Hosts", _STR, 0),
            ("Address", _STR, 0),
            ("Ports", _STR, 0),
            ("Age", _STR, 0),
        ],
        more.ingress_cells,
    ),
    "ingressclasses": (
        [("Name", _STR, 0), ("Controller", _STR, 0), ("Parameters", _STR, 0), ("Age", _STR, 0)],
        more.ingressclass_cells,
    ),
    "persistentvolumeclaims": (
        [
            ("Name", _STR, 0),
            ("Status", _STR, 0),
            ("Volume", _STR, 0),
            ("Capacity", _STR, 0),
            ("Access Modes", _STR, 0),
            ("StorageClass", _STR, 0),
            ("VolumeAttributesClass", _STR, 0),
            ("Age", _STR, 0),
            ("VolumeMode", _STR, 1),
        ],
        more.pvc_cells,
    ),
    "persistentvolumes": (
        [
            ("Name", _STR, 0),
            ("Capacity", _STR, 0),
            ("Access Modes", _STR, 0),
            ("Reclaim Policy", _STR, 0),
            ("Status", _STR, 0),
            ("Claim", _STR, 0),
            ("StorageClass", _STR, 0),
            ("VolumeAttributesClass", _STR, 0),
            ("Reason", _STR, 0),
            ("Age", _STR, 0),
            ("VolumeMode", _STR, 1),
        ],
        more.pv_cells,
    ),
    "storageclasses": (
        [
            ("Name", _STR, 0),
            ("Provisioner", _STR, 0),
            ("ReclaimPolicy", _STR, 0),
            ("VolumeBindingMode", _STR, 0),
            ("AllowVolumeExpansion", _STR, 0),
            ("Age", _STR, 0),
        ],
        more.storageclass_cells,
    ),
    "configmaps": ([("Name", _STR, 0), ("Data", _STR, 0), ("Age", _STR, 0)], more.configmap_cells),
    "secrets": (
        [("Name", _STR, 0), ("Type", _STR, 0), ("Data", _STR, 0), ("Age", _STR, 0)],
        more.secret_cells,
    ),
    "serviceaccounts": (
        [("Name", _STR, 0), ("Secrets", _STR, 0), ("Age", _STR, 0)],
        more.serviceaccount_cells,
    ),
    "networkpolicies": (
        [("Name", _STR, 0), ("Pod-Selector", _STR, 0), ("Age", _STR, 0)],
        more.networkpolicy_cells,
    ),
    "rolebindings": (_BINDING_COLUMNS, more.binding_cells),
    "clusterrolebindings": (_BINDING_COLUMNS, more.binding_cells),
}
#: The default table convertor (roles, cluster roles, CRDs, limit ranges, ...): NAME and CREATED AT.
_GENERIC: tuple[list[Column], Callable[[Printer, JSON], Cells]] = (
    [("Name", _STR, 0), ("Created At", "date", 0)],
    more.created_at_cells,
)


def column_definitions(rt: ResourceType) -> list[JSON]:
    if rt.crd:
        return crd_column_definitions(rt)
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
    if rt.crd:
        row: JSON = {"cells": crd_cells(rt, Printer(now), obj)}
    else:
        _, cells_fn = _COLUMNS.get(rt.plural, _GENERIC)
        row = {"cells": cells_fn(Printer(now), obj)}
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
