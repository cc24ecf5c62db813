"""Small builders for model records, so rule tests state only what matters to the rule.

Defaults describe a *clean* object: every spec rule passes on `container()` inside `template()` of
`workload()`, so a test that changes one field sees exactly the rule it is about.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from kdash.health.scoring import GRADED_KINDS
from kdash.model.autoscaling import HpaMetric, HpaRecord
from kdash.model.build.network import IngressRecord
from kdash.model.cluster import ConfigMapRecord, NetworkPolicyRecord, PdbRecord, ServiceRecord
from kdash.model.meta import Condition, LabelSelector, Meta, ObjectKey, OwnerRef
from kdash.model.pods import (
    ContainerSpec,
    ContainerState,
    ContainerStatus,
    PodRecord,
    PodSpecSummary,
    ProbeSpec,
)
from kdash.model.quotas import LimitRangeItem, LimitRangeRecord, QuotaItem, QuotaRecord
from kdash.model.rbac import BindingRecord, RoleRecord
from kdash.model.snapshot import ClusterSnapshot, KindState, SyncPhase
from kdash.model.workloads import WorkloadRecord

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
NS = "shop"
GOOD_ANNOTATIONS = {"example.com/description": "Storefront", "example.com/owner": "team-web"}
READY = ProbeSpec("httpGet", "GET /ready :http", "httpGet|/ready|http", "http")
LIVE = ProbeSpec("httpGet", "GET /healthz :http", "httpGet|/healthz|http", "http")


def container(name: str = "app", **kw: Any) -> ContainerSpec:
    base = ContainerSpec(
        name=name,
        image="registry.example.com/app:1.2.3",
        readiness=READY,
        liveness=LIVE,
        requests={"cpu": "100m", "memory": "128Mi"},
        limits={"memory": "256Mi", "cpu": "200m", "ephemeral-storage": "1Gi"},
        pre_stop=True,
        termination_message_policy="FallbackToLogsOnError",
        allow_privilege_escalation=False,
        run_as_non_root=True,
        read_only_root_fs=True,
        caps_drop=("ALL",),
        ports=(8080,),
        port_names=("http",),
    )
    return replace(base, **kw)


def init_container(name: str = "migrate", **kw: Any) -> ContainerSpec:
    """An init container as people write them: no probes, no ports."""
    return container(name, readiness=None, liveness=None, ports=(), port_names=(), pre_stop=False, **kw)


def template(*containers: ContainerSpec, **kw: Any) -> PodSpecSummary:
    kw.setdefault("seccomp", "RuntimeDefault")
    kw.setdefault("automount_token", False)
    kw.setdefault("priority_class", "standard")
    kw.setdefault("topology_spread", True)
    return PodSpecSummary(
        containers=containers or (container(),),
        labels=kw.pop("labels", {"app.kubernetes.io/name": "web"}),
        **kw,
    )


def meta(kind: str, name: str, namespace: str = NS, **kw: Any) -> Meta:
    kw.setdefault("annotations", GOOD_ANNOTATIONS)
    kw.setdefault("labels", {"app.kubernetes.io/name": name})
    kw.setdefault("created", NOW - timedelta(days=1))
    return Meta(kind=kind, namespace=namespace, name=name, uid=f"uid-{kind}-{name}", **kw)


def workload(kind: str = "Deployment", name: str = "web", **kw: Any) -> WorkloadRecord:
    """A healthy workload: 3 replicas, all available, one clean container."""
    m = kw.pop("meta", None) or meta(kind, name, **kw.pop("meta_kw", {}))
    kw.setdefault("template", template(restart_policy="Never") if kind in ("Job", "CronJob") else template())
    kw.setdefault("selector", LabelSelector(match_labels=kw["template"].labels))  # the API requires it
    if kind == "CronJob":
        kw.setdefault("starting_deadline", 300)
    if kind == "StatefulSet":
        kw.setdefault("volume_claim_templates", 1)
    if kind in ("Job", "CronJob"):
        kw.setdefault("desired", 1)
        kw.setdefault("ready", 0)
        kw.setdefault("available", 0)
    else:
        for field in ("desired", "ready", "up_to_date", "available"):
            kw.setdefault(field, 3)
    return WorkloadRecord(meta=m, kind=kind, **kw)


def running(name: str = "app", **kw: Any) -> ContainerStatus:
    kw.setdefault("ready", True)
    kw.setdefault("state", ContainerState("running", started=NOW - timedelta(hours=1)))
    return ContainerStatus(name=name, image="registry.example.com/app:1.2.3", **kw)


def crashing(name: str = "app", restarts: int = 7, reason: str = "Error", code: int = 1) -> ContainerStatus:
    return ContainerStatus(
        name=name,
        restart_count=restarts,
        state=ContainerState("waiting", reason="CrashLoopBackOff", message="back-off 5m0s"),
        last_termination=ContainerState("terminated", reason=reason, exit_code=code, finished=NOW),
    )


def pod(
    name: str = "web-7d9f-abcde",
    owner: tuple[str, str] | None = ("Deployment", "web"),
    **kw: Any,
) -> PodRecord:
    """A pod of `owner` (through a ReplicaSet for Deployments); owner None makes it a bare pod."""
    owners: tuple[OwnerRef, ...] = ()
    wl_ref = None
    if owner is not None:
        kind, wl_name = owner
        direct = ("ReplicaSet", f"{wl_name}-7d9f") if kind == "Deployment" else owner
        owners = (OwnerRef(direct[0], direct[1], "uid-owner", controller=True),)
        wl_ref = OwnerRef(kind, wl_name, f"uid-{kind}-{wl_name}", controller=True)
    m = kw.pop("meta", None) or meta("Pod", name, owners=owners, **kw.pop("meta_kw", {}))
    kw.setdefault("phase", "Running")
    kw.setdefault("containers", (running(),))
    kw.setdefault("spec", template())
    kw.setdefault("conditions", (Condition("Ready", "True", last_transition=NOW - timedelta(hours=1)),))
    return PodRecord(meta=m, workload=wl_ref, **kw)


def hpa(name: str = "web", target: str = "web", **kw: Any) -> HpaRecord:
    kw.setdefault("min_replicas", 2)
    kw.setdefault("max_replicas", 10)
    kw.setdefault("current_replicas", 3)
    kw.setdefault("desired_replicas", 3)
    kw.setdefault("metrics", (HpaMetric("Resource", "cpu", "70%", "40%", "Utilization", "cpu 40%/70%"),))
    kw.setdefault("conditions", (Condition("ScalingActive", "True", "ValidMetricFound"),))
    return HpaRecord(
        meta=meta("HorizontalPodAutoscaler", name), target_kind="Deployment", target_name=target, **kw
    )


def quota_item(resource: str, used: str, hard: str) -> QuotaItem:
    def value(q: str) -> Decimal:
        units = {"m": Decimal("0.001"), "Gi": Decimal(2**30), "Mi": Decimal(2**20)}
        for suffix, mult in units.items():
            if q.endswith(suffix):
                return Decimal(q[: -len(suffix)]) * mult
        return Decimal(q)

    return QuotaItem(resource, used, hard, value(used), value(hard))


def quota(name: str = "compute", *items: QuotaItem, namespace: str = NS) -> QuotaRecord:
    return QuotaRecord(meta=meta("ResourceQuota", name, namespace), items=items)


def limitrange(name: str = "defaults", namespace: str = NS, **item_kw: Any) -> LimitRangeRecord:
    return LimitRangeRecord(
        meta=meta("LimitRange", name, namespace), items=(LimitRangeItem("Container", **item_kw),)
    )


def pdb(name: str = "web", match: dict[str, str] | None = None) -> PdbRecord:
    selector = LabelSelector(match_labels=match if match is not None else {"app.kubernetes.io/name": "web"})
    return PdbRecord(meta=meta("PodDisruptionBudget", name), selector=selector, max_unavailable="1")


# The kinds the per-object rules read (the ones a grade depends on): the factories' snapshots say
# only these were read, so a cluster rule that reads Services, NetworkPolicies, ConfigMaps or RBAC does not run
# on them (kdash.health.cross). Pass `states={}` (as for manifests: every rule runs) or your own.
FACTORY_KINDS = GRADED_KINDS
ALL_KINDS = (
    *FACTORY_KINDS,
    "services",
    "networkpolicies",
    "ingresses",
    "configmaps",
    "roles",
    "clusterroles",
    "rolebindings",
    "clusterrolebindings",
)


def live_states(kinds: tuple[str, ...] = FACTORY_KINDS, **phases: SyncPhase) -> dict[str, KindState]:
    """LIVE states of `kinds`; `phases` overrides some (`clusterroles=SyncPhase.FORBIDDEN`)."""
    return {k: KindState(k, phases.get(k, SyncPhase.LIVE)) for k in kinds}


_MAPS = {
    ServiceRecord: "services",
    NetworkPolicyRecord: "netpols",
    IngressRecord: "ingresses",
    ConfigMapRecord: "configmaps",
    RoleRecord: "roles",
    BindingRecord: "bindings",
}


def snapshot(
    *records: Any, taken_at: datetime | None = NOW, states: dict[str, KindState] | None = None
) -> ClusterSnapshot:
    """Index records by key into the right map; pods_by_workload is derived like the store does."""
    maps: dict[str, dict[ObjectKey, Any]] = {
        name: {}
        for name in (
            "pods",
            "workloads",
            "replicasets",
            "hpas",
            "quotas",
            "limitranges",
            "pdbs",
            *_MAPS.values(),
        )
    }
    by_workload: dict[ObjectKey, list[ObjectKey]] = {}
    for rec in records:
        if isinstance(rec, WorkloadRecord):
            maps["workloads"][ObjectKey(rec.kind, rec.meta.namespace, rec.meta.name)] = rec
        elif isinstance(rec, PodRecord):
            maps["pods"][rec.meta.key] = rec
            if rec.workload is not None:
                wl = ObjectKey(rec.workload.kind, rec.meta.namespace, rec.workload.name)
                by_workload.setdefault(wl, []).append(rec.meta.key)
        elif isinstance(rec, HpaRecord):
            maps["hpas"][rec.meta.key] = rec
        elif isinstance(rec, QuotaRecord):
            maps["quotas"][rec.meta.key] = rec
        elif isinstance(rec, LimitRangeRecord):
            maps["limitranges"][rec.meta.key] = rec
        elif isinstance(rec, PdbRecord):
            maps["pdbs"][rec.meta.key] = rec
        elif type(rec) in _MAPS:
            maps[_MAPS[type(rec)]][rec.meta.key] = rec
        else:
            raise TypeError(rec)
    return ClusterSnapshot(
        taken_at=taken_at,
        states=live_states() if states is None else states,
        pods_by_workload={k: tuple(v) for k, v in by_workload.items()},
        **maps,  # type: ignore[arg-type]
    )
