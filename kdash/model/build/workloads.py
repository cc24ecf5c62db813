"""Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs, with kubectl's columns.

The numbers follow the printers in k8s.io/kubernetes pkg/printers/internalversion/printers.go:
Deployment READY is status.readyReplicas/spec.replicas with UP-TO-DATE and AVAILABLE from status;
DaemonSet uses the desired/current/ready/updated/available NumberScheduled fields; Job COMPLETIONS
is "succeeded/completions" ("succeeded/1 of N" when only parallelism is set).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from kdash.model.build._json import b, conditions, d, i, lst, opt_i, s, scalar_str, t
from kdash.model.build._records import new_workload
from kdash.model.build.meta import LAST_APPLIED, build_meta, build_selector
from kdash.model.build.podspec import build_pod_spec
from kdash.model.meta import Condition, Meta
from kdash.model.pods import PodSpecSummary
from kdash.model.workloads import WorkloadRecord


def _template(x: object) -> PodSpecSummary:
    tpl = d(x)
    tmd = d(tpl.get("metadata"))
    return build_pod_spec(tpl.get("spec"), tmd.get("labels"), tmd.get("annotations"))


def _images(spec: PodSpecSummary) -> tuple[str, ...]:
    return tuple(c.image for c in spec.containers)


def _replicas(spec: Mapping[str, Any]) -> tuple[int, bool]:
    """spec.replicas, and whether it was set (absent means the API default of 1)."""
    value = opt_i(spec.get("replicas"))
    return (1, False) if value is None else (value, True)


def _true(conds: tuple[Condition, ...], type_: str) -> bool:
    """kubectl's hasJobCondition: the first condition of that type decides."""
    for c in conds:
        if c.type == type_:
            return c.status == "True"
    return False


def _controller(
    meta: Meta,
    spec: Mapping[str, Any],
    st: Mapping[str, Any],
    *,
    desired: int,
    ready: int,
    replicas_set: bool = True,
    up_to_date: int = 0,
    available: int = 0,
    current: int = 0,
    volume_claim_templates: int = 0,
    strategy: str = "",
    max_unavailable: str = "",
) -> WorkloadRecord:
    """What every replica controller shares: its pod template, selector, conditions and READY text.

    The counts are the kind's own status columns, read by the caller from the field names that kind
    uses (readyReplicas, numberReady, ...).
    """
    template = _template(spec.get("template"))
    return new_workload(
        meta=meta,
        kind=meta.kind,
        desired=desired,
        ready=ready,
        ready_text=f"{ready}/{desired}",
        replicas_set=replicas_set,
        selector=build_selector(spec.get("selector")),
        template=template,
        conditions=conditions(st.get("conditions")),
        images=_images(template),
        has_status=bool(st),
        observed_generation=i(st.get("observedGeneration")),
        up_to_date=up_to_date,
        available=available,
        current=current,
        volume_claim_templates=volume_claim_templates,
        strategy=strategy,
        max_unavailable=max_unavailable,
    )


def _deployment(meta: Meta, spec: Mapping[str, Any], st: Mapping[str, Any]) -> WorkloadRecord:
    desired, replicas_set = _replicas(spec)
    strategy = d(spec.get("strategy"))
    kind = strategy.get("type")
    return _controller(
        meta,
        spec,
        st,
        desired=desired,
        ready=i(st.get("readyReplicas")),
        replicas_set=replicas_set,
        up_to_date=i(st.get("updatedReplicas")),
        available=i(st.get("availableReplicas")),
        current=i(st.get("replicas")),
        strategy=kind if isinstance(kind, str) else "",
        max_unavailable=scalar_str(d(strategy.get("rollingUpdate")).get("maxUnavailable")),
    )


def _statefulset(meta: Meta, spec: Mapping[str, Any], st: Mapping[str, Any]) -> WorkloadRecord:
    desired, replicas_set = _replicas(spec)
    return _controller(
        meta,
        spec,
        st,
        desired=desired,
        ready=i(st.get("readyReplicas")),
        replicas_set=replicas_set,
        up_to_date=i(st.get("updatedReplicas")),
        available=i(st.get("availableReplicas")),
        current=i(st.get("currentReplicas")),
        volume_claim_templates=sum(1 for v in lst(spec.get("volumeClaimTemplates")) if isinstance(v, dict)),
    )


def _daemonset(meta: Meta, spec: Mapping[str, Any], st: Mapping[str, Any]) -> WorkloadRecord:
    return _controller(
        meta,
        spec,
        st,
        desired=i(st.get("desiredNumberScheduled")),
        ready=i(st.get("numberReady")),
        up_to_date=i(st.get("updatedNumberScheduled")),
        available=i(st.get("numberAvailable")),
        current=i(st.get("currentNumberScheduled")),
    )


def _replicaset(meta: Meta, spec: Mapping[str, Any], st: Mapping[str, Any]) -> WorkloadRecord:
    desired, replicas_set = _replicas(spec)
    return _controller(
        meta,
        spec,
        st,
        desired=desired,
        ready=i(st.get("readyReplicas")),
        replicas_set=replicas_set,
        available=i(st.get("availableReplicas")),
        current=i(st.get("replicas")),
    )


