"""Usage rules: what metrics.k8s.io says against requests, limits and allocatable.

They run only while `snapshot.usage.available` (no metrics API: no usage finding, and `kdash check`
says the rules were skipped). Rules on current usage read each pod's latest metrics and roll up to
the workload like the runtime rules; the right-sizing rule reads the history kdash keeps while it
runs and judges a request only over `rightsizing_minutes` of it, saying how much it saw.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterator
from itertools import chain
from operator import itemgetter

from kdash.health.context import Ctx, Target
from kdash.health.registry import Hit, Rule, history_rule, usage_rule
from kdash.health.usage_facts import cores, fmt_cpu, fmt_memory, tidy_cpu, tidy_memory
from kdash.model.findings import Severity
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.usage import (
    Bounds,
    PodUsage,
    Sample,
    container_bounds,
    pod_bounds,
    pod_series,
    quantile,
)

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
MIN_SAMPLES = 10  # right-sizing also needs this many samples, whatever the span
P95 = 0.95
BLOCK = 300.0  # seconds: right-sizing reads the history in whole blocks of five minutes
_AT, _CPU, _MEMORY = itemgetter(0), itemgetter(1), itemgetter(2)  # Sample fields


@usage_rule(
    Rule(
        "usage-memory-near-limit",
        WARN,
        "usage",
        "usage",
        "a container's memory usage is at `usage_memory_warn` % (default 80, warning) or "
        "`usage_memory_error` % (default 90, error) of its memory limit",
        "At its memory limit the container is OOM-killed: it restarts, drops its requests and loses "
        "its in-memory state. Memory that creeps up (a leak, an unbounded cache) ends there.",
        "Raise `resources.limits.memory` (and the request) if the load needs it, or find what grows: "
        "compare the usage history (pod detail) with the traffic.",
        config=("usage_memory_warn", "usage_memory_error"),
    )
)
def usage_memory_near_limit(ctx: Ctx, pod: PodRecord, usage: PodUsage) -> Iterator[Hit]:
    bounds, cfg = ctx.usage.bounds(pod, usage.key), ctx.config
    for name, used in usage.containers.items():
        b = bounds.get(name)
        limit = b.memory_limit if b is not None else None
        if not limit or used.memory < limit * cfg.usage_memory_warn / 100:
            continue
        pct = used.memory / limit * 100
        severity = ERR if pct >= cfg.usage_memory_error else WARN
        yield Hit(
            f"pod {pod.meta.name}, container {name} uses {fmt_memory(used.memory)} of its "
            f"{fmt_memory(limit)} memory limit ({int(pct)}%): OOMKill risk",
            name,
            severity,
        )


@usage_rule(
    Rule(
        "usage-cpu-throttled",
        WARN,
        "usage",
        "usage",
        "a container's CPU usage is at `usage_cpu_limit` % (default 95) of its CPU limit",
        "A container at its CPU limit is throttled: its work waits for the next CFS period, so latency "
        "grows and probes time out, while nothing restarts or logs an error.",
        "Raise `resources.limits.cpu` (or drop the CPU limit and rely on the request), or scale out; "
        "if an HPA scales it, check its CPU target.",
        config=("usage_cpu_limit",),
    )
)
def usage_cpu_throttled(ctx: Ctx, pod: PodRecord, usage: PodUsage) -> Iterator[Hit]:
    bounds, at = ctx.usage.bounds(pod, usage.key), ctx.config.usage_cpu_limit
    for name, used in usage.containers.items():
        b = bounds.get(name)
        limit = b.cpu_limit if b is not None else None
        if not limit or used.cpu_m < limit * at / 100:
            continue
        yield Hit(
            f"pod {pod.meta.name}, container {name} uses {cores(used.cpu_m)} of its {cores(limit)} "
            f"CPU limit ({int(used.cpu_m / limit * 100)}%): throttled",
            name,
        )


@usage_rule(
    Rule(
        "usage-above-request-overcommitted",
        WARN,
        "usage",
        "usage",
        "a pod uses more CPU or memory than it requests, on a node over-committed on that resource "
        "(the limits of its pods, or its usage, beyond its allocatable)",
        "A request is what the scheduler reserved. Above it, the pod runs on capacity the node's other "
        "pods may also claim up to their limits: when the node runs short, the kubelet evicts the pods "
        "furthest above their memory requests first, and CPU above the request is squeezed first.",
        "Raise the pod's requests to what it uses, so it is scheduled where that fits; or lower the "
        "limits of the node's pods. The node view shows its allocated resources.",
    )
)
def usage_above_request_overcommitted(ctx: Ctx, pod: PodRecord, usage: PodUsage) -> Iterator[Hit]:
    pressure = ctx.usage.pressure(pod.node)
    if not (pressure.cpu or pressure.memory) or not ctx.usage.placed(usage.key):
        return
    requested = pod_bounds(ctx.usage.bounds(pod, usage.key).values())
    used = usage.total
    over: list[str] = []
    why: list[str] = []
    if pressure.cpu and requested.cpu_request is not None and used.cpu_m > requested.cpu_request:
        over.append(f"{cores(used.cpu_m)} CPU (request {cores(requested.cpu_request)})")
        why.append(f"CPU {pressure.cpu}")
    if pressure.memory and requested.memory_request is not None and used.memory > requested.memory_request:
        over.append(f"{fmt_memory(used.memory)} memory (request {fmt_memory(requested.memory_request)})")
        why.append(f"memory {pressure.memory}")
    if over:
        yield Hit(
            f"pod {pod.meta.name} uses {' and '.join(over)} above its requests on node {pod.node}, "
            f"which is over-committed ({'; '.join(why)})"
        )


def _requests(ctx: Ctx, t: Target, container: str, pods: list[PodRecord]) -> Bounds | None:
    """The container's requests in the template, else as a pod got them (LimitRange defaults)."""
    spec = next((c for c in t.template.containers if c.name == container), None)
    if spec is not None and (spec.requests or spec.limits):
        return container_bounds(spec.requests, spec.limits)
    for pod in pods:
        b = ctx.usage.bounds(pod).get(container)
        if b is not None:
            return b
    return None


