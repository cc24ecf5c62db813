"""The HPA TARGETS cell, as kube-apiserver's formatHPAMetrics prints it (statuses paired with the
spec's metrics by position, two shown, then "+ N more...")."""

from __future__ import annotations

from typing import Any

import pytest

from kdash.sim.table_workload_cells import hpa_targets
from tests.sim.test_kinds_discovery import raw

JSON = dict[str, Any]
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def _res(name: str, target: JSON, current: JSON | None = None) -> tuple[JSON, JSON | None]:
    spec = {"type": "Resource", "resource": {"name": name, "target": target}}
    status = None if current is None else {"type": "Resource", "resource": {"name": name, "current": current}}
    return spec, status


def _pods(target: str, current: str | None) -> tuple[JSON, JSON | None]:
    metric = {"metric": {"name": "packets-per-second"}}
    spec = {"type": "Pods", "pods": {**metric, "target": {"type": "AverageValue", "averageValue": target}}}
    status = (
        None
        if current is None
        else {"type": "Pods", "pods": {**metric, "current": {"averageValue": current}}}
    )
    return spec, status


def _ext(target: JSON, current: JSON | None, kind: str = "External") -> tuple[JSON, JSON | None]:
    key = kind.lower()
    spec = {"type": kind, key: {"metric": {"name": "queue"}, "target": target}}
    status = (
        None if current is None else {"type": kind, key: {"metric": {"name": "queue"}, "current": current}}
    )
    return spec, status


CPU = _res(
    "cpu",
    {"type": "Utilization", "averageUtilization": 60},
    {"averageUtilization": 45, "averageValue": "45m"},
)
MEM = _res("memory", {"type": "AverageValue", "averageValue": "500Mi"}, {"averageValue": "120Mi"})
PODS = _pods("2k", "1k")


@pytest.mark.parametrize(
    ("metrics", "want"),
    [
        ([], "<none>"),
        ([CPU], "cpu: 45%/60%"),
        ([MEM], "memory: 120Mi/500Mi"),
        ([PODS], "1k/2k"),
        ([(CPU[0], None)], "cpu: <unknown>/60%"),
        ([(MEM[0], None)], "memory: <unknown>/500Mi"),
        ([_pods("2k", None)], "<unknown>/2k"),
        ([_res("cpu", {"type": "Utilization"}, {"averageUtilization": 10})], "cpu: 10%/<auto>"),
        (
            [_ext({"type": "AverageValue", "averageValue": "30"}, {"averageValue": "6262500m"})],
            "6262500m/30 (avg)",
        ),
        ([_ext({"type": "Value", "value": "10k"}, {"value": "7k"}, "Object")], "7k/10k"),
        ([_ext({"type": "Value", "value": "10k"}, None, "Object")], "<unknown>/10k"),
        ([MEM, PODS], "memory: 120Mi/500Mi, 1k/2k"),
        ([MEM, PODS, CPU], "memory: 120Mi/500Mi, 1k/2k + 1 more..."),
        ([CPU, MEM, PODS, CPU], "cpu: 45%/60%, memory: 120Mi/500Mi + 2 more..."),
        ([({"type": "Strange"}, None)], "<unknown type>"),
    ],
)
def test_targets(metrics: list[tuple[JSON, JSON | None]], want: str) -> None:
    specs = [m[0] for m in metrics]
    statuses = [m[1] or {"type": m[0]["type"]} for m in metrics]  # an unmeasured metric: no source
    assert hpa_targets(specs, statuses) == want
    if all(m[1] is None for m in metrics):
        assert hpa_targets(specs, []) == want  # the same with no currentMetrics at all


def test_statuses_pair_with_metrics_by_position_not_by_name() -> None:
    """A status list shorter than the spec (the controller has not measured the second yet)."""
    assert hpa_targets([MEM[0], CPU[0]], [MEM[1]]) == "memory: 120Mi/500Mi, cpu: <unknown>/60%"  # type: ignore[list-item]


def test_the_demo_hpas_over_http(api: Any) -> None:
    doc = raw(api, "/apis/autoscaling/v2/horizontalpodautoscalers", TABLE)
    assert [c["name"] for c in doc["columnDefinitions"]] == [
        "Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age",
    ]  # fmt: skip
    rows = {r["cells"][0]: r["cells"] for r in doc["rows"]}
    assert rows["web"][1:6] == ["Deployment/web", "memory: 120Mi/500Mi, 1k/2k + 1 more...", "2", 3, 3]
    assert rows["frontend"][2] == "cpu: 95%/70%"
    assert rows["api"][2] == "cpu: <unknown>/70%"  # was "<unknown>/None%"-style before the fix
