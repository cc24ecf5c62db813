"""The Health pane: the scorer's findings, worst first (runtime states until the scorer is there)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import is_
from typing import Any, ClassVar

from kdash.model.findings import Finding, Severity
from kdash.ui.render import findings as render
from kdash.ui.widgets.pane import DashboardView, Pane
from kdash.ui.widgets.resource_table import Column, Row


class FindingsPane(Pane):
    """One row per finding (kdash.ui.render.findings), in the scorer's order; `enter` opens the object."""

    TITLE = "Health"
    NOUN = "findings"
    KINDS = ("pods", "deployments")
    COLUMNS: ClassVar[tuple[Column, ...]] = render.COLUMNS

    def inputs(self, view: DashboardView) -> tuple[Any, ...]:
        return (
            view.report.findings if view.report is not None else None,  # kept while nothing changed
            view.snapshot.workloads if view.report is None else 0,
            view.snapshot.restarts if view.report is None else 0,
            view.snapshot.namespace,
        )

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's spelling
        super().__init__(id=id)
        # rows by finding content: a full scoring run makes new Finding objects, so identity
        # cannot be the cache key, and hashing whole findings (or ObjectKey tuples) 20,000 times
        # per report was most of the pane's cost; a tuple of strings hashes in C
        self._rows_by_content: dict[tuple[Any, ...], tuple[Severity, Row]] = {}
        # the findings and namespace of the last rows: the incremental scorer hands over the very
        # same Finding objects while nothing they say changed, so most reports need no walk at all
        self._last: tuple[Sequence[Finding], str | None, list[Row]] | None = None

    def rows(self, view: DashboardView) -> Iterable[Row]:
        report = view.report
        findings: Sequence[Finding] = (
            report.findings if report is not None else render.runtime_findings(view.snapshot)
        )
        scope = view.snapshot.namespace
        last = self._last
        if (
            last is not None
            and last[1] == scope
            and len(last[0]) == len(findings)
            and all(map(is_, findings, last[0]))
        ):
            return last[2]
        rows = self._build(findings, scope)
        self._last = (findings, scope, rows)
        return rows

    def _build(self, findings: Sequence[Finding], scope: str | None) -> list[Row]:
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
                hit = (f.severity, render.finding_row(render.finding_key(f), f))
            fresh[content] = hit
        if len(cache) > 2 * len(fresh) + 64:
            self._rows_by_content = fresh
        else:
            cache.update(fresh)
        return [row for _severity, row in fresh.values()]
