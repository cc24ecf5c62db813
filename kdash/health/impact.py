"""Which objects a change set makes the scorer re-lint: every read a rule makes of another object.

The rules read, besides the object they lint (kdash/health/rules_*.py, through `Ctx`):

| reader | reads | so a change of ... re-lints |
|---|---|---|
| workload: replicas-single, pdb-missing, replicas-not-spread, deployment-max-unavailable-all | HPAs targeting it (`hpas_by_target`) | an HPA -> its old and new target |
| workload: pdb-missing | the namespace's PDB selectors | a PDB added, deleted or re-selected -> the namespace's targets |
| workload: quota-requests-missing | which resources the namespace's quotas constrain, and their names | a quota whose constrained set changed -> the namespace's targets |
| workload, bare pod: resources-*, quota-requests-missing | the namespace's LimitRange defaults | defaults changed -> the namespace's targets and HPAs |
| CronJob: job-failed | its Jobs (`jobs_by_cronjob`) | a Job -> its CronJob |
| Job: is it a target? | does its CronJob exist | a CronJob added or deleted -> its Jobs |
| pod runtime findings: rolled up to | its workload, if that exists (a CronJob's Job: the CronJob) | a workload added/deleted, a Job re-owned -> the pods naming it |
| pod: pod-crashloop, pod-not-ready | the crash log tails (`snapshot.restarts`) | a tail changed -> that pod |
| pod: pending, not-ready, init stuck | `now` | the clock moved -> every Pending or not-Ready pod |
| HPA: hpa-target-missing | its target among workloads and ReplicaSets | that workload or ReplicaSet |
| HPA: hpa-target-no-requests | its target's template; the namespace's defaults | the target; the defaults |
| HPA: hpa-min-replicas-single | its target's kind and container ports | the target |
| quota: quota-near-limit | itself only | - |
| pod: usage-* (kdash/health/usage_lint.py) | its metrics (`snapshot.usage`) | a poll (`usage_changed`) -> the usage rules alone, on every pod with metrics |
| pod: usage-above-request-overcommitted | its node: allocatable, node usage, the limits of its pods | a pod or Node change -> the pods of the nodes whose pressure changed |
| workload, bare pod: usage-requests-oversized | its pods' usage history, in 5-minute blocks | a poll that moves a series by a block; a pod joining or leaving |
| cluster scope (kdash/health/rules_cross.py, rules_rbac.py) | Services, Ingresses, PDBs, HPAs, NetworkPolicies, ConfigMaps, RBAC; workload templates and the pods no workload stands for; which kinds are readable | any object of those kinds, a workload whose template, selector, replicas or annotations changed, such a pod's labels or spec, a kind's readability -> every cluster rule, once (`Dirty.cross`) |

Indexes the scorer needs beyond `Ctx`'s (pods by the workload they name, targets and HPAs by
namespace) are kept here too, updated from the same changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from kdash.health.context import _NO_DEFAULTS, CrashLogs, Ctx, Target, _crash_logs, limitrange_defaults
from kdash.health.evaluate import _cron_parent
from kdash.health.exemptions import ignored_rules
from kdash.health.rules_object import _quota_needs
from kdash.model.autoscaling import HpaRecord
from kdash.model.cluster import PdbRecord
from kdash.model.meta import Meta, ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.quotas import LimitRangeRecord, QuotaRecord
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.workloads import WorkloadRecord

R = TypeVar("R")


@dataclass(slots=True)
class Dirty:
    """What one update must redo. Keys are the snapshot maps' keys (`record.meta.key`)."""

    targets: set[ObjectKey] = field(default_factory=set)  # workloads and bare pods to re-lint (or drop)
    pods: set[ObjectKey] = field(default_factory=set)  # pods to re-run the runtime rules on (or drop)
    rekey: set[ObjectKey] = field(default_factory=set)  # pods whose rollup object may have moved
    rollups: set[ObjectKey] = field(default_factory=set)  # objects whose rolled-up findings to rebuild
    hpas: set[ObjectKey] = field(default_factory=set)
    quotas: set[ObjectKey] = field(default_factory=set)
    objects: set[ObjectKey] = field(default_factory=set)  # scored objects to reassemble (or drop)
    usage_pods: set[ObjectKey] = field(default_factory=set)  # pods whose usage hits changed
    polled: bool = False  # new usage: re-run the history rules on every lint target
    cross: bool = False  # re-run the cluster-scope rules (kdash.health.cross)


