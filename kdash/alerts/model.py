"""Alert records: the contract between the engine, the TUI, `kdash watch` and the `--on-alert` hooks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from kdash.model.meta import ObjectKey


class AlertSeverity(Enum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Alert:
    """One open (or resolved) condition on one object; `id` is stable for (condition, object)."""

    id: str  # e.g. "CrashLoopBackOff:Pod/shop/cart-7f9-abcde/app"
    condition: str  # "CrashLoopBackOff", "OOMKilled", "RestartJump", "ImagePull", "PodPending",
    # "PodUnready", "RolloutStuck", "HpaAtMax", "QuotaNearLimit", "NodeNotReady"
    severity: AlertSeverity
    key: ObjectKey  # the object the alert is about (a Pod, Deployment, HPA, ResourceQuota, Node)
    message: str  # one sentence, untrusted parts included: render as rich.text.Text
    first_seen: datetime
    last_seen: datetime
    count: int = 1  # how many times the condition was seen again while open (deduplicated repeats)
    container: str = ""
    resolved_at: datetime | None = None
    context: str = ""
    # additive (alerts15): the evidence of a container's last termination, and why an alert closed
    exit_code: int | None = None  # OOMKilled / CrashLoopBackOff: the last termination's exit code
    termination_message: str = ""  # ... and its message (untrusted; first 500 characters)
    resolution: str = ""  # resolved alerts: "cleared" (the condition went away) or "deleted"

    @property
    def open(self) -> bool:
        return self.resolved_at is None

    def to_json(self) -> dict[str, Any]:
        """The JSON a hook receives on stdin and `kdash watch -o json` prints (one object per line)."""
        return {
            "id": self.id,
            "state": "open" if self.open else "resolved",
            "condition": self.condition,
            "severity": self.severity.value,
            "kind": self.key.kind,
            "namespace": self.key.namespace,
            "name": self.key.name,
            "container": self.container,
            "message": self.message,
            "count": self.count,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "context": self.context,
            "exit_code": self.exit_code,
            "termination_message": self.termination_message,
            "resolution": self.resolution or None,
        }


@dataclass(frozen=True, slots=True)
class AlertDelta:
    """What one engine update changed: newly opened, newly resolved, and still-open alerts updated."""

    opened: tuple[Alert, ...] = ()
    resolved: tuple[Alert, ...] = ()
    updated: tuple[Alert, ...] = ()
    # additive (alerts15): open alerts forgotten without resolving, because their object left the
    # scope (namespace or context switch); not a change in the cluster, so hooks do not run for them
    dropped: tuple[Alert, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.opened or self.resolved or self.updated or self.dropped)


@dataclass(frozen=True, slots=True)
class AlertBoard:
    """additive (alerts15): the open and recently resolved alerts at one moment, for the screens
    (LiveView.alerts): open worst first, resolved newest first. Immutable, shared by every screen."""

    open: tuple[Alert, ...] = ()
    resolved: tuple[Alert, ...] = ()

    @property
    def open_count(self) -> int:
        return len(self.open)

    @property
    def worst(self) -> AlertSeverity | None:
        """The worst severity open (None: nothing open)."""
        if not self.open:
            return None
        return AlertSeverity.ERROR if self.open[0].severity is AlertSeverity.ERROR else AlertSeverity.WARNING
