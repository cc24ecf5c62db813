"""Rule metadata and the typed registries the evaluator walks.

Each rule is one small function registered with the decorator for its scope. The metadata (id,
severity, why, fix, exemption mapping) lives next to the code, and `docs/rules.md` is generated
from it, so the documentation cannot drift from what runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kdash.health.context import Ctx, Target
from kdash.health.crossindex import CrossIndex
from kdash.health.rule import RULES as RULES  # re-exported: the rule modules register through here
from kdash.health.rule import Rule as Rule
from kdash.model.autoscaling import HpaRecord
from kdash.model.findings import Severity
from kdash.model.meta import ObjectKey
from kdash.model.pods import ContainerSpec, PodRecord
from kdash.model.quotas import QuotaRecord
from kdash.model.usage import PodUsage

SCOPES = {
    "container": "each container of a workload's pod template (or of a pod without a controller)",
    "object": "each workload, and each pod without a controller",
    "pod": "each pod's live status, rolled up to its workload",
    "hpa": "each HorizontalPodAutoscaler",
    "quota": "each ResourceQuota",
    "usage": "each pod's current usage (metrics.k8s.io), rolled up to its workload",
    "usage-history": "the usage history kdash keeps of each long-running workload's pods (or of a pod "
    "without a controller), per container of its template",
    "cluster": "the whole cluster at once: objects read together (Services and the pods they select, "
    "Ingresses and their Services, RBAC bindings and the workloads using them); each finding is on "
    "one object, and the rule runs only while every kind it reads could be read",
}


@dataclass(frozen=True, slots=True)
class Hit:
    """One match of a rule; `severity` overrides the rule's (quota-near-limit escalates)."""

    message: str
    container: str | None = None
    severity: Severity | None = None


ContainerCheck = Callable[[Ctx, Target, ContainerSpec, bool], Iterable[Hit]]
ObjectCheck = Callable[[Ctx, Target], Iterable[Hit]]
PodCheck = Callable[[Ctx, PodRecord], Iterable[Hit]]
HpaCheck = Callable[[Ctx, HpaRecord], Iterable[Hit]]
QuotaCheck = Callable[[Ctx, QuotaRecord], Iterable[Hit]]
UsageCheck = Callable[[Ctx, PodRecord, PodUsage], Iterable[Hit]]
HistoryCheck = Callable[[Ctx, Target], Iterable[Hit]]
ClusterCheck = Callable[[CrossIndex], Iterable[tuple[ObjectKey, Hit]]]  # (object the finding is on, hit)

CONTAINER_CHECKS: list[tuple[Rule, ContainerCheck]] = []
OBJECT_CHECKS: list[tuple[Rule, ObjectCheck]] = []
POD_CHECKS: list[tuple[Rule, PodCheck]] = []
HPA_CHECKS: list[tuple[Rule, HpaCheck]] = []
QUOTA_CHECKS: list[tuple[Rule, QuotaCheck]] = []
USAGE_CHECKS: list[tuple[Rule, UsageCheck]] = []  # run only while metrics are available
HISTORY_CHECKS: list[tuple[Rule, HistoryCheck]] = []
# with the resources (plural names, as in `snapshot.states`) each rule reads: kdash.health.cross
CLUSTER_CHECKS: list[tuple[Rule, ClusterCheck, tuple[str, ...]]] = []


def _add(rule: Rule, scope: str) -> Rule:
    if rule.id in RULES:
        raise ValueError(f"duplicate rule id {rule.id!r}")
    if rule.scope != scope:
        raise ValueError(f"rule {rule.id!r} registered as {scope}, declared {rule.scope}")
    RULES[rule.id] = rule
    return rule


def container_rule(rule: Rule) -> Callable[[ContainerCheck], ContainerCheck]:
    def register(fn: ContainerCheck) -> ContainerCheck:
        CONTAINER_CHECKS.append((_add(rule, "container"), fn))
        return fn

    return register


def object_rule(rule: Rule) -> Callable[[ObjectCheck], ObjectCheck]:
    def register(fn: ObjectCheck) -> ObjectCheck:
        OBJECT_CHECKS.append((_add(rule, "object"), fn))
        return fn

    return register


def pod_rule(rule: Rule) -> Callable[[PodCheck], PodCheck]:
    def register(fn: PodCheck) -> PodCheck:
        POD_CHECKS.append((_add(rule, "pod"), fn))
        return fn

    return register


def hpa_rule(rule: Rule) -> Callable[[HpaCheck], HpaCheck]:
    def register(fn: HpaCheck) -> HpaCheck:
        HPA_CHECKS.append((_add(rule, "hpa"), fn))
        return fn

    return register


def quota_rule(rule: Rule) -> Callable[[QuotaCheck], QuotaCheck]:
    def register(fn: QuotaCheck) -> QuotaCheck:
        QUOTA_CHECKS.append((_add(rule, "quota"), fn))
        return fn

    return register


def usage_rule(rule: Rule) -> Callable[[UsageCheck], UsageCheck]:
    """A rule on one pod's metrics; it runs only for pods metrics.k8s.io reports."""

    def register(fn: UsageCheck) -> UsageCheck:
        USAGE_CHECKS.append((_add(rule, "usage"), fn))
        return fn

    return register


def history_rule(rule: Rule) -> Callable[[HistoryCheck], HistoryCheck]:
    """A rule on a lint target's usage history; it runs only while metrics are available."""

    def register(fn: HistoryCheck) -> HistoryCheck:
        HISTORY_CHECKS.append((_add(rule, "usage-history"), fn))
        return fn

    return register


def cluster_rule(rule: Rule, reads: tuple[str, ...]) -> Callable[[ClusterCheck], ClusterCheck]:
    """A rule over objects read together; `reads` names the resources it needs (a kind that is
    forbidden or not listed yet keeps it from running rather than making it guess)."""

    def register(fn: ClusterCheck) -> ClusterCheck:
        CLUSTER_CHECKS.append((_add(rule, "cluster"), fn, reads))
        return fn

    return register