def target_of(snap: ClusterSnapshot, key: ObjectKey) -> Target | None:
    """`key` as a lint target (what `evaluate._targets` would make of it), or None if it is none."""
    wl = snap.workloads.get(key)
    if wl is not None:
        if _cron_parent(snap, wl) is not None:
            return None  # linted as part of its CronJob
        return Target(ObjectKey(wl.kind, wl.meta.namespace, wl.meta.name), wl.meta, wl.template, workload=wl)
    pod = snap.pods.get(key)
    if pod is not None and pod.meta.controller is None:
        return Target(pod.meta.key, pod.meta, pod.spec, pod=pod)
    return None


def _hpa_target(h: HpaRecord) -> ObjectKey:
    return ObjectKey(h.target_kind, h.meta.namespace, h.target_name)


def _cron_owner(wl: WorkloadRecord | None) -> ObjectKey | None:
    """The CronJob a Job names as its controller, whether or not that CronJob exists."""
    if wl is None or wl.kind != "Job":
        return None
    owner = wl.meta.controller
    return (
        ObjectKey("CronJob", wl.meta.namespace, owner.name)
        if owner is not None and owner.kind == "CronJob"
        else None
    )


def _ref(pod: PodRecord | None) -> ObjectKey | None:
    """The workload a pod's runtime findings roll up to if it exists (`evaluate._rollup_key`)."""
    if pod is None or pod.workload is None or pod.meta.controller is None:
        return None
    return ObjectKey(pod.workload.kind, pod.meta.namespace, pod.workload.name)


def _unlist(index: dict[ObjectKey, list[R]], key: ObjectKey, record: R) -> None:
    """Remove `record` (by identity: records are not compared field by field) from index[key]."""
    items = index.get(key)
    if items is None:
        return
    for i, item in enumerate(items):
        if item is record:
            del items[i]
            break
    if not items:
        del index[key]


def _needs(ctx: Ctx, namespace: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """What quota-requests-missing reads of a namespace's quotas (in order: it names them)."""
    requests, limits = _quota_needs(ctx, namespace)
    return (tuple(requests.items()), tuple(limits.items()))


# What the cluster-scope rules read of each kind, beyond the exemption annotations: a change of
# anything else (an HPA's status every 15 s, a ConfigMap used as a leader lock) re-runs nothing.
_CROSS_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Service": ("services", ("selector", "type", "cluster_ip", "port_numbers", "port_names")),
    "Ingress": ("ingresses", ("paths", "default_backend")),
    "NetworkPolicy": ("netpols", ("pod_selector",)),
    "ConfigMap": ("configmaps", ("keys",)),
    "Role": ("roles", ("rules",)),
    "ClusterRole": ("roles", ("rules",)),
    "RoleBinding": ("bindings", ("role_kind", "role_name", "subjects")),
    "ClusterRoleBinding": ("bindings", ("role_kind", "role_name", "subjects")),
    "PodDisruptionBudget": (
        "pdbs",
        ("selector", "min_available", "max_unavailable", "has_status", "disruptions_allowed")
        + ("expected_pods", "current_healthy"),
    ),
    "HorizontalPodAutoscaler": ("hpas", ("target_kind", "target_name", "min_replicas")),
}
_WORKLOAD_FIELDS = ("template", "selector", "desired", "replicas_set", "replicas_applied", "service_name")


def _view(record: object | None, fields: tuple[str, ...]) -> object:
    """The fields a cluster rule reads of `record`, and the rules its annotations silence."""
    if record is None:
        return None
    meta: Meta = record.meta  # type: ignore[attr-defined]
    return (*(getattr(record, f) for f in fields), meta.owners, ignored_rules(meta.annotations))


def _pod_view(snap: ClusterSnapshot, pod: PodRecord | None) -> object:
    """What the cluster rules read of a pod: nothing, unless no workload stands for it (then its
    labels count as a selector's match, and a bare pod is linted)."""
    if pod is None:
        return None
    ref = _ref(pod)
    if ref is not None and ref in snap.workloads:
        return None
    return (pod.meta.labels, ignored_rules(pod.meta.annotations), pod.meta.controller is None, pod.spec)


def _cross_changed(key: ObjectKey, old: ClusterSnapshot, new: ClusterSnapshot) -> bool:
    """Whether the change of `key` can change what a cluster-scope rule finds."""
    where = _CROSS_FIELDS.get(key.kind)
    if where is not None:
        name, fields = where
        before, after = getattr(old, name).get(key), getattr(new, name).get(key)
        return _view(before, fields) != _view(after, fields)
    if key in new.workloads or key in old.workloads:
        return _view(old.workloads.get(key), _WORKLOAD_FIELDS) != _view(
            new.workloads.get(key), _WORKLOAD_FIELDS
        )
    if key in new.pods or key in old.pods:
        return _pod_view(old, old.pods.get(key)) != _pod_view(new, new.pods.get(key))
    return False


