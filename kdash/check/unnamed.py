"""Manifest objects with neither metadata.name nor metadata.generateName, as errors in the report.

Such an object cannot be applied (the API server rejects it), so a CI gate must not pass the file:
each one is an error finding of the check-level rule `manifest-name-missing` (not a health rule:
the health rules see only objects that exist), and `kdash check` exits 1 on it like on any error.
It has no score: nothing in it was checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from types import MappingProxyType

from kdash.health import HealthReport
from kdash.health.check_rules import NAME_RULE
from kdash.model.findings import Finding
from kdash.model.meta import ObjectKey

Location = tuple[str, int]


def unnamed_findings(
    unnamed: Iterable[tuple[str, ObjectKey, Location | None]],
) -> tuple[list[Finding], dict[ObjectKey, Location]]:
    """One error finding per nameless object (named after where it is, e.g.
    `(unnamed: app.yaml: document 3)`), and where each one is, for the SARIF and JUnit locations."""
    findings: list[Finding] = []
    locations: dict[ObjectKey, Location] = {}
    for where, key, location in unnamed:
        name = f"(unnamed: {where})"
        findings.append(
            Finding(
                NAME_RULE.id,
                NAME_RULE.severity,
                key.kind,
                key.namespace,
                name,
                f"{where}: {key.kind} has neither metadata.name nor metadata.generateName: the API "
                "server rejects it, and nothing in it was checked",
                NAME_RULE.why,
                NAME_RULE.fix,
            )
        )
        if location is not None:
            locations[ObjectKey(key.kind, key.namespace, name)] = location
    return findings, locations


def with_findings(report: HealthReport, extra: list[Finding]) -> HealthReport:
    """The report with `extra` findings first (they are errors) and counted in the summary; the
    scores are unchanged, as the objects were not scored."""
    if not extra:
        return report
    summary = dict(report.summary)
    for f in extra:
        summary[f.severity.label] = summary.get(f.severity.label, 0) + 1
    return replace(report, findings=(*extra, *report.findings), summary=MappingProxyType(summary))
