"""One list+watch loop per kind (and namespace), each on its own thread.

List (paginated, `paging`) -> watch from the list's resourceVersion with bookmarks -> on a clean end
renew the watch from the last resourceVersion; on 410 relist; on errors back off (jittered, capped;
Retry-After honoured up to a cap) and keep retrying, woken early by the scope's `Reachability`
probe once the server answers after an outage; after any interruption, check that the server still
knows our resourceVersion before resuming (`resume`: a server restarted into a new state would keep
a watch from it open and silent); where watch is forbidden, poll; where a cluster-wide list is
forbidden, fall back to one loop per namespace the user may read. No exception ends the thread: a
bug costs a back-off and a relist.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from kdash.k8s import rawapi, resume
from kdash.k8s.backoff import Backoff
from kdash.k8s.paging import JSON_WIRE, ListReader, StoppedError, Wire
from kdash.k8s.rawapi import (
    ApiError,
    ForbiddenError,
    GoneError,
    NotFoundError,
    RawApi,
    UnauthorizedError,
    UnreachableError,
)
from kdash.k8s.reachability import Reachability
from kdash.k8s.records import builder
from kdash.k8s.resources import ResourceInfo, list_path
from kdash.k8s.settings import ServiceSettings
from kdash.k8s.states import StreamState
from kdash.k8s.store import RecordSink
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import SyncPhase

log = logging.getLogger("kdash.k8s")

ConnectionReport = Callable[[int, str | None], None]
_OUTAGE_STATUSES = (502, 503, 504)  # a proxy or load balancer with no server behind it
_MAX_SHOWN_WAIT = 24 * 3600.0  # retry times further out than this are not worth a date


class Informer:
    """list+watch of one resource in one namespace (None = all namespaces or cluster-scoped)."""

    def __init__(
        self,
        info: ResourceInfo,
        namespace: str | None,
        *,
        target: Any,
        settings: ServiceSettings,
        store: RecordSink,
        epoch: int,
        clock: Callable[[], datetime],
        fallback_namespaces: tuple[str, ...] = (),
        on_connection: ConnectionReport | None = None,
        reachability: Reachability | None = None,
        wire: Wire = JSON_WIRE,  # what to ask for: feeds ask for Tables or metadata (kdash.k8s.feeds)
        build: Callable[[dict[str, Any]], Any] | None = None,  # the record builder (default: the kind's)
    ) -> None:
        self.info = info
        self.namespace = namespace
        self._target = target
        self._settings = settings
        self._store = store
        self._epoch = epoch
        self._clock = clock
        self._fallback = fallback_namespaces
        self._on_connection = on_connection
        self._reachability = reachability
        self._wire = wire
        self._where = f"{info.resource}/{namespace or 'all'}"  # for the log
        self._stop = threading.Event()
        self._wake = threading.Event()  # set by stop() (and by the probe) to end a back-off early
        self._lock = threading.Lock()
        self._resp: Any = None  # the in-flight response, shut down by stop()
        self._children: list[Informer] = []
        self._listed = False  # data of this stream has been listed at least once
        self._split_items = wire.split_items  # parse pages item by item (off once one was not laid out so)
        self._stale_since: datetime | None = None
        self._builder = build or builder(info.resource)
        self._backoff = Backoff(settings.backoff_initial, settings.backoff_max)
        self.thread = threading.Thread(
            target=self._run, name=f"kdash-informer-{info.resource}-{namespace or 'all'}", daemon=True
        )

    # ---- control ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Ask the loop to end and unblock its read at once (non-blocking)."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            resp, children = self._resp, list(self._children)
        if resp is not None:
            rawapi.shutdown_response(resp)
        for child in children:
            child.stop()

    def join(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if self.thread.is_alive() or self.thread.ident is not None:
            self.thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            children = list(self._children)
        ok = not self.thread.is_alive()
        for child in children:
            ok = child.join(max(0.0, deadline - time.monotonic())) and ok
        return ok

    def threads(self) -> list[threading.Thread]:
        with self._lock:
            children = list(self._children)
        return [self.thread, *(t for c in children for t in c.threads())]

    # ---- states ------------------------------------------------------------------------------------
    def _make_state(self, phase: SyncPhase, message: str = "", retry_in: float | None = None) -> StreamState:
        now = self._clock()
        retry_at = None
        if retry_in is not None and 0.0 <= retry_in <= _MAX_SHOWN_WAIT:  # never a date past year 9999
            retry_at = now + timedelta(seconds=retry_in)
        if phase in (SyncPhase.LIVE, SyncPhase.POLLING):
            self._stale_since = None
        elif self._listed and self._stale_since is None and phase is not SyncPhase.SYNCING:
            self._stale_since = now  # data kept, but no longer confirmed live
        return StreamState(phase, message, retry_at, self._stale_since)

    def _state(self, phase: SyncPhase, message: str = "", retry_in: float | None = None) -> None:
        state = self._make_state(phase, message, retry_in)
        self._store.set_state(self._epoch, self.info.resource, self.namespace, state)

    def _sleep(self, seconds: float, *, until_reachable: bool = False) -> None:
        """Wait out a back-off; `until_reachable` ends it as soon as the server answers again."""
        if until_reachable and self._reachability is not None:
            self._reachability.wait(self._wake, seconds)
        else:
            self._wake.wait(seconds)
            self._wake.clear()
        if self._stop.is_set():
            raise StoppedError

    def _connected(self, message: str | None) -> None:
        if message is None and self._reachability is not None:
            self._reachability.answered()  # it answers us: the others need not wait either
        if self._on_connection is not None:
            self._on_connection(self._epoch, message)

    # ---- loop --------------------------------------------------------------------------------------
    def _run(self) -> None:
        """Run the loop until stopped; a bug in it is logged, reported and retried, never fatal."""
        try:
            while not self._stop.is_set():
                api: RawApi | None = None
                try:
                    api = RawApi(
                        self._target,
                        connect_timeout=self._settings.connect_timeout_seconds,
                        read_timeout=self._settings.request_timeout_seconds,
                    )
                    self._loop(api)
                    return
                except StoppedError:
                    return
                except Exception:  # an informer thread must never die: back off and start over
                    log.exception("informer %s/%s failed", self.info.resource, self.namespace or "all")
                    self._after_crash()
                finally:
                    if api is not None:
                        self._close(api)
        finally:
            log.debug("informer %s/%s stopped", self.info.resource, self.namespace or "all")

    def _after_crash(self) -> None:
        delay = self._backoff.next()
        try:
            self._state(SyncPhase.ERROR, "internal error; retrying (see the debug log)", retry_in=delay)
        except Exception:  # the report itself failed: still wait and retry
            log.exception("cannot report the state of %s", self.info.resource)
        self._wake.wait(delay)
        self._wake.clear()

    @staticmethod
    def _close(api: RawApi) -> None:
        try:
            api.close()
        except Exception:  # closing sockets must not keep a loop from restarting
            log.debug("closing a client failed", exc_info=True)

    def _loop(self, api: RawApi) -> None:
        rv: str | None = None
        check = False  # resume only after asking the server whether it still knows rv
        polling = not self.info.watchable
        while not self._stop.is_set():
            try:
                if rv is not None and check and not polling:
                    check = False
                    rv = self._resumable(api, rv)
                if rv is None or polling:
                    rv = self._list(api, polling)
                    if polling:
                        self._sleep(self._settings.poll_interval)
                        continue
                rv, check = self._watch(api, rv)
            except StoppedError:
                raise
            except GoneError as exc:
                log.info("%s/%s: %s; relisting", self.info.resource, self.namespace or "all", exc.message)
                rv = None
            except ForbiddenError as exc:
                if self._stop.is_set():
                    break
                check = True
                if rv is not None and not polling:
                    # listing is allowed but watching is not: poll instead
                    log.info("%s: watch forbidden; polling instead", self._where)
                    polling = True
                    self._state(SyncPhase.POLLING, exc.message)
                    self._sleep(self._settings.poll_interval)
                    continue
                if self._start_fallback():
                    self._stop.wait()
                    return
                self._state(SyncPhase.FORBIDDEN, exc.message)
                self._sleep(max(self._settings.poll_interval, self._settings.backoff_max))
            except NotFoundError as exc:
                if self._stop.is_set():
                    break
                if self.info.optional:  # e.g. metrics.k8s.io not installed: normal, not an error
                    self._state(SyncPhase.UNAVAILABLE, f"{self.info.group_version} is not served")
                    self._sleep(max(self._settings.poll_interval, self._settings.backoff_max))
                else:
                    self._fail(exc)
                rv = None
            except ApiError as exc:
                if self._stop.is_set():
                    break
                check = True
                self._fail(exc)

    def _fail(self, exc: ApiError) -> None:
        """Report an error with its retry time and back off (a server's Retry-After wins, capped)."""
        outage = isinstance(exc, UnreachableError) or (
            exc.status in _OUTAGE_STATUSES and exc.retry_after is None
        )
        if exc.retry_after is not None and exc.retry_after > 0:
            delay = min(exc.retry_after, self._settings.retry_after_max)
        else:
            delay = self._backoff.next()
        if isinstance(exc, UnreachableError | UnauthorizedError):
            self._connected(exc.message)
        log.info(
            "%s/%s: %s; retrying in %.1fs", self.info.resource, self.namespace or "all", exc.message, delay
        )
        self._state(SyncPhase.ERROR, exc.message, retry_in=delay)
        self._sleep(delay, until_reachable=outage)

    def _resumable(self, api: RawApi, rv: str) -> str | None:
        """`rv` if the server still knows it; None (relist) if it restarted into a new state or
        the check itself is refused (the relist then reports what is wrong)."""
        try:
            body = self._read_page(api, list_path(self.info, self.namespace), {"limit": "1"})
        except (ForbiddenError, NotFoundError):
            return None
        current = resume.list_resource_version(body)
        if resume.is_older(current, rv):
            log.info("%s: server restarted (rv %s < ours %s); relisting", self._where, current, rv)
            return None
        return rv

    def _track(self, resp: Any) -> None:
        with self._lock:
            self._resp = resp
        if resp is not None and self._stop.is_set():  # stop() ran before we registered
            rawapi.shutdown_response(resp)
            raise StoppedError

    def _read_page(self, api: RawApi, path: str, query: dict[str, str]) -> bytes:
        """GET one list page and read its whole body (stop() can interrupt the read)."""
        resp = api.open(path, {**self._wire.query, **query}, accept=self._wire.list_accept)
        try:
            self._track(resp)
            data: bytes = resp.read()
        except (OSError, ValueError) as exc:
            raise UnreachableError(0, rawapi.describe_connection_error(api.server, exc)) from None
        finally:
            with self._lock:
                self._resp = None
            resp.release_conn()
        return data

    def _list(self, api: RawApi, polling: bool) -> str:
        """List every page, then replace this stream's records at once; returns the resourceVersion."""

        def commit(records: list[Any]) -> None:
            # records and state in one write, so one publish shows the kind listed and live
            state = self._make_state(SyncPhase.POLLING if polling else SyncPhase.LIVE)
            self._store.replace(self._epoch, self.info.resource, self.namespace, records, state=state)

        def read(path: str, query: dict[str, str]) -> bytes:
            return self._read_page(api, path, query)

        lister = ListReader(
            read,
            self.info.resource,
            self._stop.is_set,
            split_items=self._split_items,
            items_key=self._wire.items_key,
            on_envelope=self._envelope,
        )
        try:
            path = list_path(self.info, self.namespace)
            rv, count = lister.read(path, self._settings.page_size, self._build, commit)
        finally:
            self._split_items = lister.split_items
        self._listed = True
        self._backoff.reset()
        self._connected(None)
        log.debug("listed %d %s in %s (rv %s)", count, self.info.resource, self.namespace or "all", rv)
        return rv

    def _envelope(self, page: dict[str, Any]) -> None:
        """A list page without its items (a Table's columnDefinitions): only feeds look at it."""

    def _build(self, obj: dict[str, Any]) -> Any:
        try:
            return self._builder(obj)
        except Exception:  # one odd object must not stop the kind
            log.exception("cannot build a record of %s", self.info.resource)
            return None

    def _watch(self, api: RawApi, rv: str) -> tuple[str, bool]:
        """One watch request; returns the last resourceVersion when it ends without an error, and
        whether to check the server still knows it: the stream broke or ended early, or not even a
        bookmark came (what a server restarted into a new state sends on a watch from ours)."""
        timeout = max(1, int(self._settings.watch_timeout_seconds * random.uniform(0.8, 1.0)))
        query = {
            **self._wire.query,
            "watch": "1",
            "resourceVersion": rv,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": str(timeout),
        }
        started = time.monotonic()
        path = list_path(self.info, self.namespace)
        read_timeout = self._settings.read_timeout_seconds
        resp = api.open(path, query, read_timeout=read_timeout, accept=self._wire.watch_accept)
        events = 0
        broken = False
        floor = resume.rv_number(rv)
        try:
            self._track(resp)
            self._connected(None)
            self._state(SyncPhase.LIVE)
            for event in rawapi.iter_json_lines(resp, api.server):
                if self._stop.is_set():
                    raise StoppedError
                rv = self._apply(event, rv, floor)
                events += 1
        except UnreachableError as exc:
            if self._stop.is_set():
                raise StoppedError from None
            # A dropped watch: reconnect at once from the last rv; only a failing reconnect is an error.
            log.info("%s/%s watch ended: %s", self.info.resource, self.namespace or "all", exc.message)
            broken = True
        finally:
            with self._lock:
                self._resp = None
            resp.close()
            resp.release_conn()
        if events or time.monotonic() - started >= 1.0:
            self._backoff.reset()
        elif broken and self._backoff.attempt == 0:
            self._backoff.next()  # the first drop is retried at once (an outage fails that retry)
        else:  # a server closing or dropping watches at once must not spin us
            self._sleep(self._backoff.next(), until_reachable=broken)
        # a watch the server ended well before its timeoutSeconds may be a restart: check too
        early = time.monotonic() - started < timeout - 1.0
        return rv, broken or early or events == 0

    def _apply(self, event: Any, rv: str, floor: int | None) -> str:
        """Apply one watch event; returns the resourceVersion to resume from."""
        if not isinstance(event, dict):
            raise ApiError(0, f"{self.info.resource}: the server sent a watch event that is not an object")
        kind = event.get("type")
        obj = event.get("object")
        obj = obj if isinstance(obj, dict) else {}
        meta = obj.get("metadata")
        meta = meta if isinstance(meta, dict) else {}
        if kind == "ERROR":
            code = obj.get("code")
            raise rawapi.error_from_status(code if isinstance(code, int) else 500, obj)
        new_rv = str(meta.get("resourceVersion") or rv)
        resume.check_not_before(new_rv, floor)
        if kind == "BOOKMARK":
            return new_rv
        if kind == "DELETED":
            key = ObjectKey(self.info.kind, str(meta.get("namespace") or ""), str(meta.get("name") or ""))
            self._store.delete(self._epoch, self.info.resource, key)
        elif kind in ("ADDED", "MODIFIED"):
            record = self._build(obj)
            if record is not None:
                self._store.upsert(self._epoch, self.info.resource, record)
        return new_rv

    def _start_fallback(self) -> bool:
        """Cluster-wide list forbidden: run one loop per namespace we may read (if any)."""
        if self.namespace is not None or not self.info.namespaced or not self._fallback:
            return False
        log.info("%s: cluster-wide list forbidden; trying %s", self.info.resource, ", ".join(self._fallback))
        self._store.drop_stream(self._epoch, self.info.resource, None)
        with self._lock:
            if self._stop.is_set():
                return True
            for ns in self._fallback:
                child = self._child(ns)
                self._children.append(child)
                child.start()
        return True

    def _child(self, namespace: str) -> Informer:
        """The loop of one fallback namespace, writing where this one writes."""
        return Informer(
            self.info,
            namespace,
            target=self._target,
            settings=self._settings,
            store=self._store,
            epoch=self._epoch,
            clock=self._clock,
            on_connection=self._on_connection,
            reachability=self._reachability,
            wire=self._wire,
            build=self._builder,
        )
