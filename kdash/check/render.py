"""Render a HealthReport as text (Rich), JSON, JUnit XML or Markdown (SARIF: kdash.check.sarif).

Every string from the cluster (names, messages) is untrusted: the text output builds
`rich.text.Text` objects (never markup), JUnit (kdash.check.junit) goes through ElementTree with
XML-illegal characters removed, Markdown escapes table and HTML syntax.

Every format says what could not be checked (`CheckScope`), and a report with no object has no
grade (`null` in JSON): nothing checked is never an A.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import orjson
from rich.console import Console
from rich.text import Text

from kdash.check import junit
from kdash.check.scope import CheckScope
from kdash.check.textrows import Header, ObjectBlock, Row
from kdash.health import HealthReport, grade_for
from kdash.model.findings import Finding, ObjectScore, Severity
from kdash.model.logtext import clean, strip_ansi
from kdash.model.meta import ObjectKey

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_LABELS = {s: s.label for s in Severity}
GRADE_STYLE = {"A": "green", "B": "green", "C": "yellow", "D": "red", "F": "bold red"}
_BLOCK = 200  # objects a print: few prints (each costs like a row), bounded output in memory
UNSCORED = ""  # the grade of an object that has findings but no score (a manifest object with no name)

Location = tuple[str, int]


def _visible(report: HealthReport, show_ignored: bool) -> list[Finding]:
    return [f for f in report.findings if show_ignored or not f.ignored]


def _grouped(
    report: HealthReport, show_ignored: bool
) -> list[tuple[str, list[tuple[ObjectScore, list[Finding]]]]]:
    """Namespaces worst first; in each, objects with findings worst first, findings worst first."""
    by_key: defaultdict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for f in _visible(report, show_ignored):
        by_key[(f.kind, f.namespace, f.name)].append(f)
    groups: defaultdict[str, list[tuple[ObjectScore, list[Finding]]]] = defaultdict(list)
    scored = {(o.kind, o.namespace, o.name) for o in report.objects} if len(by_key) else set()
    for (kind, ns, name), orphans in by_key.items():  # not scored: first, they are errors
        if (kind, ns, name) not in scored:
            groups[ns].append((ObjectScore(kind, ns, name, 0.0, UNSCORED, orphans[0]), orphans))
    for obj in report.objects:
        found = by_key.get((obj.kind, obj.namespace, obj.name))
        if found:
            groups[obj.namespace].append((obj, found))
    order = sorted(groups, key=lambda ns: (report.namespace_scores.get(ns, 100.0), ns))
    return [(ns, groups[ns]) for ns in order]


def _counts(report: HealthReport) -> str:
    s = report.summary
    parts = [f"{s.get('error', 0)} error{'s' if s.get('error', 0) != 1 else ''}"]
    parts.append(f"{s.get('warning', 0)} warning{'s' if s.get('warning', 0) != 1 else ''}")
    parts.append(f"{s.get('info', 0)} info")
    return ", ".join(parts)


def summary_line(report: HealthReport, scope: CheckScope | None = None) -> str:
    """'Score 87.5 (B): 1 error, …; 12 objects checked', with the partial label and what is missing."""
    ignored = sum(1 for f in report.findings if f.ignored)
    extra = f", {ignored} ignored" if ignored else ""
    n = len(report.objects)
    checked = f"{n} object{'s' if n != 1 else ''} checked"
    if n:
        label = f", {scope.label}" if scope is not None and scope.label else ""
        line = f"Score {report.score:.1f} ({report.grade}{label}): {_counts(report)}{extra}; {checked}"
    else:
        line = f"No grade: {_counts(report)}; {checked}" if report.findings else f"No grade: {checked}"
    if scope is not None and not scope.complete:
        line += f"; incomplete: {len(scope.not_checked)} not checked"
    return line


def _grade_of(report: HealthReport) -> str | None:
    """The report's grade, or None when no object was checked."""
    return report.grade if report.objects else None


