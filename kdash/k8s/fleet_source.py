"""`FleetSource`: the dashboard's `ClusterSource` in fleet mode, over the context opened last.

The session and every screen keep talking to one source; switching contexts (enter on a fleet
row, `:ctx`) only points it at another member's running service, so nothing is listed again (the
member is upgraded to the full kind set the first time it is opened, see kdash/k8s/fleet.py).
Generations are rebased on every switch so they only ever grow, as the session expects of one
source, and the switch itself is announced as a change set with `scope_changed`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from kdash.errors import KdashError
from kdash.k8s.fleet import FLEET_KINDS, Fleet
from kdash.k8s.kubeconfig import KubeTarget
from kdash.k8s.service import ClusterService
from kdash.model.feeds import ApiResource, Discovery, Feed
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot, KindState, SyncPhase
from kdash.model.source import ChangeSet


class FleetSource:
    """Implements `ClusterSource` and `FeedSource` by delegating to the active member's service."""

    def __init__(self, fleet: Fleet, active: str) -> None:
        self.fleet = fleet
        self._active = active
        self._lock = threading.Lock()
        self._service: ClusterService | None = None  # the active member's, when last looked at
        self._base = 0  # added to the active service's generations
        self._top = 0  # the highest generation handed out
        self._cache: tuple[ClusterSnapshot | None, ClusterSnapshot | None] = (None, None)
        self._subscribers: dict[int, Callable[[ChangeSet], None]] = {}
        self._next = 0
        self._namespace: tuple[str | None] | None = None  # asked for before the member loaded
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def active(self) -> str:
        return self._active

    @property
    def target(self) -> KubeTarget | None:
        """The active context's target (the log service reads the cluster to follow here)."""
        return self.fleet.target(self._active)

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        if self._unsubscribe is None:
            self._unsubscribe = self.fleet.subscribe(self._member_changed)
        self.fleet.open(self._active)
        self.fleet.start()

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.fleet.stop()

    # ---- switching -------------------------------------------------------------------------------
    def switch_context(self, context: str) -> None:
        """Show another member (added to the fleet when it is only in the kubeconfig); never blocks."""
        if context not in self.fleet.contexts:
            self.fleet.add(context)  # ConfigError for a context the kubeconfig does not have
        old = self.fleet.service(self._active)
        with self._lock:
            self._active = context
        self.fleet.open(context)
        if old is not None:  # the namespace selection is kept, as `:ctx` keeps it
            self.set_namespace(old.snapshot().namespace)
        self._rebase()

    def set_namespace(self, namespace: str | None) -> None:
        """The active member's namespace (None: all); kept for it while it is not loaded yet."""
        service = self.fleet.service(self._active)
        if service is None:
            self._namespace = (namespace,)
        elif service.snapshot().namespace != namespace:
            service.set_namespace(namespace)

    def _member_changed(self, context: str, changes: ChangeSet | None) -> None:
        """Fleet thread: forward the active member's changes; a new service there is a new scope."""
        if context != self._active:
            return
        if changes is None or self.fleet.service(context) is not self._service:
            self._rebase()
            return
        with self._lock:
            out = replace(changes, generation=changes.generation + self._base)
            self._top = max(self._top, out.generation)
            subscribers = list(self._subscribers.values())
        for cb in subscribers:
            cb(out)

    def _rebase(self) -> None:
        """The active service changed (another member, or its full service): generations go on
        from the highest handed out, and subscribers hear of a new scope."""
        service = self.fleet.service(self._active)
        pending = self._namespace
        if service is not None and pending is not None:
            self._namespace = None
            service.set_namespace(pending[0])
        with self._lock:
            self._service = service
            current = service.snapshot().generation if service is not None else 0
            self._base = self._top + 1
            self._cache = (None, None)
            out = ChangeSet(generation=self._base + current, states_changed=True, scope_changed=True)
            self._top = max(self._top, out.generation)
            subscribers = list(self._subscribers.values())
        for cb in subscribers:
            cb(out)

    # ---- reads -----------------------------------------------------------------------------------
    def snapshot(self) -> ClusterSnapshot:
        service = self.fleet.service(self._active)
        if service is None or service is not self._service:
            return self._placeholder()
        raw = service.snapshot()
        with self._lock:
            seen, made = self._cache
            if seen is raw and made is not None:
                return made
            made = replace(raw, generation=raw.generation + self._base)
            self._cache = (raw, made)
            self._top = max(self._top, made.generation)
            return made

    def _placeholder(self) -> ClusterSnapshot:
        """Before the active member's service runs: syncing, or its load error on every kind."""
        status = self.fleet.status(self._active)
        states: dict[str, KindState] = {}
        if status.load_error:
            states = {k: KindState(k, SyncPhase.ERROR, status.load_error) for k in FLEET_KINDS}
        with self._lock:
            return ClusterSnapshot(
                generation=self._top,
                context=self._active,
                server=status.server,
                states=MappingProxyType(states),
            )

    def subscribe(self, callback: Callable[[ChangeSet], None]) -> Callable[[], None]:
        with self._lock:
            ident, self._next = self._next, self._next + 1
            self._subscribers[ident] = callback

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers.pop(ident, None)

        return unsubscribe

    def contexts(self) -> list[str]:
        return self.fleet.all_contexts

    def server_version(self) -> str:
        return self.snapshot().server_version

    def connection_error(self) -> str | None:
        status = self.fleet.status(self._active)
        return status.load_error or status.connection_error

    def _running(self) -> ClusterService:
        service = self.fleet.service(self._active)
        if service is None:
            reason = self.fleet.status(self._active).load_error or "it is still being loaded"
            raise KdashError(f'Context "{self._active}" is not connected: {reason}')
        return service

    def fetch_object(self, key: ObjectKey) -> dict[str, Any]:
        return self._running().fetch_object(key)

    # ---- any kind (FeedSource) -------------------------------------------------------------------
    def discovery(self) -> Discovery:
        service = self.fleet.service(self._active)
        return service.discovery() if service is not None else Discovery()

    def open_table(self, resource: ApiResource, namespace: str | None) -> Feed:
        return self._running().open_table(resource, namespace)

    def open_objects(
        self,
        resource: ApiResource,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> Feed:
        return self._running().open_objects(
            resource, namespace, label_selector=label_selector, field_selector=field_selector
        )

    def fetch_resource(self, resource: ApiResource, namespace: str, name: str) -> dict[str, Any]:
        return self._running().fetch_resource(resource, namespace, name)

    def fetch_metadata(self, key: ObjectKey) -> dict[str, Any]:
        return self._running().fetch_metadata(key)
