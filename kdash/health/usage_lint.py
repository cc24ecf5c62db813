"""Running the usage rules, for `evaluate()` and for the incremental scorer.

A metrics poll (a ChangeSet with `usage_changed`, every 15 s) changes no object, only usage, so
the incremental scorer re-runs the usage rules alone: `UsageTracker` keeps each pod's usage hits
and each lint target's right-sizing hits, and hands back the pods and targets whose hits changed;
their runtime and spec findings are not recomputed. Between polls, a changed pod re-runs its own
usage rules, and so do the pods of a node whose over-commitment it changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from kdash.health import rules_usage
from kdash.health.config import HealthConfig
from kdash.health.context import Ctx, Target
from kdash.health.registry import HISTORY_CHECKS, USAGE_CHECKS, HistoryCheck, Hit, Rule, UsageCheck
from kdash.health.rules_usage import history_key
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.usage import PodUsage, UsageView

_ = rules_usage  # imported for its registrations
Hits = list[tuple[Rule, Hit]]
HistoryKey = tuple[tuple[ObjectKey, str, int, int], ...]


class UsageChecks:
    """The enabled usage rules, in registry order."""

    def __init__(self, config: HealthConfig) -> None:
        def on(rule: Rule) -> bool:
            return config.is_enabled(rule.id, rule.default_enabled)

        self.pod: list[tuple[Rule, UsageCheck]] = [(r, c) for r, c in USAGE_CHECKS if on(r)]
        self.history: list[tuple[Rule, HistoryCheck]] = [(r, c) for r, c in HISTORY_CHECKS if on(r)]
        # below both fractions of every limit, on a node with no pressure, no pod rule can fire
        self._memory = config.usage_memory_warn / 100
        self._cpu = config.usage_cpu_limit / 100

    def pod_hits(self, ctx: Ctx, pod: PodRecord, key: ObjectKey | None = None) -> Hits:
        view = ctx.snapshot.usage
        if not self.pod or not view.available:
            return []
        usage = view.pods.get(pod.meta.key if key is None else key)
        if usage is None or not (self._near(ctx, pod, usage) or pod.node in ctx.usage.nodes):
            return []
        return [(rule, hit) for rule, check in self.pod for hit in check(ctx, pod, usage)]

    def _near(self, ctx: Ctx, pod: PodRecord, usage: PodUsage) -> bool:
        """Whether a container is near a limit (most are not: this is the poll's fast path)."""
        bounds = ctx.usage.bounds(pod, usage.key)
        for name, used in usage.containers.items():
            b = bounds.get(name)
            if b is None:
                continue
            if b.memory_limit and used.memory >= b.memory_limit * self._memory:
                return True
            if b.cpu_limit and used.cpu_m >= b.cpu_limit * self._cpu:
                return True
        return False

    def target_hits(self, ctx: Ctx, t: Target) -> Hits:
        if not self.history or not ctx.snapshot.usage.available:
            return []
        return [(rule, hit) for rule, check in self.history for hit in check(ctx, t)]


class UsageTracker:
    """The usage hits of the incremental scorer's pods and lint targets (only those with hits),
    and what each target's right-sizing verdict was computed on."""

    def __init__(self) -> None:
        self.pods: dict[ObjectKey, Hits] = {}
        self.targets: dict[ObjectKey, Hits] = {}
        self._read: dict[ObjectKey, HistoryKey] = {}
        self._view: UsageView | None = None  # the usage the hits were computed on

    def full(self, ctx: Ctx, snap: ClusterSnapshot, checks: UsageChecks) -> None:
        """Every pod's usage hits (`ctx` was just built from `snap`); targets follow one by one."""
        self._view = snap.usage
        self.targets.clear()
        self._read.clear()
        self.pods = {}
        if not snap.usage.available:
            return
        for key, pod in snap.pods.items():
            hits = checks.pod_hits(ctx, pod, key)
            if hits:
                self.pods[key] = hits

    def polled(self, snap: ClusterSnapshot, usage_changed: bool) -> bool:
        """Whether this update brings new usage (a poll landed, or metrics came or went)."""
        return usage_changed or snap.usage is not self._view

    def pods_due(
        self,
        ctx: Ctx,
        old: ClusterSnapshot,
        snap: ClusterSnapshot,
        keys: Iterable[ObjectKey],
        polled: bool,
        checks: UsageChecks,
    ) -> set[ObjectKey]:
        """Re-run the pod usage rules where they may have changed; returns the pods whose hits
        did. `ctx.snapshot` is already `snap`; `keys` are the keys of the change sets."""
        self._view = snap.usage
        facts = ctx.usage
        if not snap.usage.available:
            facts.synced = False  # not kept up to date meanwhile: rebuilt when metrics return
            gone = set(self.pods)
            self.pods.clear()
            return gone
        pods = [k for k in keys if k.kind == "Pod" and (k in snap.pods or k in old.pods)]
        nodes = [k for k in keys if k.kind == "Node"]
        rebuilt = not facts.synced
        if rebuilt:  # every node's pressure is new: every pod on a node is due
            facts.rebuild(snap)
            moved: set[str] = set(facts.pods_on)
        else:
            moved = facts.update(snap, pods, nodes)
            if polled:
                moved |= facts.rejudge(snap)
        due = set(pods)
        if polled or rebuilt:  # every pod with metrics, and those that had hits (metrics gone?)
            due |= set(self.pods) | {k for k in snap.usage.pods if k in snap.pods}
        for name in moved:
            due |= facts.pods_on.get(name, set())
        changed: set[ObjectKey] = set()
        for key in due:
            pod = snap.pods.get(key)
            hits = checks.pod_hits(ctx, pod, key) if pod is not None else []
            if hits != self.pods.get(key, []):
                changed.add(key)
                if hits:
                    self.pods[key] = hits
                else:
                    del self.pods[key]
        return changed

    def target_due(
        self, ctx: Ctx, t: Target | None, key: ObjectKey, checks: UsageChecks, *, force: bool
    ) -> bool:
        """Re-run the history rules on one lint target (None: it is gone) unless nothing they read
        changed; returns whether its hits changed. `force`: its template or pods changed."""
        read = history_key(ctx, t) if t is not None and checks.history else None
        if not force and key in self._read and self._read[key] == read:
            return False
        if read is None:
            self._read.pop(key, None)
        else:
            self._read[key] = read
        hits = checks.target_hits(ctx, t) if t is not None else []
        if hits == self.targets.get(key, []):
            return False
        if hits:
            self.targets[key] = hits
        else:
            del self.targets[key]
        return True