def _plain(text: str, style: str = "") -> Text:
    """Untrusted text for the terminal: escape sequences and controls removed, never parsed as markup."""
    return Text(strip_ansi(text), style=style)


def render_text(
    report: HealthReport, console: Console, show_ignored: bool = False, scope: CheckScope | None = None
) -> None:
    """Per namespace (worst first), each object with its score, then its findings; a summary last.

    One finding is two columns (severity; rule over message), so the report stays readable in an
    80-column terminal or a CI log where a five-column table would fold every word.
    """
    for ns, objects in _grouped(report, show_ignored):
        score = report.namespace_scores.get(ns)
        graded = (
            ("  not scored", "bold red")
            if score is None
            else Text.assemble(f"  score {score:.1f} ", _grade(score))
        )
        console.print(Text.assemble(("namespace ", "bold"), _plain(ns or "(cluster)", "bold"), graded))
        block: list[tuple[Header, list[Row]]] = []
        for obj, findings in objects:
            letter = grade_for(obj.score)  # the parts of Text.assemble("  ", kind/name, score, grade)
            header = (("  ", ""), (f"{obj.kind}/{obj.name}", "bold"), (f"  {obj.score:.0f} ", ""),
                      (f"({letter})", GRADE_STYLE.get(letter, "")))  # fmt: skip
            if obj.grade == UNSCORED:
                header = (
                    ("  ", ""),
                    (f"{obj.kind}/{obj.name}", "bold"),
                    ("  ", ""),
                    ("not scored", "bold red"),
                )
            rows: list[Row] = []
            for f in findings:
                style = "dim" if f.ignored else ""
                sev = _LABELS[f.severity] + (" (ignored)" if f.ignored else "")
                rows.append(
                    (sev, style or SEVERITY_STYLE[f.severity], f.rule, style or "bold", f.message, style)
                )
            block.append((header, rows))
            if len(block) == _BLOCK:
                console.print(ObjectBlock(block), crop=False)  # the header and rows, a few prints
                block = []
        if block:
            console.print(ObjectBlock(block), crop=False)
        console.print()
    if scope is not None and scope.namespaces:
        console.print(
            Text.assemble(
                ("Namespaces checked: ", "bold"),
                _plain(", ".join(scope.namespaces)),
                " (the cluster-wide lists are forbidden)",
            )
        )
    if scope is not None and not scope.complete:
        console.print(Text("Not checked (the report is incomplete):", style="bold red"))
        for what, why in scope.not_checked:
            console.print(Text.assemble("  ", _plain(what, "bold"), ": ", _plain(why)))
        console.print()
    if scope is not None and scope.usage is not None:
        console.print(_plain(scope.usage.text, "" if scope.usage.available else "yellow"))
    grade = _grade_of(report)
    style = "bold " + GRADE_STYLE.get(grade, "") if grade is not None else "bold red"
    console.print(Text(summary_line(report, scope), style=style))


def _grade(score: float) -> Text:
    grade = grade_for(score)
    return Text(f"({grade})", style=GRADE_STYLE.get(grade, ""))


def _finding_json(f: Finding, show_ignored: bool) -> dict[str, object]:
    out: dict[str, object] = {
        "rule": f.rule,
        "severity": f.severity.label,
        "kind": f.kind,
        "namespace": f.namespace,
        "name": f.name,
        "container": f.container,
        "message": f.message,
        "why": f.why,
        "fix": f.fix,
    }
    if show_ignored and f.ignored:
        out["ignored"] = True  # only with --show-ignored, which asks for them
    return out


