"""EndpointSlices and Endpoints for Services, the way kube-controller-manager's controllers write them.

A Service with a selector gets one EndpointSlice (``<service>-<suffix>``, labelled
``kubernetes.io/service-name``) and one v1 Endpoints object (named after the Service) listing the
selected pods that have an IP: ready pods as ready endpoints, the rest as not ready, so readiness
probes decide who gets traffic. `endpoint_objects` builds them (the scenarios use it);
`EndpointsController` keeps them following pods and Services as they change (the behaviour engine
runs it each tick; ``SimCluster.sync_endpoints`` runs it on demand).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from kdash.sim.scenarios.builders import suffix, uid_for
from kdash.sim.state import SimState
from kdash.sim.store import Store, rfc3339

JSON = dict[str, Any]
SERVICE_NAME = "kubernetes.io/service-name"
SLICE_MANAGER = ("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")
ENDPOINTS_MANAGER = ("endpoints.kubernetes.io/managed-by", "endpoint-controller")
HEADLESS = "service.kubernetes.io/headless"
TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time"


def selects(service: JSON, pod: JSON) -> bool:
    """Whether the Service's selector picks ``pod`` (selector-less Services pick nothing)."""
    sel = (service.get("spec") or {}).get("selector") or {}
    labels = (pod.get("metadata") or {}).get("labels") or {}
    return bool(sel) and all(labels.get(k) == v for k, v in sel.items())


def _ready(pod: JSON) -> bool:
    conds = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)


def _backends(service: JSON, pods: Iterable[JSON]) -> list[tuple[JSON, bool, bool]]:
    """(pod, ready, terminating) for the selected pods that have an IP and have not finished."""
    publish = bool((service.get("spec") or {}).get("publishNotReadyAddresses"))
    out = []
    for pod in pods:
        st = pod.get("status") or {}
        if not selects(service, pod) or not st.get("podIP") or st.get("phase") in ("Succeeded", "Failed"):
            continue
        terminating = bool((pod.get("metadata") or {}).get("deletionTimestamp"))
        out.append((pod, (publish or _ready(pod)) and not terminating, terminating))
    out.sort(key=lambda b: str(b[0]["metadata"].get("name", "")))
    return out


def _target_port(port: JSON, pods: list[tuple[JSON, bool, bool]]) -> int | None:
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    for pod, _, _ in pods:  # a named port: the number the pods' containers give that name
        for c in (pod.get("spec") or {}).get("containers") or []:
            for cp in c.get("ports") or []:
                if cp.get("name") == target:
                    return int(cp.get("containerPort", 0))
    return None


def _ports(service: JSON, backends: list[tuple[JSON, bool, bool]]) -> list[JSON]:
    out = []
    for port in (service.get("spec") or {}).get("ports") or []:
        number = _target_port(port, backends)
        if number is not None:
            out.append(
                {"name": port.get("name", ""), "protocol": port.get("protocol", "TCP"), "port": number}
            )
    return out


def _ref(pod: JSON) -> JSON:
    m = pod["metadata"]
    return {"kind": "Pod", "namespace": m.get("namespace", ""), "name": m["name"], "uid": m.get("uid", "")}


def slice_endpoints(backends: list[tuple[JSON, bool, bool]]) -> list[JSON]:
    return [
        {
            "addresses": [pod["status"]["podIP"]],
            "conditions": {
                "ready": ready,
                "serving": ready or (terminating and _ready(pod)),
                "terminating": terminating,
            },
            "targetRef": _ref(pod),
            "nodeName": (pod.get("spec") or {}).get("nodeName", ""),
        }
        for pod, ready, terminating in backends
    ]


def endpoints_subsets(backends: list[tuple[JSON, bool, bool]], ports: list[JSON]) -> list[JSON]:
    if not backends:
        return []
    subset: JSON = {}
    for key, want in (("addresses", True), ("notReadyAddresses", False)):
        addrs = [
            {
                "ip": p["status"]["podIP"],
                "nodeName": (p.get("spec") or {}).get("nodeName", ""),
                "targetRef": _ref(p),
            }
            for p, ready, _ in backends
            if ready == want
        ]
        if addrs:
            subset[key] = addrs
    subset["ports"] = [{"name": p["name"], "port": p["port"], "protocol": p["protocol"]} for p in ports]
    return [subset]


def _owner(service: JSON) -> JSON:
    m = service["metadata"]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "name": m["name"],
        "uid": m.get("uid", ""),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _labels(service: JSON, manager: tuple[str, str], *, slice_: bool) -> dict[str, str]:
    m = service["metadata"]
    labels = {**(m.get("labels") or {}), manager[0]: manager[1]}
    if slice_:
        labels[SERVICE_NAME] = m["name"]
    if (service.get("spec") or {}).get("clusterIP") == "None":
        labels[HEADLESS] = ""
    return dict(sorted(labels.items()))


def slice_name(service: JSON) -> str:
    m = service["metadata"]
    ns, name = m.get("namespace", ""), m["name"]
    return f"{name}-{suffix(f'eps/{ns}/{name}', 5)}"


