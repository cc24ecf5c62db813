"""What the usage rules read besides one pod's metrics: its requests and limits parsed once, and
which nodes are over-committed.

Parsing quantity strings is most of the cost of a usage rule, and a metrics poll re-runs the rules
on every pod (10,000 of them), so each pod's bounds are parsed once per pod record and kept while
the record is the same object. Node pressure is summed per node and kept up to date pod by pod by
the incremental scorer, so a pod change does not re-add every pod of the cluster.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import NamedTuple

from kdash.model.cluster import NodeRecord
from kdash.model.meta import ObjectKey
from kdash.model.pods import ContainerSpec, PodRecord
from kdash.model.quantity import format_bytes, format_cpu
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.usage import Bounds, container_bounds, cpu_millis, memory_bytes

MIB = 1024.0 * 1024.0
_DONE = frozenset({"Succeeded", "Failed"})


class NodePressure(NamedTuple):
    """Why a node is over-committed on CPU / on memory ("limits 150% of allocatable 4"); "" = not."""

    cpu: str = ""
    memory: str = ""


NO_PRESSURE = NodePressure()


def app_containers(pod: PodRecord) -> list[ContainerSpec]:
    """The containers that run for the pod's life (app containers and native sidecars): the ones
    metrics-server reports and node allocation counts."""
    sidecars = [c for c in pod.spec.init_containers if c.restart_policy == "Always"]
    return [*sidecars, *pod.spec.containers]


def cores(millicores: float) -> str:
    """As kubectl writes CPU: "98m", "1.5", "2" (sub-millicores round up)."""
    return format_cpu(Decimal(millicores) / 1000)


def fmt_cpu(millicores: float) -> str:
    """ "98m", "1.5 CPU", "2 CPU": cores are named, so "request 1 CPU" reads as a sentence."""
    text = cores(millicores)
    return text if text.endswith("m") or text == "0" else f"{text} CPU"


def fmt_memory(nbytes: float) -> str:
    return format_bytes(Decimal(nbytes))


def tidy_cpu(millicores: float) -> float:
    """Rounded up to 10m steps up to 200m, 50m steps up to 1 CPU, 100m above; at least 10m."""
    step = 10.0 if millicores <= 200 else 50.0 if millicores <= 1000 else 100.0
    return max(10.0, math.ceil(millicores / step) * step)


def tidy_memory(nbytes: float) -> float:
    """Rounded up to 16Mi steps up to 256Mi, 64Mi steps up to 2Gi, 256Mi above; at least 16Mi."""
    mib = nbytes / MIB
    step = 16.0 if mib <= 256 else 64.0 if mib <= 2048 else 256.0
    return max(16.0, math.ceil(mib / step) * step) * MIB


def _allocatable(node: NodeRecord) -> tuple[float | None, float | None]:
    return cpu_millis(node.allocatable.get("cpu")), memory_bytes(node.allocatable.get("memory"))


def _pressure(
    used: tuple[float, float] | None, limits: tuple[float, float], alloc: tuple[float | None, float | None]
) -> NodePressure:
    reasons: list[str] = []
    for i, fmt in enumerate((fmt_cpu, fmt_memory)):
        of = alloc[i]
        if of is None or of <= 0:
            reasons.append("")
        elif used is not None and used[i] > of:
            reasons.append(f"usage {int(used[i] / of * 100)}% of allocatable {fmt(of)}")
        elif limits[i] > of:
            reasons.append(f"limits {int(limits[i] / of * 100)}% of allocatable {fmt(of)}")
        else:
            reasons.append("")
    return NodePressure(reasons[0], reasons[1])


class UsageFacts:
    """Parsed bounds per pod, and node pressure. `rebuild` reads a whole snapshot; `update` moves
    it to a new one given the pods and nodes that changed, and says which nodes' pressure changed."""

    def __init__(self) -> None:
        self._bounds: dict[ObjectKey, tuple[PodRecord, dict[str, Bounds]]] = {}
        # pod -> (node, cpu, memory limits) and node -> their sums, in whole millicores and bytes
        # (integers, so taking a pod away leaves exactly what adding it found)
        self._placed: dict[ObjectKey, tuple[str, int, int]] = {}
        self._limits: dict[str, list[int]] = {}
        self.pods_on: dict[str, set[ObjectKey]] = {}
        self.nodes: dict[str, NodePressure] = {}  # over-committed nodes only
        self._node_records: dict[str, NodeRecord] = {}
        self.synced = False  # in step with the snapshot last shown (`rebuild`, then `update`)

    def bounds(self, pod: PodRecord, key: ObjectKey | None = None) -> Mapping[str, Bounds]:
        """Each app container's requests and limits, by container name (`key`: the pod's, if at
        hand: making one costs as much as the lookup)."""
        key = pod.meta.key if key is None else key
        hit = self._bounds.get(key)
        if hit is not None and hit[0] is pod:
            return hit[1]
        parsed = {c.name: container_bounds(c.requests, c.limits) for c in app_containers(pod)}
        self._bounds[key] = (pod, parsed)
        return parsed

    def pressure(self, node: str) -> NodePressure:
        return self.nodes.get(node, NO_PRESSURE)

    def placed(self, key: ObjectKey) -> bool:
        """Whether the pod counts on its node (scheduled, not finished), as the sums count it."""
        return key in self._placed

    def rebuild(self, snap: ClusterSnapshot) -> None:
        self._placed.clear()
        self._limits.clear()
        self.pods_on.clear()
        self.nodes.clear()
        self._bounds = {k: v for k, v in self._bounds.items() if snap.pods.get(k) is v[0]}
        for key, pod in snap.pods.items():
            self._place(key, pod)
        self._node_records = {n.meta.name: n for n in snap.nodes.values()}
        for name in self._node_records:
            self._judge(snap, name)
        self.synced = True

    def rejudge(self, snap: ClusterSnapshot) -> set[str]:
        """After a metrics poll (node usage moved; pods and nodes did not): the nodes whose
        pressure changed."""
        changed: set[str] = set()
        for name in self._node_records:
            before = self.nodes.get(name, NO_PRESSURE)
            if self._judge(snap, name) != before:
                changed.add(name)
        return changed

    def update(
        self, snap: ClusterSnapshot, pods: Iterable[ObjectKey], nodes: Iterable[ObjectKey]
    ) -> set[str]:
        """The nodes whose pressure changed after these pods and nodes (their keys) changed."""
        touched: set[str] = set()
        for key in nodes:
            record = snap.nodes.get(key)
            touched.add(key.name)
            if record is None:
                self._node_records.pop(key.name, None)
            else:
                self._node_records[key.name] = record
        for key in pods:
            before = self._placed.get(key)
            if before is not None:
                touched.add(before[0])
            pod = snap.pods.get(key)
            if pod is None:
                self._bounds.pop(key, None)
                self._unplace(key)
                continue
            self._place(key, pod)
            after = self._placed.get(key)
            if after is not None:
                touched.add(after[0])
        changed: set[str] = set()
        for name in touched:
            before_p = self.nodes.get(name, NO_PRESSURE)
            if self._judge(snap, name) != before_p:
                changed.add(name)
        return changed

    def _unplace(self, key: ObjectKey) -> None:
        before = self._placed.pop(key, None)
        if before is None:
            return
        node, cpu, mem = before
        sums = self._limits[node]
        sums[0] -= cpu
        sums[1] -= mem
        on = self.pods_on[node]
        on.discard(key)
        if not on:
            del self.pods_on[node], self._limits[node]

    def _place(self, key: ObjectKey, pod: PodRecord) -> None:
        self._unplace(key)
        if not pod.node or pod.phase in _DONE:
            return
        cpu = mem = 0
        for b in self.bounds(pod, key).values():
            cpu += round(b.cpu_limit or 0.0)
            mem += round(b.memory_limit or 0.0)
        self._placed[key] = (pod.node, cpu, mem)
        sums = self._limits.get(pod.node)
        if sums is None:
            sums = self._limits[pod.node] = [0, 0]
            self.pods_on[pod.node] = set()
        sums[0] += cpu
        sums[1] += mem
        self.pods_on[pod.node].add(key)

    def _judge(self, snap: ClusterSnapshot, name: str) -> NodePressure:
        record = self._node_records.get(name)
        if record is None:
            self.nodes.pop(name, None)
            return NO_PRESSURE
        metrics = snap.usage.nodes.get(name) if snap.usage.available else None
        used = (metrics.usage.cpu_m, metrics.usage.memory) if metrics is not None else None
        sums = self._limits.get(name, (0, 0))
        verdict = _pressure(used, (float(sums[0]), float(sums[1])), _allocatable(record))
        if verdict == NO_PRESSURE:
            self.nodes.pop(name, None)
        else:
            self.nodes[name] = verdict
        return verdict
