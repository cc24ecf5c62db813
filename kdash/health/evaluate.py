"""`evaluate()`: a snapshot in, findings and scores out. Pure: no I/O, no clock.

Spec rules lint each workload's pod template once (and a pod only when it has no controller), so
ten replicas of one mistake are one finding. Runtime rules read every pod, and their findings roll
up to the owning workload: one finding per (rule, container), naming the first pod and how many
more share it, so a score does not depend on the replica count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from kdash.health.config import HealthConfig
from kdash.health.context import CrashLogs, Ctx, Target
from kdash.health.cross import cross_hits
from kdash.health.exemptions import ignored_rules
from kdash.health.registry import (
    CLUSTER_CHECKS,
    CONTAINER_CHECKS,
    HPA_CHECKS,
    OBJECT_CHECKS,
    POD_CHECKS,
    QUOTA_CHECKS,
    Hit,
    Rule,
)
from kdash.health.scoring import grade_for, mean_score, object_score
from kdash.health.usage_lint import UsageChecks
from kdash.model.findings import Finding, ObjectScore, Severity
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.workloads import WorkloadRecord

FindingMap = Mapping[ObjectKey, tuple[Finding, ...]]


@dataclass(frozen=True, slots=True, repr=False)
class HealthReport:
    """Findings (worst first; ignored ones last) and scores (worst object first).

    `summary` counts findings that are not ignored by severity label. `pod_findings` holds the
    runtime findings of each pod under the pod's own key, for colouring pod rows; they are not
    scored (their workload carries them).
    """

    findings: tuple[Finding, ...] = ()
    objects: tuple[ObjectScore, ...] = ()
    score: float = 100.0
    grade: str = "A"
    summary: Mapping[str, int] = field(default_factory=lambda: MappingProxyType(_zero_summary()))
    namespace_scores: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    by_object: FindingMap = field(default_factory=lambda: MappingProxyType({}))
    pod_findings: FindingMap = field(default_factory=lambda: MappingProxyType({}))
    scores: Mapping[ObjectKey, ObjectScore] = field(default_factory=lambda: MappingProxyType({}))

    def __repr__(self) -> str:  # a summary: a full repr of thousands of findings is slow and useless
        return f"HealthReport(score={self.score}, grade={self.grade!r}, summary={dict(self.summary)})"

    def findings_for(self, key: ObjectKey) -> list[Finding]:
        """A scored object's findings, or a pod's own runtime findings (ignored ones included)."""
        return list(self.by_object.get(key) or self.pod_findings.get(key, ()))

    def score_for(self, key: ObjectKey) -> ObjectScore | None:
        return self.scores.get(key)


def _zero_summary() -> dict[str, int]:
    return {s.label: 0 for s in sorted(Severity, reverse=True)}


def make_finding(key: ObjectKey, rule: Rule, hit: Hit, ignores: frozenset[str]) -> Finding:
    """One hit of `rule` on `key` as a finding (the incremental scorer makes them the same way)."""
    return Finding(  # rule, severity, kind, namespace, name, message, why, fix, container, ignored
        rule.id,
        hit.severity or rule.severity,
        key.kind,
        key.namespace,
        key.name,
        hit.message,
        rule.why,
        rule.fix,
        hit.container,
        rule.id in ignores,
    )


class _Collector:
    """Turns hits into findings, marking the ones the object's annotations exempt."""

    def __init__(self, config: HealthConfig) -> None:
        self.config = config
        self.by_object: defaultdict[ObjectKey, list[Finding]] = defaultdict(list)
        self.pod_findings: defaultdict[ObjectKey, list[Finding]] = defaultdict(list)
        self.scored: dict[ObjectKey, None] = {}
        self.ignores: dict[ObjectKey, frozenset[str]] = {}

    def enabled(self, rule: Rule) -> bool:
        return self.config.is_enabled(rule.id, rule.default_enabled)

    def register(self, key: ObjectKey, annotations: Mapping[str, str]) -> frozenset[str]:
        """Score `key`; returns the rules its annotations silence."""
        self.scored[key] = None
        ignores = self.ignores[key] = ignored_rules(annotations)
        return ignores

    def finding(self, key: ObjectKey, rule: Rule, hit: Hit, ignores: frozenset[str]) -> Finding:
        return make_finding(key, rule, hit, ignores)

    def add(self, key: ObjectKey, rule: Rule, hits: Iterable[Hit]) -> None:
        for hit in hits:
            self.by_object[key].append(self.finding(key, rule, hit, self.ignores.get(key, frozenset())))


def _cron_parent(snapshot: ClusterSnapshot, wl: WorkloadRecord) -> ObjectKey | None:
    if wl.kind != "Job":  # first: `controller` scans the owner references
        return None
    owner = wl.meta.controller
    if owner is not None and owner.kind == "CronJob":
        parent = ObjectKey("CronJob", wl.meta.namespace, owner.name)
        return parent if parent in snapshot.workloads else None
    return None


