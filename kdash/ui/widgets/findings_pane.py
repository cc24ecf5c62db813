"""The Health pane: the scorer's findings, worst first (runtime states until the scorer is there)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from kdash.model.findings import Finding, Severity
from kdash.model.meta import ObjectKey
from kdash.ui.format import safe, severity_class, severity_text
from kdash.ui.widgets.pane import DashboardView, Pane
from kdash.ui.widgets.resource_table import Column, Row
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

    def rows(self, view: DashboardView) -> Iterable[Row]:
        report = view.report
        findings: Iterable[Finding] = report.findings if report is not None else runtime_findings(view)
        seen: set[object] = set()
        for f in findings:
            if f.ignored or not view.in_scope(f.namespace):
                continue
            key = finding_key(f)
            if key in seen:
                continue
            seen.add(key)
            yield self.cached(key, None, f.severity, lambda k=key, f=f: self._row(k, f))

    def _row(self, key: object, f: Finding) -> Row:
        where = f"{f.kind}/{f.namespace}/{f.name}" if f.namespace else f"{f.kind}/{f.name}"
        if f.container:
            where = f"{where} [{f.container}]"
        return Row(
            key,
            (severity_text(f.severity), safe(f.rule), safe(where), safe(finding_words(f))),
            (-int(f.severity), f.rule, where, f.message),
            severity_class(f.severity),
        )
