"""Pod rows (`:pods`, a workload's pods, quota → heaviest pods): `kubectl get pods -o wide`'s
columns plus when the pod last restarted, k9s's usage columns (CPU, MEM, %CPU/R, %CPU/L, %MEM/R,
%MEM/L), and what a pod counts against a quota."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from rich.text import Text

from kdash.model.pods import PodRecord
from kdash.model.quantity import format_quantity, try_quantity
from kdash.model.timefmt import age
from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.render.text import age_text, clean, ratio, state_text
from kdash.ui.render.usage import usage_columns
from kdash.ui.render.usage_rows import NA_CELLS

# Narrow terminals hide the highest `drop` first (the rightmost of equals): %CPU/R, %MEM/R,
# %CPU/L, IP, %MEM/L (the OOMKill risk stays longest of the percentages), NODE, MEM, CPU, then
# LAST RESTART; names never.
_USAGE_DROPS = {"cpu": 2, "mem": 2, "cpu_r": 6, "cpu_l": 4, "mem_r": 5, "mem_l": 3}
USAGE_COLUMNS = tuple(replace(c, drop=_USAGE_DROPS[c.key]) for c in usage_columns())
COLUMNS: tuple[Column, ...] = (
    Column("name", "NAME", max_width=60, ident=True),
    Column("ready", "READY", min_width=5),
    Column("status", "STATUS", max_width=30),
    Column("restarts", "RESTARTS", numeric=True),
    Column("last_restart", "LAST RESTART", drop=1),
    *USAGE_COLUMNS,
    Column("node", "NODE", max_width=30, drop=2),
    Column("ip", "IP", min_width=7, drop=3),
    Column("age", "AGE"),
)
USAGE_AT = 5  # the index of CPU, the first usage cell, in a row without NAMESPACE
NAMESPACE_COLUMN = Column("namespace", "NAMESPACE", max_width=30, ident=True)
REQUESTS_COLUMN = Column("requests", "REQUESTS", min_width=10, flex=True)

_ERROR_STATUSES = ("CrashLoopBackOff", "Error", "ImagePullBackOff", "ErrImagePull", "OOMKilled", "Failed")


def columns(*, namespace: bool = False, requests: bool = False) -> tuple[Column, ...]:
    """The pod columns, with NAMESPACE first (all namespaces) and REQUESTS last (a quota's pods)."""
    head = (NAMESPACE_COLUMN,) if namespace else ()
    tail = (REQUESTS_COLUMN,) if requests else ()
    return (*head, *COLUMNS, *tail)


def pod_style_class(pod: PodRecord) -> str | None:
    """Row colour: crashing red, starting or not ready yellow, finished dim."""
    status = pod.status_text or pod.phase
    if pod.phase == "Succeeded" or status == "Completed":
        return "muted"
    if any(word in status for word in _ERROR_STATUSES) or pod.phase == "Failed":
        return "error"
    if pod.phase == "Pending" or status.startswith("Init:") or pod.ready_count < pod.container_count:
        return "warning"
    return None


UsageCells = Callable[[], tuple[Cell, ...]]
"""The six usage cells of a row, made when the row is built (kdash.ui.usage_rows makes them)."""


def usage_index(namespace: bool) -> int:
    """Where the usage cells start in a pod row (NAMESPACE comes first in all namespaces)."""
    return USAGE_AT + 1 if namespace else USAGE_AT


def pod_row(
    pod: PodRecord,
    now: datetime,
    *,
    namespace: bool = False,
    extra: Sequence[Cell] = (),
    usage: UsageCells | None = None,
) -> Row:
    """A pod as `kubectl get pods -o wide` would print it, plus when it last restarted and its
    usage (`usage`; n/a without); `extra` cells follow (the REQUESTS of a quota's pods). Built
    when first drawn, measured, sorted or filtered (`Row(build=)`): `:pods` lists 10,000 and
    shows a screenful."""
    build = partial(pod_cells, pod, now, namespace, tuple(extra), usage)
    return Row(pod.meta.key, build=build, style_class=pod_style_class(pod), labels=pod.meta.labels)


def pod_cells(
    pod: PodRecord,
    now: datetime,
    namespace: bool,
    extra: tuple[Cell, ...],
    usage: UsageCells | None = None,
) -> tuple[Cell, ...]:
    """The cells of `pod_row`."""
    created = pod.meta.created
    restarted = pod.last_restart
    cells = [
        Cell(pod.meta.name, pod.meta.name),
        Cell(ratio(pod.ready_count, pod.container_count), pod.ready_count),
        Cell(state_text(pod.status_text or pod.phase or "Unknown"), pod.status_text),
        Cell(str(pod.restarts), pod.restarts),
        Cell(
            Text(age(restarted, now) + " ago" if restarted else "", style="dim", end=""),
            -restarted.timestamp() if restarted else None,
        ),
        *(usage() if usage is not None else NA_CELLS),
        Cell(pod.node or "<none>", pod.node),
        Cell(pod.pod_ip or "<none>", pod.pod_ip),
        Cell(age_text(created, now), -created.timestamp() if created else None),
    ]
    if namespace:
        cells.insert(0, Cell(pod.meta.namespace, pod.meta.namespace))
    cells.extend(extra)
    return tuple(cells)


def pod_ages(pod: PodRecord, now: datetime) -> tuple[str, str]:
    """The age texts a pod row shows: its row is rebuilt when one of them moves on."""
    return age(pod.meta.created, now), age(pod.last_restart, now) if pod.last_restart else ""


# -- what a pod counts against a quota ------------------------------------------------------------


def request_field(resource: str) -> tuple[str, str] | None:
    """Map a quota resource name to ("requests"|"limits", container resource), None for counts."""
    if resource.startswith("requests."):
        return "requests", resource.removeprefix("requests.")
    if resource.startswith("limits."):
        return "limits", resource.removeprefix("limits.")
    if resource in ("cpu", "memory", "ephemeral-storage") or resource.startswith("hugepages-"):
        return "requests", resource
    return None


def pod_amount(pod: PodRecord, resource: str) -> Decimal:
    """What a pod counts against a quota resource: the larger of its containers' sum and its largest
    init container, as the quota admission plugin computes it."""
    spec = request_field(resource)
    if spec is None:
        return Decimal(0)
    which, name = spec

    def amount(values: Any) -> Decimal:
        return try_quantity(values.get(name)) or Decimal(0)

    total = sum((amount(getattr(c, which)) for c in pod.spec.containers), Decimal(0))
    init = max((amount(getattr(c, which)) for c in pod.spec.init_containers), default=Decimal(0))
    return max(total, init)


def requests_cell(pod: PodRecord, resources: Sequence[str]) -> Cell:
    """ "requests.cpu 250m, requests.memory 512Mi" for the quota's resources."""
    parts = [
        f"{clean(r)} {format_quantity(r, pod_amount(pod, r))}"
        for r in resources
        if request_field(r) is not None
    ]
    return Cell(Text(", ".join(parts)))
