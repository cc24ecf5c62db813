"""`LiveView`: the one immutable picture every screen renders from.

The session builds one per render (a snapshot, the health report scored for it, `now`, and the
counts per namespace) and hands the same object to every screen, so the dashboard, a drill-down
and the header never disagree about the time, the data or the findings. No screen reads the
source or scores anything itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from kdash.alerts.model import AlertBoard
from kdash.health import HealthReport
from kdash.model.findings import Finding, ObjectScore
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot, KindState


@dataclass(frozen=True, slots=True)
class LiveView:
    """One snapshot, its health report (None until scored), `now`, objects per namespace, and the
    alerts open and recently resolved (kdash/ui/alert_feed.py)."""

    snapshot: ClusterSnapshot
    report: HealthReport | None
    now: datetime
    namespace_counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    alerts: AlertBoard = field(default_factory=AlertBoard)  # open and recently resolved alerts

    @property
    def states(self) -> Mapping[str, KindState]:
        """The sync state of each kind (syncing, live, forbidden, error, stale)."""
        return self.snapshot.states

    def in_scope(self, namespace: str) -> bool:
        ns = self.snapshot.namespace
        return ns is None or namespace == ns

    def findings_for(self, key: ObjectKey) -> list[Finding] | None:
        """The object's findings from the session's report; None while nothing is scored."""
        return None if self.report is None else self.report.findings_for(key)

    def score_for(self, key: ObjectKey) -> ObjectScore | None:
        """The object's score from the session's report (None: not scored, or not on its own)."""
        return None if self.report is None else self.report.score_for(key)
