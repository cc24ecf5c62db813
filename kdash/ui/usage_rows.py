"""Usage in the lists: pod rows that follow metrics polls cheaply, workloads' summed usage, the
namespace picker's sums, and the one "metrics unavailable" a screen shows.

A metrics poll lands every 15 s and changes the usage of every pod at once, while no pod record
changed. Rebuilding 10,000 pod rows for it would build every cell again (and parse every pod's
requests and limits, 37 µs a pod); instead a row already built keeps its other cells and their
measured widths and gets six new usage cells (`Row.with_cells`), a row never built stays lazy,
and each pod's requests and limits are parsed once per record (`BoundsCache`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache, partial
from typing import Any

from rich.text import Text

from kdash.model.meta import ObjectKey
from kdash.model.pods import ContainerSpec, PodRecord
from kdash.model.usage import Bounds, PodUsage, UsageView, container_bounds, pod_bounds
from kdash.ui.format import MUTED_STYLE, clean
from kdash.ui.render import pods as pod_render
from kdash.ui.render.table import Cell, Row
from kdash.ui.render.text import age_valid_until
from kdash.ui.render.usage_rows import (
    NA_CELLS,
    bounded_cells,
    pod_usage_cells,
    trend_cell,
    workload_series,
)

EMPTY: Mapping[ObjectKey, PodUsage] = {}


def metrics_note(usage: UsageView) -> Text | None:
    """What a list says, once, when metrics.k8s.io cannot be read (its cells then show n/a)."""
    if usage.available:
        return None
    return Text(clean(usage.message) or "metrics unavailable", style=MUTED_STYLE, end="")


def measured_pods(usage: UsageView) -> Mapping[ObjectKey, PodUsage]:
    return usage.pods if usage.available else EMPTY


@lru_cache(maxsize=4096)
def _container_bounds(
    cpu_req: str | None, mem_req: str | None, cpu_lim: str | None, mem_lim: str | None
) -> Bounds:
    """Pods of a workload share their quantities ("250m", "256Mi"): each is parsed once."""
    requests = {k: v for k, v in (("cpu", cpu_req), ("memory", mem_req)) if v is not None}
    limits = {k: v for k, v in (("cpu", cpu_lim), ("memory", mem_lim)) if v is not None}
    return container_bounds(requests, limits)


def container_bounds_of(spec: ContainerSpec) -> Bounds:
    req, lim = spec.requests, spec.limits
    return _container_bounds(req.get("cpu"), req.get("memory"), lim.get("cpu"), lim.get("memory"))


@lru_cache(maxsize=4096)
def _pod_bounds(containers: tuple[Bounds, ...]) -> Bounds:
    return pod_bounds(containers)


class BoundsCache:
    """Each pod's requests and limits as numbers, worked out once per pod record (by identity)."""

    def __init__(self) -> None:
        self._by_key: dict[ObjectKey, tuple[PodRecord, Bounds]] = {}

    def of(self, pod: PodRecord) -> Bounds:
        key = pod.meta.key
        hit = self._by_key.get(key)
        if hit is not None and hit[0] is pod:
            return hit[1]
        spec = pod.spec
        # native sidecars (init containers that keep running) are measured with the app containers
        running = [*spec.containers, *(c for c in spec.init_containers if c.restart_policy == "Always")]
        bounds = _pod_bounds(tuple([container_bounds_of(c) for c in running]))
        self._by_key[key] = (pod, bounds)
        return bounds

    def prune(self, keep: int) -> None:
        """Forget every pod once the cache holds many more than the `keep` shown (pods come and go)."""
        if len(self._by_key) > 2 * keep + 64:
            self._by_key.clear()

    def __len__(self) -> int:
        return len(self._by_key)


class PodRows:
    """Pod rows by key for one list (kdash.ui.render.pods): the cached row while the pod record
    (by identity), its age texts and its usage are the same; only new usage cells for a row
    already built when just the usage changed; a new (lazy) row otherwise.

    Ages are formatted only when they may have moved on (`age_valid_until`, as the panes'
    AgedRows do): a redraw of 10,000 cached rows then costs a few dict lookups per row."""

    def __init__(
        self, *, namespace: bool = False, extra: Callable[[PodRecord], Sequence[Cell]] | None = None
    ) -> None:
        self.namespace = namespace
        self._extra = extra
        self._at = pod_render.usage_index(namespace)
        # key -> [record, ages valid until (POSIX), age texts, usage, row, bounds]; updated in place
        self._rows: dict[ObjectKey, list[Any]] = {}
        self.bounds = BoundsCache()

    def rows(self, records: Iterable[PodRecord], now: datetime, usage: UsageView) -> list[Row]:
        measured_of = measured_pods(usage)
        cache, at, now_ts = self._rows, self._at, now.timestamp()
        out: list[Row] = []
        for pod in records:
            key = pod.meta.key
            measured = measured_of.get(key)
            hit = cache.get(key)
            if hit is None or hit[0] is not pod:
                out.append(self._build(key, pod, now, measured))
                continue
            if now_ts >= hit[1]:  # an age text may have moved on
                ages = pod_render.pod_ages(pod, now)
                hit[1] = _valid_until(pod, now)
                if ages != hit[2]:
                    out.append(self._build(key, pod, now, measured))
                    continue
            if hit[3] is not measured and hit[3] != measured:
                old: Row = hit[4]
                if old.built:  # a metrics poll: new usage cells, the rest (and its widths) kept
                    cells = pod_usage_cells(measured, hit[5])
                    hit[3], hit[4] = measured, old.with_cells(dict(enumerate(cells, at)))
                else:
                    out.append(self._build(key, pod, now, measured))
                    continue
            out.append(hit[4])
        if len(cache) > 2 * len(out) + 64:
            keep = {row.key for row in out}
            self._rows = {k: v for k, v in cache.items() if k in keep}
        self.bounds.prune(len(out))
        return out

    def _build(self, key: ObjectKey, pod: PodRecord, now: datetime, measured: PodUsage | None) -> Row:
        extra = self._extra(pod) if self._extra is not None else ()
        bounds = self.bounds.of(pod)  # a few µs: the quantities are parsed once (lru_cache)
        usage = partial(pod_usage_cells, measured, bounds)
        row = pod_render.pod_row(pod, now, namespace=self.namespace, extra=extra, usage=usage)
        self._rows[key] = [pod, _valid_until(pod, now), pod_render.pod_ages(pod, now), measured, row, bounds]
        return row


def _valid_until(pod: PodRecord, now: datetime) -> float:
    """Until when both age texts of a pod row (AGE, LAST RESTART) read as they do now."""
    return min(age_valid_until(pod.meta.created, now), age_valid_until(pod.last_restart, now))


def workload_usage_cells(
    keys: tuple[ObjectKey, ...],
    pods: Mapping[ObjectKey, PodRecord],
    usage: UsageView,
    bounds: BoundsCache,
) -> tuple[Cell, ...]:
    """A workload's six usage cells and its CPU trend: its measured pods' usage summed against
    their summed requests and limits (a limit only when every measured pod has one)."""
    measured_of = measured_pods(usage)
    cpu = mem = 0.0
    measured: list[Bounds] = []
    for key in keys:
        m, pod = measured_of.get(key), pods.get(key)
        if m is None or pod is None:
            continue
        for used in m.containers.values():
            cpu += used.cpu_m
            mem += used.memory
        measured.append(bounds.of(pod))
    cells = bounded_cells(cpu, mem, _pod_bounds(tuple(measured))) if measured else NA_CELLS
    trend = trend_cell(workload_series(keys, usage) if usage.available else [])
    return (*cells, trend)
