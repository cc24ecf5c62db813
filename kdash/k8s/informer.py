"""One list+watch loop per kind (and namespace), each on its own thread.

List (paginated) -> watch from the list's resourceVersion with bookmarks -> on a clean end renew the
watch from the last resourceVersion; on 410 relist; on errors back off (jittered, capped) and keep
retrying; where watch is forbidden, poll; where a cluster-wide list is forbidden, fall back to one
loop per namespace the user may read.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime, timedelta
from typing import Any

import orjson

from kdash.k8s import rawapi
from kdash.k8s.rawapi import (
    ApiError,
    ForbiddenError,
    GoneError,
    NotFoundError,
    RawApi,
    TooManyRequestsError,
    UnauthorizedError,
    UnreachableError,
)
from kdash.k8s.records import build
from kdash.k8s.resources import ResourceInfo, list_path
from kdash.k8s.settings import ServiceSettings
from kdash.k8s.states import StreamState
from kdash.k8s.store import Store
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import SyncPhase

log = logging.getLogger("kdash.k8s")

ConnectionReport = Callable[[int, str | None], None]
MAX_GC_PAUSE = 2.0  # seconds a list keeps the collector paused before it waits for its next page
FREEZE_MIN_RECORDS = 2000  # lists this big freeze their records out of the collector's reach


class Backoff:
    """Jittered exponential back-off: initial, 2x, 4x ... capped; jitter spreads retries of many informers."""

    def __init__(self, initial: float, cap: float) -> None:
        self.initial, self.cap, self.attempt = initial, cap, 0

    def next(self) -> float:
        delay = min(self.cap, self.initial * 2.0 ** min(self.attempt, 30))
        self.attempt += 1
        return delay * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.attempt = 0


def _dict(x: object) -> dict[str, Any]:
    return x if isinstance(x, dict) else {}


class _StoppedError(Exception):
    """Raised inside the loop when stop() was requested."""


class _PageFetch:
    """One list page requested on a short-lived helper thread while the informer parses the last one."""

    def __init__(self, informer: Informer, api: RawApi, path: str, query: dict[str, str]) -> None:
        self._informer = informer
        self._args = (api, path, query)
        self._data = b""
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"kdash-prefetch-{informer.info.resource}", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        try:
            self._data = self._informer._read_page(*self._args)
        except BaseException as exc:  # re-raised on the informer thread by result()
            self._error = exc

    def result(self) -> bytes:
        self._thread.join()
        error, self._error = self._error, None
        if error is not None:
            try:
                raise error
            finally:  # no cycle exception -> traceback -> this frame -> exception (it would keep
                del error  # the failed response and its socket alive until a full collection)
        return self._data

    def discard(self) -> None:
        """Wait for the request to end (stop() unblocks it) and drop what it read."""
        self._thread.join()
        self._data = b""
        self._error = None


class Informer:
    """list+watch of one resource in one namespace (None = all namespaces or cluster-scoped)."""

    def __init__(
        self,
        info: ResourceInfo,
        namespace: str | None,
        *,
        target: Any,
        settings: ServiceSettings,
        store: Store,
        epoch: int,
        clock: Callable[[], datetime],
        fallback_namespaces: tuple[str, ...] = (),
        on_connection: ConnectionReport | None = None,
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
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._resp: Any = None  # the in-flight response, shut down by stop()
        self._children: list[Informer] = []
        self._listed = False  # data of this stream has been listed at least once
        self._split_items = True  # parse list pages item by item (off once a page was not laid out so)
        self._stale_since: datetime | None = None
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

    # ---- loop --------------------------------------------------------------------------------------
    def _make_state(self, phase: SyncPhase, message: str = "", retry_in: float | None = None) -> StreamState:
        now = self._clock()
        retry_at = now + timedelta(seconds=retry_in) if retry_in is not None else None
        if phase in (SyncPhase.LIVE, SyncPhase.POLLING):
            self._stale_since = None
        elif self._listed and self._stale_since is None and phase is not SyncPhase.SYNCING:
            self._stale_since = now  # data kept, but no longer confirmed live
        return StreamState(phase, message, retry_at, self._stale_since)

    def _state(self, phase: SyncPhase, message: str = "", retry_in: float | None = None) -> None:
        state = self._make_state(phase, message, retry_in)
        self._store.set_state(self._epoch, self.info.resource, self.namespace, state)

    def _sleep(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise _StoppedError

    def _connected(self, message: str | None) -> None:
        if self._on_connection is not None:
            self._on_connection(self._epoch, message)

    def _run(self) -> None:
        api = RawApi(
            self._target,
            connect_timeout=self._settings.connect_timeout_seconds,
            read_timeout=self._settings.request_timeout_seconds,
        )
        try:
            self._loop(api)
        except _StoppedError:
            pass
        except Exception:  # a bug must not kill the dashboard silently
            log.exception("informer %s/%s crashed", self.info.resource, self.namespace or "all")
            self._state(SyncPhase.ERROR, "internal error; see the debug log")
        finally:
            api.close()
            log.debug("informer %s/%s stopped", self.info.resource, self.namespace or "all")

    def _loop(self, api: RawApi) -> None:
        rv: str | None = None
        polling = not self.info.watchable
        while not self._stop.is_set():
            try:
                if rv is None or polling:
                    rv = self._list(api, polling)
                    if polling:
                        self._sleep(self._settings.poll_interval)
                        continue
                rv = self._watch(api, rv)
            except _StoppedError:
                raise
            except GoneError as exc:
                log.info("%s/%s: %s; relisting", self.info.resource, self.namespace or "all", exc.message)
                rv = None
            except ForbiddenError as exc:
                if self._stop.is_set():
                    break
                if rv is not None and not polling:
                    # listing is allowed but watching is not: poll instead
                    log.info(
                        "%s: watch forbidden, polling every %ss",
                        self.info.resource,
                        self._settings.poll_interval,
                    )
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
                self._fail(exc)

    def _fail(self, exc: ApiError) -> None:
        """Report an error with its retry time and back off (Retry-After wins for 429)."""
        if isinstance(exc, TooManyRequestsError) and exc.retry_after is not None:
            delay = exc.retry_after
        else:
            delay = self._backoff.next()
        if isinstance(exc, UnreachableError | UnauthorizedError):
            self._connected(exc.message)
        log.info(
            "%s/%s: %s; retrying in %.1fs", self.info.resource, self.namespace or "all", exc.message, delay
        )
        self._state(SyncPhase.ERROR, exc.message, retry_in=delay)
        self._sleep(delay)

    def _track(self, resp: Any) -> None:
        with self._lock:
            self._resp = resp
        if resp is not None and self._stop.is_set():  # stop() ran before we registered
            rawapi.shutdown_response(resp)
            raise _StoppedError

    def _read_page(self, api: RawApi, path: str, query: dict[str, str]) -> bytes:
        """GET one list page and read its whole body (stop() can interrupt the read)."""
        resp = api.open(path, query)
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
        """List every page, then replace this stream's records at once; returns the resourceVersion.

        Pipelined: the `continue` token is read first (from the list envelope, or off the raw
        bytes), so the next page is requested on a helper thread while this one is parsed and
        built; the server produces the next page while we are busy. The early token is checked
        against the parsed one, and a page fetched with a wrong one is thrown away. Items are
        parsed and built one at a time (`rawapi.iter_items`), falling back to a whole-page parse
        for pages laid out otherwise. From its first big page on, a list runs in one GC pause
        (parse + build + store); a big one (FREEZE_MIN_RECORDS) ends with a freeze of the
        long-lived records. On a slow server the pause is ended before waiting for a page once it
        lasted MAX_GC_PAUSE.
        """
        path = list_path(self.info, self.namespace)
        page_size = str(self._settings.page_size)
        records: list[Any] = []
        build = self._build
        rv = ""
        pending: _PageFetch | None = None
        with ExitStack() as paused:
            try:
                data = self._read_page(api, path, {"limit": page_size})
                big = False
                paused_at = 0.0
                while True:
                    split = rawapi.list_envelope(data) if self._split_items else None
                    meta: dict[str, Any] = {}
                    if split is not None:
                        meta = _dict(split[0].get("metadata"))
                        guess = str(meta.get("continue") or "")
                    else:
                        guess = rawapi.peek_continue(data)
                    if guess:
                        pending = _PageFetch(self, api, path, {"limit": page_size, "continue": guess})
                    if not big and len(data) >= rawapi.BIG_BODY:
                        big = True
                        paused_at = time.monotonic()
                        paused.enter_context(rawapi.gc_paused())
                    page: list[Any] = []
                    if split is not None:
                        try:
                            for obj in rawapi.iter_items(data, split[1], split[2]):
                                record = build(obj)
                                if record is not None:
                                    page.append(record)
                        except rawapi.SplitError:
                            log.debug("%s: list page not split by item; parsing it whole", self.info.resource)
                            self._split_items = False
                            split = None
                            page = []
                    if split is None:
                        doc = orjson.loads(data)
                        meta = _dict(doc.get("metadata"))
                        for obj in doc.get("items") or ():
                            record = build(obj)
                            if record is not None:
                                page.append(record)
                        del doc
                    del data
                    records.extend(page)
                    del page
                    token = str(meta.get("continue") or "")
                    rv = str(meta.get("resourceVersion") or "")
                    if not token:
                        break
                    if self._stop.is_set():
                        raise _StoppedError
                    if big and time.monotonic() - paused_at > MAX_GC_PAUSE:
                        # a slow server: do not keep the whole process's collector off while we
                        # wait; end the pause (freezing what was built) and pause again per page
                        if len(records) >= FREEZE_MIN_RECORDS:
                            rawapi.request_gc_freeze()
                        paused.close()
                        big = False
                    if pending is not None and guess == token:
                        fetch, pending = pending, None
                        data = fetch.result()
                    else:  # no guess, or a wrong one: ask for the page the parsed token names
                        if pending is not None:
                            pending.discard()
                            pending = None
                        data = self._read_page(api, path, {"limit": page_size, "continue": token})
            finally:
                if pending is not None:
                    pending.discard()
            # records and state in one write, so one publish shows the kind listed and live
            state = self._make_state(SyncPhase.POLLING if polling else SyncPhase.LIVE)
            self._store.replace(self._epoch, self.info.resource, self.namespace, records, state=state)
            if len(records) >= FREEZE_MIN_RECORDS:
                rawapi.request_gc_freeze()
        self._listed = True
        self._backoff.reset()
        self._connected(None)
        log.debug("listed %d %s in %s (rv %s)", len(records), self.info.resource, self.namespace or "all", rv)
        return rv

    def _build(self, obj: dict[str, Any]) -> Any:
        try:
            return build(self.info.resource, obj)
        except Exception:  # one odd object must not stop the kind
            log.exception("cannot build a record of %s", self.info.resource)
            return None

    def _watch(self, api: RawApi, rv: str) -> str:
        """One watch request; returns the last resourceVersion when the server ends it cleanly."""
        timeout = max(1, int(self._settings.watch_timeout_seconds * random.uniform(0.8, 1.0)))
        query = {
            "watch": "1",
            "resourceVersion": rv,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": str(timeout),
        }
        started = time.monotonic()
        resp = api.open(
            list_path(self.info, self.namespace), query, read_timeout=self._settings.read_timeout_seconds
        )
        events = 0
        try:
            self._track(resp)
            self._connected(None)
            self._state(SyncPhase.LIVE)
            for event in rawapi.iter_json_lines(resp, api.server):
                if self._stop.is_set():
                    raise _StoppedError
                rv = self._apply(event, rv)
                events += 1
        except UnreachableError as exc:
            if self._stop.is_set():
                raise _StoppedError from None
            # A dropped watch: reconnect at once from the last rv; only a failing reconnect is an error.
            log.info("%s/%s watch ended: %s", self.info.resource, self.namespace or "all", exc.message)
        finally:
            with self._lock:
                self._resp = None
            resp.close()
            resp.release_conn()
        if events == 0 and time.monotonic() - started < 1.0:
            self._sleep(self._backoff.next())  # a server closing watches at once must not spin us
        else:
            self._backoff.reset()
        return rv

    def _apply(self, event: dict[str, Any], rv: str) -> str:
        kind = event.get("type")
        obj = event.get("object") or {}
        meta = obj.get("metadata") or {}
        if kind == "ERROR":
            raise rawapi.error_from_status(int(obj.get("code") or 500), obj)
        new_rv = str(meta.get("resourceVersion") or rv)
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
        log.info(
            "%s: cluster-wide list forbidden; trying namespaces %s",
            self.info.resource,
            ", ".join(self._fallback),
        )
        self._store.drop_stream(self._epoch, self.info.resource, None)
        with self._lock:
            if self._stop.is_set():
                return True
            for ns in self._fallback:
                child = Informer(
                    self.info,
                    ns,
                    target=self._target,
                    settings=self._settings,
                    store=self._store,
                    epoch=self._epoch,
                    clock=self._clock,
                    on_connection=self._on_connection,
                )
                self._children.append(child)
                child.start()
        return True
