"""The node screen's sections and its pods table: what `kubectl describe node` says (conditions,
taints, "Allocated resources", "Non-terminated Pods") as pure renderables and rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import partial

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from kdash.model.build.nodes import NodeDetail, Taint
from kdash.model.cluster import NodeRecord
from kdash.model.meta import Condition
from kdash.model.pods import PodRecord
from kdash.model.quantity import format_quantity, try_quantity
from kdash.model.relations import Allocation, condition_bad, ordered_conditions, pod_resources
from kdash.model.timefmt import age
from kdash.model.usage import NodeUsage, Usage, cpu_millis, memory_bytes, percent
from kdash.ui.render.pods import pod_style_class
from kdash.ui.render.table import BLANK, Cell, Column, Row
from kdash.ui.render.text import (
    ERROR_STYLE,
    MUTED_STYLE,
    OK_STYLE,
    WARNING_STYLE,
    age_cell,
    clean,
    ratio,
    safe,
    state_text,
)
from kdash.ui.render.usage import NA, format_cpu, format_memory, pct_cell

NONE = Text("none", style=MUTED_STYLE)
_NA = Cell(Text(NA, style=MUTED_STYLE, end=""), BLANK)  # no usage sample (or no metrics.k8s.io)

COLUMNS: tuple[Column, ...] = (
    Column("namespace", "NAMESPACE", max_width=30, ident=True),
    Column("name", "NAME", max_width=60, ident=True),
    Column("ready", "READY", min_width=5),
    Column("status", "STATUS", max_width=24),
    Column("cpu_use", "CPU", numeric=True, min_width=3, max_width=7, drop=2),
    Column("mem_use", "MEM", numeric=True, min_width=3, max_width=8, drop=2),
    Column("cpu_req", "CPU REQ", numeric=True),
    Column("cpu_lim", "CPU LIM", numeric=True, drop=3),
    Column("mem_req", "MEM REQ", numeric=True),
    Column("mem_lim", "MEM LIM", numeric=True, drop=3),
    Column("restarts", "RESTARTS", numeric=True, drop=2),
    Column("age", "AGE", drop=1),
)


def _share(resource: str, amount: Decimal, allocatable: Decimal | None) -> Cell:
    """ "250m (3%)", as kubectl describe node prints a pod's share; sorted by amount."""
    if not amount:
        return Cell(Text("0", style=MUTED_STYLE, end=""), Decimal(0))
    text = format_quantity(resource, amount)
    if allocatable:
        text += f" ({int(amount / allocatable * 100)}%)"
    return Cell(text, amount)


def pod_row(
    pod: PodRecord, now: datetime, allocatable: Mapping[str, str], measured: Usage | None = None
) -> Row:
    """One of the node's pods with what it uses now (metrics.k8s.io, n/a without a sample), requests
    and may use (kubectl's "Non-terminated Pods")."""
    return Row(
        pod.meta.key,
        build=partial(_pod_cells, pod, now, allocatable, measured),
        style_class=pod_style_class(pod),
        labels=pod.meta.labels,
    )


def _pod_cells(
    pod: PodRecord, now: datetime, allocatable: Mapping[str, str], measured: Usage | None
) -> tuple[Cell, ...]:
    requests, limits = pod_resources(pod, "requests"), pod_resources(pod, "limits")
    cpu, memory = try_quantity(allocatable.get("cpu")), try_quantity(allocatable.get("memory"))
    zero = Decimal(0)
    return (
        Cell(pod.meta.namespace, pod.meta.namespace),
        Cell(pod.meta.name, pod.meta.name),
        Cell(ratio(pod.ready_count, pod.container_count), pod.ready_count),
        Cell(state_text(pod.status_text or pod.phase or "Unknown"), pod.status_text),
        Cell(Text(format_cpu(measured.cpu_m), end=""), measured.cpu_m) if measured is not None else _NA,
        Cell(Text(format_memory(measured.memory), end=""), measured.memory) if measured is not None else _NA,
        _share("cpu", requests.get("cpu", zero), cpu),
        _share("cpu", limits.get("cpu", zero), cpu),
        _share("memory", requests.get("memory", zero), memory),
        _share("memory", limits.get("memory", zero), memory),
        Cell(str(pod.restarts), pod.restarts),
        age_cell(pod.meta.created, now),
    )


def pod_row_inputs(pod: PodRecord, now: datetime) -> str:
    """What a pod row shows that moves with time (its age): the row is rebuilt when it does."""
    return age(pod.meta.created, now)


def _pairs(pairs: Sequence[tuple[str, Text]]) -> Table:
    """Two label/value pairs a line, as the pod summary: short enough for 80x24."""
    table = Table.grid(padding=(0, 1))
    table.add_column(width=10, no_wrap=True, style=MUTED_STYLE)
    table.add_column(ratio=1)
    table.add_column(width=10, no_wrap=True, style=MUTED_STYLE)
    table.add_column(ratio=1)
    padded = list(pairs) + ([("", Text(""))] if len(pairs) % 2 else [])
    for i in range(0, len(padded), 2):
        (left, lvalue), (right, rvalue) = padded[i], padded[i + 1]
        table.add_row(Text(left, style=MUTED_STYLE), lvalue, Text(right, style=MUTED_STYLE), rvalue)
    return table


