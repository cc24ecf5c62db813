"""The bridge from the cluster service's thread to Textual's event loop.

The service calls back on its own thread at up to ~10 Hz. A worker thread must never touch a
widget, so the callback only merges the ChangeSet into a pending one under a lock and posts a
`SnapshotChanged` message (thread-safe). The UI side takes the merged set when it renders, and
`ready_in()` rate-caps renders (MIN_INTERVAL) so a flood of publishes never starves key handling.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from textual.message_pump import MessagePump

from kdash.model.source import ChangeSet, ClusterSource
from kdash.ui.messages import SnapshotChanged

# Seconds between renders: an isolated change is drawn at once, a churn's changes are coalesced
# into at most ~7 frames a second. Each frame costs the compositor a few milliseconds however
# few lines changed (benchmarks: 20 pod changes/s at 10,000 pods, docs/benchmarks-profile.md),
# and 0.15 s keeps change → screen within T4's 300 ms at the 95th percentile.
MIN_INTERVAL = 0.15


def merge(a: ChangeSet | None, b: ChangeSet) -> ChangeSet:
    """Two consecutive change sets as one (the later generation wins)."""
    if a is None:
        return b
    return ChangeSet(
        generation=max(a.generation, b.generation),
        added=(a.added | b.added) - b.deleted,
        modified=(a.modified | b.modified) - b.deleted,
        deleted=(a.deleted | b.deleted) - b.added,
        states_changed=a.states_changed or b.states_changed,
        scope_changed=a.scope_changed or b.scope_changed,
        usage_changed=a.usage_changed or b.usage_changed,
    )


class SnapshotBridge:
    """Subscribes to a ClusterSource and forwards coalesced changes to `target` as messages."""

    def __init__(
        self,
        source: ClusterSource,
        target: MessagePump,
        *,
        min_interval: float = MIN_INTERVAL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._target = target
        self._lock = threading.Lock()
        self._pending: ChangeSet | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._min_interval = min_interval
        self._monotonic = monotonic
        self._last_render = -min_interval

    def attach(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self._source.subscribe(self._on_change)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_change(self, changes: ChangeSet) -> None:
        """Service thread: merge and nudge the UI; never touches widgets."""
        with self._lock:
            self._pending = merge(self._pending, changes)
        self._target.post_message(SnapshotChanged(changes))

    def take(self) -> ChangeSet | None:
        """UI thread: the changes since the last take (None when nothing is pending)."""
        with self._lock:
            pending, self._pending = self._pending, None
        return pending

    def ready_in(self) -> float:
        """Seconds until the next render is allowed (0 when it may happen now)."""
        return max(0.0, self._last_render + self._min_interval - self._monotonic())

    def rendered(self) -> None:
        self._last_render = self._monotonic()
