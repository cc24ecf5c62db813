"""The Health pane: the scorer's findings, worst first (runtime states until the scorer is there)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress, count, islice, repeat
from operator import is_, is_not, not_
from typing import Any, ClassVar

from kdash.model.findings import Finding, Severity
from kdash.ui.render import findings as render
from kdash.ui.widgets.pane import DashboardView, Pane
from kdash.ui.widgets.resource_table import Column, Row

Content = tuple[str, str, str, str, str | None, str]  # what a row shows and is keyed by

# A report that brings more new Finding objects than this (or a quarter of them) is built afresh:
# a full scoring run makes new objects for every finding, an incremental one for a handful.
INCREMENTAL_MAX = 2000
# Changed places found by position at most: past it, findings moved (one came in above them and
# another left below) and are matched by identity instead.
IN_PLACE_MAX = 64
_MISS: Any = object()


def _content(f: Finding) -> Content:
    return (f.rule, f.kind, f.namespace, f.name, f.container, f.message)


@dataclass(slots=True)
class _Built:
    """The rows of the last findings shown, and how each finding maps to its row."""

    findings: Sequence[Finding]  # held: the ids in `row_of` stay theirs
    scope: str | None
    rows: list[Row]
    got: list[Row | None]  # each finding's row, in the findings' order
    row_of: dict[int, Row | None]  # id(finding) -> its row (None: ignored, out of scope, a duplicate)
    contents: set[Content]  # of the rows shown
    duplicates: int  # findings not shown because an earlier one says the same


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
        self._rows_by_content: dict[Content, tuple[Severity, Row]] = {}
        # the incremental scorer hands over the very same Finding objects while nothing they say
        # changed, so most reports need no walk at all, and the rest only a look at the new ones
        self._last: _Built | None = None

    def rows(self, view: DashboardView) -> Iterable[Row]:
        report = view.report
        findings: Sequence[Finding] = (
            report.findings if report is not None else render.runtime_findings(view.snapshot)
        )
        scope = view.snapshot.namespace
        last = self._last
        if last is not None and last.scope == scope:
            if len(last.findings) == len(findings) and all(map(is_, findings, last.findings)):
                return last.rows
            rows = self._update(last, findings)
            if rows is not None:
                return rows
        return self._build(findings, scope)

    def _update(self, last: _Built, findings: Sequence[Finding]) -> list[Row] | None:
        """The rows for `findings` from the last ones, looking only at the findings that are new
        objects (a few passes in C over the rest: 40,000 findings, a handful new under churn);
        None when a full build is due (many new ones, or two findings saying the same)."""
        if last.duplicates:
            return None  # which of two equal findings shows is the full build's to say
        row_of = last.row_of
        old = last.findings
        new_at: list[int] | None = None
        removed: Iterable[Finding] = ()
        if len(findings) == len(old):  # findings replaced in place: one identity pass finds them
            new_at = list(islice(compress(count(), map(is_not, findings, old)), IN_PLACE_MAX + 1))
            if len(new_at) <= IN_PLACE_MAX:
                got = list(last.got)
                removed = [old[i] for i in new_at]
            else:
                new_at = None  # one finding in, another out: the ones between moved, not changed
        if new_at is None:  # by identity: a moved finding keeps its row
            # the same findings at both ends keep their rows: match only the window between
            n, m = len(findings), len(old)
            head = next(compress(count(), map(is_not, findings, old)), min(n, m))
            tail = next(compress(count(), map(is_not, reversed(findings), reversed(old))), min(n, m))
            tail = min(tail, n - head, m - head)
            window, gone = findings[head : n - tail], old[head : m - tail]
            middle = list(map(row_of.get, map(id, window), repeat(_MISS)))
            new_at = [head + i for i in compress(count(), map(is_, middle, repeat(_MISS)))]
            got = [*last.got[:head], *middle, *last.got[m - tail :]]
            kept = set(map(id, window))
            removed = compress(gone, map(not_, map(kept.__contains__, map(id, gone))))
        if len(new_at) > max(INCREMENTAL_MAX, len(findings) // 4):
            return None
        self._last = None  # half updated until the end
        cache, contents, scope = self._rows_by_content, last.contents, last.scope
        for f in removed:
            if row_of.pop(id(f), None) is not None:
                content = _content(f)
                contents.discard(content)
                cache.pop(content, None)
        for i in new_at:
            f = findings[i]
            row: Row | None = None
            if not f.ignored and (scope is None or f.namespace == scope):
                content = _content(f)
                if content in contents:
                    return None  # says what another finding says: the full build decides
                contents.add(content)
                hit = cache.get(content)
                if hit is None or hit[0] != f.severity:
                    hit = cache[content] = (f.severity, render.finding_row(render.finding_key(f), f))
                row = hit[1]
            got[i] = row_of[id(f)] = row
        rows: list[Row] = list(filter(None, got))
        last.findings, last.rows, last.got = findings, rows, got
        self._last = last
        return rows

    def _build(self, findings: Sequence[Finding], scope: str | None) -> list[Row]:
        cache = self._rows_by_content
        fresh: dict[Content, tuple[Severity, Row]] = {}
        got: list[Row | None] = []
        duplicates = 0
        for f in findings:
            if f.ignored or (scope is not None and f.namespace != scope):
                got.append(None)
                continue
            content = _content(f)
            if content in fresh:
                got.append(None)
                duplicates += 1
                continue  # one row per key: the first (worst) finding wins
            hit = cache.get(content)
            if hit is None or hit[0] != f.severity:
                hit = (f.severity, render.finding_row(render.finding_key(f), f))
            fresh[content] = hit
            got.append(hit[1])
        if len(cache) > 2 * len(fresh) + 64:
            self._rows_by_content = fresh
        else:
            cache.update(fresh)
        rows = [row for _severity, row in fresh.values()]
        row_of = dict(zip(map(id, findings), got, strict=True))
        self._last = _Built(findings, scope, rows, got, row_of, set(fresh), duplicates)
        return rows