def render_json(report: HealthReport, show_ignored: bool = False, scope: CheckScope | None = None) -> str:
    """The shape of DESIGN.md section 5, then what the report covers: `complete` (false when
    something could not be read), `not_checked` ([{"what", "why"}]), `namespaces` (read one by
    one when the cluster-wide lists are forbidden, else null), `usage` (what metrics.k8s.io gave
    the usage rules: `available`, `note`, and counts when available; live checks only). Scores are floats rounded to one
    decimal; with no object checked, `score` and `grade` are null."""
    scope = scope or CheckScope()
    graded = bool(report.objects)
    doc: dict[str, object] = {
        "score": round(float(report.score), 1) if graded else None,
        "grade": report.grade if graded else None,
        "summary": {k: int(report.summary.get(k, 0)) for k in ("error", "warning", "info")},
        "findings": [_finding_json(f, show_ignored) for f in _visible(report, show_ignored)],
        "objects": [
            {"kind": o.kind, "namespace": o.namespace, "name": o.name, "score": round(float(o.score), 1)}
            for o in report.objects
        ],
        "complete": scope.complete,
        "not_checked": [{"what": what, "why": why} for what, why in scope.not_checked],
        "namespaces": list(scope.namespaces) or None,
    }
    if scope.usage is not None:  # a live check: manifests have no usage
        doc["usage"] = scope.usage.as_json()
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"


def render_junit(
    report: HealthReport,
    show_ignored: bool = False,
    scope: CheckScope | None = None,
    locations: Mapping[ObjectKey, Location] | None = None,
) -> str:
    """One testcase per object and rule (see kdash.check.junit); the suite is named after the score."""
    title = f"kdash health: {summary_line(report, scope).split(':')[0]}"
    return junit.render_junit(report, show_ignored, scope, locations, title)


def _md(text: str) -> str:
    """Safe inside a Markdown table cell: no pipes, newlines, HTML, stray emphasis or escapes."""
    text = " ".join(clean(text).split())
    for ch, rep in (
        ("\\", "\\\\"),
        ("|", "\\|"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("`", "\\`"),
        ("*", "\\*"),
        ("_", "\\_"),
    ):
        text = text.replace(ch, rep)
    return text


def _md_rows(items: Iterable[tuple[ObjectScore, list[Finding]]]) -> list[str]:
    rows = []
    for obj, findings in items:
        for f in findings:
            sev = f.severity.label + (" (ignored)" if f.ignored else "")
            score = "not scored" if obj.grade == UNSCORED else f"{obj.score:.0f}"
            rows.append(
                f"| {_md(obj.kind)}/{_md(obj.name)} | {score} | {sev} | `{f.rule}` | "
                f"{_md(f.container or '')} | {_md(f.message)} |"
            )
    return rows


def render_markdown(report: HealthReport, show_ignored: bool = False, scope: CheckScope | None = None) -> str:
    scope = scope or CheckScope()
    grade = _grade_of(report)
    head = f"**{_md(summary_line(report, scope))}**" + (f", grade **{grade}**" if grade else "")
    out = ["# kdash health report", "", head, ""]
    if scope.usage is not None:
        out += [_md(scope.usage.text), ""]
    if scope.namespaces:
        out += [
            f"Namespaces checked: {_md(', '.join(scope.namespaces))} (the cluster-wide lists are forbidden)",
            "",
        ]
    if not scope.complete:
        out += ["## Not checked (the report is incomplete)", "", "| what | why |", "|---|---|"]
        out += [f"| {_md(what)} | {_md(why)} |" for what, why in scope.not_checked]
        out.append("")
    if report.namespace_scores:
        out += ["| namespace | score | grade |", "|---|---|---|"]
        out += [
            f"| {_md(ns) or '(cluster)'} | {score:.1f} | {_grade(score).plain.strip('()')} |"
            for ns, score in sorted(report.namespace_scores.items(), key=lambda kv: (kv[1], kv[0]))
        ]
        out.append("")
    for ns, objects in _grouped(report, show_ignored):
        out += [f"## {_md(ns) or '(cluster)'}", ""]
        out += ["| object | score | severity | rule | container | message |", "|---|---|---|---|---|---|"]
        out += _md_rows(objects)
        out.append("")
    return "\n".join(out)
