"""Incremental scoring: re-lint only what a change set touches, and return what `evaluate()` would.

`evaluate()` lints every workload and pod on each run: half a second of GIL at 10,000 pods, on
every change. `IncrementalScorer` keeps each lint target's findings, each pod's runtime hits and
the report's aggregates (`kdash.health.tally`), and on each call re-lints only

- the objects in the change sets, the lint targets their pods roll up to, and the HPAs and
  CronJobs that read them (see `kdash.health.impact` for every cross-object read of the rules);
- the objects of a namespace whose LimitRange defaults, quota-constrained resources or PDB
  selectors changed;
- the pods whose verdict depends on the clock (Pending, or Running and not Ready), when `now` moved.

A context or namespace switch, a different config, or change sets that may be incomplete mean a
full run. Findings of an unchanged object are the very same `Finding` instances as in the previous
report (and a re-linted object's findings too, where they are equal), so the panes' row caches
hit. tests/health/test_incremental.py checks `update()` against `evaluate()` on random histories.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from kdash.health.config import HealthConfig
from kdash.health.context import CrashLogs, Ctx
from kdash.health.cross import cross_hits, runnable_ids
from kdash.health.evaluate import HealthReport, _finding_order, _rollup_key, make_finding, object_findings
from kdash.health.exemptions import ignored_rules
from kdash.health.impact import Dirty, Impact, target_of
from kdash.health.lintset import Checks as _Checks
from kdash.health.lintset import PodHits
from kdash.health.lintset import timed as _timed
from kdash.health.registry import Hit, Rule
from kdash.health.tally import Tally
from kdash.health.usage_lint import UsageTracker
from kdash.model.findings import Finding, Severity
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.source import ChangeSet

_finding = make_finding


def _interned(new: tuple[Finding, ...], old: tuple[Finding, ...] | None) -> tuple[Finding, ...]:
    """`new`, with the instances of `old` wherever a finding is unchanged."""
    if not old:
        return new
    if new == old:
        return old
    pool = {f: f for f in old}
    return tuple(pool.get(f, f) for f in new)


def _pod_ignores(pod: PodRecord) -> frozenset[str]:
    return ignored_rules({**pod.spec.annotations, **pod.meta.annotations})


class IncrementalScorer:
    """Scores successive snapshots of one cluster; call `update()` from one thread at a time.

    `full_runs` and `incremental_runs` count what `update()` did; `last_full` says whether the
    last call re-linted everything (as costly as `evaluate()`), `last_relinted` how much it did.
    """

    def __init__(self, batch_at: int = Tally.BATCH) -> None:
        self._batch_at = batch_at  # see `Tally.apply`
        self.full_runs = 0
        self.incremental_runs = 0
        self.last_full = True
        self.last_relinted = 0  # lint targets, pods, HPAs and quotas the last call re-linted
        self._base: ClusterSnapshot | None = None
        self._config: HealthConfig | None = None
        self._report: HealthReport | None = None
        self._clear(Tally(self._batch_at))

    def _clear(self, tally: Tally) -> None:
        self._tally = tally
        self._impact: Impact | None = None
        self._tlint: dict[ObjectKey, list[Finding]] = {}  # lint targets: workloads and bare pods
        self._target_keys: dict[ObjectKey, ObjectKey] = {}  # each lint target's key, to itself
        self._olint: dict[ObjectKey, list[Finding]] = {}  # HPAs and quotas
        self._xlint: dict[ObjectKey, list[Finding]] = {}  # cluster-scope findings, by the object they are on
        self._xrunnable: frozenset[str] = frozenset()  # the cluster rules the kind states let run
        self._ignores: dict[ObjectKey, frozenset[str]] = {}  # per scored object
        self._hits: dict[ObjectKey, PodHits] = {}  # pods with hits: runtime, then usage
        self._runtime: dict[ObjectKey, PodHits] = {}  # pods with runtime hits: those alone
        self._usage = UsageTracker()  # usage hits of pods and lint targets
        self._pod_findings: dict[ObjectKey, tuple[Finding, ...]] = {}
        self._rollup_of: dict[ObjectKey, ObjectKey] = {}  # every pod -> the object its hits go to
        self._members: dict[ObjectKey, set[ObjectKey]] = {}  # rollup object -> its pods with hits
        self._rolled: dict[ObjectKey, list[Finding]] = {}  # rollup object -> its runtime findings
        self._timed: set[ObjectKey] = set()  # pods whose verdict depends on `now`
        self._previous_pods: Mapping[ObjectKey, tuple[Finding, ...]] = {}  # during a full run
        self._pods_changed = True  # `_pod_findings` changed since the last report

    def can_update(self, snapshot: ClusterSnapshot, config: HealthConfig | None = None) -> bool:
        """Whether `update()` with complete change sets would be incremental (not a full run)."""
        base = self._base
        return (
            base is not None
            and (config or HealthConfig()) == self._config
            and (base.context, base.namespace) == (snapshot.context, snapshot.namespace)
            and snapshot.generation >= base.generation
        )

    def update(
        self,
        snapshot: ClusterSnapshot,
        changes: Iterable[ChangeSet] | None,
        config: HealthConfig | None = None,
        now: datetime | None = None,
        crash_logs: CrashLogs | None = None,
    ) -> HealthReport:
        """The report `evaluate(snapshot, config, now, crash_logs)` would return.

        `changes` must hold every change between the snapshot scored last and this one (more is
        harmless: a key that did not change is only re-linted); None means not known (full run).
        """
        cfg = config or HealthConfig()
        sets: Sequence[ChangeSet] | None = None if changes is None else list(changes)
        base, impact = self._base, self._impact
        if (
            sets is None
            or base is None
            or impact is None
            or not self.can_update(snapshot, cfg)
            or any(c.scope_changed for c in sets)
        ):
            return self._full(snapshot, cfg, now, crash_logs)
        keys: set[ObjectKey] = set()
        for c in sets:
            keys |= c.added
            keys |= c.modified
            keys |= c.deleted
        dirty = impact.apply(base, snapshot, keys, now, crash_logs, self._timed)
        checks = _Checks(cfg)
        if snapshot.states is not base.states:  # a kind became readable, or stopped being
            dirty.cross |= runnable_ids(snapshot.states, checks.cluster) != self._xrunnable
        dirty.polled = self._usage.polled(snapshot, any(c.usage_changed for c in sets))
        dirty.usage_pods = self._usage.pods_due(impact.ctx, base, snapshot, keys, dirty.polled, checks.usage)
        self._resolve(snapshot, dirty, checks, bulk=False)
        self._base = snapshot
        self.incremental_runs += 1
        self.last_full = False
        self._report = self._tally.report(self._pod_findings, self._pods_changed)
        self._pods_changed = False
        return self._report

    def _full(
        self, snapshot: ClusterSnapshot, cfg: HealthConfig, now: datetime | None, crash_logs: CrashLogs | None
    ) -> HealthReport:
        previous, pod_findings = self._tally, self._pod_findings
        self._clear(Tally(self._batch_at))
        ctx = Ctx.build(snapshot, cfg, now, crash_logs)
        self._impact = impact = Impact(ctx, crash_logs)
        dirty = impact.everything(snapshot)
        checks = _Checks(cfg)
        self._usage.full(ctx, snapshot, checks.usage)
        self._previous_pods = pod_findings  # only to reuse equal instances
        self._resolve(snapshot, dirty, checks, bulk=True, previous=previous)
        self._previous_pods = {}
        self._base, self._config = snapshot, cfg
        self.full_runs += 1
        self.last_full = True
        self._report = self._tally.report(self._pod_findings)
        self._pods_changed = False
        return self._report

    # -- re-linting what is dirty ------------------------------------------------------------------

    def _resolve(
        self,
        snap: ClusterSnapshot,
        dirty: Dirty,
        checks: _Checks,
        *,
        bulk: bool,
        previous: Tally | None = None,
    ) -> None:
        assert self._impact is not None
        ctx = self._impact.ctx
        self.last_relinted = len(dirty.targets) + len(dirty.pods) + len(dirty.hpas) + len(dirty.quotas)
        self.last_relinted += len(dirty.usage_pods)
        self._lint_targets(ctx, snap, dirty, checks)
        if bulk:
            self.last_relinted += len(snap.pods)
            self._lint_all_pods(ctx, snap, dirty, checks)
        else:
            self._lint_pods(ctx, snap, dirty, checks)
        self._lint_history(ctx, snap, dirty, checks, everything=bulk or dirty.polled)
        for key in dirty.rollups:
            members = self._members.get(key)
            if members:
                self._rolled[key] = self._rollup(key, members)
            else:
                self._rolled.pop(key, None)
            dirty.objects.add(key)
        self._lint_scaling(ctx, snap, dirty, checks)
        if dirty.cross:
            self._lint_cross(snap, dirty, checks)
        self._assemble(dirty.objects, bulk, previous or self._tally)

    def _lint_cross(self, snap: ClusterSnapshot, dirty: Dirty, checks: _Checks) -> None:
        """Every cluster rule, as `evaluate()` runs them; objects whose findings changed reassemble."""
        hits, ignores = cross_hits(snap, checks.cluster)
        self._xrunnable, old = runnable_ids(snap.states, checks.cluster), self._xlint
        self._xlint = {k: [_finding(k, r, h, ignores[k]) for r, h in found] for k, found in hits.items()}
        dirty.objects.update(k for k in old.keys() | self._xlint.keys() if old.get(k) != self._xlint.get(k))
        self.last_relinted += 1

    def _lint_targets(self, ctx: Ctx, snap: ClusterSnapshot, dirty: Dirty, checks: _Checks) -> None:
        assert self._impact is not None
        by_ns = self._impact.targets_by_ns
        for key in dirty.targets:
            t = target_of(snap, key)
            if t is None:
                if self._tlint.pop(key, None) is not None:
                    del self._target_keys[key]
                    by_ns.get(key.namespace, set()).discard(key)
                    dirty.objects.add(key)
                continue
            ignores = ignored_rules(t.annotations)
            if self._ignores.get(key) != ignores:
                self._ignores[key] = ignores
                dirty.rollups.add(key)  # its runtime findings carry its exemptions
            self._tlint[key] = checks.lint_target(ctx, t, ignores)
            self._target_keys.setdefault(key, key)
            by_ns.setdefault(key.namespace, set()).add(key)
            dirty.objects.add(key)

    def _lint_pods(self, ctx: Ctx, snap: ClusterSnapshot, dirty: Dirty, checks: _Checks) -> None:
        """Runtime hits of the dirty pods, and where every moved pod's hits now roll up to."""
        members, rollup_of, hits_of = self._members, self._rollup_of, self._hits
        relint, upods, usage_hits = dirty.pods, dirty.usage_pods, self._usage.pods
        for key in relint.union(dirty.rekey, upods) if dirty.rekey or upods else relint:
            pod = snap.pods.get(key)
            old_rk = rollup_of.get(key)
            old_hits = hits_of.get(key)
            if pod is None:
                self._timed.discard(key)
                if self._pod_findings.pop(key, None) is not None:
                    self._pods_changed = True
                hits_of.pop(key, None)
                self._runtime.pop(key, None)
                if old_rk is not None:
                    del rollup_of[key]
                    dirty.objects.add(old_rk)
                    if old_hits:
                        self._leave(old_rk, key, dirty)
                continue
            ignores: frozenset[str] | None = None
            if key in relint or key in upods:
                if key in relint:
                    hits = checks.pod_hits(ctx, pod)
                    self._keep_runtime(key, hits)
                    if _timed(pod):
                        self._timed.add(key)
                    else:
                        self._timed.discard(key)
                else:
                    hits = self._runtime.get(key, [])
                extra = usage_hits.get(key)
                if extra:
                    hits = hits + extra
                if hits:
                    hits_of[key] = hits
                    ignores = _pod_ignores(pod)
                    found = tuple(
                        sorted((_finding(key, rule, hit, ignores) for rule, hit in hits), key=_finding_order)
                    )
                    before = self._pod_findings.get(key)
                    found = _interned(found, before)
                    if found is not before:
                        self._pod_findings[key] = found
                        self._pods_changed = True
                else:
                    hits_of.pop(key, None)
                    if self._pod_findings.pop(key, None) is not None:
                        self._pods_changed = True
            else:
                hits = old_hits or []
            rk = self._canonical(_rollup_key(snap, pod))
            if rk != old_rk:
                rollup_of[key] = rk
                if old_rk is not None:
                    dirty.objects.add(old_rk)
                    if old_hits:
                        self._leave(old_rk, key, dirty)
                if hits:
                    members.setdefault(rk, set()).add(key)
                    dirty.rollups.add(rk)
                dirty.objects.add(rk)
            elif hits != (old_hits or []):
                if hits:
                    members.setdefault(rk, set()).add(key)
                else:
                    self._leave(rk, key, dirty)
                dirty.rollups.add(rk)
            if rk == key:  # scored on its own: a bare pod, or one whose controller is not known
                ignores = _pod_ignores(pod) if ignores is None else ignores
                if self._ignores.get(key) != ignores:
                    self._ignores[key] = ignores
                    dirty.rollups.add(key)
                dirty.objects.add(key)

    def _lint_all_pods(self, ctx: Ctx, snap: ClusterSnapshot, dirty: Dirty, checks: _Checks) -> None:
        """`_lint_pods` for a full run: every pod, into empty indexes (a third of its cost was
        hashing keys for lookups that cannot hit)."""
        members, rollup_of, hits_of, timed = self._members, self._rollup_of, self._hits, self._timed
        pod_findings, previous, canonical = self._pod_findings, self._previous_pods, self._canonical
        usage_hits = self._usage.pods
        for key, pod in snap.pods.items():
            hits = checks.pod_hits(ctx, pod)
            if hits:
                self._runtime[key] = hits
            extra = usage_hits.get(key)
            if extra:
                hits = hits + extra
            if _timed(pod):
                timed.add(key)
            rk = rollup_of[key] = canonical(_rollup_key(snap, pod))
            ignores: frozenset[str] | None = None
            if hits:
                hits_of[key] = hits
                ignores = _pod_ignores(pod)
                found = tuple(
                    sorted((_finding(key, rule, hit, ignores) for rule, hit in hits), key=_finding_order)
                )
                pod_findings[key] = _interned(found, previous.get(key))
                members.setdefault(rk, set()).add(key)
                dirty.rollups.add(rk)
            if rk == key:
                self._ignores[key] = _pod_ignores(pod) if ignores is None else ignores
                dirty.objects.add(key)
                dirty.rollups.add(key)

    def _keep_runtime(self, key: ObjectKey, hits: PodHits) -> None:
        if hits:
            self._runtime[key] = hits
        else:
            self._runtime.pop(key, None)

    def _lint_history(
        self, ctx: Ctx, snap: ClusterSnapshot, dirty: Dirty, checks: _Checks, *, everything: bool
    ) -> None:
        """The right-sizing hits of the lint targets whose template, exemptions or pods may have
        changed, and after a poll of those whose history moved by a block."""
        tracker = self._usage
        forced = dirty.targets | dirty.objects | dirty.rollups
        forced.update(rk for k in dirty.pods if (rk := self._rollup_of.get(k)) is not None)
        keys = set(self._tlint).union(tracker.targets) if everything else forced
        for key in keys:
            if key not in self._tlint and key not in tracker.targets:
                continue
            t = target_of(snap, key) if key in self._tlint else None
            if tracker.target_due(ctx, t, key, checks.usage, force=key in forced):
                dirty.objects.add(key)

    def _canonical(self, rk: ObjectKey) -> ObjectKey:
        """The lint target's own key for a rollup key (`_rollup_key` makes a new one per pod:
        100,000 of them at 100,000 pods), or `rk` when it is the pod itself."""
        return self._target_keys.get(rk, rk)

    def _leave(self, rk: ObjectKey, pod: ObjectKey, dirty: Dirty) -> None:
        members = self._members.get(rk)
        if members is not None:
            members.discard(pod)
            if not members:
                del self._members[rk]
        dirty.rollups.add(rk)

    def _rollup(self, target: ObjectKey, members: set[ObjectKey]) -> list[Finding]:
        """One finding per (rule, container, severity) over the target's pods, naming the first
        pod (in key order) and how many more share it, as `evaluate()` rolls them up."""
        groups: dict[tuple[str, str | None, Severity], list[tuple[Rule, Hit]]] = {}
        for pod in sorted(members):
            for rule, hit in self._hits[pod]:
                groups.setdefault((rule.id, hit.container, hit.severity or rule.severity), []).append(
                    (rule, hit)
                )
        ignores = self._ignores.get(target, frozenset())
        out: list[Finding] = []
        for hits in groups.values():
            rule, first = hits[0]
            more = f" (and {len(hits) - 1} more pod{'s' if len(hits) > 2 else ''})" if len(hits) > 1 else ""
            out.append(
                _finding(target, rule, Hit(first.message + more, first.container, first.severity), ignores)
            )
        return out

    def _lint_scaling(self, ctx: Ctx, snap: ClusterSnapshot, dirty: Dirty, checks: _Checks) -> None:
        for key in dirty.hpas:
            hpa = snap.hpas.get(key)
            okey = ObjectKey("HorizontalPodAutoscaler", key.namespace, key.name)  # as evaluate() keys it
            dirty.objects.add(okey)
            if hpa is None:
                self._olint.pop(okey, None)
                continue
            ignores = self._ignores[okey] = ignored_rules(hpa.meta.annotations)
            self._olint[okey] = [
                _finding(okey, rule, hit, ignores) for rule, hcheck in checks.hpa for hit in hcheck(ctx, hpa)
            ]
        for key in dirty.quotas:
            quota = snap.quotas.get(key)
            okey = ObjectKey("ResourceQuota", key.namespace, key.name)
            dirty.objects.add(okey)
            if quota is None:
                self._olint.pop(okey, None)
                continue
            ignores = self._ignores[okey] = ignored_rules(quota.meta.annotations)
            self._olint[okey] = [
                _finding(okey, rule, hit, ignores)
                for rule, qcheck in checks.quota
                for hit in qcheck(ctx, quota)
            ]

    def _assemble(self, keys: set[ObjectKey], bulk: bool, previous: Tally) -> None:
        """Each dirty object's findings (`object_findings`), into the tally (or out of it)."""
        tally, old_of = self._tally, previous.by_object
        loaded: dict[ObjectKey, tuple[Finding, ...]] = {}
        dropped: list[ObjectKey] = []
        for key in keys:
            own = self._tlint.get(key)
            if own is None:
                own = self._olint.get(key)
            cross = self._xlint.get(key)
            if own is None and cross is None and self._rollup_of.get(key) != key:
                self._ignores.pop(key, None)
                self._rolled.pop(key, None)
                if not bulk:
                    dropped.append(key)
                continue
            rolled = self._rolled.get(key)
            found = (own or []) + rolled if rolled else (own or [])
            history = self._usage.targets.get(key)
            if history:
                ignores = self._ignores.get(key, frozenset())
                found = found + [_finding(key, rule, hit, ignores) for rule, hit in history]
            if cross:
                found = found + cross
            loaded[key] = _interned(object_findings(found), old_of.get(key))
        if bulk:
            tally.load(loaded)
        else:
            tally.apply(loaded, dropped)