def status_text(record: NodeRecord | None, detail: NodeDetail | None) -> Text:
    """ "Ready", "NotReady", "Unknown", with ",SchedulingDisabled" when cordoned (kubectl's STATUS)."""
    conds = detail_conditions(record, detail)
    ready = next((c for c in conds if c.type == "Ready"), None)
    if ready is None:
        out = Text("Unknown", style=WARNING_STYLE, end="")
    elif ready.status == "True":
        out = Text("Ready", style=OK_STYLE, end="")
    else:
        out = Text("NotReady" if ready.status == "False" else "Unknown", style=ERROR_STYLE, end="")
    unschedulable = detail.unschedulable if detail is not None else bool(record and record.unschedulable)
    if unschedulable:
        out.append(",SchedulingDisabled", style=WARNING_STYLE)
    pressures = [c.type for c in conds if c.type != "Ready" and condition_bad(c)]
    if pressures:
        out.append("  " + ", ".join(pressures), style=ERROR_STYLE)
    return out


def detail_conditions(record: NodeRecord | None, detail: NodeDetail | None) -> list[Condition]:
    if detail is not None:
        return [c.condition for c in detail.conditions]
    return list(record.conditions) if record is not None else []


def summary_section(record: NodeRecord | None, detail: NodeDetail | None, now: datetime) -> RenderableType:
    """Roles, age, kubelet, runtime, OS, addresses (the status is the title's)."""
    created = (detail.meta.created if detail is not None else None) or (
        record.meta.created if record else None
    )
    pairs: list[tuple[str, Text]] = [
        ("Roles", safe(", ".join(record.roles) if record and record.roles else "<none>")),
        ("Age", Text(age(created, now), end="")),
    ]
    if detail is not None:
        info = detail.info
        pairs += [
            ("Kubelet", safe(info.kubelet_version or "<unknown>")),
            ("Runtime", safe(info.container_runtime or "<unknown>")),
            ("OS", safe(" ".join(p for p in (info.os_image, info.architecture) if p) or "<unknown>")),
            ("Kernel", safe(info.kernel_version or "<unknown>")),
        ]
        for kind, address in detail.addresses:
            pairs.append((clean(kind)[:10], safe(address)))
        if detail.pod_cidr:
            pairs.append(("Pod CIDR", safe(detail.pod_cidr)))
    elif record is not None:
        pairs += [("Kubelet", safe(record.version or "<unknown>")), ("InternalIP", safe(record.internal_ip))]
    return _pairs(pairs)


def conditions_section(record: NodeRecord | None, detail: NodeDetail | None, now: datetime) -> RenderableType:
    """Every condition with its reason and for how long; a problem (NotReady, a pressure) in red
    with its message and the kubelet's last heartbeat (a stale one means the kubelet is gone)."""
    heartbeats = {c.condition.type: c.heartbeat for c in detail.conditions} if detail is not None else {}
    conds = ordered_conditions(detail_conditions(record, detail))
    if not conds:
        return NONE
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for cond in conds:
        bad = condition_bad(cond)
        style = ERROR_STYLE if bad else ""
        mark = Text("✗ " if bad else "✓ ", style=ERROR_STYLE if bad else OK_STYLE, end="")
        mark.append(clean(cond.type), style=style or "bold")
        words = safe(cond.reason, style)
        since = [f"for {age(cond.last_transition, now)}"] if cond.last_transition is not None else []
        beat = heartbeats.get(cond.type)
        if bad and beat is not None:
            since.append(f"heartbeat {age(beat, now)} ago")
        if since:
            words.append(f" ({', '.join(since)})", style=MUTED_STYLE)
        if bad and cond.message:
            words.append("  ")
            words.append(clean(cond.message), style=WARNING_STYLE)
        table.add_row(mark, safe(cond.status, ERROR_STYLE if bad else OK_STYLE), words)
    return table


def taints_section(record: NodeRecord | None, detail: NodeDetail | None, now: datetime) -> RenderableType:
    """Taints (kubectl's key=value:Effect) and whether the node is cordoned."""
    lines: list[Text] = []
    unschedulable = detail.unschedulable if detail is not None else bool(record and record.unschedulable)
    if unschedulable:
        lines.append(Text("Unschedulable: cordoned, no new pods are scheduled here", style=WARNING_STYLE))
    taints: Sequence[Taint] = detail.taints if detail is not None else ()
    for taint in taints:
        style = ERROR_STYLE if taint.effect == "NoExecute" else WARNING_STYLE
        line = safe(taint.text, style)
        if taint.added is not None:
            line.append(f"  added {age(taint.added, now)} ago", style=MUTED_STYLE)
        lines.append(line)
    if not lines:
        return Text(
            "none: any pod may be scheduled here" if detail is not None else "loading…", style=MUTED_STYLE
        )
    return Text("\n").join(lines)


