"""Who points at whom: the joins behind the typed screens (node → its pods and what they request,
Service → endpoints → pods, Ingress → Services, PVC → PV and the pods mounting it, StatefulSet → its
claims, ConfigMap → the workloads reading it).

Pure functions over records (the snapshot's, and those kdash.model.build.{network,storage,nodes}
make from on-demand feeds) and raw dicts; no I/O, no clock, never raise on odd input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from kdash.model.build.meta import build_meta
from kdash.model.build.network import Backend, EndpointSliceRecord, IngressPath, IngressRecord, ServicePort
from kdash.model.build.storage import ClaimRecord, VolumeRecord, claim_names, configmap_uses, pod_spec_of
from kdash.model.cluster import ServiceRecord
from kdash.model.meta import Condition, ObjectKey
from kdash.model.pods import ContainerSpec, PodRecord
from kdash.model.quantity import try_quantity

# -- node: conditions, and what its pods request -----------------------------------------------------

PRESSURE_CONDITIONS = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")
NODE_CONDITIONS = ("Ready", *PRESSURE_CONDITIONS)


def condition_bad(cond: Condition) -> bool:
    """Ready that is not True, or a pressure condition that is not False (Unknown is bad too)."""
    if cond.type == "Ready":
        return cond.status != "True"
    return cond.status != "False"


def ordered_conditions(conds: Sequence[Condition]) -> list[Condition]:
    """Ready, then the pressures in kubectl's order, then any other (a node problem detector's)."""
    rank = {name: i for i, name in enumerate(NODE_CONDITIONS)}
    return sorted(conds, key=lambda c: (rank.get(c.type, len(rank)), c.type))


def pods_on_node(pods: Iterable[PodRecord], node: str) -> list[PodRecord]:
    """The pods bound to `node`, by namespace and name."""
    return sorted((p for p in pods if (p.node or p.spec.node_name) == node), key=lambda p: p.meta.key)


def terminated(pod: PodRecord) -> bool:
    """Succeeded and Failed pods hold no resources (kubectl's "Non-terminated Pods")."""
    return pod.phase in ("Succeeded", "Failed")


def _amounts(spec: ContainerSpec, which: str) -> dict[str, Decimal]:
    values = spec.requests if which == "requests" else spec.limits
    out: dict[str, Decimal] = {}
    for name, text in values.items():
        amount = try_quantity(text)
        if amount is not None and amount.is_finite():
            out[name] = amount
    return out


def _add(into: dict[str, Decimal], more: Mapping[str, Decimal]) -> None:
    for name, amount in more.items():
        into[name] = into.get(name, Decimal(0)) + amount


def _max(into: dict[str, Decimal], other: Mapping[str, Decimal]) -> None:
    for name, amount in other.items():
        if amount > into.get(name, Decimal(0)):
            into[name] = amount


def pod_resources(pod: PodRecord, which: str = "requests") -> dict[str, Decimal]:
    """A pod's effective requests (or limits) as the scheduler counts them: its containers (and
    sidecar init containers) summed, or its largest init container plus the sidecars started
    before it, whichever is larger, per resource."""
    total: dict[str, Decimal] = {}
    for spec in pod.spec.containers:
        _add(total, _amounts(spec, which))
    init_peak: dict[str, Decimal] = {}
    sidecars: dict[str, Decimal] = {}
    for spec in pod.spec.init_containers:
        amounts = _amounts(spec, which)
        if spec.restart_policy == "Always":
            _add(total, amounts)
            _add(sidecars, amounts)
            _max(init_peak, sidecars)
        else:
            running = dict(sidecars)
            _add(running, amounts)
            _max(init_peak, running)
    _max(total, init_peak)
    return total


def requests_by_node(pods: Iterable[PodRecord]) -> dict[str, dict[str, Decimal]]:
    """What the non-terminated pods bound to each node request (the nodes list's CPU/MEM REQ%),
    in one pass over the pods rather than one per node."""
    out: dict[str, dict[str, Decimal]] = {}
    for pod in pods:
        node = pod.node or pod.spec.node_name
        if node and not terminated(pod):
            _add(out.setdefault(node, {}), pod_resources(pod, "requests"))
    return out


@dataclass(frozen=True, slots=True)
class Allocation:
    """One line of `kubectl describe node`'s "Allocated resources"; percents of allocatable,
    truncated as kubectl prints them (None when allocatable is unknown or zero)."""

    resource: str
    requests: Decimal
    limits: Decimal
    allocatable: Decimal | None
    capacity: Decimal | None = None

    def _percent(self, amount: Decimal) -> int | None:
        if not self.allocatable:
            return None
        return int(amount / self.allocatable * 100)

    @property
    def request_percent(self) -> int | None:
        return self._percent(self.requests)

    @property
    def limit_percent(self) -> int | None:
        return self._percent(self.limits)


def node_allocation(
    pods: Iterable[PodRecord], allocatable: Mapping[str, str], capacity: Mapping[str, str] | None = None
) -> tuple[Allocation, ...]:
    """cpu, memory, ephemeral-storage and hugepages requested and limited by the node's
    non-terminated pods against its allocatable; then `pods` (how many of how many may run)."""
    capacity = capacity or {}
    live = [p for p in pods if not terminated(p)]
    requests: dict[str, Decimal] = {}
    limits: dict[str, Decimal] = {}
    for pod in live:
        _add(requests, pod_resources(pod, "requests"))
        _add(limits, pod_resources(pod, "limits"))
    names = ["cpu", "memory"]
    if "ephemeral-storage" in allocatable or "ephemeral-storage" in requests:
        names.append("ephemeral-storage")
    names += sorted(n for n in set(requests) | set(limits) if n.startswith("hugepages-"))
    out = [
        Allocation(
            name,
            requests.get(name, Decimal(0)),
            limits.get(name, Decimal(0)),
            try_quantity(allocatable.get(name)),
            try_quantity(capacity.get(name)),
        )
        for name in names
    ]
    count = Decimal(len(live))
    out.append(
        Allocation(
            "pods", count, count, try_quantity(allocatable.get("pods")), try_quantity(capacity.get("pods"))
        )
    )
    return tuple(out)


# -- Service → EndpointSlices → pods ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EndpointRow:
    """One address of a Service: whether it gets traffic, the pod behind it and, when it does not,
    why (`why`, from the pod's readiness: a failing probe, a container waiting, terminating)."""

    address: str
    ready: bool
    serving: bool
    terminating: bool
    target: ObjectKey | None = None
    pod: PodRecord | None = None
    node: str = ""
    slice: str = ""
    why: str = ""
    in_slice: bool = True  # False: a pod the selector matches that no slice lists (no IP yet)


def selected_pods(service: ServiceRecord, pods: Iterable[PodRecord]) -> list[PodRecord]:
    """The pods a Service's selector matches in its namespace; a Service without a selector
    selects none (its endpoints are written by hand or by another controller)."""
    if service.selector.empty:
        return []
    ns = service.meta.namespace
    return sorted(
        (p for p in pods if p.meta.namespace == ns and service.selector.matches(p.meta.labels)),
        key=lambda p: p.meta.name,
    )


def not_ready_reason(pod: PodRecord | None, *, terminating: bool = False) -> str:
    """Why a pod gets no traffic, in a few words, from its status: the readiness probes decide."""
    if pod is None:
        return "terminating" if terminating else "not ready (its pod is not in view)"
    if pod.meta.deleting or terminating:
        return "terminating: taken out of rotation while it shuts down"
    if pod.phase in ("Succeeded", "Failed"):
        return f"pod {pod.phase}"
    if pod.phase == "Pending":
        return (
            f"Pending: {pod.status_text}" if pod.status_text and pod.status_text != "Pending" else "Pending"
        )
    specs = {c.name: c for c in pod.spec.containers}
    reasons: list[str] = []
    for status in pod.containers:
        if status.ready:
            continue
        spec = specs.get(status.name)
        state = status.state
        if state.state == "waiting":
            reasons.append(f"{status.name}: {state.reason or 'waiting'}")
        elif state.state == "terminated":
            reasons.append(f"{status.name}: {state.reason or 'terminated'} (exit {state.exit_code})")
        elif spec is not None and spec.readiness is not None:
            reasons.append(f"{status.name}: readiness probe failing ({spec.readiness.detail})")
        elif status.started is False:
            reasons.append(f"{status.name}: startup probe not passed yet")
        else:
            reasons.append(f"{status.name}: not ready")
    if reasons:
        return "; ".join(reasons)
    ready = pod.condition("Ready")
    if ready is not None and ready.status != "True":
        gates = [c.type for c in pod.conditions if "/" in c.type and c.status != "True"]
        if gates:
            return "readiness gate " + ", ".join(gates) + " not True"
        return ready.message or ready.reason or "Ready condition False"
    return "not ready"


def service_endpoints(
    slices: Iterable[EndpointSliceRecord],
    pods: Mapping[ObjectKey, PodRecord],
    selected: Sequence[PodRecord] = (),
) -> list[EndpointRow]:
    """Every address of the Service's slices with its pod, ready first; then the pods the
    selector matches that no slice lists (not started, no IP yet)."""
    rows: list[EndpointRow] = []
    listed: set[ObjectKey] = set()
    for eslice in slices:
        for ep in eslice.endpoints:
            pod = pods.get(ep.target) if ep.target is not None and ep.target.kind == "Pod" else None
            if ep.target is not None:
                listed.add(ep.target)
            why = "" if ep.is_ready else not_ready_reason(pod, terminating=ep.is_terminating)
            for address in ep.addresses or ("",):
                rows.append(
                    EndpointRow(
                        address=address,
                        ready=ep.is_ready,
                        serving=ep.is_serving,
                        terminating=ep.is_terminating,
                        target=ep.target,
                        pod=pod,
                        node=ep.node or (pod.node if pod is not None else ""),
                        slice=eslice.meta.name,
                        why=why,
                    )
                )
    for pod in selected:
        if pod.meta.key not in listed and not terminated(pod):
            rows.append(
                EndpointRow(
                    address=pod.pod_ip,
                    ready=False,
                    serving=False,
                    terminating=pod.meta.deleting,
                    target=pod.meta.key,
                    pod=pod,
                    node=pod.node,
                    why=not_ready_reason(pod) if pod.pod_ip else "no IP yet: " + not_ready_reason(pod),
                    in_slice=False,
                )
            )
    rows.sort(key=lambda r: (not r.ready, not r.in_slice, r.target.name if r.target else "", r.address))
    return rows


def ready_counts(slices: Iterable[EndpointSliceRecord]) -> dict[str, tuple[int, int]]:
    """Service name -> (ready, all) endpoints over the slices of a namespace."""
    counts: dict[str, tuple[int, int]] = {}
    for eslice in slices:
        ready, total = counts.get(eslice.service, (0, 0))
        for ep in eslice.endpoints:
            ready, total = ready + ep.is_ready, total + 1
        counts[eslice.service] = (ready, total)
    return counts


def ingress_routes(ingresses: Iterable[IngressRecord], service: ObjectKey) -> list[tuple[IngressRecord, str]]:
    """The Ingresses of the Service's namespace that send traffic to it, each with the routes
    ("shop.example.com/api", "default backend") that do."""
    out: list[tuple[IngressRecord, str]] = []
    for ing in sorted(ingresses, key=lambda i: i.meta.name):
        if ing.meta.namespace != service.namespace:
            continue
        routes = [route_text(p) for p in ing.paths if p.backend.service == service.name]
        if ing.default_backend is not None and ing.default_backend.service == service.name:
            routes.append("default backend")
        if routes:
            out.append((ing, ", ".join(dict.fromkeys(routes))))
    return out


def route_text(path: IngressPath) -> str:
    return f"{path.host or '*'}{path.path or '/'}"


# -- Ingress → Services ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackendCheck:
    """An Ingress route and whether its backend exists: `problem` "" when it does (or cannot be
    checked yet), else what is missing."""

    host: str
    path: str
    path_type: str
    backend: Backend
    problem: str = ""
    default: bool = False


def backend_problem(backend: Backend, services: Mapping[str, Sequence[ServicePort]] | None) -> str:
    """ "" when the backend's Service (and port) exist in `services` (name → ports of the
    Ingress's namespace; None: not known yet, nothing is flagged)."""
    if backend.resource:
        return ""
    if not backend.service:
        return "no backend service"
    if services is None:
        return ""
    ports = services.get(backend.service)
    if ports is None:
        return f"service {backend.service} does not exist"
    if backend.port_number is not None:
        if not any(p.port == backend.port_number for p in ports):
            return f"service {backend.service} has no port {backend.port_number}"
    elif backend.port_name and not any(p.name == backend.port_name for p in ports):
        return f"service {backend.service} has no port named {backend.port_name}"
    return ""


def check_backends(
    ingress: IngressRecord, services: Mapping[str, Sequence[ServicePort]] | None
) -> list[BackendCheck]:
    """Every route of an Ingress (the default backend last) with what is wrong with its backend."""
    out = [
        BackendCheck(p.host, p.path, p.path_type, p.backend, backend_problem(p.backend, services))
        for p in ingress.paths
    ]
    if ingress.default_backend is not None:
        backend = ingress.default_backend
        out.append(BackendCheck("", "", "", backend, backend_problem(backend, services), default=True))
    return out


# -- PVC → PV and pods; StatefulSet → claims --------------------------------------------------------


def bound_volume(claim: ClaimRecord, volumes: Iterable[VolumeRecord]) -> VolumeRecord | None:
    """The PV the claim is bound to: by spec.volumeName, or the PV whose claimRef names it."""
    fallback = None
    for vol in volumes:
        if claim.volume and vol.meta.name == claim.volume:
            return vol
        if vol.claim == claim.meta.key:
            fallback = vol
    return fallback


def claim_mounts(claim: ObjectKey, pods: Iterable[Mapping[str, object]]) -> list[tuple[ObjectKey, str]]:
    """(pod, volume name) of each raw pod in the claim's namespace that mounts it."""
    out: list[tuple[ObjectKey, str]] = []
    for raw in pods:
        meta = build_meta(raw, "Pod")
        if meta.namespace != claim.namespace:
            continue
        for volume, name in claim_names(pod_spec_of("Pod", raw), meta.name):
            if name == claim.name:
                out.append((meta.key, volume))
    return sorted(out)


@dataclass(frozen=True, slots=True)
class StatefulClaim:
    """A claim a StatefulSet's pods use: `<template>-<statefulset>-<ordinal>`; `claim` None when
    it does not exist (yet); `extra` when its ordinal is beyond the replicas (kept on scale-down)."""

    name: str
    template: str
    ordinal: int
    claim: ClaimRecord | None = None
    extra: bool = False


def statefulset_claims(
    statefulset: str, templates: Sequence[str], replicas: int, claims: Iterable[ClaimRecord]
) -> list[StatefulClaim]:
    """The claims of ordinals 0…replicas-1 for each template, then older claims of higher ordinals."""
    by_name = {c.meta.name: c for c in claims}
    out: list[StatefulClaim] = []
    for tmpl in templates:
        for ordinal in range(max(0, replicas)):
            name = f"{tmpl}-{statefulset}-{ordinal}"
            out.append(StatefulClaim(name, tmpl, ordinal, by_name.get(name)))
        pattern = re.compile(re.escape(f"{tmpl}-{statefulset}-") + r"(\d+)$")
        for name, claim in sorted(by_name.items()):
            match = pattern.match(name)
            if match and int(match.group(1)) >= replicas:
                out.append(StatefulClaim(name, tmpl, int(match.group(1)), claim, extra=True))
    return out


# -- ConfigMap → workloads -------------------------------------------------------------------------


def configmap_users(
    configmap: ObjectKey, objects: Iterable[tuple[str, Mapping[str, object]]]
) -> list[tuple[ObjectKey, tuple[str, ...]]]:
    """The workloads (kind, raw) in the ConfigMap's namespace whose pod template reads it, each with
    how ("volume config", "envFrom in app", "env LOG_LEVEL in app"); pods owned by a controller
    are left out (their workload is listed)."""
    out: list[tuple[ObjectKey, tuple[str, ...]]] = []
    for kind, raw in objects:
        meta = build_meta(raw, kind)
        if meta.namespace != configmap.namespace or (kind == "Pod" and meta.controller is not None):
            continue
        uses = configmap_uses(pod_spec_of(kind, raw), configmap.name)
        if uses:
            out.append((meta.key, uses))
    return sorted(out)
