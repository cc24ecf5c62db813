"""Object rules: run once per workload and once per pod without a controller."""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import translate
from functools import lru_cache

from kdash.health.context import Ctx, Target
from kdash.health.registry import Hit, Rule, object_rule
from kdash.model.findings import Severity
from kdash.model.workloads import WorkloadRecord

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
NAME_LABELS = ("app.kubernetes.io/name", "app")
QUOTA_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")


def obj(t: Target) -> str:
    return f"{t.key.kind} {t.key.namespace}/{t.key.name}" if t.key.namespace else f"{t.key.kind} {t.key.name}"


def replicas(wl: WorkloadRecord) -> int:
    """spec.replicas as the API server defaults it (absent means 1)."""
    return wl.desired if wl.replicas_set else 1


@object_rule(
    Rule(
        "labels-missing",
        INFO,
        "object",
        "metadata",
        "neither the object nor its pod template has an `app.kubernetes.io/name` or `app` label",
        "Without a name label, resources cannot be grouped, selected by tools, or matched to dashboards.",
        "`metadata: {labels: {app.kubernetes.io/name: web}}` on the workload and its template.",
    )
)
def labels_missing(_ctx: Ctx, t: Target) -> Iterator[Hit]:
    if not any(k in t.meta.labels or k in t.template.labels for k in NAME_LABELS):
        yield Hit(f"{obj(t)} has no app.kubernetes.io/name or app label")


@lru_cache(maxsize=8)
def _required(groups: tuple[tuple[str, ...], ...]) -> list[tuple[tuple[str, ...], re.Pattern[str]]]:
    """Each group's shell patterns as one regex: what `fnmatchcase` does, compiled once, not once
    per annotation key and pattern of every object."""
    return [
        (group, re.compile("|".join(translate(p.lower()) for p in group) if group else "(?!)"))
        for group in groups
    ]


@object_rule(
    Rule(
        "annotations-missing",
        INFO,
        "object",
        "metadata",
        "the object lacks a required annotation; by default a description (`description`, "
        "`*/description`) and an owner (`owner`, `team`, `contact`, or `*/` any of these, `*/maintainer`)",
        "Someone must be reachable for every resource, and a reader must be able to tell what it is for.",
        "`metadata: {annotations: {example.com/owner: team-payments, example.com/description: "
        '"Checkout API"}}`',
        config=("required_annotations",),
    )
)
def annotations_missing(ctx: Ctx, t: Target) -> Iterator[Hit]:
    missing = _missing(ctx.config.required_annotations, tuple(t.meta.annotations))
    if missing:
        yield Hit(f"{obj(t)} has no {' or '.join(missing)} annotation")


@lru_cache(maxsize=4096)
def _missing(groups: tuple[tuple[str, ...], ...], keys: tuple[str, ...]) -> tuple[str, ...]:
    """The first name of each group no key matches (objects share their sets of annotation keys)."""
    lowered = [k.lower() for k in keys]
    return tuple(
        group[0] for group, pattern in _required(groups) if not any(pattern.match(k) for k in lowered)
    )


@object_rule(
    Rule(
        "pod-naked",
        WARN,
        "object",
        "workloads",
        "a pod has no controller (no Deployment, StatefulSet, DaemonSet, Job... owns it)",
        "Nothing recreates a bare pod when its node fails, is drained or upgraded.",
        "Run it from a Deployment (or a Job for one-off work).",
    )
)
def pod_naked(_ctx: Ctx, t: Target) -> Iterator[Hit]:
    if t.pod is not None and t.pod.meta.controller is None:
        yield Hit(f"{obj(t)} has no controller; nothing recreates it")


