"""`kdash check -o junit`: one testcase per object and rule, for CI test report pages.

Each (object, rule) with a finding is its own testcase (classname `Kind/namespace/name`, name
the rule id) with one <failure> (the rule's findings on that object, one per container, in its
text), or <skipped> when every one is silenced by an exemption (only with --show-ignored). An
object with no finding is one passing testcase named `all rules`: a testcase per enabled rule
would multiply a big manifest's report by fifty and say nothing more. CI tools count and show
one failure per testcase, so one testcase per object with a dozen failures showed one of them.
Whatever could not be checked is a testcase with an <error>; the usage note is a suite property.

Text from the cluster goes through ElementTree with XML-illegal characters removed, escape
sequences and bidi controls dropped: CI pages show it as it is.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from kdash.check.scope import CheckScope
from kdash.health import HealthReport
from kdash.model.findings import Finding
from kdash.model.logtext import clean
from kdash.model.meta import ObjectKey

PASSED = "all rules"  # the name of an object's testcase when no rule found anything
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

Location = tuple[str, int]


def xml_text(text: str) -> str:
    """Legal XML with no escape sequence or invisible/bidi character: CI pages show it as is.
    Line by line (tabs become spaces): a clean line costs one search, where a multi-line clean()
    rewrites every line of a block that has a newline."""
    lines = text.split("\n")
    cleaned = clean(text) if len(lines) == 1 else "\n".join(clean(line) for line in lines)
    return _XML_ILLEGAL.sub("\ufffd", cleaned)


def _by_object(findings: list[Finding]) -> dict[ObjectKey, dict[str, list[Finding]]]:
    """Object -> rule -> findings, in report order (worst first)."""
    out: dict[ObjectKey, dict[str, list[Finding]]] = {}
    for f in findings:
        out.setdefault(ObjectKey(f.kind, f.namespace, f.name), {}).setdefault(f.rule, []).append(f)
    return out


def _case(suite: ET.Element, key: ObjectKey, name: str, location: Location | None) -> ET.Element:
    attrs = {"classname": xml_text(str(key)), "name": xml_text(name)}
    if location is not None and location[0] != "<stdin>":
        attrs["file"], attrs["line"] = xml_text(location[0]), str(location[1])
    return ET.SubElement(suite, "testcase", attrs)


def _outcome(case: ET.Element, rule: str, findings: list[Finding]) -> str:
    """Add the <failure> (or <skipped>) of one rule's findings on one object; which it was."""
    active = [f for f in findings if not f.ignored]
    shown = active or findings
    more = f" (and {len(shown) - 1} more)" if len(shown) > 1 else ""
    lines = []
    for f in findings:
        silenced = " (ignored: silenced by an exemption annotation)" if f.ignored else ""
        lines.append(f"{f.severity.label}{silenced}: {f.message}")
    first = shown[0]
    detail = "\n".join(lines) + f"\n\nWhy: {first.why}\nFix: {first.fix}\n"
    if not active:
        el = ET.SubElement(case, "skipped", message=xml_text(f"{rule}: {first.message}{more} (ignored)"))
        el.text = xml_text(detail)
        return "skipped"
    worst = max(f.severity for f in active)
    el = ET.SubElement(case, "failure", message=xml_text(f"{rule}: {first.message}{more}"), type=worst.label)
    el.text = xml_text(detail)
    return "failure"


def render_junit(
    report: HealthReport,
    show_ignored: bool = False,
    scope: CheckScope | None = None,
    locations: Mapping[ObjectKey, Location] | None = None,
    title: str = "kdash health",
) -> str:
    """The report as one JUnit suite; `locations` adds file/line attributes for `-f`."""
    scope = scope or CheckScope()
    locations = locations or {}
    grouped = _by_object([f for f in report.findings if show_ignored or not f.ignored])
    suites = ET.Element("testsuites", name="kdash check")
    suite = ET.SubElement(suites, "testsuite", name=xml_text(title))
    if scope.usage is not None:
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="usage", value=xml_text(scope.usage.text))
    counts = {"tests": 0, "failure": 0, "skipped": 0, "errors": 0}
    for what, why in scope.not_checked:
        case = ET.SubElement(suite, "testcase", classname="kdash.not-checked", name=xml_text(what))
        ET.SubElement(case, "error", message=xml_text(why), type="not-checked").text = xml_text(
            f"{what} could not be checked: {why}\n"
        )
        counts["tests"] += 1
        counts["errors"] += 1
    keys = [ObjectKey(o.kind, o.namespace, o.name) for o in report.objects]
    scored = set(keys)
    keys = [k for k in grouped if k not in scored] + keys  # findings on unscored objects first
    for key in keys:
        rules = grouped.get(key)
        location = locations.get(key)
        if not rules:
            _case(suite, key, PASSED, location)
            counts["tests"] += 1
            continue
        for rule, findings in rules.items():
            counts[_outcome(_case(suite, key, rule, location), rule, findings)] += 1
            counts["tests"] += 1
    totals = {
        "tests": str(counts["tests"]),
        "failures": str(counts["failure"]),
        "errors": str(counts["errors"]),
        "skipped": str(counts["skipped"]),
    }
    suites.attrib.update({k: v for k, v in totals.items() if k != "skipped"})
    suite.attrib.update(totals)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
