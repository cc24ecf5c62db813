"""The "Usage" sections of the pod and node screens: usage now against requests, limits and
allocatable, and sparklines of the history kdash kept while it ran.

Pure functions from records and the snapshot's `UsageView` to Rich renderables, as the other
detail sections (kdash/ui/widgets/detail_sections.py). A sparkline is a renderable that draws as
many of the newest samples as its cell is wide, so one section fits 80 columns and 160 alike.
A memory sparkline is scaled to the limit when there is one (a full bar is "at the limit", where
the kernel OOM-kills) and coloured from 80 / 90 % of it, as the %MEM/L cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from kdash.model.pods import PodRecord
from kdash.model.relations import Allocation
from kdash.model.usage import (
    Bounds,
    Sample,
    Usage,
    UsageView,
    container_bounds,
    cpu_millis,
    memory_bytes,
    node_series,
    percent,
    pod_bounds,
    pod_series,
    span_seconds,
)
from kdash.ui.render.text import ERROR_STYLE, MUTED_STYLE, WARNING_STYLE, clean
from kdash.ui.render.usage import NA, cpu_spark, format_cpu, format_memory, memory_spark, pct_cell

Resource = Literal["cpu", "memory"]
SPARK_MIN = 8  # the history column never narrower than this
SCALE_NOTE = "full bar = limit (or peak seen)"


@dataclass(frozen=True, slots=True)
class Spark:
    """A sparkline of `samples` as wide as its cell: the newest `width` samples, scaled to `top`
    (a limit or allocatable; the peak seen without one)."""

    samples: tuple[Sample, ...]
    resource: Resource
    top: float | None = None

    def text(self, width: int) -> Text:
        if self.resource == "cpu":
            return cpu_spark(self.samples, width, self.top)
        return memory_spark(self.samples, width, self.top)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        line = self.text(options.max_width)
        line.no_wrap = True
        line.end = ""
        yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, max(SPARK_MIN, len(self.samples)))


def duration_text(seconds: float) -> str:
    """ "45 s", "12 min", "1 h 5 min": how long a history covers, to the minute past one."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def history_text(samples: Sequence[Sample], usage: UsageView) -> str:
    """ "last 12 min, 48 samples, up to 240 kept": how much history a right-sizing read rests on."""
    kept = f", up to {usage.history.capacity} kept" if usage.history is not None else ""
    if not samples:
        return "no samples yet" + kept
    if len(samples) == 1:
        return "1 sample so far" + kept
    return f"last {duration_text(span_seconds(tuple(samples)))}, {len(samples)} samples{kept}"


def _amount(resource: Resource, value: float | None) -> Text:
    if value is None:
        return Text("-", style=MUTED_STYLE, end="")
    return Text(format_cpu(value) if resource == "cpu" else format_memory(value), end="")


def _pct(value: float | None, *, limit: bool) -> Text:
    return pct_cell(value, limit=limit).as_text()


def _table() -> Table:
    return Table(
        box=None, padding=(0, 1), pad_edge=False, show_edge=False, header_style=MUTED_STYLE, expand=True
    )


# -- pod detail ----------------------------------------------------------------------------------


def _pod_table() -> Table:
    table = _table()
    table.add_column("", no_wrap=True, max_width=28, overflow="ellipsis")
    table.add_column("", no_wrap=True, style=MUTED_STYLE)
    for label in ("NOW", "REQUEST", "%REQ", "LIMIT", "%LIM"):
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("HISTORY", ratio=1, no_wrap=True, min_width=SPARK_MIN)
    return table


def _pod_rows(
    table: Table, name: Text, now: Usage | None, bounds: Bounds, series: tuple[Sample, ...]
) -> None:
    """Two rows, CPU and MEM: now, the request and its % (k9s' %CPU/R, %MEM/R), the limit and its %
    (%CPU/L, %MEM/L), and the history."""
    rows: tuple[tuple[Resource, float | None, float | None, float | None], ...] = (
        ("cpu", now.cpu_m if now is not None else None, bounds.cpu_request, bounds.cpu_limit),
        ("memory", now.memory if now is not None else None, bounds.memory_request, bounds.memory_limit),
    )
    for resource, used, request, limit in rows:
        table.add_row(
            name if resource == "cpu" else Text(""),
            Text("CPU" if resource == "cpu" else "MEM"),
            _amount(resource, used),
            _amount(resource, request),
            _pct(percent(used, request) if used is not None else None, limit=False),
            _amount(resource, limit),
            _pct(percent(used, limit) if used is not None else None, limit=True),
            Spark(series, resource, limit),
        )


