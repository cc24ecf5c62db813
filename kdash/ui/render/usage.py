"""Usage cells shared by every table that shows metrics: CPU, MEM, %CPU/R, %CPU/L, %MEM/R, %MEM/L
as k9s names them, coloured like the quota bars, and sparklines of a series.

A percentage of a limit turns yellow from 80 % and red from 90 % (memory there is an OOMKill risk,
CPU is throttled); a percentage of a request is only informative (above 100 % is allowed) and is
dimmed when far below (waste). Every cell sorts by its number; n/a sorts blank (last either way).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text

from kdash.model.usage import Sample, UsageFigures
from kdash.ui.render.table import BLANK, Cell, Column
from kdash.ui.render.text import ERROR_STYLE, MUTED_STYLE, WARNING_STYLE

LIMIT_WARN, LIMIT_ERROR = 80.0, 90.0
REQUEST_LOW = 10.0  # under a tenth of the request: dimmed (a right-sizing candidate)
NA = "n/a"

SPARK_BARS = "▁▂▃▄▅▆▇█"


USAGE_KEYS = ("cpu", "mem", "cpu_r", "cpu_l", "mem_r", "mem_l")


def usage_columns(
    drop: int = 3, *, limit_drop: int | None = None, request_drop: int | None = None
) -> tuple[Column, ...]:
    """The six usage columns; the percentages go before CPU/MEM when the table is narrow (by
    default all at `drop + 1`; a list may keep the limit ones longer than the request ones)."""
    limit_drop = drop + 1 if limit_drop is None else limit_drop
    request_drop = drop + 1 if request_drop is None else request_drop
    return (
        Column("cpu", "CPU", numeric=True, min_width=3, max_width=7, drop=drop),
        Column("mem", "MEM", numeric=True, min_width=3, max_width=7, drop=drop),
        Column("cpu_r", "%CPU/R", numeric=True, min_width=6, max_width=7, drop=request_drop),
        Column("cpu_l", "%CPU/L", numeric=True, min_width=6, max_width=7, drop=limit_drop),
        Column("mem_r", "%MEM/R", numeric=True, min_width=6, max_width=7, drop=request_drop),
        Column("mem_l", "%MEM/L", numeric=True, min_width=6, max_width=7, drop=limit_drop),
    )


def format_cpu(millicores: float) -> str:
    """kubectl top's CPU: "0m", "12m", "250m" (rounded up, as Quantity.MilliValue() does: 9.2m
    reads "10m"); whole and tenth cores from 10 cores up."""
    if millicores >= 10_000:
        return f"{millicores / 1000:.1f}"
    return f"{math.ceil(millicores - 1e-9)}m"  # 1e-9: float noise must not add a millicore (1n is 1e-6m)


def format_memory(nbytes: float) -> str:
    """kubectl top's MEMORY: Mi, and Gi with one decimal from 10 Gi up."""
    mib = nbytes / (1024 * 1024)
    if mib >= 10 * 1024:
        return f"{mib / 1024:.1f}Gi"
    return f"{math.floor(mib + 1e-9)}Mi"  # whole MiB, rounded down as kubectl's Value()/Mi is


def _pct_text(value: float | None, *, limit: bool) -> Text:
    if value is None:
        return Text(NA, style=MUTED_STYLE)
    style = ""
    if limit:
        style = ERROR_STYLE if value >= LIMIT_ERROR else WARNING_STYLE if value >= LIMIT_WARN else ""
    elif value < REQUEST_LOW:
        style = MUTED_STYLE
    return Text(f"{round(value)}", style=style)


def pct_cell(value: float | None, *, limit: bool) -> Cell:
    return Cell(_pct_text(value, limit=limit), BLANK if value is None else value)


def usage_cells(f: UsageFigures | None) -> tuple[Cell, ...]:
    """Cells for `usage_columns()`, in their order; six n/a cells without metrics."""
    if f is None:
        na = Cell(Text(NA, style=MUTED_STYLE), BLANK)
        return (na,) * 6
    return (
        Cell(Text(format_cpu(f.cpu_m)), f.cpu_m),
        Cell(Text(format_memory(f.memory)), f.memory),
        pct_cell(f.cpu_request_pct, limit=False),
        pct_cell(f.cpu_limit_pct, limit=True),
        pct_cell(f.memory_request_pct, limit=False),
        pct_cell(f.memory_limit_pct, limit=True),
    )


def sparkline(values: Sequence[float], width: int, top: float | None = None, style: str = "") -> Text:
    """The last `width` values as block characters, scaled to `top` (a limit, when there is one,
    so a full bar means "at the limit") or else to the largest value seen."""
    tail = list(values)[-width:] if width > 0 else []
    if not tail:
        return Text("")
    peak = top if top is not None and top > 0 else max(tail)
    if peak <= 0:
        return Text(SPARK_BARS[0] * len(tail), style=style)
    last = len(SPARK_BARS) - 1
    chars = "".join(SPARK_BARS[min(last, max(0, round(v / peak * last)))] for v in tail)
    return Text(chars, style=style)


def cpu_spark(samples: Sequence[Sample], width: int, limit: float | None = None) -> Text:
    return sparkline([s.cpu_m for s in samples], width, limit)


def memory_spark(samples: Sequence[Sample], width: int, limit: float | None = None) -> Text:
    values = [s.memory for s in samples]
    style = ""
    if limit and values and values[-1] / limit * 100 >= LIMIT_ERROR:
        style = ERROR_STYLE
    elif limit and values and values[-1] / limit * 100 >= LIMIT_WARN:
        style = WARNING_STYLE
    return sparkline(values, width, limit, style)
