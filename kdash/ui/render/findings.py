"""Finding rows (the dashboard's Health pane), and the findings the model alone supports while the
scorer has not reported yet."""

from __future__ import annotations

import re
from collections.abc import Container, Hashable
from functools import partial

from kdash.model.findings import Finding, Severity
from kdash.model.logtext import clean
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot
from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.render.text import severity_class, severity_text
from kdash.ui.render.workloads import finding_words, runtime_severity

COLUMNS: tuple[Column, ...] = (
    Column("severity", "SEVERITY", max_width=8),
    Column("rule", "RULE", min_width=6, max_width=28, drop=1),
    Column("object", "OBJECT", min_width=8, max_width=60, ident=True),
    Column("message", "MESSAGE", min_width=10, flex=True),
)

FindingKey = tuple[str, ObjectKey, str | None, str]


def finding_key(f: Finding) -> FindingKey:
    """Rows are keyed by (rule, object key, container, message); the object key is what `enter` opens."""
    return (f.rule, _object_key(f.kind, f.namespace, f.name), f.container, f.message)


# One ObjectKey per object, however many findings it has: 20,000 findings are about ~3,000 objects,
# and a frozen dataclass costs more to make than a dict lookup (bounded: cleared when large).
_OBJECT_KEYS: dict[tuple[str, str, str], ObjectKey] = {}


def _object_key(kind: str, namespace: str, name: str) -> ObjectKey:
    plain = (kind, namespace, name)
    key = _OBJECT_KEYS.get(plain)
    if key is None:
        if len(_OBJECT_KEYS) > 100_000:
            _OBJECT_KEYS.clear()
        key = _OBJECT_KEYS[plain] = ObjectKey(kind, namespace, name)
    return key


_POD_NAMED = re.compile(r"pod ([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)\b")


def finding_subject(row_key: Hashable, pods: Container[ObjectKey]) -> tuple[ObjectKey, str | None] | None:
    """What a finding row is about, and its container: the pod a runtime finding names ("pod
    checkout-…-jp4kq, container app …", rolled up to the workload by the scorer) when that pod
    exists, else the object the finding is filed under (a Service, an HPA, a workload)."""
    if not (isinstance(row_key, tuple) and len(row_key) == 4 and isinstance(row_key[1], ObjectKey)):
        return None
    _rule, key, container, message = row_key
    if key.kind != "Pod" and isinstance(message, str):
        named = _POD_NAMED.match(message)
        if named is not None:
            pod = ObjectKey("Pod", key.namespace, named.group(1))
            if pod in pods:
                return pod, container
    return key, container


def runtime_findings(snapshot: ClusterSnapshot) -> list[Finding]:
    """Findings the model alone supports (workloads short of ready, crash-looping containers) in
    the snapshot's namespace, worst first."""
    scope = snapshot.namespace
    out: list[Finding] = []
    for key, wl in snapshot.workloads.items():
        severity, words = runtime_severity(wl)
        if severity is not None and severity > Severity.INFO and scope in (None, key.namespace):
            out.append(Finding("runtime.ready", severity, key.kind, key.namespace, key.name, words))
    for r in snapshot.restarts:
        if r.state_text == "CrashLoopBackOff" and scope in (None, r.namespace):
            message = f"{r.container} crash-looping ({r.restarts} restarts)"
            out.append(Finding("runtime.crashloop", Severity.ERROR, "Pod", r.namespace, r.pod, message))
    out.sort(key=lambda f: -int(f.severity))
    return out


def finding_row(key: FindingKey, f: Finding) -> Row:
    """One finding: severity, rule, the object (and container) it is about, and what is wrong.

    Cheap to build, because the pane builds 20,000 of them where a screen shows a few dozen: the
    cells are made when the row is first drawn, measured, sorted or filtered (`Row(build=)`)."""
    return Row(
        key,
        build=partial(finding_cells, f),
        style_class=severity_class(f.severity),
        ident=partial(finding_ident, f),  # the OBJECT column's index needs no build of the row
    )


OBJECT = 2  # the OBJECT column's index in COLUMNS


def finding_ident(f: Finding, index: int) -> str | None:
    """What the identifying OBJECT cell of `finding_row` shows (`Cell.plain`), without the row."""
    return clean(finding_where(f)) if index == OBJECT else None


def finding_where(f: Finding) -> str:
    """The object (and container) a finding is about, as the OBJECT column shows it."""
    where = f"{f.kind}/{f.namespace}/{f.name}" if f.namespace else f"{f.kind}/{f.name}"
    return f"{where} [{f.container}]" if f.container else where


def finding_cells(f: Finding) -> tuple[Cell, ...]:
    """The cells of `finding_row`: the severity and rule cells are shared, the others stay plain
    strings until they are drawn."""
    where = finding_where(f)
    return (
        severity_cell(f.severity),
        rule_cell(f.rule),
        Cell(where, where),
        Cell(finding_words(f), f.message),
    )


# Cells shared by many rows (a handful of severities and rules across 20,000 findings): the table
# never mutates a cell (it draws from copies), so one per value is enough.
_SEVERITY_CELLS: dict[Severity, Cell] = {}
_RULE_CELLS: dict[str, Cell] = {}


def severity_cell(severity: Severity) -> Cell:
    """ "error" / "warning" / "info" in colour, worst first when sorted."""
    cell = _SEVERITY_CELLS.get(severity)
    if cell is None:
        cell = _SEVERITY_CELLS[severity] = Cell(severity_text(severity), -int(severity))
    return cell


def rule_cell(rule: str) -> Cell:
    cell = _RULE_CELLS.get(rule)
    if cell is None:
        if len(_RULE_CELLS) > 1024:  # rule names come from the config: bounded, but be sure
            _RULE_CELLS.clear()
        cell = _RULE_CELLS[rule] = Cell(rule, rule)
    return cell
