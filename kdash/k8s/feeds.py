"""On-demand feeds: one kind listed and watched while a screen shows it (`kdash.model.feeds.Feed`).

Each feed runs its own informer thread (kdash.k8s.feeds_informer, the dashboard's machinery) into
its own sink, and a publisher thread that hands immutable `FeedView`s to subscribers at most
`max_notify_hz` times a second, coalescing whatever changed in between. Subscribers are called on
that publisher thread: UI code must post a message from the callback, never touch widgets.

`close()` returns at once: it shuts the informer's connection down (the read in flight ends) and
the threads end on their own; `join()` waits for them (tests, the service's stop()). A context
switch closes every feed of the old context with a last view saying so (`closed=True`); feeds
do not follow the switch, since the kind may not exist in the other cluster.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from types import MappingProxyType
from typing import Any

from kdash.errors import KdashError
from kdash.k8s.feeds_informer import (
    METADATA_WIRE,
    ObjectItem,
    TableInformer,
    object_builder,
    objects_wire,
)
from kdash.k8s.informer import Informer
from kdash.k8s.reachability import Reachability
from kdash.k8s.resources import ResourceInfo
from kdash.k8s.settings import ServiceSettings
from kdash.k8s.states import StreamState, merge_states
from kdash.k8s.table_parse import METADATA_COLUMNS, metadata_row, slim
from kdash.model.feeds import ApiResource, FeedView, TableColumn
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import SyncPhase

log = logging.getLogger("kdash.k8s")

Callback = Callable[[FeedView], None]


def is_secret(resource: ApiResource) -> bool:
    return resource.group == "" and resource.resource == "secrets"


def resource_info(resource: ApiResource) -> ResourceInfo:
    """The informers' description of a discovered resource (a missing group is UNAVAILABLE)."""
    return ResourceInfo(
        resource=resource.qualified,
        kind=resource.kind,
        group_version=resource.group_version,
        namespaced=resource.namespaced,
        plural=resource.resource,
        watchable=resource.watchable,
        optional=True,
    )


