"""The ``big`` scenario: N realistic pods in deployments of 5, 50 deployments per namespace.

Besides the workloads it has what every dashboard pane shows, in proportion to N: an HPA per 16
deployments (a quarter at their maximum, a quarter unable to fetch metrics), a ResourceQuota and a
LimitRange per namespace (every fourth quota nearly used up), a crash-looping pod per 97
deployments with its BackOff Event, and a fixed, small set of pods with scripted logs that are
also the only ones the behaviour engine makes log live (at most ``LOG_DEPLOYMENTS`` × 5 pods, so
following any one workload stays within the log tail's stream cap). Exactly N pods, ~4.7 KB each.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson

from kdash.model.quantity import is_byte_resource
from kdash.sim.engine_quota import canonical, pod_usage
from kdash.sim.logs import Line, LogKey
from kdash.sim.scenarios import demo_logs as text
from kdash.sim.scenarios.base import Scenario
from kdash.sim.scenarios.builders import base_cluster, container, crash_loop, refresh_conditions
from kdash.sim.scenarios.policy import event, hpa, limitrange, quota
from kdash.sim.scenarios.workloads import IpPool, deployment

JSON = dict[str, Any]
PODS_PER_DEPLOYMENT = 5
DEPLOYMENTS_PER_NAMESPACE = 50
NODE_COUNT = 20
#: The first pod of every CRASH_EVERY-th deployment crash-loops (from deployment CRASH_AT on).
CRASH_EVERY, CRASH_AT = 97, 3
#: Every HPA_EVERY-th deployment (from HPA_AT on) has an HPA.
HPA_EVERY, HPA_AT = 16, 7
#: The first LOG_DEPLOYMENTS crash-looping deployments have scripted logs on all their pods.
LOG_DEPLOYMENTS = 10
#: Every NEAR_LIMIT_EVERY-th namespace (from the second on) has used up ~96 % of its quota.
NEAR_LIMIT_EVERY = 4
_QUOTA_KEYS = ("pods", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory")
_GI = Decimal(1 << 30)
_USAGE: dict[bytes, dict[str, Decimal]] = {}


def build_big(now: datetime, pods: int) -> Scenario:
    """About ``pods`` pods (~5 KB of JSON each), their ReplicaSets and Deployments, and the rest."""
    deployments = max(1, math.ceil(pods / PODS_PER_DEPLOYMENT))
    namespaces = [f"team-{i:03d}" for i in range(math.ceil(deployments / DEPLOYMENTS_PER_NAMESPACE))]
    nodes = [f"node-{i + 1}" for i in range(NODE_COUNT)]
    sc = Scenario(objects=base_cluster(now, ["default", "kube-system", *namespaces], nodes=NODE_COUNT))
    objs, extras = sc.objects, []
    ips = IpPool()
    live: set[LogKey] = set()
    used = {ns: dict.fromkeys(_QUOTA_KEYS, Decimal(0)) for ns in namespaces}
    proxy = container(
        "proxy", "envoyproxy/envoy:v1.31.2", port=15001, cpu=("50m", "200m"), memory=("64Mi", "128Mi")
    )
    remaining = pods
    for d in range(deployments):
        ns = namespaces[d // DEPLOYMENTS_PER_NAMESPACE]
        replicas = min(PODS_PER_DEPLOYMENT, remaining)
        remaining -= replicas
        name = f"svc-{d % DEPLOYMENTS_PER_NAMESPACE:02d}"
        age = timedelta(days=1 + d % 20)
        app = container(
            "app",
            f"registry.example.com/{ns}/{name}:1.{d % 7}.{d % 13}",
            env={"LOG_LEVEL": "info", "SERVICE": name, "NAMESPACE": ns},
        )
        crash = (d - CRASH_AT) % CRASH_EVERY == 0 and d >= CRASH_AT
        oom = crash and (d // CRASH_EVERY) % 3 == 2

        def hook(
            i: int, p: JSON, crash: bool = crash, oom: bool = oom, d: int = d, age: timedelta = age
        ) -> None:
            if crash and i == 0:
                reason, code = ("OOMKilled", 137) if oom else ("Error", 1)
                crash_loop(p, "app", now=now, restarts=3 + d % 5, reason=reason, exit_code=code)
                refresh_conditions(p, now, age)

        made = deployment(
            ns, name, [app, proxy], now=now, age=age, replicas=replicas, ips=ips, nodes=nodes, hook=hook
        )
        objs += made
        if replicas:
            for k, v in _usage(made[2]).items():
                used[ns][k] += v * replicas
        if crash and replicas:
            extras.append(_backoff_event(made[2], d, now))
            if d // CRASH_EVERY < LOG_DEPLOYMENTS:
                _script_logs(sc, made[2:], name, oom=oom, d=d, now=now, live=live)
        if (d - HPA_AT) % HPA_EVERY == 0 and d >= HPA_AT and replicas:
            extras += _autoscaler(ns, name, replicas, (d // HPA_EVERY) % 4, now)
    for i, ns in enumerate(namespaces):
        factor = Decimal("1.04") if i % NEAR_LIMIT_EVERY == 1 else Decimal(2)
        usage = {k: (canonical(k, v), canonical(k, _hard(k, v, factor))) for k, v in used[ns].items()}
        extras += [quota(ns, "compute-quota", now, usage), limitrange(ns, now)]
    objs += extras
    sc.live_logs = frozenset(live)
    return sc


def _usage(p: JSON) -> dict[str, Decimal]:
    """``pod_usage`` of the quota's keys, remembered by the containers' resources (all alike here)."""
    key = orjson.dumps([c.get("resources") for c in p["spec"]["containers"]])
    if key not in _USAGE:
        _USAGE[key] = {k: v for k, v in pod_usage(p).items() if k in _QUOTA_KEYS}
    return _USAGE[key]


def _hard(resource: str, used: Decimal, factor: Decimal) -> Decimal:
    """A quota limit ``factor`` times ``used``, rounded up as an admin writes it (Gi, 100m, +1 pod)."""
    if resource == "pods":
        return used + max(2, math.ceil(used * (factor - 1)))
    if is_byte_resource(resource):
        return max(math.ceil(used * factor / _GI), 1) * _GI
    return Decimal(max(math.ceil(used * factor * 10), 1)) / 10


def _autoscaler(ns: str, name: str, replicas: int, flavour: int, now: datetime) -> list[JSON]:
    """An HPA on ``name``: flavour 0 at its maximum, 1 without metrics (plus its Warning), else idle."""
    low = min(2, replicas)
    if flavour == 0:
        return [hpa(ns, name, now, min_r=low, max_r=replicas, current=replicas, util=(92, 70), limited=True)]
    if flavour == 1:
        failed = hpa(ns, name, now, min_r=low, max_r=2 * replicas, current=replicas, util=None, limited=False)
        message = "failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned"
        warning = event(
            ns,
            "HorizontalPodAutoscaler",
            name,
            "Warning",
            "FailedGetResourceMetric",
            message,
            now,
            count=160,
            first=timedelta(minutes=40),
            source="horizontal-pod-autoscaler",
            api_version="autoscaling/v2",
        )
        return [failed, warning]
    util = (35 + (replicas * 7 + flavour * 11) % 30, 70)
    return [hpa(ns, name, now, min_r=low, max_r=2 * replicas, current=replicas, util=util, limited=False)]


def _backoff_event(p: JSON, d: int, now: datetime) -> JSON:
    m = p["metadata"]
    return event(
        m["namespace"],
        "Pod",
        m["name"],
        "Warning",
        "BackOff",
        f"Back-off restarting failed container app in pod {m['name']}_{m['namespace']}({m['uid']})",
        now,
        count=20 + d % 40,
        first=timedelta(hours=2),
        field="spec.containers{app}",
    )


def _script_logs(
    sc: Scenario, pods: list[JSON], service: str, *, oom: bool, d: int, now: datetime, live: set[LogKey]
) -> None:
    """Scripted ``app`` logs for a crash-looping deployment's pods; the running ones go live."""
    for i, p in enumerate(pods):
        key: LogKey = (p["metadata"]["namespace"], p["metadata"]["name"], "app")
        previous: list[Line] | None = None
        if i == 0:
            current = text.java_trace(now, oom=False)[:4] if oom else text.json_log(now, 20, service)
            previous = text.java_trace(now, oom=True) if oom else text.json_crash(now)
        elif d % 2:
            current = text.json_log(now, 40, service)
        else:
            current = text.access_log(now, 60, seed=d + i)
        sc.logs[key] = (current, previous)
        if i:
            live.add(key)
