"""What a rule sees: the object being linted and indexes over the whole snapshot.

Rules need the whole picture in places (an HPA rule reads its target's pod template, a quota rule
reads the namespace's LimitRanges, `replicas-single` knows about HPAs), so the indexes are built
once per evaluation instead of by every rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kdash.health.config import HealthConfig
from kdash.health.usage_facts import UsageFacts
from kdash.model.autoscaling import HpaRecord
from kdash.model.cluster import PdbRecord
from kdash.model.meta import Meta, ObjectKey
from kdash.model.pods import ContainerSpec, PodRecord, PodSpecSummary
from kdash.model.quotas import LimitRangeRecord, QuotaRecord
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.workloads import WorkloadRecord

LONG_RUNNING_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet"})
CrashLogs = Mapping[tuple[str, str, str], Sequence[str]]  # (namespace, pod, container) -> log tail


@dataclass(frozen=True, slots=True)
class Target:
    """A lint target: a workload (linted on its pod template) or a pod that has no controller."""

    key: ObjectKey
    meta: Meta
    template: PodSpecSummary
    workload: WorkloadRecord | None = None
    pod: PodRecord | None = None

    @property
    def long_running(self) -> bool:
        """Serving-style objects: the ones probes and graceful shutdown matter for (not Jobs)."""
        if self.workload is not None:
            return self.workload.kind in LONG_RUNNING_KINDS
        return self.template.restart_policy in ("", "Always")

    @property
    def annotations(self) -> Mapping[str, str]:
        """The object's annotations over its pod template's (pods inherit the template's)."""
        if not self.template.annotations:
            return self.meta.annotations
        return {**self.template.annotations, **self.meta.annotations}


@dataclass(frozen=True, slots=True)
class Defaults:
    """Resource names a namespace's LimitRanges fill in for a container that omits them."""

    requests: frozenset[str] = frozenset()
    limits: frozenset[str] = frozenset()


_NO_DEFAULTS = Defaults()


def limitrange_defaults(ranges: Sequence[LimitRangeRecord]) -> Defaults:
    """Container defaults as the API server defaults a LimitRange item.

    A missing `default` takes `max`; a missing `defaultRequest` takes `default`, then `min`
    (SetDefaults_LimitRangeItem), so any of those keys means a container gets that value.
    """
    requests: set[str] = set()
    limits: set[str] = set()
    for lr in ranges:
        for item in lr.items:
            if item.type != "Container":
                continue
            item_limits = set(item.default) | set(item.max)
            limits |= item_limits
            requests |= set(item.default_request) | item_limits | set(item.min)
    return Defaults(frozenset(requests), frozenset(limits))


@dataclass(slots=True)
class Ctx:
    """Per-evaluation state shared by every rule. `now` is None when no time is known."""

    snapshot: ClusterSnapshot
    config: HealthConfig
    now: datetime | None
    crash_logs: CrashLogs = field(default_factory=dict)
    hpas_by_target: dict[ObjectKey, list[HpaRecord]] = field(default_factory=dict)
    pdbs_by_ns: dict[str, list[PdbRecord]] = field(default_factory=dict)
    quotas_by_ns: dict[str, list[QuotaRecord]] = field(default_factory=dict)
    defaults_by_ns: dict[str, Defaults] = field(default_factory=dict)
    jobs_by_cronjob: dict[ObjectKey, list[WorkloadRecord]] = field(default_factory=dict)
    usage: UsageFacts = field(default_factory=UsageFacts)  # filled only while metrics are available

    @classmethod
    def build(
        cls,
        snapshot: ClusterSnapshot,
        config: HealthConfig,
        now: datetime | None,
        crash_logs: CrashLogs | None,
    ) -> Ctx:
        ctx = cls(snapshot, config, now if now is not None else snapshot.taken_at)
        ctx.crash_logs = _crash_logs(snapshot, crash_logs)
        hpas: defaultdict[ObjectKey, list[HpaRecord]] = defaultdict(list)
        for hpa in snapshot.hpas.values():
            hpas[ObjectKey(hpa.target_kind, hpa.meta.namespace, hpa.target_name)].append(hpa)
        ctx.hpas_by_target = dict(hpas)
        pdbs: defaultdict[str, list[PdbRecord]] = defaultdict(list)
        for pdb in snapshot.pdbs.values():
            pdbs[pdb.meta.namespace].append(pdb)
        ctx.pdbs_by_ns = dict(pdbs)
        quotas: defaultdict[str, list[QuotaRecord]] = defaultdict(list)
        for quota in snapshot.quotas.values():
            quotas[quota.meta.namespace].append(quota)
        ctx.quotas_by_ns = dict(quotas)
        ranges: defaultdict[str, list[LimitRangeRecord]] = defaultdict(list)
        for lr in snapshot.limitranges.values():
            ranges[lr.meta.namespace].append(lr)
        ctx.defaults_by_ns = {ns: limitrange_defaults(items) for ns, items in ranges.items()}
        jobs: defaultdict[ObjectKey, list[WorkloadRecord]] = defaultdict(list)
        for wl in snapshot.workloads.values():
            if wl.kind != "Job":  # first: `controller` scans the owner references
                continue
            owner = wl.meta.controller
            if owner is not None and owner.kind == "CronJob":
                jobs[ObjectKey("CronJob", wl.meta.namespace, owner.name)].append(wl)
        ctx.jobs_by_cronjob = dict(jobs)
        if snapshot.usage.available:
            ctx.usage.rebuild(snapshot)
        return ctx

    def defaults(self, namespace: str) -> Defaults:
        return self.defaults_by_ns.get(namespace, _NO_DEFAULTS)

    def effective_requests(self, namespace: str, c: ContainerSpec) -> set[str]:
        """Requests a pod of this container ends up with: explicit, copied from a limit, or defaulted."""
        have = set(c.requests)
        have.update(c.limits)
        defaults = self.defaults_by_ns.get(namespace)
        if defaults is not None:
            have |= defaults.requests
        return have

    def effective_limits(self, namespace: str, c: ContainerSpec) -> set[str]:
        have = set(c.limits)
        defaults = self.defaults_by_ns.get(namespace)
        if defaults is not None:
            have |= defaults.limits
        return have

    def minutes_since(self, when: datetime | None) -> float | None:
        if when is None or self.now is None:
            return None
        return (self.now - when).total_seconds() / 60


def _crash_logs(snapshot: ClusterSnapshot, given: CrashLogs | None) -> CrashLogs:
    """Crash log tails from the snapshot's restart records, overridden by the caller's."""
    logs: dict[tuple[str, str, str], Sequence[str]] = {
        (r.namespace, r.pod, r.container): r.crash_log for r in snapshot.restarts if r.crash_log
    }
    if given:
        logs.update(given)
    return logs
