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


class _StoppedError(Exception):
    """Raised inside the loop when stop() was requested."""


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
    def _state(self, phase: SyncPhase, message: str = "", retry_in: float | None = None) -> None:
        now = self._clock()
        retry_at = now + timedelta(seconds=retry_in) if retry_in is not None else None
        if phase in (SyncPhase.LIVE, SyncPhase.POLLING):
            self._stale_since = None
        elif self._listed and self._stale_since is None and phase is not SyncPhase.SYNCING:
            self._stale_since = now  # data kept, but no longer confirmed live
        state = StreamState(phase, message, retry_at, self._stale_since)
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

    def _list(self, api: RawApi, polling: bool) -> str:
        """List every page, then replace this stream's records at once; returns the resourceVersion."""
        path = list_path(self.info, self.namespace)
        records: list[Any] = []
        token = ""
        rv = ""
        while True:
            query = {"limit": str(self._settings.page_size)}
            if token:
                query["continue"] = token
            resp = api.open(path, query)
            try:
                self._track(resp)
                data = resp.read()
            except (OSError, ValueError) as exc:
                raise UnreachableError(0, rawapi.describe_connection_error(api.server, exc)) from None
            finally:
                with self._lock:
                    self._resp = None
                resp.release_conn()
            with rawapi.gc_paused(len(data)):
                doc = orjson.loads(data)
                meta = doc.get("metadata") or {}
                for obj in doc.get("items") or ():
                    record = self._build(obj)
                    if record is not None:
                        records.append(record)
                del doc
            token = str(meta.get("continue") or "")
            rv = str(meta.get("resourceVersion") or "")
            if not token:
                break
            if self._stop.is_set():
                raise _StoppedError
        self._store.replace(self._epoch, self.info.resource, self.namespace, records)
        self._listed = True
        self._backoff.reset()
        self._connected(None)
        self._state(SyncPhase.POLLING if polling else SyncPhase.LIVE)
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
