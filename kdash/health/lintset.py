"""The enabled rules of each scope, as the incremental scorer runs them (in registry order, the
order `evaluate()` runs them), and which pods' verdicts depend on the clock."""

from __future__ import annotations

from kdash.health.config import HealthConfig
from kdash.health.context import Ctx, Target
from kdash.health.evaluate import make_finding
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
from kdash.health.usage_lint import UsageChecks
from kdash.model.findings import Finding
from kdash.model.pods import PodRecord

PodHits = list[tuple[Rule, Hit]]


class Checks:
    """The enabled rules of each scope, in registry order (the order `evaluate()` runs them)."""

    def __init__(self, config: HealthConfig) -> None:
        def on(rule: Rule) -> bool:
            return config.is_enabled(rule.id, rule.default_enabled)

        self.object = [(r, c) for r, c in OBJECT_CHECKS if on(r)]
        self.container = [(r, c) for r, c in CONTAINER_CHECKS if on(r)]
        self.pod = [(r, c) for r, c in POD_CHECKS if on(r)]
        self.hpa = [(r, c) for r, c in HPA_CHECKS if on(r)]
        self.quota = [(r, c) for r, c in QUOTA_CHECKS if on(r)]
        self.cluster = [(r, c, reads) for r, c, reads in CLUSTER_CHECKS if on(r)]
        self.usage = UsageChecks(config)

    def lint_target(self, ctx: Ctx, t: Target, ignores: frozenset[str]) -> list[Finding]:
        key, found = t.key, []
        for rule, check in self.object:
            for hit in check(ctx, t):
                found.append(make_finding(key, rule, hit, ignores))
        inits, containers = t.template.init_containers, t.template.containers
        for rule, ccheck in self.container:
            for c in inits:
                for hit in ccheck(ctx, t, c, True):
                    found.append(make_finding(key, rule, hit, ignores))
            for c in containers:
                for hit in ccheck(ctx, t, c, False):
                    found.append(make_finding(key, rule, hit, ignores))
        return found

    def pod_hits(self, ctx: Ctx, pod: PodRecord) -> PodHits:
        """The runtime rules' hits (the usage rules' are kept apart: they change on their own)."""
        return [(rule, hit) for rule, check in self.pod for hit in check(ctx, pod)]


def timed(pod: PodRecord) -> bool:
    """Whether a rule reads `now` for this pod: pending ones (pod-pending-long, init-container-stuck)
    and Running ones that are not Ready (pod-not-ready). Their messages say for how long, too."""
    if pod.phase == "Pending":
        return True
    if pod.phase != "Running" or pod.meta.deleting:
        return False
    ready = pod.condition("Ready")
    return ready is not None and ready.status != "True"
