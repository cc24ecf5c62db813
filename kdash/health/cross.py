"""Running the cluster-scope rules (kdash.health.rules_cross, rules_rbac): which may run, and
their hits per object, the same for `evaluate()` and the incremental scorer.

A rule runs only while every kind it reads could be read: a forbidden kind (RBAC kinds often
are), one not served, one still syncing, or one the service does not watch keeps it from running,
so it never reports "nothing selects this" from data it does not have. Manifests (no kind states)
run every rule on what the files hold. `not_run()` says which rules did not run and why, for
`kdash check` to print.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from kdash.health.crossindex import CrossIndex
from kdash.health.exemptions import ignored_rules
from kdash.health.registry import CLUSTER_CHECKS, ClusterCheck, Hit, Rule
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot, KindState, SyncPhase

# Every cluster rule also needs the pods: a report of bindings or ConfigMaps alone, from a cluster
# whose pods could not be read, would grade a cluster kdash did not see (tests/check/test_incomplete.py).
BASE_READS = ("pods",)
ClusterChecks = Sequence[tuple[Rule, ClusterCheck, tuple[str, ...]]]
CrossHits = dict[ObjectKey, list[tuple[Rule, Hit]]]


def _unreadable(states: Mapping[str, KindState], resource: str) -> str:
    """Why `resource` cannot be relied on ("" when it can): as `kdash check` words a state."""
    state = states.get(resource)
    if state is None:
        return "not watched"
    if state.phase in (SyncPhase.LIVE, SyncPhase.POLLING):
        return ""
    if state.phase is SyncPhase.ERROR and state.stale_since is not None:
        return ""  # listed before; kept while the stream recovers
    return str(state.phase.value)


def runnable(states: Mapping[str, KindState], reads: Iterable[str]) -> bool:
    """Whether a rule reading `reads` may run; always for manifests (no states at all)."""
    return not states or all(not _unreadable(states, r) for r in (*BASE_READS, *reads))


def not_run(
    states: Mapping[str, KindState], checks: ClusterChecks | None = None
) -> tuple[tuple[str, str], ...]:
    """(rule id, why) of each cluster rule that cannot run on these states, e.g.
    ("rbac-cluster-admin-binding", "clusterrolebindings forbidden")."""
    if not states:
        return ()
    out: list[tuple[str, str]] = []
    for rule, _check, reads in CLUSTER_CHECKS if checks is None else checks:
        needed = dict.fromkeys((*BASE_READS, *reads))
        why = [f"{r} {reason}" for r in needed if (reason := _unreadable(states, r))]
        if why:
            out.append((rule.id, ", ".join(why)))
    return tuple(out)


def rules_reading(resource: str) -> tuple[str, ...]:
    """The cluster rules that read `resource` (plural), for "clusterrolebindings not checked
    (forbidden): rbac-cluster-admin-binding, ... not run"."""
    return tuple(rule.id for rule, _c, reads in CLUSTER_CHECKS if resource in (*BASE_READS, *reads))


def runnable_ids(states: Mapping[str, KindState], checks: ClusterChecks) -> frozenset[str]:
    """The rules these states let run, and whether pods were read namespace by namespace (which
    leaves out the findings on cluster-scoped objects): what the incremental scorer compares."""
    ids = frozenset(rule.id for rule, _c, reads in checks if runnable(states, reads))
    pods = states.get("pods")
    return ids | {"(namespaces)"} if pods is not None and pods.namespaces else ids


def namespaces_only(snapshot: ClusterSnapshot) -> bool:
    """Whether the snapshot shows some namespaces rather than the cluster (`-n`, or pods read
    namespace by namespace because a cluster-wide list was forbidden): then findings on
    cluster-scoped objects (ClusterRoleBindings) are left out, as the report is about those namespaces."""
    pods = snapshot.states.get("pods")
    return snapshot.namespace is not None or (pods is not None and bool(pods.namespaces))


def cross_hits(
    snapshot: ClusterSnapshot, checks: ClusterChecks
) -> tuple[CrossHits, dict[ObjectKey, frozenset[str]]]:
    """Each object's hits, rule by rule in registry order (hits of one rule on one object sorted
    by container and message), and the rules each object's annotations silence."""
    index = CrossIndex(snapshot)
    out: CrossHits = {}
    scoped = namespaces_only(snapshot)
    for rule, check, reads in checks:
        if not runnable(snapshot.states, reads):
            continue
        hits = sorted(check(index), key=lambda kh: (kh[0], kh[1].container or "", kh[1].message))
        for key, hit in hits:
            if not (scoped and not key.namespace):
                out.setdefault(key, []).append((rule, hit))
    ignores = {key: ignored_rules(index.annotations(key)) for key in out}
    return out, ignores
