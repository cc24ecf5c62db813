"""The Service and Ingress screens' sections and tables: who gets a Service's traffic (its
endpoints, the pods behind them and why the others do not), which Ingresses route to it, and an
Ingress's routes with the backends that do not exist in red."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from kdash.model.build.network import EndpointSliceRecord, IngressRecord
from kdash.model.cluster import ServiceRecord
from kdash.model.meta import LabelSelector, ObjectKey
from kdash.model.relations import BackendCheck, EndpointRow
from kdash.model.timefmt import age
from kdash.ui.render.table import BLANK, Cell, Column, Row
from kdash.ui.render.text import (
    ERROR_STYLE,
    MUTED_STYLE,
    OK_STYLE,
    WARNING_STYLE,
    clean,
    ratio,
    safe,
    state_text,
)

ENDPOINT_COLUMNS: tuple[Column, ...] = (
    Column("address", "ADDRESS", min_width=7),
    Column("traffic", "TRAFFIC", min_width=7),
    Column("pod", "POD", max_width=60, ident=True),
    Column("status", "STATUS", max_width=24, drop=1),
    Column("node", "NODE", max_width=30, drop=2),
    Column("why", "WHY NOT READY", min_width=10, flex=True),
)

ROUTE_COLUMNS: tuple[Column, ...] = (
    Column("host", "HOST", max_width=50, ident=True),
    Column("path", "PATH", max_width=40),
    Column("type", "TYPE", drop=2),
    Column("backend", "BACKEND", max_width=50),
    Column("ready", "READY", min_width=5),
    Column("problem", "PROBLEM", min_width=10, flex=True),
)

TRAFFIC_NOTE = (
    "Only ready endpoints get traffic: a pod is ready when each of its containers passes its "
    "readiness probe (or has none) and its readiness gates are True."
)


def selector_text(selector: LabelSelector) -> str:
    parts = [f"{k}={v}" for k, v in sorted(selector.match_labels.items())]
    parts += [f"{r.key} {r.operator} ({','.join(r.values)})" for r in selector.match_expressions]
    return ",".join(parts)


def traffic_text(row: EndpointRow) -> Text:
    if row.ready:
        return Text("✓ ready", style=OK_STYLE, end="")
    if row.terminating:
        return Text("terminating" if not row.serving else "draining", style=MUTED_STYLE, end="")
    if not row.in_slice:
        return Text("✗ none", style=ERROR_STYLE, end="")
    return Text("✗ no", style=ERROR_STYLE, end="")


def endpoint_row(row: EndpointRow) -> Row:
    style = None if row.ready else "muted" if row.terminating else "warning"
    return Row(_row_key(row), build=partial(_endpoint_cells, row), style_class=style)


def _row_key(row: EndpointRow) -> object:
    if row.target is not None and row.target.kind == "Pod":
        return (row.target, row.address)
    return ("address", row.slice, row.address)


def _endpoint_cells(row: EndpointRow) -> tuple[Cell, ...]:
    pod = row.pod
    target = row.target
    if target is None:
        who: Text | str = Text("<none>", style=MUTED_STYLE, end="")
    elif target.kind != "Pod":
        who = f"{target.kind}/{target.name}"
    else:
        who = target.name
    status: Text | str = state_text(pod.status_text or pod.phase) if pod is not None else ""
    why: Text | str = Text(clean(row.why), style=WARNING_STYLE, end="") if row.why else ""
    return (
        Cell(row.address or "<none>", row.address),
        Cell(traffic_text(row), (not row.ready, row.terminating)),
        Cell(who, target.name if target else BLANK),
        Cell(status, pod.status_text if pod else BLANK),
        Cell(row.node or "", row.node),
        Cell(why, row.why or BLANK),
    )


def _pairs(pairs: Sequence[tuple[str, Text]], width: int = 9) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(width=width, no_wrap=True, style=MUTED_STYLE)
    table.add_column(ratio=1)
    for label, value in pairs:
        table.add_row(Text(label, style=MUTED_STYLE), value)
    return table


def service_summary(
    service: ServiceRecord | None,
    slices: Sequence[EndpointSliceRecord],
    rows: Sequence[EndpointRow],
    now: datetime,
) -> RenderableType:
    """Type, addresses, ports, selector, and how many endpoints get traffic."""
    if service is None:
        return Text("loading…", style=MUTED_STYLE)
    kind = safe(service.type)
    kind.append("   cluster IP ", style=MUTED_STYLE)
    kind.append(clean(service.cluster_ip or "<none>"))
    if service.cluster_ip == "None":
        kind.append(" (headless: DNS returns the ready pods' addresses)", style=MUTED_STYLE)
    ports = (
        Text(", ").join(safe(p) for p in service.ports) if service.ports else Text("none", style=MUTED_STYLE)
    )
    slice_ports = sorted(
        {
            f"{p.name + ' ' if p.name else ''}{p.port}/{p.protocol}"
            for s in slices
            for p in s.ports
            if p.port is not None
        }
    )
    if slice_ports:
        ports.append("  → pods " + ", ".join(clean(p) for p in slice_ports), style=MUTED_STYLE)
    selector = (
        safe(selector_text(service.selector))
        if not service.selector.empty
        else Text("none: endpoints are managed outside Kubernetes' controller", style=WARNING_STYLE)
    )
    ready = sum(1 for r in rows if r.ready)
    pending = [r for r in rows if not r.ready]
    counts = Text(f"{ready} ready", style=OK_STYLE if ready else ERROR_STYLE)
    if pending:
        terminating = sum(1 for r in pending if r.terminating)
        counts.append(f", {len(pending) - terminating} not ready", style=WARNING_STYLE)
        if terminating:
            counts.append(f", {terminating} terminating", style=MUTED_STYLE)
    if not rows:
        counts = Text("none: no pod gets this Service's traffic", style=ERROR_STYLE)
    pairs = [
        ("Type", kind),
        ("Ports", ports),
        ("Selector", selector),
        ("Endpoints", counts),
        ("Age", Text(age(service.meta.created, now))),
    ]
    return Group(_pairs(pairs), Text(TRAFFIC_NOTE, style=MUTED_STYLE))


def ingresses_section(routes: Sequence[tuple[IngressRecord, str]], note: Text | None) -> RenderableType:
    """The Ingresses routing to the Service and which of their routes do (`i` opens them)."""
    lines: list[Text] = [note] if note is not None else []
    for ingress, text in routes:
        line = safe(ingress.meta.name, "bold")
        line.append("  ")
        line.append(clean(text))
        if ingress.class_name:
            line.append(f"  class {clean(ingress.class_name)}", style=MUTED_STYLE)
        lines.append(line)
    if not lines:
        lines.append(Text("none route to this Service", style=MUTED_STYLE))
    return Text("\n").join(lines)


def route_row(ingress: ObjectKey, index: int, check: BackendCheck, ready: tuple[int, int] | None) -> Row:
    """One route of an Ingress; keyed by its backend Service (so `enter` opens it) and position.
    `ready`: the backend Service's (ready, all) endpoints (None: not known)."""
    backend = check.backend
    key: object = (
        (ObjectKey("Service", ingress.namespace, backend.service), index)
        if backend.service
        else ("route", index)
    )
    style = "error" if check.problem else "warning" if ready is not None and ready[0] == 0 else None
    return Row(key, build=partial(_route_cells, check, ready), style_class=style)


