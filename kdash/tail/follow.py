"""The followers behind `kdash logs`: one `ContainerFollower` per matching container, joined and
left as the cluster service's snapshots change.

Why not `LogService.open`: its `LogTarget` names one pod, a workload or a selector, where stern's
query is a pod-name regex and a container regex; and `--no-follow` must know when every read has
ended, which a `MultiStream` does not say. So this keeps the same pieces (the service's pods for
membership, `ContainerFollower` for each stream with its resume-and-dedupe, the log service's
clients and timeouts) and does the bookkeeping a command-line tail needs: who joined, who left,
when all is read, how many lines arrived and how many were dropped.

Lines wait in one bounded queue between the follower threads and the printing (main) thread; a
reader that falls behind (a blocked pipe) loses the oldest lines, counted in `dropped`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from kdash.k8s.logs import LogService
from kdash.k8s.logs_follow import ContainerFollower
from kdash.k8s.logs_parse import RawLine
from kdash.k8s.logs_select import ContainerRef
from kdash.model.pods import PodRecord
from kdash.model.source import LogTarget
from kdash.tail.query import Query, select

BUFFER_LINES = 10_000


@dataclass(frozen=True, slots=True)
class Member:
    """A container being followed, and its pod as last seen (for the JSON fields)."""

    ref: ContainerRef
    pod: PodRecord


# What the printing thread receives: ("line", member, RawLine) or (event, member, text) with
# event "joined", "left" or "error".
Item = tuple[str, Member, Any]


class Tail:
    """Follows what `query` matches in `source`'s snapshots until `stop()`; see the module docstring."""

    def __init__(
        self,
        logs: LogService,
        source: Any,
        query: Query,
        target: LogTarget,
        *,
        max_streams: int = 50,
        buffer_lines: int = BUFFER_LINES,
    ) -> None:
        self._logs = logs
        self._source = source
        self.query = query
        self._target = target
        self.max_streams = max_streams
        self._buffer = buffer_lines
        self._lock = threading.Lock()
        self._items: deque[Item] = deque()
        self._followers: dict[ContainerRef, ContainerFollower] = {}
        self._members: dict[ContainerRef, Member] = {}
        self.matched = 0  # containers the query matched at the last reconcile (maybe beyond the cap)
        self.received = 0
        self.dropped = 0
        self.dirty = threading.Event()
        self._stopped = False

    # ---- membership (printing thread) -----------------------------------------------------------

    def reconcile(self) -> None:
        """Follow what the query matches now: start new containers, stop those that went."""
        self.dirty.clear()
        wanted = select(self._source.snapshot(), self.query)
        self.matched = len(wanted)
        keep = dict(list(wanted.items())[: self.max_streams])
        for ref in [r for r in self._followers if r not in keep]:
            follower = self._followers.pop(ref)
            follower.stop()
            follower.join(1.0)
            self._push(("left", self._members.pop(ref), ""))
        for ref, pod in keep.items():
            member = Member(ref, pod)
            if ref in self._followers:
                self._members[ref] = member  # labels or node may have changed
                continue
            if self._stopped:
                return
            self._members[ref] = member
            self._push(("joined", member, ""))
            follower = ContainerFollower(
                ref,
                replace(self._target, namespace=ref.namespace, pod=ref.pod, container=ref.container),
                self._logs.api,
                lambda r, lines: self._lines(r, lines),
                lambda r, kind, text: self._event(r, kind, text),
                timeout=self._logs.timeout,
                backoff=self._logs.backoff,
            )
            self._followers[ref] = follower
            follower.start()

    def finished(self) -> bool:
        """Every follower has ended (`--no-follow`, `--previous`: everything has been read)."""
        return all(not f.alive for f in self._followers.values())

    def stop(self, timeout: float = 5.0) -> None:
        """Close every stream (sockets shut down at once) and wait, bounded, for the threads."""
        self._stopped = True
        followers = list(self._followers.values())
        for f in followers:
            f.stop()
        deadline = time.monotonic() + timeout
        for f in followers:
            f.join(max(0.0, deadline - time.monotonic()))

    def take(self) -> list[Item]:
        """Everything waiting, oldest first (called by the printing thread)."""
        with self._lock:
            items = list(self._items)
            self._items.clear()
        return items

    # ---- follower threads -----------------------------------------------------------------------

    def _lines(self, ref: ContainerRef, lines: list[RawLine]) -> None:
        member = self._members.get(ref)
        if member is None:
            return
        with self._lock:
            self.received += len(lines)
            self._items.extend(("line", member, line) for line in lines)
            self._trim()

    def _event(self, ref: ContainerRef, kind: str, text: str) -> None:
        member = self._members.get(ref)
        if member is not None and kind == "error":
            self._push(("error", member, text))

    def _push(self, item: Item) -> None:
        with self._lock:
            self._items.append(item)
            self._trim()

    def _trim(self) -> None:
        """Lock held: past the buffer, drop the oldest lines (events are kept: they are few)."""
        over = len(self._items) - self._buffer
        if over <= 0:
            return
        kept: deque[Item] = deque()
        for item in self._items:
            if over > 0 and item[0] == "line":
                over -= 1
                self.dropped += 1
                continue
            kept.append(item)
        self._items = kept


def on_change(tail: Tail, wake: threading.Event) -> Callable[[Any], None]:
    """A subscriber for the cluster service: any publish may change who matches."""

    def changed(_changes: Any) -> None:
        tail.dirty.set()
        wake.set()

    return changed
