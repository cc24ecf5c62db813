"""A screen base that follows the cluster snapshot while it is on the stack.

Drill-down screens subscribe to the source themselves rather than waiting for the app to route
updates to them, so a pod detail shows a new restart without reopening, whatever else the app does.
The service calls back on its own thread; the callback only posts a message (`post_message` is
thread-safe), and messages that replace each other collapse a burst into one redraw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from datetime import datetime
from typing import Any, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen

from kdash.model.findings import Finding
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.source import ChangeSet, ClusterSource


class SnapshotTick(Message):
    """The source published; the newest snapshot is fetched when the message is handled."""

    def __init__(self, changes: ChangeSet | None = None) -> None:
        super().__init__()
        self.changes = changes

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SnapshotTick)


class FindingsReady(Message):
    """The health scorer finished for the keys a screen shows (None: the scorer is not available)."""

    def __init__(self, generation: int, findings: dict[ObjectKey, list[Finding]] | None) -> None:
        super().__init__()
        self.generation = generation
        self.findings = findings

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FindingsReady)


class LiveScreen(Screen[None]):
    """Base of the drill-down screens: `esc` pops, `refresh_from(snapshot)` runs on every publish.

    Subclasses implement `refresh_from` and may override `relevant` to ignore publishes that do not
    touch what they show (the service publishes up to ten times a second on a busy cluster).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="drill-back"),
    ]

    def __init__(
        self, source: ClusterSource, clock: Callable[[], datetime], health_config: Any = None
    ) -> None:
        super().__init__()
        self.source = source
        self.clock = clock
        self.health_config = health_config
        self._unsubscribe: Callable[[], None] | None = None
        self.findings: dict[ObjectKey, list[Finding]] | None = None

    def on_mount(self) -> None:
        self._unsubscribe = self.source.subscribe(self._on_source_change)
        self.refresh_from(self.source.snapshot())

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_source_change(self, changes: ChangeSet) -> None:
        """Runs on the service thread: decide cheaply, then hand over to the event loop."""
        if changes.scope_changed or self.relevant(changes):
            self.post_message(SnapshotTick(changes))

    def relevant(self, changes: ChangeSet) -> bool:  # noqa: ARG002 - subclasses look at it
        return True

    @on(SnapshotTick)
    def _handle_tick(self, _message: SnapshotTick) -> None:
        self.refresh_from(self.source.snapshot())

    def refresh_from(self, snapshot: ClusterSnapshot) -> None:
        raise NotImplementedError

    def action_back(self) -> None:
        self.dismiss()

    # -- health ------------------------------------------------------------------------------------

    def request_findings(self, snapshot: ClusterSnapshot, namespace: str, keys: Iterable[ObjectKey]) -> None:
        """Score in a thread: evaluating the rules is CPU work that has no place on the event loop."""
        self._evaluate(snapshot, namespace, tuple(keys), self.clock())

    @work(thread=True, exclusive=True, group="drill-health", exit_on_error=False)
    def _evaluate(
        self, snapshot: ClusterSnapshot, namespace: str, keys: tuple[ObjectKey, ...], now: datetime
    ) -> None:
        self.post_message(
            FindingsReady(
                snapshot.generation, findings_for(snapshot, namespace, keys, self.health_config, now)
            )
        )

    @on(FindingsReady)
    def _handle_findings(self, message: FindingsReady) -> None:
        self.findings = message.findings
        self.show_findings()

    def show_findings(self) -> None:
        """Redraw whatever shows findings (subclasses)."""


def namespace_slice(snapshot: ClusterSnapshot, namespace: str) -> ClusterSnapshot:
    """The snapshot reduced to one namespace (plus cluster-scoped objects). Every rule that can fire
    for an object in a namespace only looks at that namespace, so scoring the slice gives the same
    findings for it at a fraction of the cost on a 10,000-pod cluster."""
    changes: dict[str, Any] = {}
    for f in fields(snapshot):
        value = getattr(snapshot, f.name)
        if f.name in ("states", "namespaces", "nodes") or not hasattr(value, "items"):
            continue
        changes[f.name] = {k: v for k, v in value.items() if k.namespace in (namespace, "")}
    changes["restarts"] = tuple(r for r in snapshot.restarts if r.namespace == namespace)
    return replace(snapshot, **changes)


def findings_for(
    snapshot: ClusterSnapshot, namespace: str, keys: Iterable[ObjectKey], config: Any, now: datetime
) -> dict[ObjectKey, list[Finding]] | None:
    """Findings of `keys` from `kdash.health`, or None when the scorer cannot run."""
    try:
        from kdash.health import evaluate
        from kdash.health.config import HealthConfig
    except ImportError:
        return None
    try:
        report = evaluate(namespace_slice(snapshot, namespace), config or HealthConfig(), now)
        return {key: list(report.findings_for(key)) for key in keys}
    except Exception:  # a scorer bug must not take the detail view down with it
        return None
