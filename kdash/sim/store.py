"""In-memory object store with a global resourceVersion, a bounded change history and watchers.

The store is only touched from the server's event-loop thread (the Python API marshals calls onto
it), so it needs no locks. Each object is kept as a dict without ``kind``/``apiVersion`` (the way the
real server prints list items) plus its orjson serialisation, so big lists are a byte join.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from kdash.sim.resources import ResourceType, lookup

JSON = dict[str, Any]
Key = tuple[str, str]  # (namespace or "", name)


def rfc3339(ts: datetime) -> str:
    """Kubernetes' second-precision UTC timestamp format."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Entry:
    """One stored object and its serialised form."""

    obj: JSON
    raw: bytes


@dataclass(slots=True)
class Event:
    """One change, as kept in history and delivered to watchers."""

    rv: int
    type: str  # ADDED | MODIFIED | DELETED
    resource: str
    namespace: str
    name: str
    obj: JSON
    raw: bytes
    prev: JSON | None = None


@dataclass(eq=False)
class Watcher:
    """A live subscription to one resource's events."""

    resource: str
    #: Events, or a control word: "close" (end the stream) / "gone" (send a 410 ERROR, then end).
    queue: asyncio.Queue[Event | str] = field(default_factory=asyncio.Queue)


def with_kind(rt: ResourceType, raw: bytes) -> bytes:
    """Prefix a serialised list item with kind/apiVersion (get responses, watch events)."""
    head = b'{"kind":"%s","apiVersion":"%s"' % (rt.kind.encode(), rt.api_version.encode())
    return head + (b"," + raw[1:] if raw != b"{}" else b"}")


class Store:
    """Objects by resource and key; history of changes; watcher fan-out."""

    def __init__(self, now: Callable[[], datetime], history_size: int = 50_000) -> None:
        self._now = now
        self.rv = 1
        self._data: dict[str, dict[Key, Entry]] = {}
        self._sorted: dict[str, list[Key]] = {}
        self._history: deque[Event] = deque(maxlen=history_size)
        #: Events with rv <= compacted_rv are forgotten: watching from an older rv gets 410.
        self.compacted_rv = 1
        self._watchers: set[Watcher] = set()

    # ---- reads -------------------------------------------------------------------------

    def entry(self, resource: str, namespace: str, name: str) -> Entry | None:
        return self._data.get(resource, {}).get((namespace, name))

    def keys(self, resource: str) -> list[Key]:
        """Keys in the real server's order (namespace, then name)."""
        keys = self._sorted.get(resource)
        if keys is None:
            keys = sorted(self._data.get(resource, {}))
            self._sorted[resource] = keys
        return keys

    def entries(self, resource: str, namespace: str | None = None) -> list[tuple[Key, Entry]]:
        data = self._data.get(resource, {})
        keys = self.keys(resource)
        if namespace is not None:
            keys = [k for k in keys if k[0] == namespace]
        return [(k, data[k]) for k in keys]

    def count(self, resource: str) -> int:
        return len(self._data.get(resource, {}))

    # ---- writes ------------------------------------------------------------------------

    def put(self, obj: JSON, *, record: bool = True) -> JSON:
        """Create or replace ``obj`` (a full dict with kind/apiVersion) and notify watchers."""
        rt = lookup(str(obj.get("kind", "")))
        obj = {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}
        meta = obj.setdefault("metadata", {})
        name = meta.get("name")
        if not name:
            raise ValueError(f"{rt.kind} without metadata.name")
        namespace = meta.get("namespace", "") if rt.namespaced else ""
        if rt.namespaced:
            if not namespace:
                namespace = meta["namespace"] = "default"
        else:
            meta.pop("namespace", None)
        key = (namespace, name)
        bucket = self._data.setdefault(rt.plural, {})
        old = bucket.get(key)
        self.rv += 1
        meta["resourceVersion"] = str(self.rv)
        if not meta.get("uid"):
            meta["uid"] = old.obj["metadata"]["uid"] if old else str(uuid.uuid4())
        if not meta.get("creationTimestamp"):
            meta["creationTimestamp"] = (
                old.obj["metadata"]["creationTimestamp"] if old else rfc3339(self._now())
            )
        if "spec" in obj or "generation" in meta:
            if old is None:
                meta.setdefault("generation", 1)
            elif old.obj.get("spec") != obj.get("spec"):
                meta["generation"] = int(old.obj["metadata"].get("generation", 1)) + 1
            else:
                meta["generation"] = old.obj["metadata"].get("generation", 1)
        raw = orjson.dumps(obj)
        bucket[key] = Entry(obj, raw)
        if old is None:
            self._sorted.pop(rt.plural, None)
        if record:
            etype = "MODIFIED" if old else "ADDED"
            self._emit(Event(self.rv, etype, rt.plural, namespace, name, obj, raw, old.obj if old else None))
        return obj

    def load(self, objs: Iterable[JSON]) -> None:
        """Bulk-load initial state without history (as if compacted just after)."""
        for obj in objs:
            self.put(obj, record=False)
        self.compacted_rv = self.rv
        self._history.clear()

    def delete(self, resource: str, namespace: str, name: str) -> JSON | None:
        bucket = self._data.get(resource, {})
        old = bucket.pop((namespace, name), None)
        if old is None:
            return None
        self._sorted.pop(resource, None)
        self.rv += 1
        obj = dict(old.obj)
        obj["metadata"] = {**obj["metadata"], "resourceVersion": str(self.rv)}
        raw = orjson.dumps(obj)
        self._emit(Event(self.rv, "DELETED", resource, namespace, name, obj, raw, old.obj))
        return obj

    # ---- history and watchers ----------------------------------------------------------

    def _emit(self, event: Event) -> None:
        if len(self._history) == self._history.maxlen:
            self.compacted_rv = self._history[0].rv
        self._history.append(event)
        for w in self._watchers:
            if w.resource == event.resource:
                w.queue.put_nowait(event)

    def too_old(self, rv: int) -> bool:
        """Whether changes after ``rv`` are no longer all in history."""
        return rv < self.compacted_rv

    def expire_history(self) -> None:
        """Forget all history: any watch or continue at an older rv now gets 410."""
        self._history.clear()
        self.compacted_rv = self.rv

    def subscribe(self, resource: str, since_rv: int) -> tuple[list[Event], Watcher]:
        """History events after ``since_rv`` plus a watcher for what follows, without a gap."""
        backlog = [e for e in self._history if e.rv > since_rv and e.resource == resource]
        watcher = Watcher(resource)
        self._watchers.add(watcher)
        return backlog, watcher

    def unsubscribe(self, watcher: Watcher) -> None:
        self._watchers.discard(watcher)

    def signal_watchers(self, word: str) -> None:
        """Send a control word ("close" or "gone") to every open watch stream."""
        for w in self._watchers:
            w.queue.put_nowait(word)