def _targets(snapshot: ClusterSnapshot) -> list[Target]:
    """Workloads (a CronJob's Jobs fold into the CronJob) and pods without a controller."""
    targets = [
        Target(ObjectKey(wl.kind, wl.meta.namespace, wl.meta.name), wl.meta, wl.template, workload=wl)
        for wl in snapshot.workloads.values()
        if _cron_parent(snapshot, wl) is None
    ]
    targets += [
        Target(pod.meta.key, pod.meta, pod.spec, pod=pod)
        for pod in snapshot.pods.values()
        if pod.meta.controller is None
    ]
    return targets


def _rollup_key(snapshot: ClusterSnapshot, pod: PodRecord) -> ObjectKey:
    """The workload a pod's runtime findings belong to; the pod itself when that is not known."""
    if pod.meta.controller is None or pod.workload is None:
        return pod.meta.key
    key = ObjectKey(pod.workload.kind, pod.meta.namespace, pod.workload.name)
    wl = snapshot.workloads.get(key)
    if wl is None:
        return pod.meta.key
    return _cron_parent(snapshot, wl) or key


def _lint_targets(ctx: Ctx, out: _Collector) -> list[Target]:
    """Object rules, then each container rule on the init containers and the containers. The hot
    loop of a big manifest (a dozen rules for each of tens of thousands of containers), so the
    enabled rules are picked once and findings are appended where `add` would put them."""
    object_checks = [(rule, check) for rule, check in OBJECT_CHECKS if out.enabled(rule)]
    container_checks = [(rule, check) for rule, check in CONTAINER_CHECKS if out.enabled(rule)]
    finding = out.finding
    targets = _targets(ctx.snapshot)
    for t in targets:
        key = t.key
        ignores = out.register(key, t.annotations)
        found = out.by_object[key]
        for rule, check in object_checks:
            for hit in check(ctx, t):
                found.append(finding(key, rule, hit, ignores))
        inits, containers = t.template.init_containers, t.template.containers
        for rule, ccheck in container_checks:
            for c in inits:
                for hit in ccheck(ctx, t, c, True):
                    found.append(finding(key, rule, hit, ignores))
            for c in containers:
                for hit in ccheck(ctx, t, c, False):
                    found.append(finding(key, rule, hit, ignores))
    return targets


def _lint_pods(ctx: Ctx, out: _Collector, usage: UsageChecks) -> None:
    """Runtime rules, then the usage rules, on every pod; their findings roll up alike."""
    groups: dict[tuple[ObjectKey, str, str | None, Severity], list[tuple[Rule, Hit]]] = {}
    checks = [(rule, check) for rule, check in POD_CHECKS if out.enabled(rule)]
    for pod in sorted(ctx.snapshot.pods.values(), key=lambda p: p.meta.key):
        target = _rollup_key(ctx.snapshot, pod)
        if target not in out.scored:
            wl_ann = {**pod.spec.annotations, **pod.meta.annotations}
            out.register(target, wl_ann)
        pod_ignores: frozenset[str] | None = None
        hits = [(rule, hit) for rule, check in checks for hit in check(ctx, pod)]
        hits += usage.pod_hits(ctx, pod)
        for rule, hit in hits:
            if pod_ignores is None:
                pod_ignores = ignored_rules({**pod.spec.annotations, **pod.meta.annotations})
            out.pod_findings[pod.meta.key].append(out.finding(pod.meta.key, rule, hit, pod_ignores))
            group = (target, rule.id, hit.container, hit.severity or rule.severity)
            groups.setdefault(group, []).append((rule, hit))
    for (target, *_), hits in groups.items():
        rule, first = hits[0]
        more = f" (and {len(hits) - 1} more pod{'s' if len(hits) > 2 else ''})" if len(hits) > 1 else ""
        out.add(target, rule, [Hit(first.message + more, first.container, first.severity)])


def _lint_history(ctx: Ctx, out: _Collector, usage: UsageChecks, targets: list[Target]) -> None:
    """Right-sizing on each lint target's usage history (nothing while metrics are unavailable)."""
    if not usage.history or not ctx.snapshot.usage.available:
        return
    for t in targets:
        for rule, hit in usage.target_hits(ctx, t):
            out.add(t.key, rule, [hit])


def _lint_scaling(ctx: Ctx, out: _Collector) -> None:
    for hpa in ctx.snapshot.hpas.values():
        key = ObjectKey("HorizontalPodAutoscaler", hpa.meta.namespace, hpa.meta.name)
        out.register(key, hpa.meta.annotations)
        for rule, hcheck in HPA_CHECKS:
            if out.enabled(rule):
                out.add(key, rule, hcheck(ctx, hpa))
    for quota in ctx.snapshot.quotas.values():
        key = ObjectKey("ResourceQuota", quota.meta.namespace, quota.meta.name)
        out.register(key, quota.meta.annotations)
        for rule, qcheck in QUOTA_CHECKS:
            if out.enabled(rule):
                out.add(key, rule, qcheck(ctx, quota))


