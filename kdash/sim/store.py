"""In-memory object store with a global resourceVersion, a bounded change history and watchers.

The store is only touched from the server's event-loop thread (the Python API marshals calls onto
it), so it needs no locks. Each object is kept as a dict without ``kind``/``apiVersion`` (the way the
real server prints list items) plus its orjson serialisation, so big lists are a byte join.

Each resource's keys are kept sorted in list order with their entries alongside (built on first read,
then kept in step by every write with a bisect), so a namespace is a slice found by bisection and a
list page costs its own length, not the resource's: a full paginated list of N objects is O(N), not
O(N²). Every write also records the resourceVersion at which the resource, and the resource in that
namespace, last changed, so readers (selector views, the behaviour engine) can tell what is stale.
"""

from __future__ import annotations

import asyncio
import bisect
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from kdash.sim.registry import CRD_PLURAL, Registry
from kdash.sim.resources import ResourceType

JSON = dict[str, Any]
Key = tuple[str, str]  # (namespace or "", name)
#: Filtered indexes kept for selector lists (one per resource, namespace and selector).
MAX_VIEWS = 16


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


def _exact(raw: bytes) -> bytes:
    """``raw`` in a block of its own size: orjson returns bytes in its grown buffer (a 4.7 KB pod
    sits in 8 KB), which a store of 100,000 pods would keep for good, ~330 MB of slack."""
    return bytes(memoryview(raw))


def with_kind(rt: ResourceType, raw: bytes) -> bytes:
    """Prefix a serialised list item with kind/apiVersion (get responses, watch events)."""
    head = b'{"kind":"%s","apiVersion":"%s"' % (rt.kind.encode(), rt.api_version.encode())
    return head + (b"," + raw[1:] if raw != b"{}" else b"}")


@dataclass(slots=True)
class Index:
    """One resource's keys in list order and their entries at the same positions."""

    keys: list[Key]
    entries: list[Entry]

    def span(self, namespace: str | None) -> tuple[int, int]:
        """The [lo, hi) positions of ``namespace`` (all of them for None)."""
        if namespace is None:
            return 0, len(self.keys)
        # (ns,) sorts before every (ns, name); (ns + "\0",) after them and before any longer ns.
        lo = bisect.bisect_left(self.keys, (namespace,))
        return lo, bisect.bisect_left(self.keys, (namespace + "\0",), lo)


