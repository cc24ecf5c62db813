"""The replicas of each autoscaler's target while kdash has watched: a small bounded ring per HPA.

The API keeps no history of an HPA (only `lastScaleTime`), so kdash remembers what it saw: the
HPA pane hands every view's HPAs to `observe` (a walk only when the HPA map is a new object, and
an entry only when the current or desired count changed), and the HPA detail screen reads the
ring. One tracker per app (`history_for(app)`), held weakly so it goes with the app.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from kdash.model.autoscaling import HpaRecord
from kdash.model.meta import ObjectKey

RING = 48  # changes kept per HPA
MAX_HPAS = 5000  # HPAs tracked at once (the oldest forgotten first)


@dataclass(frozen=True, slots=True)
class ReplicaPoint:
    """What the autoscaler said at `when`: its target's current replicas and the count it wants
    (None while it does not know: metrics unavailable)."""

    when: datetime
    current: int
    desired: int | None


class ReplicaHistory:
    """Rings of ReplicaPoint per HPA key, each entry a change from the one before."""

    def __init__(self, ring: int = RING, max_hpas: int = MAX_HPAS) -> None:
        self._rings: dict[ObjectKey, deque[ReplicaPoint]] = {}
        self._ring = ring
        self._max = max_hpas
        self._last_map: Mapping[ObjectKey, HpaRecord] | None = None

    def observe(self, hpas: Mapping[ObjectKey, HpaRecord], now: datetime) -> None:
        """Take one view's HPAs (nothing to do when it is the map seen last)."""
        if hpas is self._last_map:
            return
        self._last_map = hpas
        for key, hpa in hpas.items():
            self.record(key, hpa, now)

    def record(self, key: ObjectKey, hpa: HpaRecord, now: datetime) -> None:
        """Add a point for `key` if its counts changed since the last one."""
        if not hpa.has_status:
            return
        point = ReplicaPoint(now, hpa.current_replicas, hpa.desired_replicas if hpa.desired_known else None)
        ring = self._rings.get(key)
        if ring is None:
            if len(self._rings) >= self._max:
                del self._rings[next(iter(self._rings))]
            ring = self._rings[key] = deque(maxlen=self._ring)
        elif ring[-1].current == point.current and ring[-1].desired == point.desired:
            return
        ring.append(point)

    def points(self, key: ObjectKey) -> tuple[ReplicaPoint, ...]:
        """The points of `key`, oldest first (empty before kdash saw it)."""
        ring = self._rings.get(key)
        return tuple(ring) if ring is not None else ()


_HISTORIES: WeakKeyDictionary[Any, ReplicaHistory] = WeakKeyDictionary()


def history_for(owner: Any) -> ReplicaHistory:
    """The tracker of `owner` (the running app), made on first use."""
    history = _HISTORIES.get(owner)
    if history is None:
        history = _HISTORIES[owner] = ReplicaHistory()
    return history