class FeedSink:
    """The records and stream states of one feed (what `Store` is to the dashboard's informers)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[ObjectKey, Any] = {}
        self._streams: dict[str | None, StreamState] = {}
        self._columns: tuple[TableColumn, ...] = ()
        self._version = 0  # bumped by every change under the lock: a view is new when it moved
        self.closed = False
        self.dirty = threading.Event()

    # ---- RecordSink --------------------------------------------------------------------------------
    def set_state(self, epoch: int, kind: str, namespace: str | None, state: StreamState) -> None:  # noqa: ARG002
        with self._lock:
            if self.closed or self._streams.get(namespace) == state:
                return
            self._streams[namespace] = state
            self._version += 1
        self.dirty.set()

    def drop_stream(self, epoch: int, kind: str, namespace: str | None) -> None:  # noqa: ARG002
        with self._lock:
            if self._streams.pop(namespace, None) is None:
                return
            self._version += 1
        self.dirty.set()

    def replace(
        self,
        epoch: int,  # noqa: ARG002 (one feed: no scopes)
        kind: str,  # noqa: ARG002 (one kind)
        namespace: str | None,
        records: Iterable[Any],
        *,
        state: StreamState | None = None,
    ) -> None:
        fresh = {r.key: r for r in records}
        with self._lock:
            if self.closed:
                return
            if state is not None:
                self._streams[namespace] = state
            if namespace is None:
                self._records = fresh
            else:
                kept = {k: r for k, r in self._records.items() if k.namespace != namespace}
                self._records = {**kept, **fresh}
            self._version += 1
        self.dirty.set()

    def upsert(self, epoch: int, kind: str, record: Any) -> None:  # noqa: ARG002
        with self._lock:
            if self.closed:
                return
            self._records[record.key] = record
            self._version += 1
        self.dirty.set()

    def delete(self, epoch: int, kind: str, key: ObjectKey) -> None:  # noqa: ARG002
        with self._lock:
            if self.closed or self._records.pop(key, None) is None:
                return
            self._version += 1
        self.dirty.set()

    # ---- TableSink ---------------------------------------------------------------------------------
    def columns(self) -> tuple[TableColumn, ...]:
        return self._columns

    def set_columns(self, columns: tuple[TableColumn, ...]) -> None:
        with self._lock:
            if self._columns:
                return  # the first list's columns are kept
            self._columns = columns
            self._version += 1
        self.dirty.set()

    # ---- views -------------------------------------------------------------------------------------
    def version(self) -> int:
        return self._version

    def view(self, previous: FeedView, *, table: bool) -> tuple[int, FeedView]:
        """(version, a new immutable view of everything): one dict copy per publish, not per event."""
        with self._lock:
            version = self._version
            records = dict(self._records)
            streams = dict(self._streams)
            columns = self._columns
        state = merge_states(previous.resource.qualified, streams, len(records))
        view = FeedView(
            previous.resource,
            previous.namespace,
            generation=previous.generation + 1,
            phase=state.phase,
            message=state.message,
            retry_at=state.retry_at,
            stale_since=state.stale_since,
        )
        if table:
            return version, dataclasses.replace(view, columns=columns, rows=MappingProxyType(records))
        objects = {k: item.obj for k, item in records.items() if isinstance(item, ObjectItem)}
        return version, dataclasses.replace(view, objects=MappingProxyType(objects))


class LiveFeed:
    """One running feed: an informer thread, a publisher thread, and subscribers."""

    def __init__(
        self,
        resource: ApiResource,
        namespace: str | None,
        informer: Callable[[FeedSink, Reachability], Informer],
        *,
        target: Any,
        settings: ServiceSettings,
        table: bool,
        columns: tuple[TableColumn, ...] = (),
    ) -> None:
        self.resource = resource
        self.namespace = namespace if resource.namespaced else None
        self._table = table
        self._interval = 1.0 / settings.max_notify_hz
        self._sink = FeedSink()
        if columns:
            self._sink.set_columns(columns)
        self._reachability = Reachability(
            target,
            interval=settings.probe_interval,
            connect_timeout=min(settings.connect_timeout_seconds, 5.0),
            read_timeout=min(settings.request_timeout_seconds, 5.0),
        )
        self._informer = informer(self._sink, self._reachability)
        self._informer.thread.name = f"kdash-feed-{resource.qualified}-{self.namespace or 'all'}"
        self._lock = threading.Lock()
        self._view = FeedView(resource, self.namespace, columns=self._sink.columns())
        self._subscribers: dict[int, Callback] = {}
        self._greet: set[int] = set()  # new subscribers, who get the current view at once
        self._next_id = 0
        self._final: str | None = None  # the closing message, when closed
        self._closing = threading.Event()
        self._published = -1  # the sink version of the last view handed out
        self._publisher = threading.Thread(
            target=self._publish_loop, name=f"kdash-feed-publisher-{resource.qualified}", daemon=True
        )

    def start(self) -> LiveFeed:
        self._informer.start()
        self._publisher.start()
        return self

    # ---- Feed --------------------------------------------------------------------------------------
    def view(self) -> FeedView:
        with self._lock:
            return self._view

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        with self._lock:
            self._next_id += 1
            sid = self._next_id
            self._subscribers[sid] = callback
            self._greet.add(sid)
        self._sink.dirty.set()

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers.pop(sid, None)
                self._greet.discard(sid)

        return unsubscribe

    def close(self, message: str | None = None) -> None:
        """Stop at once (non-blocking). With `message`, subscribers get one last view saying it
        (`closed=True`); without, they hear nothing more (the screen closed the feed itself)."""
        with self._lock:
            if self._final is not None:
                return
            self._final = message or ""
            if not message:
                self._subscribers.clear()
        self._sink.closed = True
        self._closing.set()
        self._informer.stop()
        self._reachability.close()
        self._sink.dirty.set()

    @property
    def closed(self) -> bool:
        return self._final is not None

    def join(self, timeout: float) -> bool:
        """Wait until every thread of this feed has ended; True when they have."""
        deadline = time.monotonic() + timeout
        ok = self._informer.join(timeout)
        if self._publisher.ident is not None:
            self._publisher.join(max(0.0, deadline - time.monotonic()))
        ok = self._reachability.join(max(0.0, deadline - time.monotonic())) and ok
        return ok and not self._publisher.is_alive()

    def threads(self) -> list[threading.Thread]:
        return [*self._informer.threads(), self._publisher]

    # ---- publishing --------------------------------------------------------------------------------
    def _publish_loop(self) -> None:
        dirty = self._sink.dirty
        while True:
            dirty.wait()
            dirty.clear()
            began = time.monotonic()
            try:
                if self._publish():
                    return
            except Exception:  # a bug must not stop the screen's updates for good
                log.exception("publishing feed %s failed", self.resource.qualified)
            self._closing.wait(max(0.0, self._interval - (time.monotonic() - began)))

    def _publish(self) -> bool:
        """Build and hand out a view; True when the feed is closed and this was the last one."""
        with self._lock:
            previous, final = self._view, self._final
            greet = [self._subscribers[s] for s in self._greet if s in self._subscribers]
            self._greet.clear()
        changed = final is not None or self._sink.version() != self._published
        if changed:
            self._published, view = self._sink.view(previous, table=self._table)
            if final is not None:
                phase = SyncPhase.UNAVAILABLE if final and view.phase is SyncPhase.LIVE else view.phase
                view = dataclasses.replace(view, closed=True, message=final or view.message, phase=phase)
            with self._lock:
                self._view = view
                targets = list(self._subscribers.values())
        else:
            view, targets = previous, greet
        for callback in targets:
            try:
                callback(view)
            except Exception:
                log.exception("a feed subscriber failed")
        if final is not None:
            with self._lock:
                self._subscribers.clear()
            return True
        return False


class FeedManager:
    """The service's open feeds: opened on demand, all closed on a context switch or stop()."""

    def __init__(self, settings: ServiceSettings, clock: Callable[[], datetime]) -> None:
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._feeds: list[LiveFeed] = []

    def _common(self, target: Any, fallback: tuple[str, ...]) -> dict[str, Any]:
        return {
            "target": target,
            "settings": self._settings,
            "epoch": 0,
            "clock": self._clock,
            "fallback_namespaces": fallback,
        }

    def open_table(
        self, target: Any, resource: ApiResource, namespace: str | None, fallback: tuple[str, ...]
    ) -> LiveFeed:
        _check_listable(resource)
        info = resource_info(resource)
        ns = namespace if resource.namespaced else None
        common = self._common(target, fallback)
        if is_secret(resource):  # metadata only: no Secret data ever reaches kdash

            def build(obj: dict[str, Any]) -> Any:
                return metadata_row(obj, resource.kind, self._clock())

            def make(sink: FeedSink, reach: Reachability) -> Informer:
                return Informer(
                    info, ns, store=sink, wire=METADATA_WIRE, build=build, reachability=reach, **common
                )

            feed = LiveFeed(
                resource,
                ns,
                make,
                target=target,
                settings=self._settings,
                table=True,
                columns=METADATA_COLUMNS,
            )
        else:

            def make(sink: FeedSink, reach: Reachability) -> Informer:
                return TableInformer(info, ns, sink=sink, reachability=reach, **common)

            feed = LiveFeed(resource, ns, make, target=target, settings=self._settings, table=True)
        return self._track(feed)

    def open_objects(
        self,
        target: Any,
        resource: ApiResource,
        namespace: str | None,
        fallback: tuple[str, ...],
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> LiveFeed:
        if is_secret(resource):
            raise KdashError("kdash does not read Secrets: open a table of them (metadata only) instead.")
        _check_listable(resource)
        info = resource_info(resource)
        ns = namespace if resource.namespaced else None
        common = self._common(target, fallback)
        wire = objects_wire(label_selector, field_selector)
        build = object_builder(resource.kind, slim)

        def make(sink: FeedSink, reach: Reachability) -> Informer:
            return Informer(info, ns, store=sink, wire=wire, build=build, reachability=reach, **common)

        return self._track(LiveFeed(resource, ns, make, target=target, settings=self._settings, table=False))

    def _track(self, feed: LiveFeed) -> LiveFeed:
        with self._lock:
            self._feeds = [f for f in self._feeds if not f.closed]
            self._feeds.append(feed)
        return feed.start()

    def close_all(self, message: str | None) -> list[LiveFeed]:
        """Close every open feed (with a last view saying `message`, if given); returns them."""
        with self._lock:
            feeds, self._feeds = self._feeds, []
        for feed in feeds:
            feed.close(message)
        return feeds


def _check_listable(resource: ApiResource) -> None:
    if not resource.listable:
        raise KdashError(f"The server does not list {resource.qualified} (no list verb).")
