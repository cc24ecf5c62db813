"""Builders for the objects around workloads: HPAs, ResourceQuotas, LimitRanges and Events.

Shared by the ``demo`` and ``big`` scenarios; deterministic for a given ``now`` like every builder.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kdash.sim.scenarios.builders import meta, ts

JSON = dict[str, Any]
D, M = timedelta(days=1), timedelta(minutes=1)


def hpa(
    ns: str,
    target: str,
    now: datetime,
    *,
    min_r: int,
    max_r: int,
    current: int,
    util: tuple[int, int] | None,
    limited: bool,
) -> JSON:
    """An autoscaling/v2 HPA on Deployment ``target``: ``util`` is (current, target) cpu %, or None
    for a controller that cannot fetch metrics; ``limited`` adds ScalingLimited (at its max)."""
    t = ts(now, 40 * M)
    target_util = util[1] if util else 70
    conds = [
        {
            "type": "AbleToScale",
            "status": "True",
            "lastTransitionTime": t,
            "reason": "ReadyForNewScale",
            "message": "recommended size matches current size",
        }
    ]
    status: JSON = {"currentReplicas": current, "desiredReplicas": current}
    if util is None:
        conds.append(
            {
                "type": "ScalingActive",
                "status": "False",
                "lastTransitionTime": t,
                "reason": "FailedGetResourceMetric",
                "message": "the HPA was unable to compute the replica count: failed to get cpu utilization: "
                "unable to get metrics for resource cpu: unable to fetch metrics from resource "
                "metrics API: the server could not find the requested resource (get "
                "pods.metrics.k8s.io)",
            }
        )
        status["currentMetrics"] = None
    else:
        conds.append(
            {
                "type": "ScalingActive",
                "status": "True",
                "lastTransitionTime": t,
                "reason": "ValidMetricFound",
                "message": "the HPA was able to successfully calculate a replica count from cpu resource "
                "utilization (percentage of request)",
            }
        )
        status["currentMetrics"] = [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "current": {"averageUtilization": util[0], "averageValue": f"{util[0]}m"},
                },
            }
        ]
        status["lastScaleTime"] = ts(now, 25 * M)
    if limited:
        conds.append(
            {
                "type": "ScalingLimited",
                "status": "True",
                "lastTransitionTime": t,
                "reason": "TooManyReplicas",
                "message": "the desired replica count is more than the maximum replica count",
            }
        )
    status["conditions"] = conds
    return {
        "kind": "HorizontalPodAutoscaler",
        "apiVersion": "autoscaling/v2",
        "metadata": meta("HorizontalPodAutoscaler", ns, target, now, 20 * D),
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": target, "apiVersion": "apps/v1"},
            "minReplicas": min_r,
            "maxReplicas": max_r,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": target_util},
                    },
                }
            ],
        },
        "status": status,
    }


def quota(ns: str, name: str, now: datetime, usage: dict[str, tuple[str, str]]) -> JSON:
    """A ResourceQuota from resource -> (used, hard)."""
    hard = {k: v[1] for k, v in sorted(usage.items())}
    return {
        "kind": "ResourceQuota",
        "apiVersion": "v1",
        "metadata": meta("ResourceQuota", ns, name, now, 20 * D),
        "spec": {"hard": hard},
        "status": {"hard": hard, "used": {k: v[0] for k, v in sorted(usage.items())}},
    }


def limitrange(ns: str, now: datetime) -> JSON:
    """Container defaults and a maximum, the way a namespace admin sets them."""
    return {
        "kind": "LimitRange",
        "apiVersion": "v1",
        "metadata": meta("LimitRange", ns, f"{ns}-limits", now, 20 * D),
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "default": {"cpu": "500m", "memory": "256Mi"},
                    "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                    "max": {"cpu": "2", "memory": "2Gi"},
                }
            ]
        },
    }


def event(
    ns: str,
    kind: str,
    name: str,
    etype: str,
    reason: str,
    message: str,
    now: datetime,
    *,
    count: int,
    first: timedelta,
    field: str = "",
    source: str = "kubelet",
    api_version: str | None = None,
) -> JSON:
    """A core/v1 Event about ``kind``/``name`` (``api_version`` defaults from the kind)."""
    if api_version is None:
        api_version = "v1" if kind == "Pod" else "batch/v1" if kind == "Job" else "apps/v1"
    inv: JSON = {
        "kind": kind,
        "namespace": ns,
        "name": name,
        "uid": meta(kind, ns, name, now, D)["uid"],
        "apiVersion": api_version,
    }
    if field:
        inv["fieldPath"] = field
    ename = f"{name}.{reason.lower()}"
    return {
        "kind": "Event",
        "apiVersion": "v1",
        "metadata": meta("Event", ns, ename, now, first),
        "involvedObject": inv,
        "reason": reason,
        "message": message,
        "source": {"component": source, **({"host": "node-1"} if source == "kubelet" else {})},
        "firstTimestamp": ts(now, first),
        "lastTimestamp": ts(now, timedelta(seconds=30 if etype == "Warning" else 600)),
        "count": count,
        "type": etype,
        "eventTime": None,
        "reportingComponent": source,
        "reportingInstance": "node-1" if source == "kubelet" else "",
    }


def hpa_multi(ns: str, target: str, now: datetime, *, min_r: int, max_r: int, current: int) -> JSON:
    """An HPA that scales on memory (AverageValue), a Pods metric and cpu (Utilization), in that
    order: what ``kubectl get hpa`` prints as "memory: 120Mi/500Mi, 1k/2k + 1 more..."."""
    obj = hpa(ns, target, now, min_r=min_r, max_r=max_r, current=current, util=(45, 60), limited=False)
    cpu_spec = obj["spec"]["metrics"][0]
    cpu_status = obj["status"]["currentMetrics"][0]
    pods_metric = {"metric": {"name": "packets-per-second"}}
    obj["spec"]["metrics"] = [
        {
            "type": "Resource",
            "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "500Mi"}},
        },
        {"type": "Pods", "pods": {**pods_metric, "target": {"type": "AverageValue", "averageValue": "2k"}}},
        cpu_spec,
    ]
    obj["status"]["currentMetrics"] = [
        {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "120Mi"}}},
        {"type": "Pods", "pods": {**pods_metric, "current": {"averageValue": "1k"}}},
        cpu_status,
    ]
    for cond in obj["status"]["conditions"]:
        if cond["type"] == "ScalingActive":
            cond["message"] = (
                "the HPA was able to successfully calculate a replica count from pods metric packets-per-second"
            )
    return obj
