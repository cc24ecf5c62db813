"""Workload rows: READY coloured by health, kind short names, ages, and the health verdict (the
scorer's grade and worst finding, or what the model alone says before the first report)."""

from __future__ import annotations

from typing import Any

import pytest

from kdash.model.findings import Finding, ObjectScore, Severity
from kdash.model.workloads import WorkloadRecord
from kdash.ui.render.text import ERROR_STYLE, INFO_STYLE, MUTED_STYLE, OK_STYLE, WARNING_STYLE
from kdash.ui.render.workloads import COLUMNS, score_signature, workload_row
from tests.ui.render.records import NOW, THREE_DAYS, check, meta, record

TEMPLATE = {
    "template": {"spec": {"containers": [{"name": "app", "image": "registry.example.com/shop/web:1.4"}]}}
}


def deployment(replicas: int, ready: int, name: str = "web") -> WorkloadRecord:
    raw = {
        "kind": "Deployment",
        "metadata": meta(name),
        "spec": {"replicas": replicas, **TEMPLATE},
        "status": {
            "replicas": replicas,
            "readyReplicas": ready,
            "updatedReplicas": replicas,
            "availableReplicas": ready,
        },
    }
    return record("deployments", raw, WorkloadRecord)


def job(status: dict[str, Any]) -> WorkloadRecord:
    raw = {
        "kind": "Job",
        "metadata": meta("import"),
        "spec": {"completions": 1, **TEMPLATE},
        "status": status,
    }
    return record("jobs", raw, WorkloadRecord)


def cronjob(suspend: bool) -> WorkloadRecord:
    spec = {"schedule": "*/5 * * * *", "suspend": suspend, "jobTemplate": {"spec": TEMPLATE}}
    return record("cronjobs", {"kind": "CronJob", "metadata": meta("report"), "spec": spec}, WorkloadRecord)


COMPLETE = {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}
FAILED = {"failed": 6, "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}

# record, row class, then {column: (text, style, sort key)} (no report yet: the model's own verdict)
CASES: list[tuple[str, WorkloadRecord, str | None, dict[str, tuple[str, str, Any]]]] = [
    (
        "all ready",
        deployment(2, 2),
        None,
        {
            "kind": ("deploy", "", "deploy"),
            "ready": ("2/2", OK_STYLE, 1.0),
            "updated": ("2", "", 2),
            "available": ("2", "", 2),
            "age": ("3d", "", THREE_DAYS),
            "images": ("web:1.4", "", None),
            "health": ("-", MUTED_STYLE, None),
            "finding": ("", "", None),
        },
    ),
    (
        "short of ready",
        deployment(4, 1),
        "warning",
        {
            "ready": ("1/4", WARNING_STYLE, 0.25),
            "finding": ("1 of 4 ready", WARNING_STYLE, -int(Severity.WARNING)),
        },
    ),
    (
        "none ready",
        deployment(2, 0),
        "error",
        {"ready": ("0/2", ERROR_STYLE, 0.0), "finding": ("0 of 2 ready", ERROR_STYLE, -int(Severity.ERROR))},
    ),
    ("completed job", job(COMPLETE), None, {"kind": ("job", "", "job"), "ready": ("1/1", OK_STYLE, 1.0)}),
    (
        "failed job",
        job(FAILED),
        "error",
        {"ready": ("0/1", ERROR_STYLE, 0.0), "finding": ("job failed", ERROR_STYLE, -int(Severity.ERROR))},
    ),
    (
        "suspended cronjob",
        cronjob(True),
        "info",
        {
            "kind": ("cj", "", "cj"),
            "ready": ("*/5 * * * *", MUTED_STYLE, None),  # no ratio: the schedule, sorted by its text
            "finding": ("suspended", INFO_STYLE, -int(Severity.INFO)),
        },
    ),
]


@pytest.mark.parametrize(("name", "wl", "style_class", "expected"), CASES, ids=[c[0] for c in CASES])
def test_workload_row_without_a_report(
    name: str, wl: WorkloadRecord, style_class: str | None, expected: dict[str, tuple[str, str, Any]]
) -> None:
    row = workload_row(wl.meta.key, wl, None, NOW)
    assert row.key == wl.meta.key and row.style_class == style_class
    check(
        row,
        COLUMNS,
        {"namespace": ("shop", "", "shop"), "name": (wl.meta.name, "", wl.meta.name), **expected},
    )


def test_workload_row_with_a_score_shows_grade_and_worst_finding_without_repeating_the_object() -> None:
    wl = deployment(2, 2)
    worst = Finding(
        "probes.missing",
        Severity.WARNING,
        "Deployment",
        "shop",
        "web",
        "Deployment shop/web, no readiness probe",
    )
    score = ObjectScore("Deployment", "shop", "web", 82.0, "B", worst)
    row = workload_row(wl.meta.key, wl, score, NOW)
    assert row.style_class == "warning"
    check(
        row,
        COLUMNS,
        {
            "health": (" 82 B", OK_STYLE, 82.0),
            "finding": ("no readiness probe", WARNING_STYLE, -int(Severity.WARNING)),
        },
    )
    assert score_signature(score) == (82.0, "B", ("probes.missing", Severity.WARNING, worst.message))
    assert score_signature(None) is None


def test_workload_row_keeps_labels_for_the_label_filter() -> None:
    raw = {
        "kind": "Deployment",
        "metadata": meta("api", labels={"app": "api"}),
        "spec": {"replicas": 1, **TEMPLATE},
    }
    wl = record("deployments", raw, WorkloadRecord)
    assert dict(workload_row(wl.meta.key, wl, None, NOW).labels) == {"app": "api"}