def endpoint_objects(service: JSON, pods: Iterable[JSON], changed: str) -> list[JSON]:
    """The EndpointSlice and Endpoints for ``service`` given its namespace's ``pods``; ``changed`` is
    the last-change-trigger-time (and, for new objects, the creation time)."""
    m = service["metadata"]
    ns, name = m.get("namespace", ""), m["name"]
    backends = _backends(service, pods)
    ports = _ports(service, backends)
    eps = slice_endpoints(backends)
    sname = slice_name(service)
    eslice: JSON = {
        "kind": "EndpointSlice",
        "apiVersion": "discovery.k8s.io/v1",
        "metadata": {
            "name": sname,
            "generateName": f"{name}-",
            "namespace": ns,
            "uid": uid_for(f"EndpointSlice/{ns}/{sname}"),
            "generation": 1,
            "creationTimestamp": changed,
            "labels": _labels(service, SLICE_MANAGER, slice_=True),
            "annotations": {TRIGGER: changed},
            "ownerReferences": [_owner(service)],
        },
        "addressType": "IPv4",
        "endpoints": eps or None,
        "ports": (ports or None) if eps else None,
    }
    endpoints: JSON = {
        "kind": "Endpoints",
        "apiVersion": "v1",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": uid_for(f"Endpoints/{ns}/{name}"),
            "creationTimestamp": changed,
            "labels": _labels(service, ENDPOINTS_MANAGER, slice_=False),
            "annotations": {TRIGGER: changed},
        },
    }
    subsets = endpoints_subsets(backends, ports)
    if subsets:
        endpoints["subsets"] = subsets
    return [eslice, endpoints]


class EndpointsController:
    """Rewrites a Service's EndpointSlice and Endpoints when what they should list changes.

    Work is per namespace and only where pods or Services changed since the last sync (the store's
    change stamps), so a tick costs nothing while nothing moves, and nothing in a cluster without
    Services (the ``big`` scenario)."""

    def __init__(self, state: SimState) -> None:
        self.state = state
        self._stamps: dict[str, tuple[int, int, int]] = {}
        self._store: Store | None = None
        self.writes = 0

    @property
    def store(self) -> Store:
        return self.state.store

    def sync(self) -> int:
        """Bring every changed namespace's slices in line; returns how many objects were written."""
        store, before = self.store, self.writes
        if store is not self._store:  # a restart into a fresh world: every stamp is stale
            self._store, self._stamps = store, {}
        by_ns: dict[str, list[JSON]] = {}
        for (ns, _), entry in store.iter_entries("services"):
            if (entry.obj.get("spec") or {}).get("selector"):
                by_ns.setdefault(ns, []).append(entry.obj)
        namespaces = set(by_ns) | {ns for ns, _ in store.keys("endpointslices")}
        for ns in sorted(namespaces):
            stamp = (
                store.changed_at("pods", ns),
                store.changed_at("services", ns),
                store.changed_at("endpointslices", ns),
            )
            if self._stamps.get(ns) == stamp:
                continue
            self._sync_namespace(ns, by_ns.get(ns, []))
            self._stamps[ns] = (
                store.changed_at("pods", ns),
                store.changed_at("services", ns),
                store.changed_at("endpointslices", ns),
            )
        return self.writes - before

    def _sync_namespace(self, ns: str, services: list[JSON]) -> None:
        store = self.store
        pods = [e.obj for _, e in store.iter_entries("pods", ns)]
        stamp = rfc3339(self.state.now())
        wanted = set()
        for svc in services:
            eslice, endpoints = endpoint_objects(svc, pods, stamp)
            wanted.add(eslice["metadata"]["name"])
            self._apply(eslice, ("endpoints", "ports"), "endpointslices")
            self._apply(endpoints, ("subsets",), "endpoints")
        # Slices this controller made for Services that are gone (garbage collection by owner).
        for (_, name), entry in store.entries("endpointslices", ns):
            labels = (entry.obj.get("metadata") or {}).get("labels") or {}
            if labels.get(SLICE_MANAGER[0]) == SLICE_MANAGER[1] and name not in wanted:
                owner = str(labels.get(SERVICE_NAME, ""))
                store.delete("endpointslices", ns, name)
                if (
                    store.entry("endpoints", ns, owner) is not None
                    and store.entry("services", ns, owner) is None
                ):
                    store.delete("endpoints", ns, owner)
                self.writes += 1

    def _apply(self, desired: JSON, fields: tuple[str, ...], resource: str) -> None:
        meta = desired["metadata"]
        entry = self.store.entry(resource, meta["namespace"], meta["name"])
        if entry is None:
            self.store.put(desired)
            self.writes += 1
            return
        current = entry.obj
        if all(current.get(f) == desired.get(f) for f in fields):
            return
        obj: JSON = {"kind": desired["kind"], "apiVersion": desired["apiVersion"], **orjson.loads(entry.raw)}
        for f in fields:
            if desired.get(f) is None and f not in ("endpoints", "ports"):
                obj.pop(f, None)
            else:
                obj[f] = desired.get(f)
        obj["metadata"].setdefault("annotations", {})[TRIGGER] = meta["annotations"][TRIGGER]
        self.store.put(obj)
        self.writes += 1
