"""Usage in list rows: the six k9s cells of a pod, of a workload (the sum over its pods) and of a
namespace, and a workload's summed CPU history as a sparkline.

The cells are the same as kdash.ui.render.usage's (`usage_cells`: numbers and colours), made for
the hot path: a metrics poll replaces the usage cells of every row of a list (10,000 pods every
15 s), so plain figures are strs (no Text until drawn) and n/a is one shared cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from rich.text import Text

from kdash.model.meta import ObjectKey
from kdash.model.usage import (
    Bounds,
    PodUsage,
    Sample,
    Usage,
    UsageFigures,
    UsageView,
    pod_series,
)
from kdash.ui.render.table import BLANK, Cell, Column
from kdash.ui.render.text import ERROR_STYLE, MUTED_STYLE, WARNING_STYLE
from kdash.ui.render.usage import (
    LIMIT_ERROR,
    LIMIT_WARN,
    NA,
    REQUEST_LOW,
    format_cpu,
    format_memory,
    sparkline,
)

# One n/a cell shared by every row without metrics (cells are never mutated: Cell.as_text).
NA_CELL = Cell(Text(NA, style=MUTED_STYLE, end=""), BLANK)
NA_CELLS: tuple[Cell, ...] = (NA_CELL,) * 6

TREND_WIDTH = 10
TREND_COLUMN = Column("cpu_trend", "CPU TREND", width=TREND_WIDTH, drop=3)


def _pct(value: float | None, *, limit: bool) -> Cell:
    """A percentage cell as `usage.pct_cell` colours it: of a limit yellow from 80 %, red from
    90 %; of a request dim under 10 % (waste)."""
    if value is None:
        return NA_CELL
    if limit:
        style = ERROR_STYLE if value >= LIMIT_ERROR else WARNING_STYLE if value >= LIMIT_WARN else ""
    else:
        style = MUTED_STYLE if value < REQUEST_LOW else ""
    shown = f"{round(value)}"
    return Cell(Text(shown, style=style, end="") if style else shown, value)


def figure_cells(f: UsageFigures | None) -> tuple[Cell, ...]:
    """Cells for `usage.usage_columns()`, in their order; six n/a cells for None (no metrics)."""
    if f is None:
        return NA_CELLS
    return (
        Cell(format_cpu(f.cpu_m), f.cpu_m),
        Cell(format_memory(f.memory), f.memory),
        _pct(f.cpu_request_pct, limit=False),
        _pct(f.cpu_limit_pct, limit=True),
        _pct(f.memory_request_pct, limit=False),
        _pct(f.memory_limit_pct, limit=True),
    )


def _share(used: float, of: float | None, *, limit: bool) -> Cell:
    """`used` as a percentage of `of` (`usage.percent`: n/a when `of` is unknown or zero)."""
    if of is None or of <= 0 or used != used:  # used != used: NaN
        return NA_CELL
    return _pct(used / of * 100.0, limit=limit)


def bounded_cells(cpu_m: float, memory: float, bounds: Bounds) -> tuple[Cell, ...]:
    """`figure_cells(figures(Usage(cpu_m, memory), bounds))` without the intermediate objects:
    the hot path of a metrics poll over 10,000 pods."""
    return (
        Cell(format_cpu(cpu_m), cpu_m),
        Cell(format_memory(memory), memory),
        _share(cpu_m, bounds.cpu_request, limit=False),
        _share(cpu_m, bounds.cpu_limit, limit=True),
        _share(memory, bounds.memory_request, limit=False),
        _share(memory, bounds.memory_limit, limit=True),
    )


def pod_usage_cells(measured: PodUsage | None, bounds: Bounds) -> tuple[Cell, ...]:
    """A pod's cells: its containers' usage summed against its requests and limits; n/a while
    metrics-server has no sample of it (pending, just started, or finished)."""
    if measured is None:
        return NA_CELLS
    cpu = mem = 0.0
    for used in measured.containers.values():
        cpu += used.cpu_m
        mem += used.memory
    return bounded_cells(cpu, mem, bounds)


def summed_series(series: Iterable[Sequence[Sample]], interval: float, last: int = 0) -> list[float]:
    """The CPU of several pods summed per poll, oldest first: samples are matched by their poll
    (`at` in steps of `interval`), as metrics-server stamps each pod's scrape a little apart.
    `last` > 0 keeps only the newest `last` polls (and reads only the end of each series: a
    workload row draws ten, its pods may hold an hour each)."""
    step = interval if interval > 0 else 15.0
    buckets: dict[int, float] = {}
    for samples in series:
        for s in samples[-(last + 2) :] if last > 0 else samples:
            slot = round(s.at / step)
            buckets[slot] = buckets.get(slot, 0.0) + s.cpu_m
    slots = sorted(buckets)
    return [buckets[slot] for slot in (slots[-last:] if last > 0 else slots)]


def trend_cell(values: Sequence[float], width: int = TREND_WIDTH) -> Cell:
    """The last `width` values as a sparkline scaled to their peak; sorts by the latest value."""
    if not values:
        return NA_CELL
    return Cell(sparkline(values, width), values[-1])


def workload_series(keys: Iterable[ObjectKey], usage: UsageView, last: int = TREND_WIDTH) -> list[float]:
    """The summed CPU history of a workload's pods (their total series), the newest `last` polls."""
    if usage.history is None:
        return []
    # two more than drawn: a pod scraped just after the others' poll lands in the next slot
    return summed_series((usage.tail(pod_series(k), last + 2) for k in keys), usage.interval, last)


def namespace_usage(pods: Mapping[ObjectKey, PodUsage]) -> dict[str, Usage]:
    """CPU and memory per namespace: the sum of its measured pods."""
    cpu: dict[str, float] = {}
    mem: dict[str, float] = {}
    for key, measured in pods.items():
        ns = key.namespace or ""
        used = measured.total
        cpu[ns] = cpu.get(ns, 0.0) + used.cpu_m
        mem[ns] = mem.get(ns, 0.0) + used.memory
    return {ns: Usage(cpu[ns], mem[ns]) for ns in cpu}