def _amount(resource: str, value: Decimal, percent: int | None, warn: bool) -> Text:
    text = format_quantity(resource, value) if resource != "pods" else str(int(value))
    style = ""
    if percent is not None:
        text += f" ({percent}%)"
        if percent >= 100:
            style = ERROR_STYLE if warn else WARNING_STYLE
        elif percent >= 80 and warn:
            style = WARNING_STYLE
    return Text(text, style=style, end="")


def allocation_section(allocations: Sequence[Allocation]) -> RenderableType:
    """kubectl describe node's "Allocated resources" with allocatable and capacity beside it:
    requests decide what else fits here; limits above 100 % are overcommitted."""
    table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False, header_style=MUTED_STYLE)
    table.add_column("Resource", no_wrap=True)
    table.add_column("Requests", justify="right", no_wrap=True)
    table.add_column("Limits", justify="right", no_wrap=True)
    table.add_column("Allocatable", justify="right", no_wrap=True)
    table.add_column("Capacity", justify="right", no_wrap=True)
    for a in allocations:
        pods = a.resource == "pods"

        def total(value: Decimal | None, resource: str = a.resource) -> Text:
            if value is None:
                return Text("-", style=MUTED_STYLE)
            return Text(str(int(value)) if resource == "pods" else format_quantity(resource, value))

        table.add_row(
            safe(a.resource),
            _amount(a.resource, a.requests, a.request_percent, warn=True),
            Text("-", style=MUTED_STYLE)
            if pods
            else _amount(a.resource, a.limits, a.limit_percent, warn=False),
            total(a.allocatable),
            total(a.capacity),
        )
    return table


# -- the nodes list's usage columns (kdash/ui/nodes_list.py) -----------------------------

# k9s' node columns (CPU, %CPU, MEM, %MEM of allocatable, CPU/A, MEM/A allocatable) and what the
# node's pods request of allocatable, which decides what the scheduler still places here. The
# percentages stay longest at 80 columns; the allocatable amounts go first.
USAGE_COLUMNS: tuple[Column, ...] = (
    Column("use_cpu", "CPU", numeric=True, min_width=3, max_width=7, drop=2),
    Column("use_cpu_pct", "%CPU", numeric=True, width=4, drop=1),
    Column("use_mem", "MEM", numeric=True, min_width=3, max_width=8, drop=2),
    Column("use_mem_pct", "%MEM", numeric=True, width=4, drop=1),
    Column("req_cpu_pct", "CPU REQ%", numeric=True, width=8, drop=3),
    Column("req_mem_pct", "MEM REQ%", numeric=True, width=8, drop=3),
    Column("alloc_cpu", "CPU/A", numeric=True, min_width=5, max_width=7, drop=4),
    Column("alloc_mem", "MEM/A", numeric=True, min_width=5, max_width=8, drop=4),
)


def _requested_cell(amount: Decimal | None, allocatable: float | None, scale: float) -> Cell:
    """Requested of allocatable, truncated as kubectl prints it: yellow from 80 %, red from 100 %
    (as the node screen's "Allocated resources"); n/a while the pods are not known."""
    if amount is None:
        return _NA
    value = percent(float(amount) * scale, allocatable)
    if value is None:
        return _NA
    style = ERROR_STYLE if value >= 100 else WARNING_STYLE if value >= 80 else ""
    return Cell(Text(str(int(value)), style=style, end=""), value)


def usage_cells(
    measured: NodeUsage | None,
    allocatable: Mapping[str, str],
    requested: Mapping[str, Decimal] | None,
) -> tuple[Cell, ...]:
    """Cells for USAGE_COLUMNS: usage n/a without a sample (or without metrics.k8s.io), requests
    n/a while the pods are not listed (`requested` None); a node with no pods requests 0."""
    cpu_a, mem_a = cpu_millis(allocatable.get("cpu")), memory_bytes(allocatable.get("memory"))
    if measured is None:
        use: tuple[Cell, ...] = (_NA,) * 4
    else:
        cpu, mem = measured.usage
        use = (
            Cell(Text(format_cpu(cpu), end=""), cpu),
            pct_cell(percent(cpu, cpu_a), limit=True),
            Cell(Text(format_memory(mem), end=""), mem),
            pct_cell(percent(mem, mem_a), limit=True),
        )
    zero = Decimal(0)
    return (
        *use,
        _requested_cell(None if requested is None else requested.get("cpu", zero), cpu_a, 1000.0),
        _requested_cell(None if requested is None else requested.get("memory", zero), mem_a, 1.0),
        Cell(Text(format_cpu(cpu_a), end=""), cpu_a) if cpu_a is not None else _NA,
        Cell(Text(format_memory(mem_a), end=""), mem_a) if mem_a is not None else _NA,
    )