@object_rule(
    Rule(
        "statefulset-no-volume",
        INFO,
        "object",
        "workloads",
        "a StatefulSet has no volumeClaimTemplates",
        "Without per-replica volumes the state does not survive a pod's rescheduling; a Deployment "
        "would do the same job more simply.",
        "Add `volumeClaimTemplates:` (one PVC per replica), or use a Deployment if it is stateless.",
    )
)
def statefulset_no_volume(_ctx: Ctx, t: Target) -> Iterator[Hit]:
    wl = t.workload
    if wl is not None and wl.kind == "StatefulSet" and wl.volume_claim_templates == 0:
        yield Hit(f"{obj(t)} has no volumeClaimTemplates")


@object_rule(
    Rule(
        "replicas-single",
        INFO,
        "object",
        "workloads",
        "a Deployment runs 1 replica (including when `replicas` is omitted) and no HPA targets it",
        "A single replica means downtime on every restart, rollout, eviction and node drain.",
        "`replicas: 2` or more, or an HPA with `minReplicas: 2`.",
        polaris=("deploymentMissingReplicas",),
        kube_score=("deployment-replicas",),
    )
)
def replicas_single(ctx: Ctx, t: Target) -> Iterator[Hit]:
    wl = t.workload
    if wl is not None and wl.kind == "Deployment" and replicas(wl) == 1 and t.key not in ctx.hpas_by_target:
        yield Hit(f"{obj(t)} runs a single replica and no HPA scales it")


@object_rule(
    Rule(
        "workload-unavailable",
        ERR,
        "object",
        "workloads",
        "a Deployment, StatefulSet or DaemonSet has fewer available pods than desired, or its rollout "
        "reports ProgressDeadlineExceeded (only with live status)",
        "Capacity is below what was asked for; a stuck rollout never finishes on its own.",
        "Look at the pods' findings (crash loops, pending, image pulls) and the events; "
        "`kubectl rollout undo` a bad rollout.",
    )
)
def workload_unavailable(_ctx: Ctx, t: Target) -> Iterator[Hit]:
    wl = t.workload
    if wl is None or wl.kind not in ("Deployment", "StatefulSet", "DaemonSet") or not wl.has_status:
        return
    progressing = wl.condition("Progressing")
    if progressing is not None and progressing.reason == "ProgressDeadlineExceeded":
        yield Hit(f"{obj(t)} rollout is stuck: {progressing.message or 'ProgressDeadlineExceeded'}")
    elif wl.desired > 0 and wl.available < wl.desired:
        yield Hit(f"{obj(t)} has {wl.available} of {wl.desired} pods available")


@object_rule(
    Rule(
        "job-failed",
        WARN,
        "object",
        "workloads",
        "a Job has a Failed condition, or the most recent Job of a CronJob failed",
        "Periodic or one-off work is not happening, and nothing else will tell you.",
        "Read the failed pod's logs (`kdash` Restarts pane, or `kubectl logs job/NAME`), then fix and "
        "re-run; set `backoffLimit` and `activeDeadlineSeconds` deliberately.",
    )
)
def job_failed(ctx: Ctx, t: Target) -> Iterator[Hit]:
    wl = t.workload
    if wl is None:
        return
    if wl.kind == "Job" and wl.job_failed:
        cond = wl.condition("Failed")
        reason = f": {cond.reason}" if cond is not None and cond.reason else ""
        yield Hit(f"{obj(t)} failed{reason}")
    elif wl.kind == "CronJob":
        jobs = ctx.jobs_by_cronjob.get(t.key, [])
        if jobs:
            last = max(jobs, key=lambda j: (j.meta.created is not None, j.meta.created, j.meta.name))
            if last.job_failed:
                yield Hit(f"{obj(t)}: its last run, Job {last.meta.name}, failed")