def _route_cells(check: BackendCheck, ready: tuple[int, int] | None) -> tuple[Cell, ...]:
    backend = check.backend
    if backend.resource:
        target: Text | str = backend.resource
    elif backend.service:
        target = f"{backend.service}:{backend.port_text}" if backend.port_text else backend.service
    else:
        target = Text("<none>", style=MUTED_STYLE, end="")
    host: Text | str = check.host or Text("*", style=MUTED_STYLE, end="")
    if check.default:
        host = Text("(default backend)", style=MUTED_STYLE, end="")
    problem: Text | str = Text(clean(check.problem), style=ERROR_STYLE, end="") if check.problem else ""
    if not check.problem and ready is not None and ready[0] == 0:
        problem = Text("no ready endpoints: requests fail (503)", style=WARNING_STYLE, end="")
    count = Cell("", BLANK) if ready is None or check.problem else Cell(ratio(ready[0], ready[1]), ready[0])
    return (
        Cell(host, check.host or BLANK),
        Cell(check.path or ("" if check.default else "/"), check.path),
        Cell(check.path_type, check.path_type),
        Cell(target, backend.service or backend.resource),
        count,
        Cell(problem, check.problem or BLANK),
    )


def ingress_summary(
    ingress: IngressRecord | None, checks: Sequence[BackendCheck], now: datetime
) -> RenderableType:
    """Class, addresses, TLS (hosts and the Secret's name, never its data), and the verdict."""
    if ingress is None:
        return Text("loading…", style=MUTED_STYLE)
    addresses = (
        Text(", ").join(safe(a) for a in ingress.addresses)
        if ingress.addresses
        else Text("none yet: the ingress controller has not admitted it", style=WARNING_STYLE)
    )
    tls = Text("\n").join(
        Text.assemble(
            safe(", ".join(t.hosts) or "*"),
            ("  secret ", MUTED_STYLE),
            safe(t.secret or "<none>"),
        )
        for t in ingress.tls
    )
    broken = [c for c in checks if c.problem]
    verdict = (
        Text(f"{len(broken)} of {len(checks)} backends broken: their requests fail (503)", style=ERROR_STYLE)
        if broken
        else Text(f"all {len(checks)} backends exist", style=OK_STYLE)
        if checks
        else Text("no routes", style=WARNING_STYLE)
    )
    pairs = [
        ("Class", safe(ingress.class_name or "<none>")),
        ("Address", addresses),
        ("TLS", tls if ingress.tls else Text("none", style=MUTED_STYLE)),
        ("Backends", verdict),
        ("Age", Text(age(ingress.meta.created, now))),
    ]
    return _pairs(pairs)
