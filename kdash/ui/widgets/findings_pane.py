"""The Health pane: the scorer's findings, worst first (runtime states until the scorer is there)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text

from kdash.model.findings import Finding, Severity
from kdash.model.meta import ObjectKey
from kdash.ui.format import safe, severity_class, severity_text
from kdash.ui.widgets.pane import DashboardView, Pane
from kdash.ui.widgets.resource_table import Column, Row
from kdash.ui.widgets.table_model import LazyRow
from kdash.ui.widgets.workloads_pane import finding_words, runtime_severity


def finding_key(f: Finding) -> tuple[str, ObjectKey, str | None, str]:
    """Rows are keyed by (rule, object key, container, message); the object key is what `enter` opens."""
    return (f.rule, ObjectKey(f.kind, f.namespace, f.name), f.container, f.message)


def runtime_findings(view: DashboardView) -> list[Finding]:
    """Findings the model alone supports: workloads short of ready, crash-looping containers."""
    out: list[Finding] = []
    for key, wl in view.snapshot.workloads.items():
        severity, words = runtime_severity(wl)
        if severity is not None and severity > Severity.INFO and view.in_scope(key.namespace):
            out.append(Finding("runtime.ready", severity, key.kind, key.namespace, key.name, words))
    for r in view.snapshot.restarts:
        if r.state_text == "CrashLoopBackOff" and view.in_scope(r.namespace):
            message = f"{r.container} crash-looping ({r.restarts} restarts)"
            out.append(Finding("runtime.crashloop", Severity.ERROR, "Pod", r.namespace, r.pod, message))
    out.sort(key=lambda f: -int(f.severity))
    return out


class FindingsPane(Pane):
    """One row per finding, in the scorer's order; `enter` opens the object."""

    TITLE = "Health"
    NOUN = "findings"
    KINDS = ("pods", "deployments")
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("severity", "SEVERITY", max_width=8),
        Column("rule", "RULE", min_width=6, max_width=28),
        Column("object", "OBJECT", min_width=8, max_width=48),
        Column("message", "MESSAGE", min_width=10, max_width=100),
    )

    def inputs(self, view: DashboardView) -> tuple[Any, ...]:
        return (
            view.report,
            view.snapshot.workloads if view.report is None else 0,
            view.snapshot.restarts if view.report is None else 0,
            view.snapshot.namespace,
        )

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's spelling
        super().__init__(id=id)
        # rows by finding content: the scorer makes new Finding objects on every run, so identity
        # cannot be the cache key, and hashing whole findings (or ObjectKey tuples) 20,000 times
        # per report was most of the pane's cost; a tuple of strings hashes in C
        self._rows_by_content: dict[tuple[Any, ...], tuple[Severity, Row]] = {}

    def rows(self, view: DashboardView) -> Iterable[Row]:
        report = view.report
        findings: Iterable[Finding] = report.findings if report is not None else runtime_findings(view)
        scope = view.snapshot.namespace
        cache = self._rows_by_content
        fresh: dict[tuple[Any, ...], tuple[Severity, Row]] = {}
        for f in findings:
            if f.ignored or (scope is not None and f.namespace != scope):
                continue
            content = (f.rule, f.kind, f.namespace, f.name, f.container, f.message)
            if content in fresh:
                continue  # one row per key: the first (worst) finding wins
            hit = cache.get(content)
            if hit is None or hit[0] != f.severity:
                hit = (f.severity, self._row(finding_key(f), f))
            fresh[content] = hit
        if len(cache) > 2 * len(fresh) + 64:
            self._rows_by_content = fresh
        else:
            cache.update(fresh)
        return [row for _severity, row in fresh.values()]

    def _row(self, key: object, f: Finding) -> Row:
        where = f"{f.kind}/{f.namespace}/{f.name}" if f.namespace else f"{f.kind}/{f.name}"
        if f.container:
            where = f"{where} [{f.container}]"

        def cells() -> tuple[Text, ...]:
            return (_severity_cell(f.severity), _rule_cell(f.rule), safe(where), safe(finding_words(f)))

        # lazy: of 20,000 findings a screen shows a few dozen, so most cells are never drawn
        return LazyRow(
            key,
            cells,
            (-int(f.severity), f.rule, where, f.message),
            severity_class(f.severity),
        )


# Cells shared by many rows (a handful of severities and rules across 20,000 findings): the table
# never mutates a cell (it draws from copies), so one Text per value is enough.
_SEVERITY_CELLS: dict[Severity, Text] = {}
_RULE_CELLS: dict[str, Text] = {}


def _severity_cell(severity: Severity) -> Text:
    cell = _SEVERITY_CELLS.get(severity)
    if cell is None:
        cell = _SEVERITY_CELLS[severity] = severity_text(severity)
    return cell


def _rule_cell(rule: str) -> Text:
    cell = _RULE_CELLS.get(rule)
    if cell is None:
        if len(_RULE_CELLS) > 1024:
            _RULE_CELLS.clear()
        cell = _RULE_CELLS[rule] = safe(rule)
    return cell
