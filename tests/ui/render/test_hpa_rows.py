"""HPA rows: current→desired (unknown while metrics are missing), conditions in words, warnings
(at max, metrics unavailable, cannot scale) and the row class they give."""

from __future__ import annotations

from typing import Any

import pytest

from kdash.model.autoscaling import HpaRecord
from kdash.model.findings import Severity
from kdash.ui.render.hpa import COLUMNS, hpa_row
from kdash.ui.render.text import ERROR_STYLE, WARNING_STYLE
from tests.ui.render.records import NOW, check, meta, record

CPU = {
    "type": "Resource",
    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
}
CURRENT = [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 95}}}]
ABLE = {"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale"}
ACTIVE = {"type": "ScalingActive", "status": "True", "reason": "ValidMetricFound"}
NO_METRICS = {"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric"}
UNABLE = {"type": "AbleToScale", "status": "False", "reason": "FailedGetScale"}


def hpa(status: dict[str, Any]) -> HpaRecord:
    spec = {
        "scaleTargetRef": {"kind": "Deployment", "name": "web"},
        "minReplicas": 2,
        "maxReplicas": 5,
        "metrics": [CPU],
    }
    raw = {"kind": "HorizontalPodAutoscaler", "metadata": meta("web"), "spec": spec, "status": status}
    return record("horizontalpodautoscalers", raw, HpaRecord)


# status, row class, then {column: (text, style, sort key)}
CASES: list[tuple[str, dict[str, Any], str | None, dict[str, tuple[str, str, Any]]]] = [
    (
        "scaling",
        {"currentReplicas": 2, "desiredReplicas": 3, "currentMetrics": CURRENT, "conditions": [ABLE, ACTIVE]},
        None,
        {
            "target": ("Deployment/web", "", "web"),
            "minmax": ("2/5", "", 5),
            "replicas": ("2→3", "", 2),
            "conditions": ("able active limited?", "", None),
            "warnings": ("", WARNING_STYLE, None),
        },
    ),
    (
        "at max",
        {"currentReplicas": 5, "desiredReplicas": 5, "currentMetrics": CURRENT, "conditions": [ABLE, ACTIVE]},
        "warning",
        {"replicas": ("5→5", "", 5), "warnings": ("at max", WARNING_STYLE, -int(Severity.WARNING))},
    ),
    (
        "metrics unavailable",
        {"currentReplicas": 2, "desiredReplicas": 0, "conditions": [ABLE, NO_METRICS]},
        "warning",
        {
            "replicas": ("2→?", "", 2),  # the server's 0 is no answer, not "scaling to zero"
            "conditions": ("able !active limited?", "", None),
            "warnings": ("metrics unavailable", WARNING_STYLE, -int(Severity.WARNING)),
        },
    ),
    (
        "cannot scale",
        {
            "currentReplicas": 2,
            "desiredReplicas": 2,
            "currentMetrics": CURRENT,
            "conditions": [UNABLE, ACTIVE],
        },
        "error",
        {"warnings": ("cannot scale: FailedGetScale", ERROR_STYLE, -int(Severity.ERROR))},
    ),
]


@pytest.mark.parametrize(("name", "status", "style_class", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hpa_row(
    name: str, status: dict[str, Any], style_class: str | None, expected: dict[str, Any]
) -> None:
    record_ = hpa(status)
    row = hpa_row(record_.meta.key, record_, NOW)
    assert row.style_class == style_class
    check(row, COLUMNS, {"namespace": ("shop", "", "shop"), "name": ("web", "", "web"), **expected})


def test_at_max_colours_the_replicas_and_a_missing_metric_value() -> None:
    record_ = hpa({"currentReplicas": 5, "desiredReplicas": 5, "conditions": [ABLE, NO_METRICS]})
    cells = dict(zip([c.key for c in COLUMNS], hpa_row(record_.meta.key, record_, NOW).cells, strict=True))
    replicas, metrics = cells["replicas"].as_text(), cells["metrics"].as_text()
    assert [str(span.style) for span in replicas.spans] == [WARNING_STYLE]
    assert "<unknown>" in metrics.plain and [str(span.style) for span in metrics.spans] == [WARNING_STYLE]
