"""What the simulated metrics-server reports: per-container CPU and memory driven by the behaviour
engine's load curve, on the engine's simulated clock at metrics-server's 15 s resolution.

Values are a pure function of (pod, container, sample index, the pod's requests): a hash gives each
container its own level and phase on the load wave, and a per-sample hash adds noise, so two lists
of the same sample agree and a seed-stepped engine always reports the same numbers. Ordinary
containers use 50-80 % of their requests; the scenario may name a *creeping* container, whose memory
climbs from half its limit to the limit (the engine then OOMKills it, see engine.py), and
*wasteful* deployments, whose pods use about a tenth of their requests.

Nothing is computed per tick: a list computes the pods it returns, and results are cached for the
current sample (cleared when the sample index, the pods or the creep change), so the `big` scenario
pays for metrics only when they are read.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from kdash.model.quantity import try_quantity
from kdash.sim.load import wave
from kdash.sim.store import rfc3339

JSON = dict[str, Any]
#: metrics-server's default --metric-resolution: one new sample per 15 simulated seconds.
RESOLUTION = 15.0
#: Simulated seconds a creeping container takes from CREEP_FROM of its memory limit to the limit.
CREEP_SECONDS = 240.0
CREEP_FROM = 0.5
#: How far into its creep the creeping container is when the simulator starts (so the demo shows
#: the climb within a minute or two, and the first OOMKill after about three minutes).
CREEP_OFFSET = 60.0
WASTE = 0.1  # a wasteful deployment's pods use this share of their requests
#: What a container without requests uses (millicores, bytes).
DEFAULT_CPU_M = 20.0
DEFAULT_MEMORY = 48.0 * 2**20
#: System overhead of a node besides its pods (kubelet, runtime, OS), and the share of its memory
#: capacity a node under MemoryPressure uses.
NODE_CPU_M = (150.0, 400.0)
NODE_MEMORY = (600.0 * 2**20, 1200.0 * 2**20)
PRESSURE_MEMORY = 0.93
_PAGE = 4096  # working sets are whole pages


def _unit(text: str) -> float:
    """A stable number in [0, 1) for `text` (crc32: cheap enough for 10,000 pods a list)."""
    return zlib.crc32(text.encode()) / 2**32


@lru_cache(maxsize=1024)
def cpu_millis(text: str | None) -> float | None:
    q = try_quantity(text) if text else None
    return float(q) * 1000.0 if q is not None else None


@lru_cache(maxsize=1024)
def byte_count(text: str | None) -> float | None:
    q = try_quantity(text) if text else None
    return float(q) if q is not None else None


def cpu_text(millicores: float) -> str:
    """Nanocores as resource.Quantity prints them: "12345678n", "250m", "2" (trailing zeros folded
    into the largest decimal suffix, as metrics-server's NewScaledQuantity(n, -9) serialises)."""
    value = max(0, round(millicores * 1_000_000))
    if value == 0:
        return "0"
    for suffix, scale in (("", 10**9), ("m", 10**6), ("u", 10**3)):
        if value % scale == 0:
            return f"{value // scale}{suffix}"
    return f"{value}n"


def memory_text(nbytes: float) -> str:
    """Bytes as a BinarySI quantity prints them: "30364Ki", "128Mi", or plain bytes."""
    value = max(0, round(nbytes))
    if value == 0:
        return "0"
    for suffix, scale in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if value % scale == 0:
            return f"{value // scale}{suffix}"
    return str(value)


def window_text(seconds: float) -> str:
    """Go's Duration text for a window under a minute: "15s", "15.029s"."""
    millis = round(seconds * 1000)
    whole, frac = divmod(millis, 1000)
    return f"{whole}s" if not frac else f"{whole}.{frac:03d}".rstrip("0") + "s"


@dataclass
class MetricsModel:
    """Usage of one simulator's pods and nodes; the server reads it, the engine moves it."""

    origin: datetime  # the simulated wall time of sim_time 0 (timestamps are origin + sample time)
    #: (namespace, pod, container) whose memory creeps to its limit; None: no creeping container.
    creep: tuple[str, str, str] | None = None
    #: (namespace, deployment) whose pods use a tenth of their requests.
    wasteful: frozenset[tuple[str, str]] = frozenset()
    #: Simulated seconds: set by the engine each tick (0 without an engine: a still cluster).
    sim_time: float = 0.0
    #: Sim time the creeping container's current instance started (the engine moves it on restart).
    creep_start: float = -CREEP_OFFSET
    #: (namespace, pod) -> (the stored pod it was computed from, its item, its total millicores and
    #: bytes) for the current sample; holding the pod keeps the identity check sound (a freed dict's
    #: id could be reused).
    _cache: dict[tuple[str, str], tuple[JSON, JSON | None, float, float]] = field(default_factory=dict)
    _cache_key: tuple[int, float] = (-1, 0.0)
    _stamp: str = ""  # the current sample's timestamp text
    _windows: dict[str, str] = field(default_factory=dict)  # node -> the current sample's window

    # ---- the clock ----------------------------------------------------------------------------

    @property
    def sample(self) -> int:
        """The index of the latest sample: a new one every RESOLUTION simulated seconds."""
        return math.floor(self.sim_time / RESOLUTION)

    def sample_time(self, k: int | None = None) -> float:
        return (self.sample if k is None else k) * RESOLUTION

    def timestamp(self, k: int | None = None) -> datetime:
        return self.origin + timedelta(seconds=self.sample_time(k))

    def window(self, node: str, k: int | None = None) -> float:
        """Seconds between the two scrapes a rate was taken from: 15 s and a few ms of jitter."""
        return RESOLUTION + round(_unit(f"window/{node}/{self.sample if k is None else k}") * 60) / 1000

    def _window_text(self, node: str) -> str:
        text = self._windows.get(node)
        if text is None:
            text = self._windows[node] = window_text(self.window(node))
        return text

    def _fresh(self) -> None:
        """Forget the last sample's results once the sample (or the creep) moved on."""
        key = (self.sample, self.creep_start)
        if key != self._cache_key:
            self._cache.clear()
            self._windows.clear()
            self._cache_key = key
            self._stamp = rfc3339(self.timestamp())

    def creep_fraction(self, at: float | None = None) -> float:
        """The creeping container's memory as a share of its limit at sim time `at` (sample time)."""
        t = self.sample_time() if at is None else at
        elapsed = max(0.0, t - self.creep_start)
        return min(1.0, CREEP_FROM + (1 - CREEP_FROM) * elapsed / CREEP_SECONDS)

    # ---- containers and pods ------------------------------------------------------------------

    def container_usage(self, namespace: str, pod: str, owner: str, container: JSON) -> tuple[float, float]:
        """(millicores, bytes) of one container at the current sample: a level and a phase on the
        load wave of its own (from one hash of its name), and noise per sample."""
        name = str(container.get("name") or "")
        res = container.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        cpu_req = cpu_millis(req.get("cpu")) or cpu_millis(lim.get("cpu")) or DEFAULT_CPU_M
        mem_req = byte_count(req.get("memory")) or byte_count(lim.get("memory")) or DEFAULT_MEMORY
        key = f"{namespace}/{pod}/{name}"
        k = self._cache_key[0]
        t = k * RESOLUTION
        own = zlib.crc32(key.encode())
        level, phase = (own & 0xFFFF) / 65536, (own >> 16) / 65536
        noise = _unit(f"{key}/{k}")
        w = wave(t, phase)
        if (namespace, owner) in self.wasteful:
            cpu = cpu_req * WASTE * (0.9 + 0.1 * w + 0.05 * noise)
            mem = mem_req * WASTE * (0.97 + 0.03 * noise)
        else:
            cpu = cpu_req * (0.5 + 0.3 * level) * (0.8 + 0.2 * w) * (0.92 + 0.08 * noise)
            mem = mem_req * (0.55 + 0.3 * (1 - level)) * (0.95 + 0.05 * w) * (0.98 + 0.02 * noise)
        if self.creep == (namespace, pod, name):
            limit = byte_count(lim.get("memory"))
            if limit:
                mem = limit * self.creep_fraction(t)
        return cpu, float(math.floor(mem / _PAGE) * _PAGE)

    def pod_item(self, pod: JSON, now: str) -> JSON | None:
        """The PodMetrics item of one stored pod; None unless it is Running with a running container
        (metrics-server reports only what the kubelet's summary has: running containers)."""
        return self._cached(pod, now)[1]

    def pod_total(self, pod: JSON, now: str) -> tuple[float, float] | None:
        """(millicores, bytes) summed over the pod's containers; None without metrics."""
        _, item, cpu, mem = self._cached(pod, now)
        return (cpu, mem) if item is not None else None

    def _cached(self, pod: JSON, now: str) -> tuple[JSON, JSON | None, float, float]:
        self._fresh()
        meta = pod.get("metadata") or {}
        ns, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
        hit = self._cache.get((ns, name))
        if hit is not None and hit[0] is pod:
            return hit
        entry = self._compute(pod, meta, ns, name, now)
        self._cache[(ns, name)] = entry
        return entry

    def _compute(
        self, pod: JSON, meta: JSON, ns: str, name: str, now: str
    ) -> tuple[JSON, JSON | None, float, float]:
        status = pod.get("status") or {}
        if status.get("phase") != "Running":
            return pod, None, 0.0, 0.0
        running = {
            cs.get("name")
            for cs in status.get("containerStatuses") or []
            if "running" in (cs.get("state") or {})
        }
        owner = _deployment_of(meta)
        containers = []
        total_cpu = total_mem = 0.0
        for c in (pod.get("spec") or {}).get("containers") or []:
            if c.get("name") in running:
                cpu, mem = self.container_usage(ns, name, owner, c)
                total_cpu += round(cpu * 1_000_000) / 1_000_000  # as the text says it
                total_mem += mem
                containers.append(
                    {"name": c["name"], "usage": {"cpu": cpu_text(cpu), "memory": memory_text(mem)}}
                )
        if not containers:
            return pod, None, 0.0, 0.0
        node = str((pod.get("spec") or {}).get("nodeName") or "")
        out_meta: JSON = {"name": name, "namespace": ns, "creationTimestamp": now}
        if meta.get("labels"):
            out_meta["labels"] = meta["labels"]
        item = {
            "metadata": out_meta,
            "timestamp": self._stamp,
            "window": self._window_text(node),
            "containers": containers,
        }
        return pod, item, total_cpu, total_mem

    # ---- nodes --------------------------------------------------------------------------------

    def node_item(self, node: JSON, pods: Iterable[tuple[float, float]], now: str) -> JSON:
        """A NodeMetrics item from its pods' (millicores, bytes) plus the system's overhead (most of
        its memory when the node reports MemoryPressure)."""
        self._fresh()
        meta = node.get("metadata") or {}
        name = str(meta.get("name") or "")
        cpu = NODE_CPU_M[0] + (NODE_CPU_M[1] - NODE_CPU_M[0]) * _unit(f"node-cpu/{name}/{self.sample}")
        mem = NODE_MEMORY[0] + (NODE_MEMORY[1] - NODE_MEMORY[0]) * _unit(f"node-mem/{name}")
        for pod_cpu, pod_mem in pods:
            cpu += pod_cpu
            mem += pod_mem
        status = node.get("status") or {}
        if any(
            c.get("type") == "MemoryPressure" and c.get("status") == "True"
            for c in status.get("conditions") or []
        ):
            capacity = byte_count((status.get("capacity") or {}).get("memory")) or 0.0
            mem = max(mem, capacity * PRESSURE_MEMORY)
        out_meta: JSON = {"name": name, "creationTimestamp": now}
        if meta.get("labels"):
            out_meta["labels"] = meta["labels"]
        return {
            "metadata": out_meta,
            "timestamp": self._stamp,
            "window": self._window_text(name),
            "usage": {"cpu": cpu_text(cpu), "memory": memory_text(math.floor(mem / _PAGE) * _PAGE)},
        }


def _deployment_of(meta: JSON) -> str:
    """The Deployment a pod belongs to, from its ReplicaSet owner's name ("web-5d4f8" -> "web")."""
    for ref in meta.get("ownerReferences") or []:
        if ref.get("kind") == "ReplicaSet" and ref.get("controller"):
            return str(ref.get("name") or "").rsplit("-", 1)[0]
    return ""