def pod_usage_section(pod: PodRecord, usage: UsageView) -> RenderableType:
    """Per container: CPU and memory now against its requests and limits, and their history.

    Without metrics.k8s.io one line says so; a pod metrics-server has not reported (not running
    yet, or its first scrape is still to come) keeps its requests and limits with "-" for now."""
    if not usage.available:
        return Text(clean(usage.message) or "metrics unavailable", style=MUTED_STYLE)
    key = pod.meta.key
    measured = usage.pods.get(key)
    specs = pod.spec.containers
    all_bounds = [container_bounds(s.requests, s.limits) for s in specs]
    pod_total = usage.series(pod_series(key))
    table = _pod_table()
    for spec, bounds in zip(specs, all_bounds, strict=True):
        now = measured.containers.get(spec.name) if measured is not None else None
        _pod_rows(
            table, Text(clean(spec.name), style="bold"), now, bounds, usage.series(pod_series(key, spec.name))
        )
    if len(specs) > 1:
        now = measured.total if measured is not None else None
        _pod_rows(table, Text("pod total", style="italic"), now, pod_bounds(all_bounds), pod_total)
    caption = Text(f"{history_text(pod_total, usage)} · {SCALE_NOTE}", style=MUTED_STYLE)
    if measured is None:
        return Group(Text(_unmeasured(pod, pod_total), style=MUTED_STYLE), table, caption)
    return Group(table, caption)


def _unmeasured(pod: PodRecord, history: tuple[Sample, ...]) -> str:
    """Why a pod has no usage now: metrics-server reports running containers only."""
    if pod.phase in ("Succeeded", "Failed"):
        return "not running: metrics-server reports running pods only"
    if history:
        return "no sample now: no container running (restarting?); the history is kept"
    return "no sample yet: metrics-server has not reported this pod"


# -- node detail ---------------------------------------------------------------------------------


def _allocated(allocations: Sequence[Allocation], resource: Resource) -> float | None:
    """What the node's pods request, in the usage units (millicores, bytes)."""
    for a in allocations:
        if a.resource == resource:
            return float(a.requests) * (1000.0 if resource == "cpu" else 1.0)
    return None


def _request_pct(value: float | None) -> Text:
    """Requested of allocatable: as the "Allocated resources" table, yellow from 80 %, red from 100 %."""
    if value is None:
        return Text(NA, style=MUTED_STYLE, end="")
    style = ERROR_STYLE if value >= 100 else WARNING_STYLE if value >= 80 else ""
    return Text(f"{int(value)}", style=style, end="")


def node_usage_section(
    name: str, usage: UsageView, allocatable: Mapping[str, str], allocations: Sequence[Allocation]
) -> RenderableType:
    """CPU and memory used now and requested by the node's pods, each against allocatable, with
    the history scaled to allocatable (a full bar is a full node)."""
    alloc_cpu, alloc_mem = cpu_millis(allocatable.get("cpu")), memory_bytes(allocatable.get("memory"))
    req_cpu, req_mem = _allocated(allocations, "cpu"), _allocated(allocations, "memory")
    measured = usage.nodes.get(name) if usage.available else None
    series = usage.series(node_series(name)) if usage.available else ()
    table = _table()
    table.add_column("", no_wrap=True, style=MUTED_STYLE)
    for label in ("USED", "%USED", "REQUESTED", "%REQ", "ALLOCATABLE"):
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("HISTORY", ratio=1, no_wrap=True, min_width=SPARK_MIN)
    rows: tuple[tuple[Resource, str, float | None, float | None, float | None], ...] = (
        ("cpu", "CPU", measured.usage.cpu_m if measured else None, req_cpu, alloc_cpu),
        ("memory", "MEM", measured.usage.memory if measured else None, req_mem, alloc_mem),
    )
    for resource, label, used, requested, total in rows:
        table.add_row(
            Text(label),
            _amount(resource, used) if usage.available else Text(NA, style=MUTED_STYLE),
            _pct(percent(used, total) if used is not None else None, limit=True),
            _amount(resource, requested),
            _request_pct(percent(requested, total) if requested is not None else None),
            _amount(resource, total),
            Spark(series, resource, total),
        )
    if not usage.available:
        return Group(Text(clean(usage.message) or "metrics unavailable", style=MUTED_STYLE), table)
    caption = Text(f"{history_text(series, usage)} · full bar = allocatable", style=MUTED_STYLE)
    if measured is None:
        note = Text("no sample yet: metrics-server has not reported this node", style=MUTED_STYLE)
        return Group(note, table, caption)
    return Group(table, caption)
