"""`ClusterService`: the always-current, thread-safe picture of one cluster for the UI and `kdash check`.

Threads: one informer per kind (more when falling back to per-namespace lists), one publisher that
turns store writes into snapshots and notifications at a bounded rate, one short-lived version
fetcher per scope, and a short-lived loader on context switches. No method blocks on the network
except `fetch_object` (documented as blocking).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from kdash.errors import ConfigError, KdashError
from kdash.k8s import feeds_fetch, rawapi
from kdash.k8s.backoff import Backoff
from kdash.k8s.discovery import DiscoveryRunner
from kdash.k8s.feeds import FeedManager, LiveFeed
from kdash.k8s.informer import Informer
from kdash.k8s.rawapi import ApiError, RawApi
from kdash.k8s.reachability import Reachability
from kdash.k8s.resources import METRICS_RESOURCES, RESOURCES
from kdash.k8s.settings import ServiceSettings
from kdash.k8s.states import StreamState
from kdash.k8s.store import RestartCallback, Store
from kdash.model.feeds import ApiResource, Discovery, FeedSource
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot, SyncPhase
from kdash.model.source import ChangeSet

log = logging.getLogger("kdash.k8s")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class _Scope:
    """Everything started for one (context, namespace): stopped and joined together."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self.stop_event = threading.Event()
        self.informers: list[Informer] = []
        self.threads: list[threading.Thread] = []  # version fetcher, context loader
        self.reachability: Reachability | None = None  # one probe for the scope's informers

    def stop(self) -> None:
        self.stop_event.set()
        if self.reachability is not None:
            self.reachability.close()
        for inf in self.informers:
            inf.stop()

    def join(self, deadline: float) -> bool:
        ok = True
        for inf in self.informers:
            ok = inf.join(max(0.0, deadline - time.monotonic())) and ok
        for t in self.threads:
            if t.ident is not None:
                t.join(max(0.0, deadline - time.monotonic()))
            ok = ok and not t.is_alive()
        if self.reachability is not None:
            ok = self.reachability.join(max(0.0, deadline - time.monotonic())) and ok
        return ok

    def alive(self) -> bool:
        return (
            any(t.is_alive() for inf in self.informers for t in inf.threads())
            or any(t.is_alive() for t in self.threads)
            or (self.reachability is not None and not self.reachability.join(0.0))
        )