def _lint_cross(ctx: Ctx, out: _Collector) -> None:
    """The cluster-scope rules (kdash.health.cross); an object they find something on that no other
    rule scores (a Service, an Ingress, a binding ...) is scored from then on."""
    checks = [(rule, check, reads) for rule, check, reads in CLUSTER_CHECKS if out.enabled(rule)]
    if not checks:
        return
    hits, ignores = cross_hits(ctx.snapshot, checks)
    for key, found in hits.items():
        if key not in out.scored:
            out.scored[key] = None
            out.ignores[key] = ignores[key]
        own = out.ignores[key]
        out.by_object[key].extend(out.finding(key, rule, hit, own) for rule, hit in found)


def _finding_order(f: Finding) -> tuple[bool, int, str, str, str, str, str]:
    return (f.ignored, -f.severity, f.namespace, f.kind, f.name, f.container or "", f.rule)


def _own_order(f: Finding) -> tuple[bool, int, str, str]:
    """`_finding_order` among the findings of one object."""
    return (f.ignored, -f.severity, f.container or "", f.rule)


# A finding that says what narrower ones say, more strongly: while it stands (not ignored), the
# narrower ones on the same object are not reported, so one cause costs once and has one fix.
SUBSUMES: Mapping[str, frozenset[str]] = MappingProxyType(
    {"service-no-readiness": frozenset({"probe-readiness-missing"})}
)


def object_findings(found: list[Finding]) -> tuple[Finding, ...]:
    """One object's findings as the report holds them: in `_own_order`, without those a broader
    finding of the object stands for (SUBSUMES)."""
    covered: frozenset[str] = frozenset()
    for f in found:
        if not f.ignored and f.rule in SUBSUMES:
            covered |= SUBSUMES[f.rule]
    kept = [f for f in found if f.rule not in covered] if covered else found
    return tuple(sorted(kept, key=_own_order))


def evaluate(
    snapshot: ClusterSnapshot,
    config: HealthConfig | None = None,
    now: datetime | None = None,
    crash_logs: CrashLogs | None = None,
) -> HealthReport:
    """Run every enabled rule over the snapshot and score the objects (see kdash.health.scoring).

    `now` defaults to `snapshot.taken_at`; with neither, the time-based rules (pending, not ready,
    init stuck by time) stay silent. `crash_logs` maps (namespace, pod, container) to the previous
    container's log tail and adds to the tails carried by `snapshot.restarts`.
    """
    cfg = config or HealthConfig()
    ctx = Ctx.build(snapshot, cfg, now, crash_logs)
    out = _Collector(cfg)
    usage = UsageChecks(cfg)
    targets = _lint_targets(ctx, out)
    _lint_pods(ctx, out, usage)
    _lint_history(ctx, out, usage, targets)
    _lint_scaling(ctx, out)
    _lint_cross(ctx, out)

    # within one object kind, namespace and name are equal: the shorter key sorts them the same
    by_object = {key: object_findings(out.by_object.get(key, [])) for key in out.scored}
    scores: dict[ObjectKey, ObjectScore] = {}
    for key, found in by_object.items():
        score = object_score(found)
        live = [f for f in found if not f.ignored]
        scores[key] = ObjectScore(
            key.kind, key.namespace, key.name, score, grade_for(score), live[0] if live else None
        )
    objects = sorted(
        scores.values(),
        key=lambda o: (o.score, -(o.worst.severity if o.worst else 0), o.namespace, o.kind, o.name),
    )
    per_ns: defaultdict[str, list[float]] = defaultdict(list)
    for o in objects:
        per_ns[o.namespace].append(o.score)
    findings = tuple(sorted((f for fs in by_object.values() for f in fs), key=_finding_order))
    summary = _zero_summary()
    labels = {s: s.label for s in Severity}
    for f in findings:
        if not f.ignored:
            summary[labels[f.severity]] += 1
    score = mean_score(o.score for o in objects)
    return HealthReport(
        findings=findings,
        objects=tuple(objects),
        score=score,
        grade=grade_for(score),
        summary=MappingProxyType(summary),
        namespace_scores=MappingProxyType({ns: mean_score(v) for ns, v in sorted(per_ns.items())}),
        by_object=MappingProxyType(by_object),
        pod_findings=MappingProxyType(
            {k: tuple(sorted(v, key=_finding_order)) for k, v in out.pod_findings.items()}
        ),
        scores=MappingProxyType(scores),
    )
