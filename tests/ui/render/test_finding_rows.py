"""Finding rows (severity, rule, the object and container, the message without the object's name)
and the runtime findings shown before the scorer's first report."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from kdash.model.findings import Finding, Severity
from kdash.model.meta import ObjectKey
from kdash.model.pods import RestartRecord
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.workloads import WorkloadRecord
from kdash.ui.render.findings import COLUMNS, finding_key, finding_row, runtime_findings
from kdash.ui.render.text import ERROR_STYLE, INFO_STYLE
from tests.ui.render.records import check, meta, record


@pytest.mark.parametrize(
    ("finding", "style_class", "expected"),
    [
        (
            Finding(
                "restarts.crashloop",
                Severity.ERROR,
                "Pod",
                "shop",
                "cart-1",
                "Pod shop/cart-1: crash-looping",
                container="app",
            ),
            "error",
            {
                "severity": ("error", ERROR_STYLE, -3),
                "rule": ("restarts.crashloop", "", "restarts.crashloop"),
                "object": ("Pod/shop/cart-1 [app]", "", "Pod/shop/cart-1 [app]"),
                "message": ("crash-looping", "", "Pod shop/cart-1: crash-looping"),
            },
        ),
        (
            Finding("nodes.pressure", Severity.INFO, "Node", "", "node-1", "memory pressure"),
            "info",
            {"severity": ("info", INFO_STYLE, -1), "object": ("Node/node-1", "", "Node/node-1")},
        ),
    ],
)
def test_finding_row(finding: Finding, style_class: str, expected: dict[str, Any]) -> None:
    key = finding_key(finding)
    assert key[1] == ObjectKey(finding.kind, finding.namespace, finding.name)  # what enter opens
    row = finding_row(key, finding)
    assert row.key == key and row.style_class == style_class
    check(row, COLUMNS, expected)


def test_runtime_findings_in_scope_worst_first() -> None:
    def deployment(name: str, namespace: str, ready: int) -> WorkloadRecord:
        raw = {
            "kind": "Deployment",
            "metadata": meta(name, namespace),
            "spec": {"replicas": 2},
            "status": {"replicas": 2, "readyReplicas": ready},
        }
        return record("deployments", raw, WorkloadRecord)

    workloads = [deployment("web", "shop", 1), deployment("api", "shop", 2), deployment("db", "data", 0)]
    crash = RestartRecord("shop", "cart-1", "app", 4, "CrashLoopBackOff")
    snapshot = replace(
        ClusterSnapshot(), workloads={w.meta.key: w for w in workloads}, restarts=(crash,), namespace=None
    )
    everywhere = [(f.severity, f.name, f.message) for f in runtime_findings(snapshot)]
    assert everywhere == [
        (Severity.ERROR, "db", "0 of 2 ready"),
        (Severity.ERROR, "cart-1", "app crash-looping (4 restarts)"),
        (Severity.WARNING, "web", "1 of 2 ready"),
    ]
    shop = [f.name for f in runtime_findings(replace(snapshot, namespace="shop"))]
    assert shop == ["cart-1", "web"]
