"""HPA and ResourceQuota rules: will this namespace be able to grow when it needs to?"""

from __future__ import annotations

from collections.abc import Iterator

from kdash.health.context import Ctx
from kdash.health.registry import Hit, Rule, hpa_rule, quota_rule
from kdash.model.autoscaling import HpaRecord
from kdash.model.findings import Severity
from kdash.model.meta import ObjectKey
from kdash.model.quotas import QuotaRecord

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
SCALABLE_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet"})


def _hpa(h: HpaRecord) -> str:
    return f"HPA {h.meta.namespace}/{h.meta.name}"


def _target_key(h: HpaRecord) -> ObjectKey:
    return ObjectKey(h.target_kind, h.meta.namespace, h.target_name)


@hpa_rule(
    Rule(
        "hpa-at-max",
        WARN,
        "hpa",
        "autoscaling",
        "an HPA runs at maxReplicas and wants at least as many (not when min = max)",
        "Demand exceeds the ceiling: the pods run hotter than the target and latency grows.",
        "Raise `maxReplicas` (check the namespace quota has room), or make each replica handle more.",
    )
)
def hpa_at_max(_ctx: Ctx, h: HpaRecord) -> Iterator[Hit]:
    if not h.has_status or h.max_replicas <= 0 or h.min_replicas == h.max_replicas:
        return
    if h.current_replicas >= h.max_replicas and h.desired_replicas >= h.max_replicas:
        metrics = ", ".join(m.text for m in h.metrics if m.text)
        load = f" ({metrics})" if metrics else ""
        yield Hit(f"{_hpa(h)} is at its maximum of {h.max_replicas} replicas{load}")


@hpa_rule(
    Rule(
        "hpa-metrics-unavailable",
        ERR,
        "hpa",
        "autoscaling",
        "an HPA's ScalingActive condition is False (except ScalingDisabled, when its target is scaled "
        "to zero on purpose), or a metric has no current value",
        "The HPA is not scaling at all; replicas stay wherever they are whatever the load.",
        "Check metrics-server (or the custom/external metrics adapter) is running and serves the "
        "metric; `kubectl describe hpa` shows the exact error.",
    )
)
def hpa_metrics_unavailable(_ctx: Ctx, h: HpaRecord) -> Iterator[Hit]:
    active = h.condition("ScalingActive")
    if active is not None and active.status == "False" and active.reason != "ScalingDisabled":
        detail = active.message or active.reason
        yield Hit(f"{_hpa(h)} is not scaling: {detail}" if detail else f"{_hpa(h)} is not scaling")
    elif h.has_status and (unknown := [m.name for m in h.metrics if m.current is None]):
        yield Hit(f"{_hpa(h)} has no current value for {', '.join(unknown)}")


@hpa_rule(
    Rule(
        "hpa-target-missing",
        ERR,
        "hpa",
        "autoscaling",
        "an HPA's scaleTargetRef names a Deployment, StatefulSet or ReplicaSet that does not exist",
        "The HPA scales nothing; usually a rename that was not carried over.",
        "Fix `scaleTargetRef` (kind, name) or delete the HPA.",
        kube_score=("horizontalpodautoscaler-has-target",),
    )
)
def hpa_target_missing(ctx: Ctx, h: HpaRecord) -> Iterator[Hit]:
    key = _target_key(h)
    known = key in ctx.snapshot.workloads or key in ctx.snapshot.replicasets
    if h.target_kind in SCALABLE_KINDS and not known:
        yield Hit(f"{_hpa(h)} targets {h.target_kind} {h.target_name}, which does not exist")


@hpa_rule(
    Rule(
        "hpa-target-no-requests",
        ERR,
        "hpa",
        "autoscaling",
        "an HPA scales on a resource's utilisation, but a container of its target has no request for "
        "that resource (a limit or a LimitRange default counts)",
        "Utilisation is usage divided by request: without the request the HPA cannot compute it and "
        "does not scale.",
        "Set the request on every container of the target: `resources: {requests: {cpu: 200m}}`.",
    )
)
def hpa_target_no_requests(ctx: Ctx, h: HpaRecord) -> Iterator[Hit]:
    target = ctx.snapshot.workloads.get(_target_key(h))
    if target is None:
        return
    ns = h.meta.namespace
    resources = dict.fromkeys(
        m.name for m in h.metrics if m.type == "Resource" and m.target_type == "Utilization"
    )
    for c in target.template.containers:
        missing = [r for r in resources if r not in ctx.effective_requests(ns, c)]
        if missing:
            yield Hit(
                f"{_hpa(h)} scales on {' and '.join(missing)} utilisation, but container {c.name} of "
                f"{target.kind} {target.meta.name} has no {' or '.join(missing)} request",
                c.name,
            )


@hpa_rule(
    Rule(
        "hpa-min-equals-max",
        INFO,
        "hpa",
        "autoscaling",
        "an HPA's minReplicas equals its maxReplicas",
        "It can never scale; it only hides a fixed replica count behind an autoscaler.",
        "Lower `minReplicas` or raise `maxReplicas`, or drop the HPA and set `replicas`.",
        polaris=("hpaMaxAvailability",),
    )
)
def hpa_min_equals_max(_ctx: Ctx, h: HpaRecord) -> Iterator[Hit]:
    if h.max_replicas > 0 and h.min_replicas == h.max_replicas:
        yield Hit(f"{_hpa(h)} has minReplicas = maxReplicas = {h.max_replicas}")


@quota_rule(
    Rule(
        "quota-near-limit",
        WARN,
        "quota",
        "quotas",
        "a ResourceQuota resource is used at `quota_warn` % (default 80, warning) or `quota_error` % "
        "(default 95, error) of its hard limit",
        "The next pod, rollout surge or HPA scale-up is rejected at admission once the quota is full.",
        "Raise the quota's `hard` value, or lower requests / replicas in the namespace.",
        config=("quota_warn", "quota_error"),
    )
)
def quota_near_limit(ctx: Ctx, q: QuotaRecord) -> Iterator[Hit]:
    for item in q.items:
        pct = item.percent
        if pct is None or pct < ctx.config.quota_warn:
            continue
        severity = ERR if pct >= ctx.config.quota_error else WARN
        yield Hit(
            f"ResourceQuota {q.meta.namespace}/{q.meta.name}: {item.resource} uses {item.used} of "
            f"{item.hard} ({pct:.0f}%)",
            severity=severity,
        )
