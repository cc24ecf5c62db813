"""Manifests to a ClusterSnapshot, for offline `kdash check -f` (no cluster needed).

Manifests are what people apply, so they have no status, often no namespace and sometimes kinds
kdash does not model. Each problem is reported in words and the rest is still checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from kdash.model.build import CLUSTER_SCOPED_KINDS, KIND_RESOURCES, build_record
from kdash.model.build.owners import pod_workload
from kdash.model.build.pods import restart_records
from kdash.model.build.snapshot_index import index_pods_by_workload
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord, RestartRecord
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.workloads import WorkloadRecord

DEFAULT_NAMESPACE = "default"
NAME_MISSING = "without metadata.name or metadata.generateName"
_MAX_LIST_DEPTH = 8  # a List of Lists of ...: deeper nesting is refused, not recursed into


def _expand(docs: Iterable[object], problems: list[str]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(label, object) pairs with `List` kinds flattened; non-objects are reported and skipped.

    A generator, so problems found here and by the caller are reported in document order.
    """
    for number, top in enumerate(docs, 1):  # lazily: a big input is built one document at a time
        if type(top) is dict:
            kind = top.get("kind")
            if not (isinstance(kind, str) and kind.endswith("List") and kind not in KIND_RESOURCES):
                yield f"document {number}", top  # nearly every document: one object, no List
                continue
        yield from _expand_one(f"document {number}", top, problems)


