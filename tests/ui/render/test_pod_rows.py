"""Pod rows: kubectl's columns coloured by state, the row class by how bad the pod is, sort keys
by value (restarts as numbers, newest restart first), and what a pod counts against a quota."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kdash.model.pods import PodRecord
from kdash.ui.render import pods
from kdash.ui.render.text import ERROR_STYLE, OK_STYLE, WARNING_STYLE
from tests.ui.render.records import NOW, check, meta, record

FINISHED = "2026-11-29T11:58:00Z"  # two minutes before NOW
CREATED_TS = -(NOW.timestamp() - 3 * 24 * 3600)


def container(name: str = "app", cpu: str = "250m", memory: str = "256Mi") -> dict[str, Any]:
    return {"name": name, "image": "web:1", "resources": {"requests": {"cpu": cpu, "memory": memory}}}


def pod(name: str, status: dict[str, Any], *, containers: list[dict[str, Any]] | None = None) -> PodRecord:
    raw = {
        "kind": "Pod",
        "metadata": meta(name),
        "spec": {"nodeName": "node-1", "containers": containers or [container()]},
        "status": {"podIP": "10.0.0.7", **status},
    }
    return record("pods", raw, PodRecord)


def running(ready: bool = True) -> dict[str, Any]:
    state = {"running": {"startedAt": "2026-11-26T12:00:00Z"}}
    return {
        "phase": "Running",
        "containerStatuses": [{"name": "app", "ready": ready, "restartCount": 0, "state": state}],
    }


CRASHLOOP = {
    "phase": "Running",
    "containerStatuses": [
        {
            "name": "app",
            "ready": False,
            "restartCount": 12,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": FINISHED}},
        }
    ],
}
PENDING = {"phase": "Pending"}
SUCCEEDED = {
    "phase": "Succeeded",
    "containerStatuses": [
        {"name": "app", "ready": False, "restartCount": 0, "state": {"terminated": {"reason": "Completed"}}}
    ],
}

# pod, row class, then {column: (text, style, sort key)}
CASES: list[tuple[str, PodRecord, str | None, dict[str, tuple[str, str, Any]]]] = [
    (
        "running",
        pod("web-1", running()),
        None,
        {
            "name": ("web-1", "", "web-1"),
            "ready": ("1/1", OK_STYLE, 1),
            "status": ("Running", OK_STYLE, "Running"),
            "restarts": ("0", "", 0),
            "last_restart": ("", "dim", None),
            "node": ("node-1", "", "node-1"),
            "ip": ("10.0.0.7", "", "10.0.0.7"),
            "age": ("3d", "", CREATED_TS),
        },
    ),
    ("not ready", pod("web-2", running(ready=False)), "warning", {"ready": ("0/1", ERROR_STYLE, 0)}),
    (
        "crash-looping",
        pod("cart-1", CRASHLOOP),
        "error",
        {
            "status": ("CrashLoopBackOff", ERROR_STYLE, "CrashLoopBackOff"),
            "restarts": ("12", "", 12),
            "last_restart": ("2m ago", "dim", -(NOW.timestamp() - 120)),  # newest first
        },
    ),
    (
        "pending, not scheduled",
        pod("queue-1", PENDING),
        "warning",
        {"status": ("Pending", WARNING_STYLE, "Pending"), "ip": ("10.0.0.7", "", "10.0.0.7")},
    ),
    ("finished", pod("import-1", SUCCEEDED), "muted", {"status": ("Completed", OK_STYLE, "Completed")}),
]


@pytest.mark.parametrize(("name", "record_", "style_class", "expected"), CASES, ids=[c[0] for c in CASES])
def test_pod_row(name: str, record_: PodRecord, style_class: str | None, expected: dict[str, Any]) -> None:
    row = pods.pod_row(record_, NOW)
    assert row.key == record_.meta.key and row.style_class == style_class
    check(row, pods.COLUMNS, expected)


def test_all_namespaces_puts_the_namespace_first_and_extra_cells_last() -> None:
    record_ = pod("web-1", running())
    extra = pods.requests_cell(record_, ["requests.cpu", "requests.memory", "pods"])
    row = pods.pod_row(record_, NOW, namespace=True, extra=[extra])
    columns = pods.columns(namespace=True, requests=True)
    check(
        row,
        columns,
        {
            "namespace": ("shop", "", "shop"),
            "name": ("web-1", "", "web-1"),
            "requests": ("requests.cpu 250m, requests.memory 256Mi", "", None),  # counts are left out
        },
    )


def test_a_pods_age_texts_are_what_its_row_is_rebuilt_on() -> None:
    assert pods.pod_ages(pod("cart-1", CRASHLOOP), NOW) == ("3d", "2m")
    assert pods.pod_ages(pod("web-1", running()), NOW) == ("3d", "")


@pytest.mark.parametrize(
    ("resource", "amount"),
    [
        ("requests.cpu", Decimal("0.75")),  # 250m + 500m
        ("cpu", Decimal("0.75")),
        ("requests.memory", Decimal(256 * 2**20 + 512 * 2**20)),
        ("limits.cpu", Decimal(0)),  # no limits set
        ("pods", Decimal(0)),  # a count, not an amount
    ],
)
def test_pod_amount_against_a_quota_resource(resource: str, amount: Decimal) -> None:
    two = pod("web-1", running(), containers=[container(), container("side", "500m", "512Mi")])
    assert pods.pod_amount(two, resource) == amount
