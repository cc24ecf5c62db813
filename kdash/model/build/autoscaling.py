"""HorizontalPodAutoscalers: replicas, conditions and the TARGETS text of every metric.

Metric texts follow `formatHPAMetrics` in k8s.io/kubernetes pkg/printers/internalversion/printers.go:
spec metric i is paired with status.currentMetrics[i] (the HPA controller keeps them aligned, and
writes `{"type": ""}` for a metric it could not read), Resource and ContainerResource read
"cpu: 85%/70%", Pods read "15/10", Object and External read "3/5" or "3/5 (avg)", and an unknown
current value reads "<unknown>". autoscaling/v1 objects (targetCPUUtilizationPercentage) are
read as one Resource cpu metric.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from kdash.model.autoscaling import HpaMetric, HpaRecord
from kdash.model.build._json import conditions, d, i, lst, opt_i, s, scalar_str, t
from kdash.model.build.meta import build_meta, build_selector
from kdash.model.meta import LabelSelector

UNKNOWN = "<unknown>"


def _percent(x: object) -> str | None:
    value = opt_i(x)
    return None if value is None else f"{value}%"


def _resource_metric(type_: str, src: Mapping[str, Any], cur: Mapping[str, Any] | None) -> HpaMetric:
    """Resource and ContainerResource: "cpu: 85%/70%" (utilization) or "memory: 300Mi/500Mi"."""
    name = s(src.get("name"))
    target = d(src.get("target"))
    current_value = d(cur.get("current")) if cur is not None else None
    average = scalar_str(target.get("averageValue"))
    if average:
        current = scalar_str(current_value.get("averageValue")) or None if current_value is not None else None
        return HpaMetric(
            type_, name, average, current, "AverageValue", f"{name}: {current or UNKNOWN}/{average}"
        )
    current = _percent(current_value.get("averageUtilization")) if current_value is not None else None
    goal = _percent(target.get("averageUtilization")) or "<auto>"
    return HpaMetric(type_, name, goal, current, "Utilization", f"{name}: {current or UNKNOWN}/{goal}")


def _value_metric(type_: str, src: Mapping[str, Any], cur: Mapping[str, Any] | None) -> HpaMetric:
    """Object and External: "3/5", or "3/5 (avg)" for an AverageValue target."""
    name = s(d(src.get("metric")).get("name"))
    target = d(src.get("target"))
    current_value = d(cur.get("current")) if cur is not None else None
    average = scalar_str(target.get("averageValue"))
    if average:
        current = scalar_str(current_value.get("averageValue")) or None if current_value is not None else None
        return HpaMetric(
            type_, name, average, current, "AverageValue", f"{current or UNKNOWN}/{average} (avg)"
        )
    value = scalar_str(target.get("value"))
    current = scalar_str(current_value.get("value")) or None if current_value is not None else None
    return HpaMetric(type_, name, value, current, "Value", f"{current or UNKNOWN}/{value}")


def _pods_metric(src: Mapping[str, Any], cur: Mapping[str, Any] | None) -> HpaMetric:
    """Pods: "15/10" (always an AverageValue target)."""
    name = s(d(src.get("metric")).get("name"))
    target = scalar_str(d(src.get("target")).get("averageValue"))
    current = scalar_str(d(cur.get("current")).get("averageValue")) or None if cur is not None else None
    return HpaMetric("Pods", name, target, current, "AverageValue", f"{current or UNKNOWN}/{target}")


def selector_text(selector: LabelSelector) -> str:
    """A label selector as kubectl writes one: "app=web,tier in (a,b),!canary"."""
    parts = [f"{k}={v}" for k, v in sorted(selector.match_labels.items())]
    for req in selector.match_expressions:
        if req.operator == "In":
            parts.append(f"{req.key} in ({','.join(req.values)})")
        elif req.operator == "NotIn":
            parts.append(f"{req.key} notin ({','.join(req.values)})")
        elif req.operator == "Exists":
            parts.append(req.key)
        elif req.operator == "DoesNotExist":
            parts.append(f"!{req.key}")
        else:
            parts.append(f"{req.key} {req.operator} ({','.join(req.values)})")
    return ",".join(parts)


def _details(type_: str, src: Mapping[str, Any]) -> dict[str, str]:
    """What names a metric beyond its name: the selector, the container, the described object."""
    out: dict[str, str] = {}
    selector = d(src.get("metric")).get("selector")
    if selector:
        out["selector"] = selector_text(build_selector(selector))
    if type_ == "ContainerResource":
        out["container"] = s(src.get("container"))
    if type_ == "Object":
        ref = d(src.get("describedObject"))
        if ref:
            out["described"] = f"{s(ref.get('kind'))}/{s(ref.get('name'))}"
    return out


_SOURCE_FIELD = {
    "Resource": "resource",
    "ContainerResource": "containerResource",
    "Pods": "pods",
    "Object": "object",
    "External": "external",
}


def build_hpa_metric(spec: object, status: object) -> HpaMetric:
    """One spec metric with the status entry at the same index (or None)."""
    sp = d(spec)
    type_ = s(sp.get("type"))
    field = _SOURCE_FIELD.get(type_)
    if field is None:
        return HpaMetric(type_, "", "", None, "", "<unknown type>")
    src = d(sp.get(field))
    cur = d(status).get(field)
    cur_map: Mapping[str, Any] | None = cur if isinstance(cur, dict) else None
    if type_ in ("Resource", "ContainerResource"):
        metric = _resource_metric(type_, src, cur_map)
    elif type_ == "Pods":
        metric = _pods_metric(src, cur_map)
    else:
        metric = _value_metric(type_, src, cur_map)
    details = _details(type_, src)
    return replace(metric, **details) if details else metric


def _v1_metrics(spec: Mapping[str, Any], status: Mapping[str, Any]) -> tuple[HpaMetric, ...]:
    goal = _percent(spec.get("targetCPUUtilizationPercentage"))
    if goal is None:
        return ()
    current = _percent(status.get("currentCPUUtilizationPercentage"))
    return (HpaMetric("Resource", "cpu", goal, current, "Utilization", f"cpu: {current or UNKNOWN}/{goal}"),)


def build_hpa(obj: object) -> HpaRecord:
    """An HPA record (autoscaling/v2, or v1 read as its cpu metric)."""
    raw = d(obj)
    meta = build_meta(raw, "HorizontalPodAutoscaler")
    spec = d(raw.get("spec"))
    status = d(raw.get("status"))
    ref = d(spec.get("scaleTargetRef"))
    specs = lst(spec.get("metrics"))
    currents = lst(status.get("currentMetrics"))
    if specs:
        metrics = tuple(
            build_hpa_metric(m, currents[idx] if idx < len(currents) else None) for idx, m in enumerate(specs)
        )
    else:
        metrics = _v1_metrics(spec, status)
    return HpaRecord(
        meta=meta,
        target_kind=s(ref.get("kind")),
        target_name=s(ref.get("name")),
        min_replicas=i(spec.get("minReplicas"), 1),
        max_replicas=i(spec.get("maxReplicas")),
        current_replicas=i(status.get("currentReplicas")),
        desired_replicas=i(status.get("desiredReplicas")),
        metrics=metrics,
        conditions=conditions(status.get("conditions")),
        last_scale=t(status.get("lastScaleTime")),
        has_status=bool(status),
    )


def hpa_targets_text(hpa: HpaRecord, limit: int = 2) -> str:
    """kubectl's TARGETS cell: the first `limit` metric texts, then "+ N more...", or "<none>"."""
    if not hpa.metrics:
        return "<none>"
    texts = [m.text for m in hpa.metrics]
    if len(texts) > limit:
        return ", ".join(texts[:limit]) + f" + {len(texts) - limit} more..."
    return ", ".join(texts)