def _suggest(kind: str, values: list[float], request: float | None, ctx: Ctx) -> str:
    """ "cpu p95 98m, request 1 CPU: suggest 120m", or "" when the request is not oversized."""
    p95 = quantile(values, P95)  # `values` are sorted: its sort is a pass
    cfg = ctx.config
    if p95 is None or request is None or request <= 0 or p95 * cfg.rightsizing_factor > request:
        return ""
    fmt: Callable[[float], str]
    if kind == "cpu":
        suggested, fmt = tidy_cpu(p95 * cfg.rightsizing_headroom), fmt_cpu
    else:  # memory: a request below the peak seen invites eviction
        suggested, fmt = tidy_memory(max(p95 * cfg.rightsizing_headroom, values[-1])), fmt_memory
    if suggested >= request:
        return ""
    return f"{kind} p95 {fmt(p95)}, request {fmt(request)}: suggest {fmt(suggested)}"


def block_window(samples: tuple[Sample, ...]) -> tuple[float, tuple[Sample, ...]]:
    """The samples of whole `BLOCK`s: after the first block boundary past the first sample, up to
    the last boundary before the last one; and the time they cover. A poll that neither crosses a
    boundary nor pushes the oldest sample past one leaves the window as it was, so the verdict
    (and the incremental scorer's work) changes once a block, not once a poll."""
    if len(samples) < 2:
        return 0.0, ()
    lo = math.ceil(samples[0].at / BLOCK) * BLOCK
    hi = math.floor(samples[-1].at / BLOCK) * BLOCK
    if hi <= lo:
        return 0.0, ()
    return hi - lo, samples[bisect_right(samples, lo, key=_AT) : bisect_right(samples, hi, key=_AT)]


def _history_pods(ctx: Ctx, t: Target) -> list[tuple[ObjectKey, PodRecord]]:
    if not t.long_running or not ctx.snapshot.usage.available:
        return []
    if t.pod is not None:
        return [(t.key, t.pod)]
    pods = ctx.snapshot.pods
    return [(k, pods[k]) for k in ctx.snapshot.pods_by_workload.get(t.key, ()) if k in pods]


def history_key(ctx: Ctx, t: Target) -> tuple[tuple[ObjectKey, str, int, int], ...]:
    """What `usage-requests-oversized` reads of the history for `t`: the block bounds of each
    series. Equal keys (and the same template and pods) mean an equal verdict."""
    out: list[tuple[ObjectKey, str, int, int]] = []
    series = ctx.snapshot.usage.series
    names = [c.name for c in t.template.containers]
    for key, _ in _history_pods(ctx, t):
        for name in names:
            s = series(pod_series(key, name))
            if len(s) >= 2:
                out.append((key, name, math.ceil(s[0].at / BLOCK), math.floor(s[-1].at / BLOCK)))
    return tuple(out)


@history_rule(
    Rule(
        "usage-requests-oversized",
        INFO,
        "usage-history",
        "usage",
        "over at least `rightsizing_minutes` (default 30) of usage history (whole 5-minute blocks, "
        "at least 10 samples), a container requests `rightsizing_factor` (default 3) times or more "
        "the p95 of its CPU or memory usage across the workload's pods",
        "A request is reserved whether it is used or not: it holds node capacity and quota that no "
        "other pod can be scheduled on, and it is paid for.",
        "Lower `resources.requests` towards the suggestion: the p95 times `rightsizing_headroom` "
        "(default 1.2), rounded up to 10m/50m/100m CPU or 16Mi/64Mi/256Mi memory steps, never below "
        "the memory peak seen. Watch the usage after the change; a load that varies by the week needs "
        "more history than kdash keeps.",
        config=("rightsizing_minutes", "rightsizing_factor", "rightsizing_headroom"),
    )
)
def usage_requests_oversized(ctx: Ctx, t: Target) -> Iterator[Hit]:
    pods = _history_pods(ctx, t)
    if not pods:
        return
    view, need = ctx.snapshot.usage, ctx.config.rightsizing_minutes * 60
    for c in t.template.containers:
        seen, windows = 0.0, []
        for key, _ in pods:
            span, window = block_window(view.series(pod_series(key, c.name)))
            if window:
                seen = max(seen, span)
                windows.append(window)
        if seen < need or sum(len(w) for w in windows) < MIN_SAMPLES:
            continue
        bounds = _requests(ctx, t, c.name, [p for _, p in pods])
        if bounds is None:
            continue
        cpu = sorted(chain.from_iterable(map(_CPU, w) for w in windows))
        memory = sorted(chain.from_iterable(map(_MEMORY, w) for w in windows))
        found = [
            part
            for part in (
                _suggest("cpu", cpu, bounds.cpu_request, ctx),
                _suggest("memory", memory, bounds.memory_request, ctx),
            )
            if part
        ]
        if found:
            n = len(windows)
            yield Hit(
                f"container {c.name}: {'; '.join(found)} ({seen / 60:.0f} min of samples from {n} "
                f"pod{'s' if n != 1 else ''})",
                c.name,
            )