def _expand_one(label: str, top: object, problems: list[str]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    stack: list[tuple[str, object, int]] = [(label, top, 0)]
    while stack:
        label, doc, depth = stack.pop()
        if doc is None:  # an empty YAML document ("---" twice)
            continue
        if not isinstance(doc, dict):
            problems.append(f"{label}: not an object ({type(doc).__name__})")
            continue
        kind = doc.get("kind")
        items = doc.get("items")
        if isinstance(kind, str) and kind.endswith("List") and kind not in KIND_RESOURCES:
            if depth >= _MAX_LIST_DEPTH or not isinstance(items, list):
                problems.append(f"{label}: {kind} without a readable items list")
                continue
            stack.extend(
                reversed([(f"{label} item {n}", item, depth + 1) for n, item in enumerate(items, 1)])
            )
            continue
        yield label, doc


def _restart_order(r: RestartRecord) -> tuple[int, int, str, str, str]:
    """Worst first: crash-looping containers, then most restarts."""
    return (0 if r.state_text == "CrashLoopBackOff" else 1, -r.restarts, r.namespace, r.pod, r.container)


def _generate_name(doc: Mapping[str, Any]) -> str | None:
    """metadata.generateName when it is a usable prefix (a non-empty string), else None."""
    meta = doc.get("metadata")
    prefix = meta.get("generateName") if isinstance(meta, dict) else None
    return prefix if isinstance(prefix, str) and prefix else None


def _numbered(record: Any, existing: Mapping[ObjectKey, Any]) -> tuple[Any, ObjectKey]:
    """`job-* (2)`, `job-* (3)` ...: every object with the same generateName is its own object."""
    meta = record.meta
    n = 2
    while (key := replace(meta.key, name=f"{meta.name} ({n})")) in existing:
        n += 1
    return replace(record, meta=replace(meta, name=key.name)), key


def records_from_manifests(
    docs: Iterable[object], placed: dict[str, ObjectKey] | None = None
) -> tuple[ClusterSnapshot, list[str]]:
    """A snapshot of the kinds kdash models, and the problems found ("unknown kind Foo", ...).

    Namespaced objects without a namespace are placed in "default", as `kubectl apply` would.
    A later object with the same kind, namespace and name replaces an earlier one (reported).
    An object with only `metadata.generateName` (a Job for `kubectl create`) is checked as
    `<generateName>*`; one with neither is a problem ending in NAME_MISSING. `placed`, when
    given, receives each document label's key (so the caller can say where an object came from;
    the key of an object with no name has the name "").
    """
    problems: list[str] = []
    maps: dict[str, dict[ObjectKey, Any]] = {
        name: {}
        for name in (
            "namespaces",
            "nodes",
            "pods",
            "workloads",
            "replicasets",
            "hpas",
            "quotas",
            "limitranges",
            "events",
            "services",
            "pdbs",
            "netpols",
            "ingresses",
            "configmaps",
            "roles",
            "bindings",
        )
    }
    for label, doc in _expand(docs, problems):
        kind = doc.get("kind")
        if not isinstance(kind, str) or not kind:
            problems.append(f"{label}: no kind")
            continue
        resource = KIND_RESOURCES.get(kind)
        if resource is None:
            name = doc.get("metadata", {}).get("name") if isinstance(doc.get("metadata"), dict) else None
            suffix = f" ({name})" if isinstance(name, str) and name else ""
            problems.append(f"{label}: unknown kind {kind}{suffix}")
            continue
        record: Any = build_record(resource, doc)
        meta = record.meta
        if kind in CLUSTER_SCOPED_KINDS:
            if meta.namespace:
                record = replace(record, meta=replace(meta, namespace=""))
        elif not meta.namespace:
            record = replace(record, meta=replace(meta, namespace=DEFAULT_NAMESPACE))
        generated = False
        if not meta.name:
            prefix = _generate_name(doc)
            if prefix is None:
                problems.append(f"{label}: {kind} {NAME_MISSING}")
                if placed is not None:
                    placed[label] = record.meta.key  # name "": where the nameless object was
                continue
            record, generated = replace(record, meta=replace(record.meta, name=f"{prefix}*")), True
        target = _target_map(kind)
        key = record.meta.key
        if generated and key in maps[target]:  # `kubectl create` makes one object of each
            record, key = _numbered(record, maps[target])
        if key in maps[target]:
            problems.append(f"{label}: duplicate {key}, the later one is used")
        maps[target][key] = record
        if placed is not None:
            placed[label] = key

    replicasets: dict[ObjectKey, WorkloadRecord] = maps["replicasets"]
    pods: dict[ObjectKey, PodRecord] = {
        key: replace(pod, workload=pod_workload(pod.meta, replicasets)) for key, pod in maps["pods"].items()
    }
    restarts = sorted((r for pod in pods.values() for r in restart_records(pod)), key=_restart_order)
    snapshot = ClusterSnapshot(
        namespaces=MappingProxyType(maps["namespaces"]),
        nodes=MappingProxyType(maps["nodes"]),
        pods=MappingProxyType(pods),
        workloads=MappingProxyType(maps["workloads"]),
        replicasets=MappingProxyType(replicasets),
        hpas=MappingProxyType(maps["hpas"]),
        quotas=MappingProxyType(maps["quotas"]),
        limitranges=MappingProxyType(maps["limitranges"]),
        events=MappingProxyType(maps["events"]),
        services=MappingProxyType(maps["services"]),
        pdbs=MappingProxyType(maps["pdbs"]),
        netpols=MappingProxyType(maps["netpols"]),
        ingresses=MappingProxyType(maps["ingresses"]),
        configmaps=MappingProxyType(maps["configmaps"]),
        roles=MappingProxyType(maps["roles"]),
        bindings=MappingProxyType(maps["bindings"]),
        restarts=tuple(restarts),
        pods_by_workload=MappingProxyType(index_pods_by_workload(pods, replicasets)),
    )
    return snapshot, problems


_TARGETS = {
    "Namespace": "namespaces",
    "Node": "nodes",
    "Pod": "pods",
    "ReplicaSet": "replicasets",
    "HorizontalPodAutoscaler": "hpas",
    "ResourceQuota": "quotas",
    "LimitRange": "limitranges",
    "Event": "events",
    "Service": "services",
    "PodDisruptionBudget": "pdbs",
    "NetworkPolicy": "netpols",
    "Ingress": "ingresses",
    "ConfigMap": "configmaps",
    "Role": "roles",
    "ClusterRole": "roles",
    "RoleBinding": "bindings",
    "ClusterRoleBinding": "bindings",
}


def _target_map(kind: str) -> str:
    """Which snapshot map a kind lands in; Deployments, StatefulSets, DaemonSets, Jobs, CronJobs share one."""
    return _TARGETS.get(kind, "workloads")
