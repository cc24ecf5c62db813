"""The Health pane's incremental rows equal a fresh build, report after report.

The incremental scorer hands over the very same Finding objects for what did not change; the pane
then looks only at the new objects. For any history of reports (findings kept, replaced by new
objects saying the same or something else, added, dropped, moved, ignored, two findings saying the
same thing, a namespace in view), its rows are those a new pane builds from the same findings:
the same keys in the same order, each with the severity and cells of the first such finding.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kdash.model.findings import Finding, Severity
from kdash.ui.render import findings as render
from kdash.ui.widgets.findings_pane import FindingsPane
from kdash.ui.widgets.table_columns import IdentIndex


def finding(i: int, message: str, severity: Severity, *, ignored: bool = False) -> Finding:
    return Finding("rule.x", severity, "Deployment", f"ns-{i % 3}", f"app-{i}", message, ignored=ignored)


def view(findings: list[Finding], namespace: str | None) -> Any:
    return SimpleNamespace(
        report=SimpleNamespace(findings=tuple(findings)), snapshot=SimpleNamespace(namespace=namespace)
    )


def shown(rows: Any) -> list[Any]:
    return [(r.key, r.style_class, r.cells) for r in rows]


severities = st.sampled_from([Severity.ERROR, Severity.WARNING, Severity.INFO])


@st.composite
def histories(draw: Any) -> list[tuple[list[Finding], str | None]]:
    current = [
        finding(i, draw(st.sampled_from(["a", "b"])), draw(severities), ignored=draw(st.booleans()))
        for i in range(draw(st.integers(0, 12)))
    ]
    steps = [(list(current), None)]
    for _ in range(draw(st.integers(1, 6))):
        nxt: list[Finding] = []
        for f in current:
            what = draw(st.sampled_from(["keep", "keep", "keep", "same words", "new words", "drop", "twice"]))
            if what == "keep":
                nxt.append(f)
            elif what == "same words":
                nxt.append(Finding(f.rule, draw(severities), f.kind, f.namespace, f.name, f.message))
            elif what == "new words":
                nxt.append(Finding(f.rule, f.severity, f.kind, f.namespace, f.name, f.message + "!"))
            elif what == "twice":  # a second finding that says the same (another severity)
                nxt.extend([f, Finding(f.rule, draw(severities), f.kind, f.namespace, f.name, f.message)])
        for i in draw(st.lists(st.integers(20, 30), max_size=3)):
            nxt.insert(draw(st.integers(0, len(nxt))), finding(i, "c", draw(severities)))
        if len(nxt) > 1 and draw(st.booleans()):  # the scorer's order moved two findings
            i, j = draw(st.integers(0, len(nxt) - 1)), draw(st.integers(0, len(nxt) - 1))
            nxt[i], nxt[j] = nxt[j], nxt[i]
        current = nxt
        steps.append((list(current), draw(st.sampled_from([None, None, None, "ns-1"]))))
    return steps


@settings(max_examples=500, deadline=None)
@given(histories())
def test_rows_after_each_report_are_a_fresh_builds(steps: list[tuple[list[Finding], str | None]]) -> None:
    pane = FindingsPane()
    for findings, namespace in steps:
        rows = list(pane.rows(view(findings, namespace)))
        assert shown(rows) == shown(FindingsPane().rows(view(findings, namespace)))


def test_a_report_with_one_new_finding_reuses_every_other_row() -> None:
    pane = FindingsPane()
    findings = [finding(i, "m", Severity.WARNING) for i in range(5000)]
    before = list(pane.rows(view(findings, None)))
    findings[2500] = finding(2500, "restarted 7 times", Severity.ERROR)
    after = list(pane.rows(view(findings, None)))
    assert [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a is not b] == [2500]
    assert after[2500].key[3] == "restarted 7 times"


def test_findings_that_moved_keep_their_rows() -> None:
    """One finding in at the top, another out at the bottom: the 10,000 between moved one place.
    They keep their rows (matched by identity, not position), and the rows are a fresh build's."""
    pane = FindingsPane()
    findings = [finding(i, "m", Severity.WARNING) for i in range(10_000)]
    before = {r.key: r for r in pane.rows(view(findings, None))}
    findings = [finding(-1, "new at the top", Severity.ERROR), *findings[:-1]]
    after = list(pane.rows(view(findings, None)))
    assert shown(after) == shown(FindingsPane().rows(view(findings, None)))
    assert all(r is before[r.key] for r in after[1:])


@given(
    st.text(max_size=12),
    st.sampled_from(["", "shop", "kube\x1b[31msystem"]),
    st.one_of(st.none(), st.text(max_size=8)),
)
def test_the_object_text_of_a_finding_row_is_known_without_building_it(
    name: str, namespace: str, container: str | None
) -> None:
    """The identifying-column index reads the OBJECT text of 40,000 lazy rows without building
    them: it must be what the built cell shows, escapes and control characters cleaned."""
    f = Finding("rule.x", Severity.ERROR, "Pod", namespace, name, "m", container=container)
    row = render.finding_row(render.finding_key(f), f)
    index = IdentIndex(render.OBJECT, 8)
    index.rebuild([row])
    assert not row.built
    assert row.plain_at(render.OBJECT) == row.cells[render.OBJECT].plain
    assert row.plain_at(0) == row.cells[0].plain  # other cells: from the built row
