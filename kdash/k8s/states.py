"""Per-stream sync states and how they add up to one `KindState` per kind.

A kind normally has one stream (all namespaces, or the selected one). When a cluster-wide list is
forbidden it has one stream per readable namespace; the kind is FORBIDDEN only if every stream is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from kdash.model.snapshot import KindState, SyncPhase


@dataclass(frozen=True, slots=True)
class StreamState:
    phase: SyncPhase = SyncPhase.SYNCING
    message: str = ""
    retry_at: datetime | None = None
    stale_since: datetime | None = None


_ORDER = (SyncPhase.SYNCING, SyncPhase.ERROR, SyncPhase.POLLING, SyncPhase.LIVE)


def merge_states(kind: str, streams: Mapping[str | None, StreamState], count: int) -> KindState:
    """The kind's state: the worst of its readable streams; forbidden ones only add their message."""
    if not streams:
        return KindState(kind, SyncPhase.SYNCING, count=count)
    values = list(streams.values())
    stale = [s.stale_since for s in values if s.stale_since is not None]
    stale_since = min(stale) if stale else None
    forbidden = [s for s in values if s.phase is SyncPhase.FORBIDDEN]
    readable = [s for s in values if s.phase is not SyncPhase.FORBIDDEN]
    read_in = tuple(
        sorted(ns for ns, s in streams.items() if ns is not None and s.phase is not SyncPhase.FORBIDDEN)
    )
    denied = tuple(
        sorted(ns for ns, s in streams.items() if ns is not None and s.phase is SyncPhase.FORBIDDEN)
    )
    if not readable:
        return KindState(
            kind, SyncPhase.FORBIDDEN, _join(forbidden), stale_since=stale_since, count=count, denied=denied
        )
    if all(s.phase is SyncPhase.UNAVAILABLE for s in readable):
        return KindState(kind, SyncPhase.UNAVAILABLE, _join(readable), count=count)
    phase = next(p for p in (*_ORDER, SyncPhase.UNAVAILABLE) if any(s.phase is p for s in readable))
    worst = [s for s in readable if s.phase is phase]
    retry = [s.retry_at for s in worst if s.retry_at is not None]
    notes = [s for s in worst if s.message] + forbidden
    return KindState(
        kind,
        phase,
        _join(notes),
        retry_at=min(retry) if retry else None,
        stale_since=stale_since,
        count=count,
        namespaces=read_in,
        denied=denied,
    )


def _join(states: list[StreamState]) -> str:
    seen: list[str] = []
    for s in states:
        if s.message and s.message not in seen:
            seen.append(s.message)
    return "; ".join(seen)
