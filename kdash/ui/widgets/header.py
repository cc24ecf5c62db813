"""The one-line dashboard header: where you are, how fresh the data is, how big and how healthy.

When RBAC forbids some lists the header says "limited access" and which namespaces are shown,
and the grade says it is partial: a user must never read "● live" over data kdash could not get.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from kdash.alerts.model import AlertSeverity
from kdash.health.scoring import GRADED_KINDS, coverage
from kdash.model.snapshot import ClusterSnapshot, KindState, SyncPhase
from kdash.ui.format import ERROR_STYLE, MUTED_STYLE, OK_STYLE, WARNING_STYLE, clean, grade_text
from kdash.ui.widgets.pane import DashboardView

SEP = " │ "
METRICS_SUFFIX = ".metrics.k8s.io"


def object_states(snapshot: ClusterSnapshot) -> list[KindState]:
    """The kinds' states without the metrics kinds: those are polled by design (metrics-server
    cannot be watched) and say what is wrong with them in the usage columns, so neither their
    polling nor their failing makes the cluster's objects look "polling" or "reconnecting"."""
    return [s for k, s in snapshot.states.items() if not k.endswith(METRICS_SUFFIX)]


def sync_state(snapshot: ClusterSnapshot, view: DashboardView) -> Text:
    """live / syncing / reconnecting / stale for N s, from the states of the kinds kdash can read
    (forbidden ones are not "live": `access_text` speaks for them); "no access" when none is."""
    every = object_states(snapshot)
    states = [s for s in every if s.phase not in (SyncPhase.UNAVAILABLE, SyncPhase.FORBIDDEN)]
    forbidden = any(s.phase is SyncPhase.FORBIDDEN for s in every)
    readable = {
        k for k, s in snapshot.states.items() if s.phase not in (SyncPhase.UNAVAILABLE, SyncPhase.FORBIDDEN)
    }
    if forbidden and readable.isdisjoint(GRADED_KINDS):
        # the workloads and pods cannot be read: ConfigMaps or RBAC kinds alone are not "live"
        return Text("● no access", style=ERROR_STYLE)
    stale = [s.stale_since for s in states if s.stale_since is not None]
    if stale:
        seconds = max(0, int((view.now - min(stale)).total_seconds()))
        return Text(f"● stale for {seconds} s", style=ERROR_STYLE)
    if any(s.phase is SyncPhase.ERROR for s in states):
        return Text("● reconnecting", style=WARNING_STYLE)
    if not states or any(s.phase is SyncPhase.SYNCING for s in states):
        return Text("● syncing", style=WARNING_STYLE)
    if any(s.phase is SyncPhase.POLLING for s in states):
        return Text("● polling", style=OK_STYLE)
    return Text("● live", style=OK_STYLE)


def shown_namespaces(snapshot: ClusterSnapshot) -> tuple[str, ...]:
    """With all namespaces asked for but the cluster-wide lists forbidden: the namespaces read one
    by one instead (from [service] namespaces, the config's and the context's namespace)."""
    if snapshot.namespace is not None:
        return ()
    found: set[str] = set()
    for state in snapshot.states.values():
        found.update(state.namespaces)
    return tuple(sorted(found))


def access_text(snapshot: ClusterSnapshot) -> Text | None:
    """ "limited access …" when a kind is forbidden (wholly, or in a namespace), else None."""
    states = [s for s in object_states(snapshot) if s.phase is not SyncPhase.UNAVAILABLE]
    forbidden = [s for s in states if s.phase is SyncPhase.FORBIDDEN]
    denied = sorted({ns for s in states for ns in s.denied})
    if not forbidden and not denied and not shown_namespaces(snapshot):
        return None
    if forbidden and len(forbidden) == len(states):
        hint = "; set [service] namespaces or pass -n" if snapshot.namespace is None else ""
        return Text(f"limited access: nothing readable{hint}", style=ERROR_STYLE)
    parts = []
    if forbidden:
        parts.append(f"{len(forbidden)} of {len(states)} kinds forbidden")
    if denied:
        parts.append(f"forbidden in {', '.join(denied)}")
    detail = f": {clean('; '.join(parts))}" if parts else ""
    return Text(f"limited access{detail}", style=WARNING_STYLE)


def grade_segment(view: DashboardView) -> Text | None:
    """The grade, marked partial while a kind the rules read is unreadable; None without data."""
    report: Any = view.report
    if report is None:
        return None
    cover = coverage(view.snapshot.states)
    if cover.graded and cover.readable == 0:
        return None  # nothing the rules read could be read: no grade at all, not an A
    out = Text(end="")
    out.append("grade ", style=MUTED_STYLE)
    out.append_text(grade_text(report.grade, report.score))
    if not cover.complete:
        out.append(f" ({clean(cover.label())})", style=WARNING_STYLE)
    return out


def alert_badge(view: DashboardView) -> Text | None:
    """ "▲ 3 alerts", red while an error alert is open, yellow for warnings only; None at 0
    (`:alerts` lists them)."""
    board = view.alerts
    count = board.open_count
    if count == 0:
        return None
    style = ERROR_STYLE if board.worst is AlertSeverity.ERROR else WARNING_STYLE
    return Text(f"▲ {count:,} alert{'s' if count != 1 else ''}", style=style, end="")


def header_text(view: DashboardView) -> Text:
    snap = view.snapshot
    ns = snap.namespace
    # All namespaces: every record is in scope, so count without walking 10,000 keys per render.
    pods = len(snap.pods) if ns is None else sum(1 for k in snap.pods if k.namespace == ns)
    workloads = len(snap.workloads) if ns is None else sum(1 for k in snap.workloads if k.namespace == ns)
    out = Text(no_wrap=True, overflow="ellipsis", end="")
    out.append("⎈ ", style="bold")
    out.append(clean(snap.context or "?"), style="bold")
    out.append(SEP, style=MUTED_STYLE)
    out.append("ns ", style=MUTED_STYLE)
    shown = shown_namespaces(snap)
    if ns is not None:
        out.append(clean(ns), style="bold")
    elif shown:  # all asked for, these read: say so rather than "all"
        out.append(clean(", ".join(shown)), style="bold")
    else:
        out.append("all", style="bold")
    out.append(SEP, style=MUTED_STYLE)
    out.append_text(sync_state(snap, view))
    badge = alert_badge(view)
    if badge is not None:
        out.append(SEP, style=MUTED_STYLE)
        out.append_text(badge)
    access = access_text(snap)
    if access is not None:
        out.append(SEP, style=MUTED_STYLE)
        out.append_text(access)
    out.append(SEP, style=MUTED_STYLE)
    out.append(f"pods {pods:,}  workloads {workloads:,}")
    grade = grade_segment(view) if pods or workloads else None
    if grade is not None:
        out.append(SEP, style=MUTED_STYLE)
        out.append_text(grade)
    out.append(SEP, style=MUTED_STYLE)
    out.append(clean(snap.server_version) or "v?", style=MUTED_STYLE)
    out.append(SEP, style=MUTED_STYLE)
    out.append(clean(snap.server) or "-", style=MUTED_STYLE)
    return out


class DashboardHeader(Static):
    """Static with Text content (never markup): context names and servers are untrusted."""

    def show(self, view: DashboardView) -> None:
        self.update(header_text(view))
