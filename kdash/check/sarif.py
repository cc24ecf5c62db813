"""`kdash check -o sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF readers.

The run lists every kdash rule as a `reportingDescriptor` (what fires it, why, the fix, a
`helpUri` into docs/rules.md, whose anchors are the rule ids), so a reader can explain any
`ruleId`. Each finding is a result: on manifests (`-f`) it points at the file and the line of its
object's document, so code scanning shows it inline; on a live cluster, which has no file, at a
logical location `Kind/namespace/name`. What could not be checked is a tool execution
notification, and `executionSuccessful` is false then.

Text from the cluster or from manifests is cleaned as for JUnit (no escape sequence, control or
bidi character): SARIF viewers show messages as they are.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import PurePath
from urllib.parse import quote

import orjson

from kdash import __version__
from kdash.check.scope import CheckScope
from kdash.health import RULES, HealthReport, Rule
from kdash.health.check_rules import CHECK_RULES
from kdash.model.findings import Finding, Severity
from kdash.model.logtext import clean
from kdash.model.meta import ObjectKey

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
DEFAULT_RULES_URL = "docs/rules.md"  # relative to the repository root; --rules-url makes it absolute
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub ranks security alerts by this (CVSS-like, 0-10); it reads it only on rules tagged security
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
FINGERPRINT = "kdashObject/v1"  # rule + object + container: stable when lines move
STDIN = "<stdin>"
_SURROGATE = re.compile("[\ud800-\udfff]")

Location = tuple[str, int]


def _text(value: str) -> str:
    """Untrusted text as SARIF viewers will show it: no escape sequence, control or bidi character
    (and no lone surrogate, which a YAML escape can make and JSON cannot carry)."""
    return _SURROGATE.sub("\ufffd", clean(value, multiline=True))


def _pascal(rule_id: str) -> str:
    """`probe-readiness-missing` -> `ProbeReadinessMissing` (SARIF's `name` is an identifier)."""
    return "".join(part[:1].upper() + part[1:] for part in rule_id.split("-"))


def artifact_uri(path: str) -> str:
    """A file named on the command line as a URI reference: relative paths stay relative (GitHub
    resolves them against the repository root), absolute ones become file:// URIs."""
    posix = PurePath(os.path.normpath(path)).as_posix()
    try:  # a file name that is not UTF-8 decodes to surrogate escapes: its own bytes, encoded
        encoded = quote(posix, errors="surrogateescape")
    except UnicodeEncodeError:
        encoded = quote(posix, errors="replace")
    return f"file://{encoded}" if posix.startswith("/") else encoded


def help_uri(rule_id: str, rules_url: str = DEFAULT_RULES_URL) -> str:
    return f"{rules_url}#{rule_id}"


def _descriptor(rule: Rule, rules_url: str | None) -> dict[str, object]:
    props: dict[str, object] = {
        "tags": ["kubernetes", rule.category],  # "security" among them marks a security rule
        "category": rule.category,
        "scope": rule.scope,
    }
    if rule.category == "security":
        props["security-severity"] = SECURITY_SEVERITY[rule.severity]
    fix = " ".join(rule.fix.split())
    out: dict[str, object] = {
        "id": rule.id,
        "name": _pascal(rule.id),
        "shortDescription": {"text": rule.fires},
        "fullDescription": {"text": rule.why},
        "help": {
            "text": f"Why: {rule.why}\nFix: {fix}",
            "markdown": f"**Why:** {rule.why}\n\n**Fix:** {fix}",
        },
        "defaultConfiguration": {"level": LEVEL[rule.severity], "enabled": rule.default_enabled},
        "properties": props,
    }
    if rules_url is not None:  # docs/rules.md has a section per rule, kdash check's own ones too
        out["helpUri"] = help_uri(rule.id, rules_url)
    return out


def _fingerprint(f: Finding) -> str:
    key = "\x00".join((f.rule, f.kind, f.namespace, f.name, f.container or ""))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class _Objects:
    """What the results of one object share (its artifact, logical location and properties), made
    once per object: a big manifest has a dozen findings for each of tens of thousands of objects."""

    def __init__(self, locations: Mapping[ObjectKey, Location]) -> None:
        self.locations = locations
        self.artifacts: dict[str, int] = {}  # uri -> index in run.artifacts
        self._uris: dict[str, dict[str, object]] = {}  # file -> artifactLocation
        self._seen: dict[
            ObjectKey, tuple[dict[str, object] | None, int, list[object], dict[str, object]]
        ] = {}

    def get(self, key: ObjectKey) -> tuple[dict[str, object] | None, int, list[object], dict[str, object]]:
        hit = self._seen.get(key)
        if hit is None:
            artifact, line = None, 0
            location = self.locations.get(key)
            if location is not None and location[0] != STDIN:
                artifact, line = self._artifact(location[0]), location[1]
            name = _text(key.name)
            logical: list[object] = [
                {"name": name, "fullyQualifiedName": _text(str(key)), "kind": "resource"}
            ]
            props: dict[str, object] = {
                "kind": _text(key.kind),
                "namespace": _text(key.namespace),
                "name": name,
            }
            hit = self._seen[key] = (artifact, line, logical, props)
        return hit

    def _artifact(self, path: str) -> dict[str, object]:
        artifact = self._uris.get(path)
        if artifact is None:
            uri = artifact_uri(path)
            artifact = self._uris[path] = {
                "uri": uri,
                "index": self.artifacts.setdefault(uri, len(self.artifacts)),
            }
        return artifact


def _result(f: Finding, index: Mapping[str, int], objects: _Objects, line: int | None) -> dict[str, object]:
    artifact, object_line, logical, props = objects.get(ObjectKey(f.kind, f.namespace, f.name))
    where: dict[str, object] = {}
    if artifact is not None:
        where["physicalLocation"] = {
            "artifactLocation": artifact,
            "region": {"startLine": max(line or object_line, 1)},
        }
    where["logicalLocations"] = logical
    if f.container:
        props = {**props, "container": _text(f.container)}
    out: dict[str, object] = {
        "ruleId": f.rule,
        "level": LEVEL[f.severity],
        "message": {"text": _text(f.message)},
        "locations": [where],
        "partialFingerprints": {FINGERPRINT: _fingerprint(f)},
        "properties": props,
    }
    if f.rule in index:
        out["ruleIndex"] = index[f.rule]
    if f.ignored:  # present only with --show-ignored
        out["suppressions"] = [{"kind": "inSource", "justification": "silenced by an exemption annotation"}]
    return out


def render_sarif(
    report: HealthReport,
    show_ignored: bool = False,
    scope: CheckScope | None = None,
    locations: Mapping[ObjectKey, Location] | None = None,
    rules_url: str | None = DEFAULT_RULES_URL,
    container_lines: Mapping[tuple[ObjectKey, str], int] | None = None,
) -> str:
    """The report as one SARIF run. `locations` maps objects to (file, line) for `-f`, and
    `container_lines` (object, container) to the container's line in that file (see
    kdash.check.locate); `rules_url` is the base of each rule's helpUri (`<rules_url>#<rule-id>`,
    None for none)."""
    scope = scope or CheckScope()
    locations = locations or {}
    lines = container_lines or {}
    rules = [*RULES.values(), *(r for r in CHECK_RULES.values() if r.id not in RULES)]
    index = {rule.id: i for i, rule in enumerate(rules)}
    objects = _Objects(locations)
    results = []
    for f in report.findings:
        if show_ignored or not f.ignored:
            line = lines.get((ObjectKey(f.kind, f.namespace, f.name), f.container)) if f.container else None
            results.append(_result(f, index, objects, line))
    notes: list[dict[str, object]] = [
        {"level": "error", "message": {"text": _text(f"{what} could not be checked: {why}")}}
        for what, why in scope.not_checked
    ]
    if scope.namespaces:
        checked = ", ".join(scope.namespaces)
        notes.append(
            {
                "level": "note",
                "message": {
                    "text": _text(f"namespaces checked: {checked} (the cluster-wide lists are forbidden)")
                },
            }
        )
    if scope.usage is not None:
        notes.append({"level": "note", "message": {"text": _text(scope.usage.text)}})
    graded = bool(report.objects)
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "kdash",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_descriptor(rule, rules_url) for rule in rules],
            }
        },
        "invocations": [{"executionSuccessful": scope.complete, "toolExecutionNotifications": notes}],
        "artifacts": [{"location": {"uri": uri}} for uri in objects.artifacts],
        "results": results,
        "properties": {
            "score": round(float(report.score), 1) if graded else None,
            "grade": report.grade if graded else None,
            "objects": len(report.objects),
            "summary": {k: int(report.summary.get(k, 0)) for k in ("error", "warning", "info")},
            "complete": scope.complete,
        },
    }
    doc = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"
