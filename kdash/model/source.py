"""The seam between the cluster service (kdash.k8s) and its readers (UI, `kdash check`).

The UI depends on this protocol, not on the service's internals, so the service can change how
it lists and watches without touching a widget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """What changed between two published snapshots (keys of any kind), coalesced over a short window."""

    generation: int
    added: frozenset[ObjectKey] = frozenset()
    modified: frozenset[ObjectKey] = frozenset()
    deleted: frozenset[ObjectKey] = frozenset()
    states_changed: bool = False  # a KindState changed (syncing -> live, forbidden, error, stale)
    scope_changed: bool = False  # namespace or context switched: readers should rebuild, not diff
    # A metrics poll landed (snapshot.usage changed): usage columns and usage findings are due.
    # Not a change of any object, so it names no keys.
    usage_changed: bool = False

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.modified
            or self.deleted
            or self.states_changed
            or self.scope_changed
            or self.usage_changed
        )


class LogLine(NamedTuple):
    """One line of a container's log; `text` is untrusted and must be rendered as plain text.

    A NamedTuple rather than a slotted dataclass on purpose: a tuple holding only str/int/datetime
    is untracked by the cyclic GC, so 10,000 buffered lines (and the thousands a second in flight)
    neither slow down nor trigger the gen-2 collections that stalled the UI 150-250 ms under a
    2,000 lines/s tail (measured, docs/benchmarks-logs.md).
    """

    namespace: str
    pod: str
    container: str
    text: str
    timestamp: datetime | None = None
    seq: int = 0  # arrival order, unique per LogBuffer
    event: str = ""  # non-empty: a stream event, not log output ("joined", "left", "reconnected", "error")


@dataclass(frozen=True, slots=True)
class LogTarget:
    """What a log stream follows: one container, one pod, a workload's pods, a selector or a namespace."""

    namespace: str | None
    pod: str | None = None
    container: str | None = None
    workload: ObjectKey | None = None
    label_selector: str | None = None
    previous: bool = False
    tail_lines: int | None = 100
    since_seconds: int | None = None
    timestamps: bool = True
    follow: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


class ClusterSource(Protocol):
    """What the UI may ask of the cluster service. Every method returns at once; none does I/O on the
    caller's thread except `fetch_object`/`fetch_yaml`, which are documented as blocking (call them from
    a worker)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def snapshot(self) -> ClusterSnapshot: ...

    def subscribe(self, callback: Callable[[ChangeSet], None]) -> Callable[[], None]:
        """Call `callback` on a service thread, at a bounded rate, after each publish; returns unsubscribe."""
        ...

    def set_namespace(self, namespace: str | None) -> None: ...

    def switch_context(self, context: str) -> None: ...

    def contexts(self) -> list[str]: ...

    def fetch_object(self, key: ObjectKey) -> dict[str, Any]:
        """Blocking GET of the full object (managedFields dropped). Refuses Secrets."""
        ...


class LogStream(Protocol):
    """A running (multi-)container log follow; stopping it closes every underlying request."""

    def stop(self) -> None: ...

    @property
    def dropped(self) -> int:
        """Lines discarded because the reader fell behind the ring buffer."""
        ...

    @property
    def status(self) -> str:
        """One line for the UI: "following 12 containers", "reconnecting api-7f9 (3s)", errors in words."""
        ...


class LogSource(Protocol):
    """What the UI may ask of the log service (kdash.k8s.logs). Never blocks the caller."""

    def open(self, target: LogTarget, on_lines: Callable[[list[LogLine]], None]) -> LogStream:
        """Start following `target`; `on_lines` receives batches (every 50-100 ms) on a service thread."""
        ...
