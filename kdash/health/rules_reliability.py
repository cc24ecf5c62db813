"""Reliability rules on a workload's own spec: will it keep running through rollouts, node
failures, disk pressure and missed schedules?

Each reads only the object it lints, except `hpa-min-replicas-single`, which reads its target's
pod template (kdash/health/impact.py re-lints an HPA when its target changes).
"""

from __future__ import annotations

from collections.abc import Iterator

from kdash.health.context import Ctx, Target
from kdash.health.registry import Hit, Rule, container_rule, hpa_rule, object_rule
from kdash.health.rules_object import obj, replicas
from kdash.health.rules_spec import where
from kdash.model.autoscaling import HpaRecord
from kdash.model.findings import Severity
from kdash.model.meta import ObjectKey
from kdash.model.pods import ContainerSpec

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
SPREAD_KINDS = frozenset({"Deployment", "StatefulSet"})
SERVING_KINDS = frozenset({"Deployment", "StatefulSet"})
JOB_RESTART_POLICIES = frozenset({"OnFailure", "Never"})


@container_rule(
    Rule(
        "resources-cpu-limit-missing",
        INFO,
        "container",
        "resources",
        "a container has no cpu limit (and no LimitRange default gives it one); init containers are exempt",
        "Without a limit one busy container can take every idle core of its node, so neighbours and "
        "the pod itself see CPU that vanishes under load; with one, the CFS quota throttles it even "
        "when the node is idle. Opinions differ (many operators set requests only), hence an info.",
        "Set a cpu limit if the workload must not burst (`resources: {limits: {cpu: '1'}}`), or "
        "silence the rule for workloads that are meant to burst: `kdash.io/ignore: "
        "resources-cpu-limit-missing`.",
        polaris=("cpuLimitsMissing",),
        kube_score=("container-resources",),
    )
)
def resources_cpu_limit_missing(ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if not init and "cpu" not in ctx.effective_limits(t.key.namespace, c):
        yield Hit(f"{where(t, c, init)} has no cpu limit", c.name)


@container_rule(
    Rule(
        "resources-ephemeral-storage-missing",
        INFO,
        "container",
        "resources",
        "a container has no ephemeral-storage limit (a LimitRange default counts; a limit also sets "
        "the request)",
        "Logs, emptyDir volumes and the writable layer share the node's disk: without a request the "
        "scheduler ignores a pod's disk use, without a limit one pod can fill the disk and the kubelet "
        "evicts pods under DiskPressure, requests-less ones first.",
        "`resources: {requests: {ephemeral-storage: 1Gi}, limits: {ephemeral-storage: 2Gi}}`",
        kube_score=("container-ephemeral-storage-request-and-limit",),
    )
)
def resources_ephemeral_storage_missing(ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    ns = t.key.namespace
    if "ephemeral-storage" in ctx.effective_limits(ns, c):
        return
    if "ephemeral-storage" in ctx.effective_requests(ns, c):
        yield Hit(f"{where(t, c, init)} has an ephemeral-storage request but no limit", c.name)
    else:
        yield Hit(f"{where(t, c, init)} has no ephemeral-storage request or limit", c.name)


@container_rule(
    Rule(
        "env-duplicate",
        WARN,
        "container",
        "workloads",
        "a container lists the same env var name twice",
        "Only the last entry takes effect, so the value a reader sees first is not the one the app "
        "gets; server-side apply and strategic-merge patches fail on or merge the duplicate key.",
        "Keep one entry per name in `env:`.",
        kube_score=("environment-variable-key-duplication",),
    )
)
def env_duplicate(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    names = c.env_names
    if len(names) < 2 or len(set(names)) == len(names):
        return
    seen: set[str] = set()
    twice: list[str] = []
    for name in names:
        if name in seen:
            twice.append(name)
        seen.add(name)
    yield Hit(f"{where(t, c, init)} sets env {', '.join(dict.fromkeys(twice))} more than once", c.name)


def _replica_floor(ctx: Ctx, t: Target) -> int:
    """The most replicas a workload is sure to run: spec.replicas, or its HPAs' minimum."""
    wl = t.workload
    if wl is None:
        return 1
    return max([replicas(wl)] + [h.min_replicas for h in ctx.hpas_by_target.get(t.key, [])])


@object_rule(
    Rule(
        "replicas-not-spread",
        INFO,
        "object",
        "workloads",
        "a Deployment or StatefulSet with 2 or more replicas (or an HPA minimum of 2 or more) has "
        "neither topologySpreadConstraints nor a podAntiAffinity term",
        "The scheduler's default spreading is only a preference; replicas can still land on one node "
        "or zone, and losing that node takes them all down together.",
        "`topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, "
        "whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}]` (or zone).",
        polaris=("topologySpreadConstraint",),
        kube_score=("deployment-has-host-podantiaffinity", "statefulset-has-host-podantiaffinity"),
    )
)
def replicas_not_spread(ctx: Ctx, t: Target) -> Iterator[Hit]:
    wl = t.workload
    if (
        wl is None
        or wl.kind not in SPREAD_KINDS
        or t.template.topology_spread
        or t.template.pod_anti_affinity
    ):
        return
    count = _replica_floor(ctx, t)
    if count >= 2:
        yield Hit(f"{obj(t)} runs {count} replicas with no topology spread or pod anti-affinity")


@object_rule(
    Rule(
        "priority-class-missing",
        INFO,
        "object",
        "workloads",
        "the pod template sets no `priorityClassName`",
        "All pods then share the default priority: under resource pressure the scheduler cannot "
        "preempt a batch pod to place a critical one, and eviction order ignores importance.",
        "Create PriorityClasses for your tiers and set `priorityClassName: business-critical` on the "
        "pod template.",
        polaris=("priorityClassNotSet",),
    )
)
def priority_class_missing(_ctx: Ctx, t: Target) -> Iterator[Hit]:
    if not t.template.priority_class:
        yield Hit(f"{obj(t)} sets no priorityClassName")


def _all_unavailable(max_unavailable: str, count: int) -> bool:
    """maxUnavailable lets the rollout stop every replica at once: 100% (or more), or a number of
    pods at least the replica count."""
    text = max_unavailable.strip()
    if text.endswith("%"):
        number = text[:-1]
        return number.isdigit() and int(number) >= 100
    return text.isdigit() and count >= 2 and int(text) >= count


@object_rule(
    Rule(
        "deployment-max-unavailable-all",
        WARN,
        "object",
        "workloads",
        "a Deployment's RollingUpdate `maxUnavailable` is 100% (or a number at least its 2 or more replicas)",
        "The rollout may stop every old pod before a new one is ready: a full outage on each rollout, "
        "longer if the new version never becomes ready.",
        "Use a small `maxUnavailable` (`25%` is the default, `0` with `maxSurge: 1` keeps full "
        "capacity): `strategy: {rollingUpdate: {maxUnavailable: 1}}`.",
    )
)
def deployment_max_unavailable_all(ctx: Ctx, t: Target) -> Iterator[Hit]:
    wl = t.workload
    if wl is None or wl.kind != "Deployment" or wl.strategy not in ("", "RollingUpdate"):
        return
    if wl.max_unavailable and _all_unavailable(wl.max_unavailable, _replica_floor(ctx, t)):
        yield Hit(f"{obj(t)} allows maxUnavailable {wl.max_unavailable}: a rollout may stop every pod")


@object_rule(
    Rule(
        "cronjob-deadline-missing",
        INFO,
        "object",
        "workloads",
        "a CronJob sets no `startingDeadlineSeconds`",
        "Without a deadline a run that missed its time (controller down, cluster full, CronJob "
        "suspended and resumed) starts however late it can, which for time-bound work (a backup "
        "before a maintenance window) is often worse than skipping it; controllers before "
        "Kubernetes 1.21 stopped scheduling altogether after 100 missed runs.",
        "`startingDeadlineSeconds: 300` (how late a run may still start), shorter than the schedule's "
        "interval.",
        kube_score=("cronjob-has-deadline",),
    )
)
def cronjob_deadline_missing(_ctx: Ctx, t: Target) -> Iterator[Hit]:
    wl = t.workload
    if wl is not None and wl.kind == "CronJob" and wl.starting_deadline is None:
        yield Hit(f"{obj(t)} sets no startingDeadlineSeconds")


@object_rule(
    Rule(
        "job-restart-policy-invalid",
        ERR,
        "object",
        "workloads",
        "a Job's or CronJob's pod template has a restartPolicy other than OnFailure or Never "
        "(including none: it defaults to Always)",
        "The API server rejects the object: a Job's pods must be allowed to finish, so Always is "
        "invalid and the Job (or every run of the CronJob) is never created.",
        "`restartPolicy: OnFailure` (retry in place) or `Never` (a new pod per retry) in the pod template.",
        kube_score=("cronjob-restartpolicy",),
    )
)
def job_restart_policy_invalid(_ctx: Ctx, t: Target) -> Iterator[Hit]:
    wl = t.workload
    policy = t.template.restart_policy
    if wl is not None and wl.kind in ("Job", "CronJob") and policy not in JOB_RESTART_POLICIES:
        what = f"restartPolicy {policy}" if policy else "no restartPolicy (Always)"
        yield Hit(f"{obj(t)} has {what}; only OnFailure or Never are valid")


def _serving(ctx: Ctx, h: HpaRecord) -> str:
    """'Deployment web' when the HPA's target serves traffic (a container declares ports), else ''."""
    target = ctx.snapshot.workloads.get(ObjectKey(h.target_kind, h.meta.namespace, h.target_name))
    if target is None or target.kind not in SERVING_KINDS:
        return ""
    if any(c.ports or c.port_names for c in target.template.containers):
        return f"{target.kind} {target.meta.name}"
    return ""


@hpa_rule(
    Rule(
        "hpa-min-replicas-single",
        INFO,
        "hpa",
        "autoscaling",
        "an HPA's minReplicas is 1 (or absent) while its target serves traffic (a Deployment or "
        "StatefulSet with a container port); not when min = max, nor minReplicas 0",
        "At low load the HPA scales the target down to one pod, which then has downtime on every "
        "rollout, eviction and node drain.",
        "`minReplicas: 2` (with a PodDisruptionBudget, so drains keep one running).",
        polaris=("hpaMinAvailability",),
        kube_score=("horizontalpodautoscaler-replicas",),
    )
)
def hpa_min_replicas_single(ctx: Ctx, h: HpaRecord) -> Iterator[Hit]:
    if h.min_replicas != 1 or h.max_replicas == 1:
        return
    target = _serving(ctx, h)
    if target:
        yield Hit(f"HPA {h.meta.namespace}/{h.meta.name} may scale {target} down to a single replica")