class Impact:
    """`Ctx`'s indexes and the scorer's own, kept in step with the snapshots it is shown."""

    def __init__(self, ctx: Ctx, crash_logs: CrashLogs | None) -> None:
        self.ctx = ctx
        self.given_logs = crash_logs
        self.pods_by_ref: dict[ObjectKey, set[ObjectKey]] = {}
        self.targets_by_ns: dict[str, set[ObjectKey]] = {}  # filled as targets are linted
        self.hpas_by_ns: dict[str, set[ObjectKey]] = {}

    def everything(self, snap: ClusterSnapshot) -> Dirty:
        """All of the snapshot, for a full run (`ctx` was just built from it; every pod is re-linted
        without being listed here)."""
        for key, pod in snap.pods.items():
            ref = _ref(pod)
            if ref is not None:
                self.pods_by_ref.setdefault(ref, set()).add(key)
        for key in snap.hpas:
            self.hpas_by_ns.setdefault(key.namespace, set()).add(key)
        return Dirty(
            targets=set(snap.workloads) | {k for k, p in snap.pods.items() if p.meta.controller is None},
            hpas=set(snap.hpas),
            quotas=set(snap.quotas),
            cross=True,
        )

    def apply(
        self,
        old: ClusterSnapshot,
        new: ClusterSnapshot,
        keys: set[ObjectKey],
        now: datetime | None,
        crash_logs: CrashLogs | None,
        timed: set[ObjectKey],
    ) -> Dirty:
        """Bring the indexes from `old` to `new` and say what to re-lint. `keys` holds every key
        that changed in between (any kind; more is harmless)."""
        ctx, dirty = self.ctx, Dirty()
        refs: set[ObjectKey] = set()
        quota_ns: set[str] = set()
        range_ns: set[str] = set()
        for key in keys:
            if key in new.pods or key in old.pods:
                self._pod(key, old.pods.get(key), new.pods.get(key), dirty)
            if key in new.workloads or key in old.workloads:
                self._workload(key, old.workloads.get(key), new.workloads.get(key), dirty, refs)
            if key in new.replicasets or key in old.replicasets:  # hpa-target-missing
                dirty.hpas.update(h.meta.key for h in ctx.hpas_by_target.get(key, ()))
            if key in new.hpas or key in old.hpas:
                self._hpa(key, old.hpas.get(key), new.hpas.get(key), dirty)
            if key in new.quotas or key in old.quotas:
                dirty.quotas.add(key)
                quota_ns.add(key.namespace)
            if key in new.limitranges or key in old.limitranges:
                range_ns.add(key.namespace)
            if key in new.pdbs or key in old.pdbs:
                self._pdb(key, old.pdbs.get(key), new.pdbs.get(key), dirty)
            if not dirty.cross and _cross_changed(key, old, new):
                dirty.cross = True
        for ref in refs:
            dirty.rekey.update(self.pods_by_ref.get(ref, ()))
        ctx.snapshot = new
        if quota_ns:
            self._quotas(new, quota_ns, dirty)
        if range_ns:
            self._ranges(new, range_ns, dirty)
        self._crash_logs(old, new, crash_logs, dirty)
        moved = now if now is not None else new.taken_at
        if moved != ctx.now:
            ctx.now = moved
            dirty.pods |= timed
        return dirty

    def _pod(self, key: ObjectKey, o: PodRecord | None, n: PodRecord | None, dirty: Dirty) -> None:
        before, after = _ref(o), _ref(n)
        if before != after:
            if before is not None:
                pods = self.pods_by_ref.get(before)
                if pods is not None:
                    pods.discard(key)
                    if not pods:
                        del self.pods_by_ref[before]
            if after is not None:
                self.pods_by_ref.setdefault(after, set()).add(key)
        dirty.pods.add(key)
        if (o is not None and o.meta.controller is None) or (n is not None and n.meta.controller is None):
            dirty.targets.add(key)

    def _workload(
        self,
        key: ObjectKey,
        o: WorkloadRecord | None,
        n: WorkloadRecord | None,
        dirty: Dirty,
        refs: set[ObjectKey],
    ) -> None:
        jobs = self.ctx.jobs_by_cronjob
        parent_before, parent_after = _cron_owner(o), _cron_owner(n)
        if o is not None and parent_before is not None:
            _unlist(jobs, parent_before, o)
        if n is not None and parent_after is not None:
            jobs.setdefault(parent_after, []).append(n)
        dirty.targets.add(key)
        for parent in (parent_before, parent_after):
            if parent is not None:
                dirty.targets.add(parent)  # job-failed reads the CronJob's Jobs
        appeared = (o is None) != (n is None)
        if appeared or parent_before != parent_after:
            refs.add(key)  # its pods' findings roll up to it, to its CronJob, or to themselves
        if appeared and key.kind == "CronJob":
            for job in jobs.get(key, ()):  # a CronJob's Jobs are linted as the CronJob
                dirty.targets.add(job.meta.key)
                refs.add(job.meta.key)
        dirty.hpas.update(h.meta.key for h in self.ctx.hpas_by_target.get(key, ()))

    def _hpa(self, key: ObjectKey, o: HpaRecord | None, n: HpaRecord | None, dirty: Dirty) -> None:
        index = self.ctx.hpas_by_target
        if o is not None:
            _unlist(index, _hpa_target(o), o)
            dirty.targets.add(_hpa_target(o))
            self.hpas_by_ns.get(key.namespace, set()).discard(key)
        if n is not None:
            index.setdefault(_hpa_target(n), []).append(n)
            dirty.targets.add(_hpa_target(n))
            self.hpas_by_ns.setdefault(key.namespace, set()).add(key)
        dirty.hpas.add(key)

    def _pdb(self, key: ObjectKey, o: PdbRecord | None, n: PdbRecord | None, dirty: Dirty) -> None:
        index = self.ctx.pdbs_by_ns
        if o is not None:
            items = index.get(o.meta.namespace)
            if items is not None:
                index[o.meta.namespace] = [p for p in items if p is not o]
                if not index[o.meta.namespace]:
                    del index[o.meta.namespace]
        if n is not None:
            index.setdefault(n.meta.namespace, []).append(n)
        if o is None or n is None or o.selector != n.selector:  # pdb-missing reads only selectors
            dirty.targets |= self.targets_by_ns.get(key.namespace, set())

    def _quotas(self, new: ClusterSnapshot, namespaces: set[str], dirty: Dirty) -> None:
        """quotas_by_ns in the snapshot's order (the first quota naming a resource is quoted)."""
        ctx = self.ctx
        before = {ns: _needs(ctx, ns) for ns in namespaces}
        fresh: dict[str, list[QuotaRecord]] = {ns: [] for ns in namespaces}
        for quota in new.quotas.values():
            items = fresh.get(quota.meta.namespace)
            if items is not None:
                items.append(quota)
        for ns, items in fresh.items():
            if items:
                ctx.quotas_by_ns[ns] = items
            else:
                ctx.quotas_by_ns.pop(ns, None)
            if _needs(ctx, ns) != before[ns]:
                dirty.targets |= self.targets_by_ns.get(ns, set())

    def _ranges(self, new: ClusterSnapshot, namespaces: set[str], dirty: Dirty) -> None:
        ctx = self.ctx
        before = {ns: ctx.defaults_by_ns.get(ns, _NO_DEFAULTS) for ns in namespaces}
        fresh: dict[str, list[LimitRangeRecord]] = {ns: [] for ns in namespaces}
        for lr in new.limitranges.values():
            items = fresh.get(lr.meta.namespace)
            if items is not None:
                items.append(lr)
        for ns, items in fresh.items():
            after = limitrange_defaults(items) if items else _NO_DEFAULTS
            if items:
                ctx.defaults_by_ns[ns] = after
            else:
                ctx.defaults_by_ns.pop(ns, None)
            if after != before[ns]:
                dirty.targets |= self.targets_by_ns.get(ns, set())
                dirty.hpas |= self.hpas_by_ns.get(ns, set())

    def _crash_logs(
        self, old: ClusterSnapshot, new: ClusterSnapshot, given: CrashLogs | None, dirty: Dirty
    ) -> None:
        """Re-lint the pods whose crash log tails changed (a tail can also be evicted: diff them)."""
        if new.restarts is old.restarts and given is self.given_logs:
            return
        ctx = self.ctx
        before: Mapping[tuple[str, str, str], object] = ctx.crash_logs
        after = _crash_logs(new, given)
        for where in before.keys() | after.keys():
            if before.get(where) != after.get(where):
                dirty.pods.add(ObjectKey("Pod", where[0], where[1]))
        ctx.crash_logs = after
        self.given_logs = given