class Store:
    """Objects by resource and key; history of changes; watcher fan-out."""

    def __init__(self, now: Callable[[], datetime], history_size: int = 50_000) -> None:
        self._now = now
        #: The kinds served: built-in ones plus those the stored CustomResourceDefinitions define.
        self.types = Registry()
        self.rv = 1
        self._data: dict[str, dict[Key, Entry]] = {}
        self._index: dict[str, Index] = {}
        #: resource -> rv of its last write; (resource, namespace) -> the same within a namespace.
        self._changed: dict[str, int] = {}
        self._ns_changed: dict[tuple[str, str], int] = {}
        #: (resource, namespace, selector) -> (changed_at when built, the matching entries).
        self._views: OrderedDict[tuple[str, str | None, Hashable], tuple[int, Index]] = OrderedDict()
        self._history: deque[Event] = deque(maxlen=history_size)
        #: Events with rv <= compacted_rv are forgotten: watching from an older rv gets 410.
        self.compacted_rv = 1
        self._watchers: set[Watcher] = set()

    # ---- reads -------------------------------------------------------------------------

    def entry(self, resource: str, namespace: str, name: str) -> Entry | None:
        return self._data.get(resource, {}).get((namespace, name))

    def index(self, resource: str) -> Index:
        """Keys and entries in the real server's order (namespace, then name); do not mutate."""
        index = self._index.get(resource)
        if index is None:
            data = self._data.get(resource, {})
            keys = sorted(data)
            index = self._index[resource] = Index(keys, [data[k] for k in keys])
        return index

    def keys(self, resource: str) -> list[Key]:
        """Keys in the real server's order (namespace, then name); do not mutate."""
        return self.index(resource).keys

    def entries(self, resource: str, namespace: str | None = None) -> list[tuple[Key, Entry]]:
        """(key, entry) pairs in list order, of one namespace or all; a new list, safe to write under."""
        return list(self.iter_entries(resource, namespace))

    def iter_entries(self, resource: str, namespace: str | None = None) -> Iterator[tuple[Key, Entry]]:
        """``entries`` as they are at the call (the store may be written while they are read), made
        one pair at a time: 100,000 pairs at once cost the cyclic collector ten times their making."""
        index = self.index(resource)
        lo, hi = index.span(namespace)
        return zip(index.keys[lo:hi], index.entries[lo:hi], strict=True)

    def view(
        self,
        resource: str,
        namespace: str | None,
        selector: Hashable = None,
        matcher: Callable[[JSON], bool] | None = None,
    ) -> tuple[Index, int, int]:
        """What a list of ``resource`` in ``namespace`` through ``matcher`` shows: an index and the
        [lo, hi) span of it. Without a matcher, a span of the resource's own index; with one, the
        matching entries, kept (under ``selector``, the selector's text) until the resource next
        changes in ``namespace``, so the pages of one selector list cost their own length."""
        index = self.index(resource)
        if matcher is None:
            lo, hi = index.span(namespace)
            return index, lo, hi
        cache_key = (resource, namespace, selector)
        stamp = self.changed_at(resource, namespace)
        hit = self._views.get(cache_key)
        if hit is not None and hit[0] == stamp:
            self._views.move_to_end(cache_key)
            return hit[1], 0, len(hit[1].keys)
        lo, hi = index.span(namespace)
        keys: list[Key] = []
        entries: list[Entry] = []
        for key, entry in zip(index.keys[lo:hi], index.entries[lo:hi], strict=True):
            if matcher(entry.obj):
                keys.append(key)
                entries.append(entry)
        found = Index(keys, entries)
        self._views[cache_key] = (stamp, found)
        self._views.move_to_end(cache_key)
        while len(self._views) > MAX_VIEWS:
            self._views.popitem(last=False)
        return found, 0, len(keys)

    def resources(self) -> list[str]:
        """The resources that have (or had) objects."""
        return list(self._data)

    def count(self, resource: str) -> int:
        return len(self._data.get(resource, {}))

    def changed_at(self, resource: str, namespace: str | None = None) -> int:
        """The rv of the last write to ``resource`` (in ``namespace``); 0 if none since the load."""
        if namespace is None:
            return self._changed.get(resource, 0)
        return self._ns_changed.get((resource, namespace), 0)

    # ---- writes ------------------------------------------------------------------------

    def put(self, obj: JSON, *, record: bool = True) -> JSON:
        """Create or replace ``obj`` (a full dict with kind/apiVersion) and notify watchers."""
        rt = self.types.for_object(obj)
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
        bucket = self._data.setdefault(rt.key, {})
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
        raw = _exact(orjson.dumps(obj))
        entry = bucket[key] = Entry(obj, raw)
        index = self._index.get(rt.key)
        if index is not None:
            i = bisect.bisect_left(index.keys, key)
            if old is None:
                index.keys.insert(i, key)
                index.entries.insert(i, entry)
            else:
                index.entries[i] = entry
        self._touch(rt.key, namespace)
        if rt.key == CRD_PLURAL:
            self.types.add_crd(obj)
        if record:
            etype = "MODIFIED" if old else "ADDED"
            self._emit(Event(self.rv, etype, rt.key, namespace, name, obj, raw, old.obj if old else None))
        return obj

    def load(self, objs: Iterable[JSON]) -> None:
        """Bulk-load initial state without history (as if compacted just after)."""
        self._index.clear()  # rebuilt once on first read, not kept in step object by object
        objs = list(objs)
        # CustomResourceDefinitions first, so their instances resolve to the kinds they define.
        for obj in objs:
            if obj.get("kind") == "CustomResourceDefinition":
                self.put(obj, record=False)
        for obj in objs:
            if obj.get("kind") != "CustomResourceDefinition":
                self.put(obj, record=False)
        self._index.clear()
        self._views.clear()
        self._changed.clear()
        self._ns_changed.clear()
        self.compacted_rv = self.rv
        self._history.clear()

    def delete(self, resource: str, namespace: str, name: str) -> JSON | None:
        bucket = self._data.get(resource, {})
        old = bucket.pop((namespace, name), None)
        if old is None:
            return None
        index = self._index.get(resource)
        if index is not None:
            i = bisect.bisect_left(index.keys, (namespace, name))
            del index.keys[i]
            del index.entries[i]
        self.rv += 1
        self._touch(resource, namespace)
        obj = dict(old.obj)
        obj["metadata"] = {**obj["metadata"], "resourceVersion": str(self.rv)}
        raw = _exact(orjson.dumps(obj))
        self._emit(Event(self.rv, "DELETED", resource, namespace, name, obj, raw, old.obj))
        if resource == CRD_PLURAL:
            orphaned = self.types.remove_crd(name)
            if orphaned is not None:  # the real server deletes a CRD's objects with it
                for ns, obj_name in list(self._data.get(orphaned.key, {})):
                    self.delete(orphaned.key, ns, obj_name)
        return obj

    def _touch(self, resource: str, namespace: str) -> None:
        self._changed[resource] = self.rv
        self._ns_changed[(resource, namespace)] = self.rv

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
