"""Fleet rows: one cluster's snapshot, health report and alert count in, one sortable row out.

Pure (no Textual, no I/O), so the fleet worker builds rows off the event loop and tests check
them on plain values. "Worst first": a cluster kdash cannot reach, then one reconnecting, then
the rest by crash-looping pods, not-ready workloads and grade (clusters still syncing last).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from types import MappingProxyType

from rich.text import Text

from kdash.health import HealthReport
from kdash.model.snapshot import ClusterSnapshot, KindState, SyncPhase
from kdash.ui.render.text import ERROR_STYLE, MUTED_STYLE, OK_STYLE, WARNING_STYLE, clean, grade_text

METRICS_SUFFIX = ".metrics.k8s.io"
ROLLOUT_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet"})
# state -> (rank: lower sorts first, style); a forbidden kind limits what is seen, but the
# cluster is read: it sorts with the live ones, by what they show
STATES: dict[str, tuple[int, str]] = {
    "unreachable": (0, ERROR_STYLE),
    "reconnecting": (1, WARNING_STYLE),
    "forbidden": (3, WARNING_STYLE),
    "live": (3, OK_STYLE),
    "polling": (3, OK_STYLE),
    "syncing": (4, MUTED_STYLE),
}
COLUMNS = (
    "CONTEXT",
    "STATE",
    "SERVER",
    "VERSION",
    "PODS",
    "NOT READY",
    "CRASHLOOP",
    "ALERTS",
    "GRADE",
    "WORST",
)


@dataclass(frozen=True, slots=True)
class FleetRow:
    """What the Fleet screen shows of one context; strings are untrusted (cleaned when drawn)."""

    context: str
    state: str = "syncing"
    reason: str = ""  # why not live, in the API's or kdash's words
    server: str = ""
    version: str = ""
    pods: int = 0
    not_ready: int = 0
    crashlooping: int = 0
    alerts: int = 0
    score: float | None = None  # None until scored (or nothing to grade)
    grade: str = ""
    worst: str = ""
    full: bool = False  # listing every kind (its dashboard was opened)

    @property
    def sort_key(self) -> tuple[int, int, int, float, str]:
        rank = STATES.get(self.state, (4, ""))[0]
        score = self.score if self.score is not None else 101.0
        return (rank, -self.crashlooping, -self.not_ready, score, self.context)


def restricted(snapshot: ClusterSnapshot, kinds: Collection[str]) -> ClusterSnapshot:
    """`snapshot` holding only what the fleet lists of every context (`kinds`: FLEET_KINDS), so
    an opened context (every kind) is graded on the same basis as the others and rows compare;
    the rules reading other kinds see them "not watched" and do not run. Fields added to the
    snapshot later stay empty here by construction."""
    return ClusterSnapshot(
        generation=snapshot.generation,
        context=snapshot.context,
        server=snapshot.server,
        server_version=snapshot.server_version,
        namespace=snapshot.namespace,
        taken_at=snapshot.taken_at,
        namespaces=snapshot.namespaces,
        pods=snapshot.pods,
        workloads=snapshot.workloads,
        replicasets=snapshot.replicasets,
        limitranges=snapshot.limitranges,
        events=snapshot.events,
        pdbs=snapshot.pdbs,
        restarts=snapshot.restarts,
        states=MappingProxyType({k: v for k, v in snapshot.states.items() if k in kinds}),
        pods_by_workload=snapshot.pods_by_workload,
    )


def sync_state(
    snapshot: ClusterSnapshot, load_error: str = "", connection_error: str | None = None
) -> tuple[str, str]:
    """(state, reason): unreachable (cannot connect, or the credentials fail), reconnecting,
    forbidden (some kind), syncing, polling or live; metrics kinds are left out."""
    if load_error:
        return "unreachable", load_error
    states = [s for k, s in snapshot.states.items() if not k.endswith(METRICS_SUFFIX)]
    states = [s for s in states if s.phase is not SyncPhase.UNAVAILABLE]
    failing = [s for s in states if s.phase is SyncPhase.ERROR]
    if failing and connection_error:
        return "unreachable", connection_error
    if failing or any(s.stale_since is not None for s in states):
        return "reconnecting", _reason(failing)
    forbidden = [s for s in states if s.phase is SyncPhase.FORBIDDEN or s.denied]
    if not states or any(s.phase is SyncPhase.SYNCING for s in states):
        return "syncing", ""
    if forbidden:
        return "forbidden", _reason(forbidden)
    if any(s.phase is SyncPhase.POLLING for s in states):
        return "polling", ""
    return "live", ""


def _reason(states: list[KindState]) -> str:
    first = states[0] if states else None
    if first is None:
        return ""
    more = f" (and {len(states) - 1} more kinds)" if len(states) > 1 else ""
    return f"{first.kind}: {first.message or first.phase.value}{more}"


def crashlooping(snapshot: ClusterSnapshot) -> int:
    """Pods with a container waiting in CrashLoopBackOff."""
    return sum(
        1
        for pod in snapshot.pods.values()
        if any(c.state.reason == "CrashLoopBackOff" for c in pod.containers)
    )


def not_ready(snapshot: ClusterSnapshot) -> int:
    """Deployments, StatefulSets and DaemonSets with fewer ready pods than they want."""
    return sum(1 for w in snapshot.workloads.values() if w.kind in ROLLOUT_KINDS and w.ready < w.desired)


def build_row(
    snapshot: ClusterSnapshot,
    report: HealthReport | None,
    *,
    alerts: int = 0,
    load_error: str = "",
    connection_error: str | None = None,
    server: str = "",
    full: bool = False,
) -> FleetRow:
    """One context's row (its name is the snapshot's context)."""
    state, reason = sync_state(snapshot, load_error, connection_error)
    worst = ""
    score: float | None = None
    grade = ""
    if report is not None and report.objects:
        score, grade = report.score, report.grade
        first = next((f for f in report.findings if not f.ignored), None)
        if first is not None:
            where = f"{first.namespace}/" if first.namespace else ""
            named = first.name in first.message  # most messages name their object already
            worst = first.message if named else f"{first.kind} {where}{first.name}: {first.message}"
    return FleetRow(
        context=snapshot.context,
        state=state,
        reason=reason,
        server=snapshot.server or server,
        version=snapshot.server_version,
        pods=len(snapshot.pods),
        not_ready=not_ready(snapshot),
        crashlooping=crashlooping(snapshot),
        alerts=alerts,
        score=score,
        grade=grade,
        worst=worst,
        full=full,
    )


def sorted_rows(rows: list[FleetRow]) -> list[FleetRow]:
    return sorted(rows, key=lambda r: r.sort_key)


def _count(value: int, bad: str) -> Text:
    return Text(str(value), style=bad if value else MUTED_STYLE, end="")


def row_cells(row: FleetRow) -> tuple[Text, ...]:
    """The row's cells in `COLUMNS` order, every untrusted string as literal Text."""
    style = STATES.get(row.state, (4, ""))[1]
    state = Text(f"● {row.state}", style=style, end="")
    if row.reason:
        state.append(f" {clean(row.reason)}", style=MUTED_STYLE)
    grade = grade_text(row.grade, row.score) if row.grade else Text("–", style=MUTED_STYLE, end="")
    return (
        Text(clean(row.context), style="bold", end=""),
        state,
        Text(clean(row.server), end=""),
        Text(clean(row.version) or "–", end=""),
        Text(str(row.pods), end=""),
        _count(row.not_ready, WARNING_STYLE),
        _count(row.crashlooping, ERROR_STYLE),
        _count(row.alerts, WARNING_STYLE),
        grade,
        Text(clean(row.worst) or "–", style="" if row.worst else MUTED_STYLE, end=""),
    )
