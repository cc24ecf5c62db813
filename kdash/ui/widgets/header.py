"""The one-line dashboard header: where you are, how fresh the data is, how big and how healthy."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from kdash.model.snapshot import ClusterSnapshot, SyncPhase
from kdash.ui.format import ERROR_STYLE, MUTED_STYLE, OK_STYLE, WARNING_STYLE, clean, grade_text
from kdash.ui.widgets.pane import DashboardView

SEP = " │ "


def sync_state(snapshot: ClusterSnapshot, view: DashboardView) -> Text:
    """live / syncing / reconnecting / stale for N s, from the per-kind states."""
    states = [s for s in snapshot.states.values() if s.phase is not SyncPhase.UNAVAILABLE]
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
    out.append(clean(ns) if ns is not None else "all", style="bold")
    out.append(SEP, style=MUTED_STYLE)
    out.append_text(sync_state(snap, view))
    out.append(SEP, style=MUTED_STYLE)
    out.append(f"pods {pods:,}  workloads {workloads:,}")
    report: Any = view.report
    if report is not None and (pods or workloads):
        out.append(SEP, style=MUTED_STYLE)
        out.append("grade ", style=MUTED_STYLE)
        out.append_text(grade_text(report.grade, report.score))
    out.append(SEP, style=MUTED_STYLE)
    out.append(clean(snap.server_version) or "v?", style=MUTED_STYLE)
    out.append(SEP, style=MUTED_STYLE)
    out.append(clean(snap.server) or "-", style=MUTED_STYLE)
    return out


class DashboardHeader(Static):
    """Static with Text content (never markup): context names and servers are untrusted."""

    def show(self, view: DashboardView) -> None:
        self.update(header_text(view))
