"""Cell text and style of the dashboard panes, as pure functions over records built from raw JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Console

from kdash.model.autoscaling import HpaRecord
from kdash.model.build import build_record
from kdash.model.meta import ObjectKey
from kdash.model.quotas import LimitRangeRecord, QuotaItem
from kdash.model.workloads import WorkloadRecord
from kdash.ui.format import ERROR_STYLE, OK_STYLE, usage_bar
from kdash.ui.render.hpa import replicas_text
from kdash.ui.render.quotas import limit_rows, quota_row
from kdash.ui.render.workloads import ready_text
from kdash.ui.screens.workload import workload_summary
from kdash.ui.widgets.quotas_pane import QuotasPane
from kdash.ui.widgets.table_model import sort_key

META = {"namespace": "shop", "uid": "u1", "creationTimestamp": "2026-11-01T00:00:00Z"}
NO_METRICS = {
    "type": "ScalingActive",
    "status": "False",
    "reason": "FailedGetResourceMetric",
    "message": "the HPA was unable to compute the replica count: failed to get cpu utilization",
}


def hpa(status: dict[str, Any]) -> HpaRecord:
    raw = {
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", **META},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": "web"},
            "minReplicas": 2,
            "maxReplicas": 10,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
                }
            ],
        },
        "status": status,
    }
    record = build_record("horizontalpodautoscalers", raw)
    assert isinstance(record, HpaRecord)
    return record


def test_hpa_without_metrics_shows_current_replicas_and_desired_unknown() -> None:
    # what a real kube-controller-manager reports while metrics-server is missing
    record = hpa({"currentReplicas": 2, "desiredReplicas": 0, "conditions": [NO_METRICS]})
    assert replicas_text(record).plain == "2→?"


def test_hpa_with_metrics_shows_current_and_desired() -> None:
    current = [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 95}}}]
    record = hpa({"currentReplicas": 2, "desiredReplicas": 3, "currentMetrics": current})
    assert replicas_text(record).plain == "2→3"
    # scaled to zero on purpose (target at 0 replicas): 0 is the controller's real answer
    disabled = {"type": "ScalingActive", "status": "False", "reason": "ScalingDisabled"}
    assert replicas_text(
        hpa({"currentReplicas": 0, "desiredReplicas": 0, "conditions": [disabled]})
    ).plain == ("0→0")


def job(status: dict[str, Any], completions: int | None = 1) -> WorkloadRecord:
    spec: dict[str, Any] = {"template": {"spec": {"containers": [{"name": "c", "image": "x:1"}]}}}
    if completions is not None:
        spec["completions"] = completions
    record = build_record(
        "jobs", {"kind": "Job", "metadata": {"name": "import", **META}, "spec": spec, "status": status}
    )
    assert isinstance(record, WorkloadRecord)
    return record


COMPLETE = {
    "succeeded": 1,
    "ready": 0,  # a finished Job has no ready pods: that is not a failure
    "conditions": [{"type": "Complete", "status": "True"}],
}


def test_completed_job_is_green_not_red() -> None:
    cell = ready_text(job(COMPLETE))
    assert cell.plain == "1/1"
    assert str(cell.style) == OK_STYLE


def test_failed_job_is_red_and_running_job_is_not() -> None:
    failed = {
        "failed": 6,
        "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}],
    }
    assert str(ready_text(job(failed)).style) == ERROR_STYLE
    running = ready_text(job({"active": 1, "ready": 1}, completions=3))
    assert running.plain == "0/3" and str(running.style) != ERROR_STYLE


def test_workload_summary_paints_a_completed_job_green() -> None:
    segments = list(Console(width=120).render(workload_summary(job(COMPLETE), None)))
    hits = [seg for seg in segments if "1/1" in seg.text]
    assert hits
    for seg in hits:
        assert seg.style is not None and seg.style.color is not None
        assert seg.style.color.name == "green"


def quota(used: str, hard: str) -> QuotaItem:
    return QuotaItem("requests.cpu", used, hard, Decimal(used), Decimal(hard))


def test_limitrange_defaults_sort_below_every_quota_in_both_orders() -> None:
    key = ObjectKey("ResourceQuota", "shop", "compute")
    rows = [quota_row((key, f"r{i}"), quota(str(used), "100")) for i, used in enumerate((95, 40, 0))]
    lr_raw = {
        "kind": "LimitRange",
        "metadata": {"name": "shop-limits", **META},
        "spec": {
            "limits": [{"type": "Container", "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "100m"}}]
        },
    }
    lr = build_record("limitranges", lr_raw)
    assert isinstance(lr, LimitRangeRecord)
    rows += list(limit_rows(ObjectKey("LimitRange", "shop", "shop-limits"), lr))
    rows.append(quota_row((key, "unknown"), QuotaItem("pods", "", "10")))  # no usage reported yet
    columns = QuotasPane.COLUMNS
    by_usage = sort_key(columns, [c.key for c in columns].index("bar"))
    blank = 2  # the group ResourceTable keeps last in either direction
    assert [by_usage(r)[0] == blank for r in rows] == [False, False, False, True, True]


def test_quota_percent_is_never_negative_zero() -> None:
    item = quota("-0", "100")
    assert item.percent == 0
    assert "-" not in usage_bar(item.percent, 9).plain
    assert "-0%" not in usage_bar(-0.4, 9).plain
