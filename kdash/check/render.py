"""Render a HealthReport as text (Rich), JSON, JUnit XML or Markdown.

Every string from the cluster (names, messages) is untrusted: the text output builds
`rich.text.Text` objects (never markup), JUnit goes through ElementTree with XML-illegal
characters removed, Markdown escapes table and HTML syntax.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable

import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kdash.health import HealthReport, grade_for
from kdash.model.findings import Finding, ObjectScore, Severity
from kdash.model.logtext import strip_ansi

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
GRADE_STYLE = {"A": "green", "B": "green", "C": "yellow", "D": "red", "F": "bold red"}
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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


def summary_line(report: HealthReport) -> str:
    ignored = sum(1 for f in report.findings if f.ignored)
    extra = f", {ignored} ignored" if ignored else ""
    return (
        f"Score {report.score:.1f} ({report.grade}): {_counts(report)}{extra}; "
        f"{len(report.objects)} object{'s' if len(report.objects) != 1 else ''} checked"
    )


def _plain(text: str, style: str = "") -> Text:
    """Untrusted text for the terminal: escape sequences and controls removed, never parsed as markup."""
    return Text(strip_ansi(text), style=style)


def render_text(report: HealthReport, console: Console, show_ignored: bool = False) -> None:
    """Per namespace (worst first), each object with its score, then its findings; a summary last.

    One finding is two columns (severity; rule over message), so the report stays readable in an
    80-column terminal or a CI log where a five-column table would fold every word.
    """
    for ns, objects in _grouped(report, show_ignored):
        score = report.namespace_scores.get(ns, 100.0)
        console.print(
            Text.assemble(
                ("namespace ", "bold"),
                _plain(ns or "(cluster)", "bold"),
                f"  score {score:.1f} ",
                _grade(score),
            )
        )
        for obj, findings in objects:
            console.print(
                Text.assemble(
                    "  ", _plain(f"{obj.kind}/{obj.name}", "bold"), f"  {obj.score:.0f} ", _grade(obj.score)
                )
            )
            table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 0))
            table.add_column(width=3)
            table.add_column(no_wrap=True)
            table.add_column(overflow="fold", ratio=1)
            for f in findings:
                style = "dim" if f.ignored else ""
                sev = Text(
                    f.severity.label + (" (ignored)" if f.ignored else ""),
                    style=style or SEVERITY_STYLE[f.severity],
                )
                detail = Text.assemble(_plain(f.rule, style or "bold"), "\n", _plain(f.message, style))
                table.add_row("", sev, detail)
            console.print(table)
        console.print()
    console.print(Text(summary_line(report), style="bold " + GRADE_STYLE.get(report.grade, "")))


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


def render_json(report: HealthReport, show_ignored: bool = False) -> str:
    """The shape of DESIGN.md section 5 exactly; scores are floats rounded to one decimal."""
    doc = {
        "score": round(float(report.score), 1),
        "grade": report.grade,
        "summary": {k: int(report.summary.get(k, 0)) for k in ("error", "warning", "info")},
        "findings": [_finding_json(f, show_ignored) for f in _visible(report, show_ignored)],
        "objects": [
            {"kind": o.kind, "namespace": o.namespace, "name": o.name, "score": round(float(o.score), 1)}
            for o in report.objects
        ],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"


def _xml(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text)


def render_junit(report: HealthReport, show_ignored: bool = False) -> str:
    """One testcase per scored object, one <failure> per finding (ignored ones as <skipped>)."""
    visible = _visible(report, show_ignored)
    by_key: defaultdict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for f in visible:
        by_key[(f.kind, f.namespace, f.name)].append(f)
    failures = sum(1 for f in visible if not f.ignored)
    suites = ET.Element(
        "testsuites", name="kdash check", tests=str(len(report.objects)), failures=str(failures)
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=_xml(f"kdash health: score {report.score:.1f} ({report.grade})"),
        tests=str(len(report.objects)),
        failures=str(failures),
        errors="0",
    )
    for obj in report.objects:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_xml(f"{obj.namespace or 'cluster'}.{obj.kind}"),
            name=_xml(
                f"{obj.kind}/{obj.namespace}/{obj.name}" if obj.namespace else f"{obj.kind}/{obj.name}"
            ),
        )
        for f in by_key.get((obj.kind, obj.namespace, obj.name), []):
            where = f" [{f.container}]" if f.container else ""
            tag = "skipped" if f.ignored else "failure"
            el = ET.SubElement(
                case, tag, message=_xml(f"{f.rule}{where}: {f.message}"), type=f.severity.label
            )
            el.text = _xml(f"{f.message}\n\nWhy: {f.why}\nFix: {f.fix}\n")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _md(text: str) -> str:
    """Safe inside a Markdown table cell: no pipes, newlines, HTML or stray emphasis."""
    text = " ".join(text.split())
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
            rows.append(
                f"| {_md(obj.kind)}/{_md(obj.name)} | {obj.score:.0f} | {sev} | `{f.rule}` | "
                f"{_md(f.container or '')} | {_md(f.message)} |"
            )
    return rows


def render_markdown(report: HealthReport, show_ignored: bool = False) -> str:
    out = ["# kdash health report", "", f"**{_md(summary_line(report))}**, grade **{report.grade}**", ""]
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
