"""Scores and grades, simple enough that a user can predict them.

    object score    = max(0, 100 - 30 x errors - 10 x warnings - min(10, 2 x infos))   (ignored excluded)
    namespace score = mean of the scores of its objects
    cluster score   = mean of the scores of all objects (100 when there are none)
    grade           = A >= 90, B >= 80, C >= 70, D >= 60, else F

Scored objects: workloads (Deployment, StatefulSet, DaemonSet, Job, CronJob; a CronJob's Jobs count
as the CronJob), pods without a controller, HPAs and ResourceQuotas; an object with no finding
scores 100. Averages are rounded to one decimal before grading, so the grade matches the number shown.

A grade is only as good as what could be read: `coverage()` says which of the kinds the rules
read were forbidden or failing, so the header and `kdash check` show the grade as partial.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kdash.model.findings import Finding, Severity
from kdash.model.snapshot import KindState, SyncPhase

PENALTY = {Severity.ERROR: 30, Severity.WARNING: 10, Severity.INFO: 2}
# Infos are hints (no seccomp profile, no priorityClass, no CPU limit …): together they cost an
# object at most this much, so a workload whose only findings are hints still grades A, as a
# Polaris or kube-score user expects of a manifest with no warning.
INFO_CAP = 10
GRADES = ((90.0, "A"), (80.0, "B"), (70.0, "C"), (60.0, "D"))


def grade_for(score: float) -> str:
    """A >= 90, B >= 80, C >= 70, D >= 60, else F."""
    for floor, grade in GRADES:
        if score >= floor:
            return grade
    return "F"


def object_score(findings: Iterable[Finding]) -> float:
    """100 minus the penalties of the object's findings that are not ignored (the infos' together
    at most INFO_CAP), floored at 0."""
    hard = hints = 0
    for f in findings:
        if f.ignored:
            continue
        if f.severity is Severity.INFO:
            hints += PENALTY[Severity.INFO]
        else:
            hard += PENALTY[f.severity]
    return float(max(0, 100 - hard - min(INFO_CAP, hints)))


def mean_score(scores: Iterable[float]) -> float:
    """Mean rounded to one decimal; 100 for no objects (nothing is wrong with nothing)."""
    values = list(scores)
    return round(sum(values) / len(values), 1) if values else 100.0


# The kinds the rules read: a grade computed while one of them is unreadable is partial.
GRADED_KINDS: tuple[str, ...] = (
    "pods",
    "deployments",
    "replicasets",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
    "horizontalpodautoscalers",
    "resourcequotas",
    "limitranges",
    "poddisruptionbudgets",
)


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of what a grade depends on could be read.

    `unread` holds (kind, reason) for graded kinds that are forbidden, or failing without ever
    having been listed; `denied` the namespaces where some graded kind was forbidden while it was
    read elsewhere; `namespaces` the namespaces read one by one (empty: a cluster-wide read).
    """

    graded: tuple[str, ...] = ()
    unread: tuple[tuple[str, str], ...] = ()
    denied: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.unread and not self.denied

    @property
    def readable(self) -> int:
        return len(self.graded) - len(self.unread)

    def label(self) -> str:
        """'partial: 5 of 11 kinds readable', 'partial: not readable in kube-system', or ''."""
        if self.unread:
            return f"partial: {self.readable} of {len(self.graded)} kinds readable"
        if self.denied:
            return f"partial: not readable in {', '.join(self.denied)}"
        return ""


def coverage(states: Mapping[str, KindState], kinds: Iterable[str] = GRADED_KINDS) -> Coverage:
    """The coverage of the graded kinds the service watches (kinds it does not watch are left out;
    no states at all, as for manifests, is complete). Kinds still syncing count as readable."""
    graded = tuple(k for k in kinds if k in states)
    unread: list[tuple[str, str]] = []
    denied: set[str] = set()
    namespaces: set[str] = set()
    for kind in graded:
        state = states[kind]
        never_listed = state.phase is SyncPhase.ERROR and state.stale_since is None
        if state.phase is SyncPhase.FORBIDDEN or never_listed:
            unread.append(
                (kind, f"{state.phase.value}: {state.message}" if state.message else state.phase.value)
            )
            continue
        denied.update(state.denied)
        namespaces.update(state.namespaces)
    return Coverage(graded, tuple(unread), tuple(sorted(denied)), tuple(sorted(namespaces)))