@object_rule(
    Rule(
        "pdb-missing",
        INFO,
        "object",
        "workloads",
        "a Deployment or StatefulSet with 2 or more replicas (or an HPA minimum of 2 or more) has no "
        "PodDisruptionBudget selecting its pods",
        "A node drain or cluster upgrade may evict all replicas at once.",
        "Add a PodDisruptionBudget: `spec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}`",
        polaris=("missingPodDisruptionBudget",),
        kube_score=("deployment-has-poddisruptionbudget", "statefulset-has-poddisruptionbudget"),
    )
)
def pdb_missing(ctx: Ctx, t: Target) -> Iterator[Hit]:
    wl = t.workload
    if wl is None or wl.kind not in ("Deployment", "StatefulSet"):
        return
    count = max([replicas(wl)] + [h.min_replicas for h in ctx.hpas_by_target.get(t.key, [])])
    pdbs = ctx.pdbs_by_ns.get(t.key.namespace, [])
    if count >= 2 and not any(p.selector.matches(t.template.labels) for p in pdbs):
        yield Hit(f"{obj(t)} runs {count} replicas and no PodDisruptionBudget selects them")


def _quota_needs(ctx: Ctx, namespace: str) -> tuple[dict[str, str], dict[str, str]]:
    """Resources the namespace's quotas force every container to request / limit -> quota name."""
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    for quota in ctx.quotas_by_ns.get(namespace, []):
        for item in quota.items:
            kind, _, res = item.resource.rpartition(".")
            if res not in QUOTA_CONTAINER_RESOURCES:
                continue
            target = limits if kind == "limits" else requests if kind in ("", "requests") else None
            if target is not None:
                target.setdefault(res, quota.meta.name)
    return requests, limits


@object_rule(
    Rule(
        "quota-requests-missing",
        ERR,
        "object",
        "quotas",
        "a ResourceQuota in the namespace constrains requests or limits of cpu/memory, but a container "
        "of a workload sets none and no LimitRange default fills it in",
        "The quota admission plugin rejects every pod that does not declare the constrained resources, "
        "so the workload cannot create pods.",
        "Set the resources the quota counts on every container (init containers too), or add a "
        "LimitRange with `default` / `defaultRequest` for the namespace.",
    )
)
def quota_requests_missing(ctx: Ctx, t: Target) -> Iterator[Hit]:
    if t.workload is None:
        return
    need_req, need_lim = _quota_needs(ctx, t.key.namespace)
    if not need_req and not need_lim:
        return
    ns = t.key.namespace
    for c, init in [(c, False) for c in t.template.containers] + [
        (c, True) for c in t.template.init_containers
    ]:
        have_req, have_lim = ctx.effective_requests(ns, c), ctx.effective_limits(ns, c)
        missing = [(f"{r} request", q) for r, q in need_req.items() if r not in have_req]
        missing += [(f"{r} limit", q) for r, q in need_lim.items() if r not in have_lim]
        if missing:
            what = ", ".join(m for m, _ in missing)
            quotas = ", ".join(dict.fromkeys(q for _, q in missing))
            label = "init container" if init else "container"
            yield Hit(
                f"{obj(t)}, {label} {c.name} sets no {what}, required by ResourceQuota {quotas}; "
                "its pods will be rejected",
                c.name,
            )


@object_rule(
    Rule(
        "security-privileged",
        ERR,
        "object",
        "security",
        "a container sets `privileged: true`, or the pod uses hostNetwork, hostPID or hostIPC",
        "A privileged container, or one sharing the node's namespaces, can take over the node.",
        "Remove `privileged: true` and the host* fields; grant only the capabilities needed "
        "(`capabilities: {add: [NET_BIND_SERVICE]}`).",
        polaris=("runAsPrivileged", "hostNetworkSet", "hostPIDSet", "hostIPCSet"),
        kube_score=("container-security-context-privileged",),
    )
)
def security_privileged(_ctx: Ctx, t: Target) -> Iterator[Hit]:
    spec = t.template
    host = [n for n, on in (("hostNetwork", spec.host_network), ("hostPID", spec.host_pid),
                            ("hostIPC", spec.host_ipc)) if on]  # fmt: skip
    if host:
        yield Hit(f"{obj(t)} shares the node's namespaces ({', '.join(host)})")
    for c in spec.init_containers + spec.containers:
        if c.privileged:
            yield Hit(f"{obj(t)}, container {c.name} is privileged", c.name)