def build_replicaset(obj: object) -> WorkloadRecord:
    """A ReplicaSet as the service keeps it: metadata (for owner mapping, pod -> ReplicaSet ->
    Deployment) and its replica counts, but no pod template, selector or conditions.

    Nothing reads those of a ReplicaSet (the Deployment above it carries the template and the
    rollout conditions), and building a template per ReplicaSet cost as much as building the
    Deployment. Equals `build_workload(obj, "ReplicaSet")` with those four fields left empty.
    """
    raw = d(obj)
    meta = build_meta(raw, "ReplicaSet")
    spec, st = d(raw.get("spec")), d(raw.get("status"))
    desired, replicas_set = _replicas(spec)
    ready = i(st.get("readyReplicas"))
    return new_workload(
        meta=meta,
        kind=meta.kind,
        desired=desired,
        ready=ready,
        ready_text=f"{ready}/{desired}",
        replicas_set=replicas_set,
        has_status=bool(st),
        observed_generation=i(st.get("observedGeneration")),
        available=i(st.get("availableReplicas")),
        current=i(st.get("replicas")),
    )


def _job_status(meta: Meta, conds: tuple[Condition, ...]) -> str:
    if _true(conds, "Complete"):
        return "Complete"
    if _true(conds, "Failed"):
        return "Failed"
    if meta.deleting:
        return "Terminating"
    if _true(conds, "Suspended"):
        return "Suspended"
    if _true(conds, "FailureTarget"):
        return "FailureTarget"
    return "Running"


def _job(meta: Meta, spec: Mapping[str, Any], st: Mapping[str, Any]) -> WorkloadRecord:
    succeeded = i(st.get("succeeded"))
    completions = opt_i(spec.get("completions"))
    if completions is not None:
        desired, text = completions, f"{succeeded}/{completions}"
    else:
        parallelism = i(spec.get("parallelism"))
        desired = 1
        text = f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"
    conds = conditions(st.get("conditions"))
    template = _template(spec.get("template"))
    return new_workload(
        meta=meta,
        kind=meta.kind,
        desired=desired,
        ready=i(st.get("ready")),
        ready_text=text,
        replicas_set=completions is not None,
        selector=build_selector(spec.get("selector")),
        template=template,
        conditions=conds,
        images=_images(template),
        active=i(st.get("active")),
        succeeded=succeeded,
        failed=i(st.get("failed")),
        job_failed=_true(conds, "Failed"),
        job_complete=_true(conds, "Complete"),
        suspend=b(spec.get("suspend")),
        has_status=bool(st),
        status_text=_job_status(meta, conds),
    )


def _cronjob(meta: Meta, spec: Mapping[str, Any], st: Mapping[str, Any]) -> WorkloadRecord:
    job_spec = d(d(spec.get("jobTemplate")).get("spec"))
    template = _template(job_spec.get("template"))
    schedule = spec.get("schedule")
    return new_workload(
        meta=meta,
        kind=meta.kind,
        selector=build_selector(job_spec.get("selector")),
        template=template,
        images=_images(template),
        active=sum(1 for a in lst(st.get("active")) if isinstance(a, dict)),
        schedule=schedule if isinstance(schedule, str) else "",
        suspend=b(spec.get("suspend")),
        last_schedule=t(st.get("lastScheduleTime")),
        last_successful=t(st.get("lastSuccessfulTime")),
        starting_deadline=opt_i(spec.get("startingDeadlineSeconds")),
        has_status=bool(st),
    )


_BUILDERS: dict[str, Callable[[Meta, Mapping[str, Any], Mapping[str, Any]], WorkloadRecord]] = {
    "Deployment": _deployment,
    "StatefulSet": _statefulset,
    "DaemonSet": _daemonset,
    "ReplicaSet": _replicaset,
    "Job": _job,
    "CronJob": _cronjob,
}


def build_workload(obj: object, kind: str | None = None) -> WorkloadRecord:
    """A workload record; `kind` is required for list items, which carry no `kind` of their own.

    An unknown kind still gives a record with its metadata (and desired/ready left at 0).
    """
    raw = d(obj)
    if not kind:
        kind = s(raw.get("kind"))
    meta = build_meta(raw, kind)
    builder = _BUILDERS.get(meta.kind)
    if builder is None:
        return new_workload(meta=meta, kind=meta.kind, has_status=bool(d(raw.get("status"))))
    spec = d(raw.get("spec"))
    record = builder(meta, spec, d(raw.get("status")))
    if meta.kind in ("Deployment", "StatefulSet"):
        applied = _replicas_applied(raw, spec)
        service_name = s(spec.get("serviceName")) if meta.kind == "StatefulSet" else ""
        if applied or service_name:  # rare enough that a copy costs nothing
            record = replace(record, replicas_applied=applied, service_name=service_name)
    return record


def _replicas_applied(raw: Mapping[str, Any], spec: Mapping[str, Any]) -> bool:
    """Whether what was applied sets spec.replicas (an HPA's target should leave it out).

    Live objects always carry spec.replicas (the API server defaults it), so for them the answer
    is in what `kubectl apply` recorded (the last-applied-configuration annotation) or in the
    managedFields of a server-side Apply; a manifest (no resourceVersion) answers for itself.
    """
    md = d(raw.get("metadata"))
    if not s(md.get("resourceVersion")) and not md.get("managedFields"):
        return spec.get("replicas") is not None
    last = d(md.get("annotations")).get(LAST_APPLIED)
    if isinstance(last, str) and '"replicas"' in last:
        try:
            applied = json.loads(last)
        except ValueError:
            applied = None
        if d(d(applied).get("spec")).get("replicas") is not None:
            return True
    for entry in lst(md.get("managedFields")):
        fields = d(d(entry).get("fieldsV1")).get("f:spec")
        if d(entry).get("operation") == "Apply" and "f:replicas" in d(fields):
            return True
    return False