class ClusterService:
    """Implements `kdash.model.source.ClusterSource` and `kdash.model.feeds.FeedSource` (discovery
    and on-demand feeds: kdash/k8s/discovery.py, feeds.py) over kdash's own HTTP layer."""

    def __init__(
        self,
        target: Any,
        namespace: str | None = None,
        *,
        settings: ServiceSettings | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.target = target
        self._settings = settings or ServiceSettings()
        unknown = [k for k in self._settings.kinds if k not in RESOURCES]
        if unknown:
            raise ConfigError(f"kdash cannot watch {', '.join(unknown)}.")
        self._clock = clock or _utcnow
        self._namespace = namespace
        self._store = Store(self._settings.kinds, self._clock, self._settings.metrics_interval)
        # metrics.k8s.io is list-only: its informers poll at metrics-server's resolution
        self._metrics_settings = replace(self._settings, poll_interval=self._settings.metrics_interval)
        self._lock = threading.RLock()  # guards scope changes, subscriber lists and lifecycle flags
        self._scope: _Scope | None = None
        self._retired: list[_Scope] = []
        self._subscribers: dict[int, Callable[[ChangeSet], None]] = {}
        self._restart_cbs: dict[int, RestartCallback] = {}
        self._next_id = 0
        self._started = self._stopped = False
        self._stop = threading.Event()
        self._published = threading.Condition()
        self._publisher = threading.Thread(target=self._publish_loop, name="kdash-publisher", daemon=True)
        self._connection_error: str | None = None
        self._discovery = DiscoveryRunner(self._settings)
        self._feeds = FeedManager(self._settings, self._clock)
        self._epoch = self._store.reset(target.context, target.server, namespace)
        self._store.publish()  # so snapshot() names the context even before start()
        self._store.dirty.set()

    # ---- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Start listing; returns at once. Idempotent: the CLI starts the service before the UI
        is imported, and the app's session calls `start()` again on mount (a no-op then)."""
        with self._lock:
            if self._started:
                return
            self._started = True
            self._start_scope(self.target, self._epoch)
        self._publisher.start()

    def stop(self) -> None:
        """Stop every thread and close every connection; idempotent; waits at most ~join_timeout."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            self._stop.set()
            if self._scope is not None:
                self._retire_scope()
            scopes = list(self._retired)
        feeds = self._feeds.close_all(None)
        deadline = time.monotonic() + self._settings.join_timeout
        for feed in feeds:
            if not feed.join(max(0.0, deadline - time.monotonic())):
                log.warning("feed %s did not stop in time", feed.resource.qualified)
        for scope in scopes:
            if not scope.join(deadline):
                log.warning("some informer threads did not stop within %.1fs", self._settings.join_timeout)
        self._store.dirty.set()
        if self._publisher.ident is not None:
            self._publisher.join(max(0.1, deadline - time.monotonic()))
        # Connections the stopped informers leave in reference cycles (a failed response held by an
        # exception's traceback) close only when the collector frees them: collect now (frozen
        # records are not traversed, so this is cheap), then unfreeze what the lists froze.
        gc.collect()
        rawapi.gc_unfreeze()
        with self._lock:
            self._retired = [s for s in self._retired if s.alive()]

    def _start_scope(self, target: Any, epoch: int) -> None:
        """Start the informers of `target` in the current namespace (lock held)."""
        scope = self._scope = self._scope or _Scope(epoch)
        if scope.reachability is None:
            scope.reachability = Reachability(
                target,
                interval=self._settings.probe_interval,
                connect_timeout=min(self._settings.connect_timeout_seconds, 5.0),
                read_timeout=min(self._settings.request_timeout_seconds, 5.0),
            )
        fallback = self._fallback(target)
        for kind in self._settings.kinds:
            info = RESOURCES[kind]
            inf = Informer(
                info,
                self._namespace if info.namespaced else None,
                target=target,
                settings=self._metrics_settings if kind in METRICS_RESOURCES else self._settings,
                store=self._store,
                epoch=epoch,
                clock=self._clock,
                fallback_namespaces=fallback,
                on_connection=self._report_connection,
                reachability=scope.reachability,
            )
            scope.informers.append(inf)
            inf.start()
        fetcher = threading.Thread(
            target=self._fetch_version, args=(target, scope), name="kdash-version", daemon=True
        )
        scope.threads.append(fetcher)
        fetcher.start()
        scope.threads.append(self._discovery.start(target, scope.stop_event))

    def _fallback(self, target: Any) -> tuple[str, ...]:
        """Namespaces to list one by one where a cluster-wide list is forbidden."""
        own = [target.namespace] if target.namespace else []
        return tuple(dict.fromkeys((*self._settings.namespaces, *own)))

    def _retire_scope(self) -> None:
        """Stop the current scope's threads without waiting (lock held); stop() joins them."""
        assert self._scope is not None
        self._scope.stop()
        self._retired = [s for s in self._retired if s.alive()]
        self._retired.append(self._scope)
        self._scope = None

    def _new_scope(self, context: str, server: str) -> _Scope:
        """Retire the running scope and reset the store (lock held): readers see syncing at once."""
        if self._scope is not None:
            self._retire_scope()
        rawapi.gc_unfreeze()  # the old scope's records and connections must be collectable again
        self._epoch = self._store.reset(context, server, self._namespace)
        self._connection_error = None
        self._scope = _Scope(self._epoch)
        return self._scope

    # ---- switching ---------------------------------------------------------------------------------
    def set_namespace(self, namespace: str | None) -> None:
        """Show one namespace (None = all); returns at once, data arrives as the new lists complete."""
        with self._lock:
            if namespace == self._namespace:
                return
            self._namespace = namespace
            if not self._started or self._stopped:
                self._epoch = self._store.reset(self.target.context, self.target.server, namespace)
                return
            self._new_scope(self.target.context, self.target.server)
            self._start_scope(self.target, self._epoch)

    def switch_context(self, name: str) -> None:
        """Switch to another context of the same kubeconfig; the namespace selection is kept.

        An unknown name raises ConfigError at once; anything else that goes wrong (credentials,
        exec plugins) surfaces as every kind in ERROR with the message.
        """
        if name not in self.target.contexts:
            avail = ", ".join(self.target.contexts) or "none"
            raise ConfigError(f'Context "{name}" is not in the kubeconfig. Available contexts: {avail}.')
        with self._lock:
            if self._stopped:
                return
            self._discovery.reset()
            self._feeds.close_all(
                f'kdash switched to context "{name}"; this list was of "{self.target.context}".'
            )
            scope = self._new_scope(name, "")
            # Loading runs exec plugins and reads files: never on the caller's (UI) thread.
            loader = threading.Thread(
                target=self._load_context, args=(name, scope), name="kdash-switch", daemon=True
            )
            scope.threads.append(loader)
            loader.start()

    def _load_context(self, name: str, scope: _Scope) -> None:
        try:
            target = self.target.with_context(name)
        except KdashError as exc:
            log.info("cannot switch to context %s: %s", name, exc)
            for kind in self._settings.kinds:
                self._store.set_state(scope.epoch, kind, None, StreamState(SyncPhase.ERROR, str(exc)))
            return
        with self._lock:
            if scope.stop_event.is_set() or self._epoch != scope.epoch:
                return  # switched again (or stopped) meanwhile
            old, self.target = self.target.context, target
            self._feeds.close_all(f'kdash switched to context "{name}"; this list was of "{old}".')
            self._store.reset_server(scope.epoch, target.server)
            if self._started:
                self._start_scope(target, scope.epoch)

    # ---- background helpers ------------------------------------------------------------------------
    def _report_connection(self, epoch: int, message: str | None) -> None:
        if epoch == self._epoch:
            self._connection_error = message

    def _fetch_version(self, target: Any, scope: _Scope) -> None:
        backoff = Backoff(self._settings.backoff_initial, self._settings.backoff_max)
        while not scope.stop_event.is_set():
            api = RawApi(
                target,
                connect_timeout=self._settings.connect_timeout_seconds,
                read_timeout=self._settings.request_timeout_seconds,
            )
            try:
                doc = api.get_json("/version")
                self._store.set_server_version(scope.epoch, str(doc.get("gitVersion") or ""))
                return
            except ApiError as exc:
                log.debug("GET /version failed: %s", exc.message)
            finally:
                api.close()
            scope.stop_event.wait(backoff.next())

    def _publish_loop(self) -> None:
        interval = 1.0 / self._settings.max_notify_hz
        store = self._store
        while not self._stop.is_set():
            store.dirty.wait(0.5)
            if self._stop.is_set():
                break
            store.dirty.clear()
            began = time.monotonic()
            try:
                result = store.publish()
            except Exception:  # a bug must not freeze every screen: log it, publish the next change
                log.exception("publishing a snapshot failed")
                result = None
            if result is not None:
                changes, restarts = result
                with self._published:
                    self._published.notify_all()
                with self._lock:
                    subscribers = list(self._subscribers.values())
                    restart_cbs = list(self._restart_cbs.values())
                for cb in subscribers:
                    try:
                        cb(changes)
                    except Exception:
                        log.exception("a ChangeSet subscriber failed")
                for pod, container, old, new in restarts:
                    for rcb in restart_cbs:
                        try:
                            rcb(pod, container, old, new)
                        except Exception:
                            log.exception("a restart subscriber failed")
            self._stop.wait(max(0.0, interval - (time.monotonic() - began)))

    # ---- reads ---------------------------------------------------------------------------------------
    def snapshot(self) -> ClusterSnapshot:
        return self._store.snapshot()

    def subscribe(self, callback: Callable[[ChangeSet], None]) -> Callable[[], None]:
        with self._lock:
            self._next_id += 1
            sid = self._next_id
            self._subscribers[sid] = callback

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers.pop(sid, None)

        return unsubscribe

    def on_restart(self, callback: RestartCallback) -> Callable[[], None]:
        """`callback(pod, container, old_count, new_count)` when a container's restartCount rises
        (compared with the previous record of the same pod uid; never for the initial list)."""
        with self._lock:
            self._next_id += 1
            sid = self._next_id
            self._restart_cbs[sid] = callback

        def unsubscribe() -> None:
            with self._lock:
                self._restart_cbs.pop(sid, None)

        return unsubscribe

    def attach_crash_log(self, namespace: str, pod: str, container: str, lines: Sequence[str]) -> None:
        self._store.attach_crash_log(namespace, pod, container, lines)

    def contexts(self) -> list[str]:
        return list(self.target.contexts)

    def server_version(self) -> str:
        return self._store.snapshot().server_version

    def connection_error(self) -> str | None:
        """The last connection-level failure (unreachable, TLS, 401) of the current scope, or None."""
        return self._connection_error

    def wait_until_synced(self, timeout: float) -> bool:
        """Block until every kind has left SYNCING in a published snapshot (True) or `timeout` passes."""
        deadline = time.monotonic() + timeout
        with self._published:
            while True:
                states = self._store.snapshot().states
                current = self._store.published_epoch == self._store.epoch  # not a pre-switch snapshot
                if (
                    current
                    and len(states) == len(self._settings.kinds)
                    and all(s.phase is not SyncPhase.SYNCING for s in states.values())
                ):
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._published.wait(min(remaining, 0.2))

    # ---- any kind (FeedSource) -------------------------------------------------------------------
    def discovery(self) -> Discovery:
        """The latest discovery (SYNCING until the first answer); runs per scope in the background."""
        return self._discovery.current()

    def open_table(self, resource: ApiResource, namespace: str | None) -> LiveFeed:
        """A Table feed (Secrets: metadata only); see kdash/k8s/feeds.py. Never blocks."""
        self._check_running()
        return self._feeds.open_table(self.target, resource, namespace, self._fallback(self.target))

    def open_objects(
        self,
        resource: ApiResource,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> LiveFeed:
        """A feed of raw objects for typed screens; refuses Secrets (KdashError). Never blocks."""
        self._check_running()
        return self._feeds.open_objects(
            self.target,
            resource,
            namespace,
            self._fallback(self.target),
            label_selector=label_selector,
            field_selector=field_selector,
        )

    def _check_running(self) -> None:
        if self._stopped:
            raise KdashError("kdash has stopped watching the cluster.")

    def fetch_object(self, key: ObjectKey) -> dict[str, Any]:
        """BLOCKING GET of one object of a watched, fetchable or discovered kind (CRD instances
        included), managedFields dropped. Never reads Secrets."""
        return feeds_fetch.fetch_object(self.target, self._settings, key, self.discovery())

    def fetch_resource(self, resource: ApiResource, namespace: str, name: str) -> dict[str, Any]:
        """BLOCKING GET of one object of an exact discovered resource. Never reads Secrets."""
        return feeds_fetch.fetch_resource(self.target, self._settings, resource, namespace, name)

    def fetch_metadata(self, key: ObjectKey) -> dict[str, Any]:
        """BLOCKING GET of one object as PartialObjectMetadata (Secrets too: never their data)."""
        return feeds_fetch.fetch_metadata(self.target, self._settings, key, self.discovery())


def _typed(service: ClusterService) -> FeedSource:
    return service  # mypy checks here that ClusterService implements the FeedSource contract
