"""Resource usage from metrics.k8s.io: samples, a bounded history, and usage against requests,
limits and allocatable. Pure and stdlib-only, so the cluster service, the health rules and the UI
share one reading of "how close is this pod to being killed or throttled".

Units are fixed once here: CPU in millicores (float), memory in bytes (float). Quantities from specs
arrive as the API wrote them ("250m", "1Gi") and are parsed with `kdash.model.quantity`.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from kdash.model.meta import ObjectKey
from kdash.model.quantity import try_quantity

#: metrics-server's default resolution; the poll interval of the metrics kinds.
DEFAULT_INTERVAL_S = 15.0
#: Samples kept per series: one hour at the default interval (see docs/architecture.md for memory).
DEFAULT_HISTORY = 240


class Usage(NamedTuple):
    cpu_m: float  # millicores
    memory: float  # bytes


def total(usages: Iterable[Usage]) -> Usage:
    cpu = mem = 0.0
    for u in usages:
        cpu += u.cpu_m
        mem += u.memory
    return Usage(cpu, mem)


ZERO = Usage(0.0, 0.0)


@dataclass(frozen=True, slots=True)
class PodUsage:
    """One PodMetrics item: usage per container over `window` seconds ending at `at` (epoch s)."""

    key: ObjectKey  # kind "Pod"
    at: float
    window: float
    containers: Mapping[str, Usage]

    @property
    def total(self) -> Usage:
        return total(self.containers.values())


@dataclass(frozen=True, slots=True)
class NodeUsage:
    """One NodeMetrics item."""

    name: str
    at: float
    window: float
    usage: Usage


class Sample(NamedTuple):
    at: float  # epoch seconds (the metrics' timestamp, not when kdash read it)
    cpu_m: float
    memory: float


class SeriesKey(NamedTuple):
    """A history series: a pod's container (`container` "" = the pod's total) or a node."""

    kind: str  # "Pod" or "Node"
    namespace: str
    name: str
    container: str = ""


def pod_series(key: ObjectKey, container: str = "") -> SeriesKey:
    return SeriesKey("Pod", key.namespace or "", key.name, container)


def node_series(name: str) -> SeriesKey:
    return SeriesKey("Node", "", name)


class UsageHistory:
    """A bounded ring of samples per series, kept while kdash runs (never persisted).

    Written by the cluster service's thread after each metrics poll, read by the UI and the health
    rules from theirs; a lock keeps a read from seeing a ring mid-append. A sample whose timestamp
    the series already holds is dropped (metrics-server answers the same sample until its next
    scrape), so polling faster than the server's resolution adds nothing.

    Memory is what bounds it at scale (10,000 pods, an hour at 15 s): a ring is one flat
    `array('d')` of (at, cpu, memory) triples, 24 B a sample instead of ~130 B for tuples of boxed
    floats in a deque, and a single-container pod's total is its container's series (an alias),
    not a copy. Measured in docs/architecture.md.
    """

    def __init__(self, capacity: int = DEFAULT_HISTORY) -> None:
        self.capacity = max(1, capacity)
        self._rings: dict[SeriesKey, array[float]] = {}
        self._alias: dict[SeriesKey, SeriesKey] = {}  # a pod's total -> its only container's series
        self._lock = threading.Lock()

    def _add(self, series: SeriesKey, at: float, cpu: float, memory: float) -> None:
        ring = self._rings.get(series)
        if ring is None:
            ring = self._rings[series] = array("d")
        elif ring and ring[-3] >= at:
            return
        ring.extend((at, cpu, memory))
        if len(ring) > 3 * self.capacity:
            del ring[:3]

    def add(self, series: SeriesKey, sample: Sample) -> None:
        with self._lock:
            self._add(series, sample.at, sample.cpu_m, sample.memory)

    def add_pods(self, pods: Iterable[PodUsage]) -> None:
        with self._lock:
            for pod in pods:
                total_key = pod_series(pod.key)
                for name, u in pod.containers.items():
                    self._add(pod_series(pod.key, name), pod.at, u.cpu_m, u.memory)
                if len(pod.containers) == 1:
                    self._alias[total_key] = pod_series(pod.key, next(iter(pod.containers)))
                    self._rings.pop(total_key, None)
                else:
                    self._alias.pop(total_key, None)
                    t = pod.total
                    self._add(total_key, pod.at, t.cpu_m, t.memory)

    def add_nodes(self, nodes: Iterable[NodeUsage]) -> None:
        with self._lock:
            for node in nodes:
                self._add(node_series(node.name), node.at, node.usage.cpu_m, node.usage.memory)

    def retain(self, keep: Iterable[SeriesKey]) -> None:
        """Forget every series not in `keep` (pods that are gone, a namespace or context left)."""
        wanted = set(keep)
        with self._lock:
            for series in [s for s in self._rings if s not in wanted]:
                del self._rings[series]
            for series in [s for s in self._alias if s not in wanted]:
                del self._alias[series]

    def clear(self) -> None:
        with self._lock:
            self._rings.clear()
            self._alias.clear()

    def series(self, key: SeriesKey) -> tuple[Sample, ...]:
        with self._lock:
            ring = self._rings.get(self._alias.get(key, key))
            if ring is None:
                return ()
            return tuple(Sample(ring[i], ring[i + 1], ring[i + 2]) for i in range(0, len(ring), 3))

    def tail(self, key: SeriesKey, count: int) -> tuple[Sample, ...]:
        """The newest `count` samples of a series (a list row's sparkline draws ten of 240)."""
        with self._lock:
            ring = self._rings.get(self._alias.get(key, key))
            if ring is None or count <= 0:
                return ()
            start = max(0, len(ring) - 3 * count)
            return tuple(Sample(ring[i], ring[i + 1], ring[i + 2]) for i in range(start, len(ring), 3))

    def keys(self) -> tuple[SeriesKey, ...]:
        with self._lock:
            return (*self._rings, *self._alias)

    def __len__(self) -> int:
        with self._lock:
            return sum(len(r) for r in self._rings.values()) // 3


@dataclass(frozen=True, slots=True)
class UsageView:
    """What the snapshot carries about usage. `available` False means metrics.k8s.io is not served
    (or not readable): `message` says so once; every other pane works as before."""

    available: bool = False
    message: str = "metrics unavailable"
    pods: Mapping[ObjectKey, PodUsage] = field(default_factory=lambda: MappingProxyType({}))
    nodes: Mapping[str, NodeUsage] = field(default_factory=lambda: MappingProxyType({}))
    history: UsageHistory | None = None
    interval: float = DEFAULT_INTERVAL_S

    def series(self, key: SeriesKey) -> tuple[Sample, ...]:
        return self.history.series(key) if self.history is not None else ()

    def tail(self, key: SeriesKey, count: int) -> tuple[Sample, ...]:
        """The newest `count` samples of a series (UsageHistory.tail)."""
        return self.history.tail(key, count) if self.history is not None else ()


# --- usage against requests, limits and allocatable -------------------------------------------


def cpu_millis(text: str | None) -> float | None:
    """ "250m" -> 250.0, "2" -> 2000.0; None when absent or unparsable."""
    q = try_quantity(text) if text is not None else None
    return float(q) * 1000.0 if q is not None else None


def memory_bytes(text: str | None) -> float | None:
    q = try_quantity(text) if text is not None else None
    return float(q) if q is not None else None


def percent(used: float, of: float | None) -> float | None:
    """used / of in percent; None when `of` is unknown or zero (k9s prints "n/a")."""
    if of is None or of <= 0 or math.isnan(used):
        return None
    return used / of * 100.0


@dataclass(frozen=True, slots=True)
class Bounds:
    """Requests and limits of a container or a pod; None where not set (a missing limit is
    unbounded, so a pod's limit is None unless every container sets it)."""

    cpu_request: float | None = None
    cpu_limit: float | None = None
    memory_request: float | None = None
    memory_limit: float | None = None


def container_bounds(requests: Mapping[str, str], limits: Mapping[str, str]) -> Bounds:
    """A container's bounds; a request left unset with a limit set is the limit (the API defaults it)."""
    cpu_lim, mem_lim = cpu_millis(limits.get("cpu")), memory_bytes(limits.get("memory"))
    cpu_req, mem_req = cpu_millis(requests.get("cpu")), memory_bytes(requests.get("memory"))
    return Bounds(
        cpu_req if cpu_req is not None else cpu_lim,
        cpu_lim,
        mem_req if mem_req is not None else mem_lim,
        mem_lim,
    )


def _sum_request(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _sum_limit(values: list[float | None]) -> float | None:
    return None if not values or any(v is None for v in values) else sum(v for v in values if v is not None)


def pod_bounds(containers: Iterable[Bounds]) -> Bounds:
    """A pod's bounds over its app containers: requests sum what is set, limits only when all set."""
    items = list(containers)
    return Bounds(
        _sum_request([b.cpu_request for b in items]),
        _sum_limit([b.cpu_limit for b in items]),
        _sum_request([b.memory_request for b in items]),
        _sum_limit([b.memory_limit for b in items]),
    )


@dataclass(frozen=True, slots=True)
class UsageFigures:
    """The k9s columns for one row: CPU, MEM, %CPU/R, %CPU/L, %MEM/R, %MEM/L (None = n/a)."""

    cpu_m: float
    memory: float
    cpu_request_pct: float | None = None
    cpu_limit_pct: float | None = None
    memory_request_pct: float | None = None
    memory_limit_pct: float | None = None


def figures(usage: Usage, bounds: Bounds) -> UsageFigures:
    return UsageFigures(
        usage.cpu_m,
        usage.memory,
        percent(usage.cpu_m, bounds.cpu_request),
        percent(usage.cpu_m, bounds.cpu_limit),
        percent(usage.memory, bounds.memory_request),
        percent(usage.memory, bounds.memory_limit),
    )


def quantile(values: Iterable[float], q: float) -> float | None:
    """The q-quantile (0..1) by linear interpolation, as numpy's default; None for no values."""
    data = sorted(values)
    if not data:
        return None
    pos = (len(data) - 1) * min(max(q, 0.0), 1.0)
    lo = math.floor(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def span_seconds(samples: tuple[Sample, ...]) -> float:
    """How much time a series covers (0 for fewer than two samples)."""
    return samples[-1].at - samples[0].at if len(samples) >= 2 else 0.0


__all__ = [
    "DEFAULT_HISTORY",
    "DEFAULT_INTERVAL_S",
    "ZERO",
    "Bounds",
    "NodeUsage",
    "PodUsage",
    "Sample",
    "SeriesKey",
    "Usage",
    "UsageFigures",
    "UsageHistory",
    "UsageView",
    "container_bounds",
    "cpu_millis",
    "figures",
    "memory_bytes",
    "node_series",
    "percent",
    "pod_bounds",
    "pod_series",
    "quantile",
    "span_seconds",
    "total",
]
