"""The in-memory picture of the cluster: mutable dicts under a lock, immutable snapshots for readers.

Informer threads apply lists and watch events to per-kind dicts and record which keys changed.
A publisher thread, at most `max_notify_hz` times a second, copies only the kinds that changed
into read-only maps (copy-on-write at publish time, never per event), publishes a new
`ClusterSnapshot` and hands the coalesced `ChangeSet` to subscribers.

Every write carries the scope `epoch` it was started under; a context or namespace switch bumps the
epoch, so a late write from an informer that is still shutting down is dropped instead of leaking
old-cluster objects into the new picture.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol

from kdash.k8s.records import WorkloadIndex, restart_records_of
from kdash.k8s.states import StreamState, merge_states
from kdash.k8s.usage import UsageTracker
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord, RestartRecord
from kdash.model.snapshot import ClusterSnapshot, KindState
from kdash.model.source import ChangeSet
from kdash.model.usage import DEFAULT_INTERVAL_S

log = logging.getLogger("kdash.k8s")

# Snapshot field of each resource; the five workload kinds share `workloads`.
FIELD_OF: dict[str, str] = {
    "namespaces": "namespaces",
    "nodes": "nodes",
    "pods": "pods",
    "events": "events",
    "deployments": "workloads",
    "statefulsets": "workloads",
    "daemonsets": "workloads",
    "jobs": "workloads",
    "cronjobs": "workloads",
    "replicasets": "replicasets",
    "horizontalpodautoscalers": "hpas",
    "resourcequotas": "quotas",
    "limitranges": "limitranges",
    "services": "services",
    "poddisruptionbudgets": "pdbs",
    "networkpolicies": "netpols",
    "ingresses": "ingresses",
    "configmaps": "configmaps",
    "roles": "roles",
    "clusterroles": "roles",
    "rolebindings": "bindings",
    "clusterrolebindings": "bindings",
}

CRASH_LOG_LINES = 100
CRASH_LOG_CONTAINERS = 200

RestartCallback = Callable[[PodRecord, str, int, int], None]


class RecordSink(Protocol):
    """What an informer writes to: the `Store` (the dashboard's kinds) or one feed (kdash.k8s.feeds)."""

    def set_state(self, epoch: int, kind: str, namespace: str | None, state: StreamState) -> None: ...

    def drop_stream(self, epoch: int, kind: str, namespace: str | None) -> None: ...

    def replace(
        self,
        epoch: int,
        kind: str,
        namespace: str | None,
        records: Iterable[Any],
        *,
        state: StreamState | None = None,
    ) -> None: ...

    def upsert(self, epoch: int, kind: str, record: Any) -> None: ...

    def delete(self, epoch: int, kind: str, key: ObjectKey) -> None: ...


@dataclass(frozen=True, slots=True)
class Scope:
    """What the store currently shows; replaced wholesale on a switch."""

    context: str
    server: str
    namespace: str | None
    epoch: int


def _restart_order(r: RestartRecord) -> tuple[int, int, str, str, str]:
    return (0 if r.state_text == "CrashLoopBackOff" else 1, -r.restarts, r.namespace, r.pod, r.container)


class Store:
    """Thread-safe store + change tracking. Publishing is driven by `publish()` (see Publisher)."""

    def __init__(
        self,
        kinds: Sequence[str],
        clock: Callable[[], datetime],
        metrics_interval: float = DEFAULT_INTERVAL_S,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._kinds = tuple(kinds)
        self._records: dict[str, dict[ObjectKey, Any]] = {k: {} for k in self._kinds}
        self._restarts: dict[ObjectKey, tuple[RestartRecord, ...]] = {}
        self._streams: dict[str, dict[str | None, StreamState]] = {k: {} for k in self._kinds}
        self._crash_logs: OrderedDict[tuple[str, str, str], tuple[str, ...]] = OrderedDict()
        self._scope = Scope("", "", None, 0)
        self._server_version = ""
        # pending changes since the last publish
        self._added: set[ObjectKey] = set()
        self._modified: set[ObjectKey] = set()
        self._deleted: set[ObjectKey] = set()
        self._dirty_kinds: set[str] = set(self._kinds)
        self._restarts_dirty = True
        self._index = WorkloadIndex()  # pods_by_workload, updated per change (never rebuilt whole)
        self._states_changed = True
        self._scope_changed = False
        self._restart_events: list[tuple[PodRecord, str, int, int]] = []
        # metrics.k8s.io lists become `snapshot.usage` (kdash.k8s.usage), not object maps
        self._usage = UsageTracker(self._kinds, metrics_interval)
        self._gone_pods: list[ObjectKey] = []  # deleted since the last publish: their series go
        self._gone_nodes: list[str] = []
        self.dirty = threading.Event()  # set on every write; the publisher waits on it
        self._snapshot = ClusterSnapshot(states=MappingProxyType(self._merged_states()))
        self.published_epoch = 0  # the scope epoch of the last published snapshot

    # ---- scope ---------------------------------------------------------------------------------
    def reset(self, context: str, server: str, namespace: str | None) -> int:
        """Forget everything (new context or namespace); returns the new epoch for new informers."""
        with self._lock:
            epoch = self._scope.epoch + 1
            self._scope = Scope(context, server, namespace, epoch)
            self._server_version = ""
            for kind in self._kinds:
                self._records[kind] = {}
                self._streams[kind] = {}
            self._restarts.clear()
            self._added.clear()
            self._modified.clear()
            self._deleted.clear()
            self._restart_events.clear()
            self._usage.reset()
            self._gone_pods.clear()
            self._gone_nodes.clear()
            self._dirty_kinds = set(self._kinds)
            self._index.clear()
            self._restarts_dirty = True
            self._states_changed = True
            self._scope_changed = True
        self.dirty.set()
        return epoch

    @property
    def epoch(self) -> int:
        return self._scope.epoch

    def reset_server(self, epoch: int, server: str) -> None:
        """The server address of a context that finished loading after the switch began."""
        with self._lock:
            if epoch == self._scope.epoch:
                self._scope = replace(self._scope, server=server)
                self._states_changed = True
        self.dirty.set()

    def set_server_version(self, epoch: int, version: str) -> None:
        with self._lock:
            if epoch == self._scope.epoch and version != self._server_version:
                self._server_version = version
                self._states_changed = True
        self.dirty.set()

    # ---- writes from informers -----------------------------------------------------------------
    def set_state(self, epoch: int, kind: str, namespace: str | None, state: StreamState) -> None:
        """Record one stream's state (a kind has one stream, or one per namespace in fallback)."""
        with self._lock:
            if epoch != self._scope.epoch or kind not in self._streams:
                return
            if self._streams[kind].get(namespace) == state:
                return
            self._streams[kind][namespace] = state
            self._states_changed = True
        self.dirty.set()

    def drop_stream(self, epoch: int, kind: str, namespace: str | None) -> None:
        with self._lock:
            if epoch == self._scope.epoch and self._streams[kind].pop(namespace, None) is not None:
                self._states_changed = True
        self.dirty.set()

    def replace(
        self,
        epoch: int,
        kind: str,
        namespace: str | None,
        records: Iterable[Any],
        *,
        state: StreamState | None = None,
    ) -> None:
        """A complete list of `kind` in `namespace` (None = all): add, update and delete to match it.

        `state`, when given, is that stream's new state, recorded in the same write (one publish
        then shows the records and the kind as listed together).
        """
        with self._lock:
            if epoch != self._scope.epoch:
                return
            if state is not None and kind in self._streams and self._streams[kind].get(namespace) != state:
                self._streams[kind][namespace] = state
                self._states_changed = True
            if kind in self._usage.kinds:  # a metrics poll: usage, not objects
                self._usage.replace(kind, namespace, records)
                self._dirty_kinds.add(kind)
                self.dirty.set()
                return
            current = self._records[kind]
            first = not current  # nothing can be gone: no need to remember what was seen
            seen: set[ObjectKey] = set()
            for record in records:
                key = record.meta.key
                if not first:
                    seen.add(key)
                self._put(kind, key, record, current.get(key), initial=True)
            if not first:
                gone = [
                    k for k in current if k not in seen and (namespace is None or k.namespace == namespace)
                ]
                for key in gone:
                    self._remove(kind, key)
        self.dirty.set()

    def upsert(self, epoch: int, kind: str, record: Any) -> None:
        with self._lock:
            if epoch != self._scope.epoch or kind in self._usage.kinds:
                return
            key = record.meta.key
            self._put(kind, key, record, self._records[kind].get(key), initial=False)
        self.dirty.set()

    def delete(self, epoch: int, kind: str, key: ObjectKey) -> None:
        with self._lock:
            if epoch != self._scope.epoch or key not in self._records[kind]:
                return
            self._remove(kind, key)
        self.dirty.set()

    def _put(self, kind: str, key: ObjectKey, record: Any, old: Any, *, initial: bool) -> None:
        """Store one record and note the change (lock held)."""
        if (
            old is not None
            and old.meta.resource_version == record.meta.resource_version
            and old.meta.uid == record.meta.uid
        ):
            return  # relist after 410 re-delivers unchanged objects: not a change
        self._records[kind][key] = record
        self._dirty_kinds.add(kind)
        if old is None:
            if self._deleted and key in self._deleted:  # deleted then re-created within one window
                self._deleted.discard(key)
                self._modified.add(key)
            else:
                self._added.add(key)
        elif key not in self._added:
            self._modified.add(key)
        if kind == "replicasets" and (old is None or old.meta.owners != record.meta.owners):
            self._index.replicaset_changed(
                key.namespace, key.name, self._records.get("pods", {}), self._records[kind]
            )
        if kind == "pods":
            self._index.put_pod(
                key, record.meta, None if old is None else old.meta, self._records.get("replicasets", {})
            )
            restarts = restart_records_of(record)
            # a new pod has no restarts remembered (they are kept for stored pods only)
            if restarts != (self._restarts.get(key, ()) if old is not None else ()):
                self._restarts_dirty = True
            if restarts:
                self._restarts[key] = restarts
            elif old is not None:
                self._restarts.pop(key, None)
            if old is not None and not initial and old.meta.uid == record.meta.uid:
                self._note_restarts(old, record)

    def _note_restarts(self, old: PodRecord, new: PodRecord) -> None:
        before = {c.name: c.restart_count for c in (*old.init_containers, *old.containers)}
        for c in (*new.init_containers, *new.containers):
            prev = before.get(c.name)
            if prev is not None and c.restart_count > prev:
                self._restart_events.append((new, c.name, prev, c.restart_count))

    def _remove(self, kind: str, key: ObjectKey) -> None:
        old = self._records[kind].pop(key)
        self._dirty_kinds.add(kind)
        if key in self._added:
            self._added.discard(key)
        else:
            self._modified.discard(key)
            self._deleted.add(key)
        if kind == "replicasets":
            self._index.replicaset_changed(
                key.namespace, key.name, self._records.get("pods", {}), self._records[kind]
            )
        elif kind == "pods":
            self._index.remove_pod(key, old.meta)
            self._gone_pods.append(key)
            if self._restarts.pop(key, ()):
                self._restarts_dirty = True
        elif kind == "nodes":
            self._gone_nodes.append(key.name)

    def attach_crash_log(self, namespace: str, pod: str, container: str, lines: Sequence[str]) -> None:
        key = (namespace, pod, container)
        with self._lock:
            self._crash_logs[key] = tuple(lines[-CRASH_LOG_LINES:])
            self._crash_logs.move_to_end(key)
            while len(self._crash_logs) > CRASH_LOG_CONTAINERS:
                self._crash_logs.popitem(last=False)
            self._restarts_dirty = True
            pod_key = ObjectKey("Pod", namespace, pod)
            if pod_key in self._records.get("pods", {}) and pod_key not in self._added:
                self._modified.add(pod_key)
        self.dirty.set()

    # ---- reads -------------------------------------------------------------------------------------
    def snapshot(self) -> ClusterSnapshot:
        return self._snapshot  # an atomic reference read: no lock needed

    def records(self, kind: str) -> Mapping[ObjectKey, Any]:
        """A read-only copy of one kind's records (for kinds outside the snapshot, e.g. metrics)."""
        with self._lock:
            return MappingProxyType(dict(self._records.get(kind, {})))

    def scope(self) -> Scope:
        return self._scope

    def kind_states(self) -> dict[str, KindState]:
        with self._lock:
            return self._merged_states()

    def _merged_states(self) -> dict[str, KindState]:
        return {kind: merge_states(kind, self._streams[kind], self._count(kind)) for kind in self._kinds}

    def _count(self, kind: str) -> int:
        return self._usage.count(kind) if kind in self._usage.kinds else len(self._records[kind])

    # ---- publishing ----------------------------------------------------------------------------
    def publish(self) -> tuple[ChangeSet, list[tuple[PodRecord, str, int, int]]] | None:
        """Build and publish a new snapshot if anything changed; returns the ChangeSet and the
        restart notifications collected since the last publish."""
        with self._lock:
            if not (self._dirty_kinds or self._states_changed or self._scope_changed or self._restarts_dirty):
                return None  # a metrics poll marks its kind dirty, so it is never skipped here
            prev = self._snapshot
            generation = prev.generation + 1
            fields: dict[str, Any] = {}
            dirty_fields = {FIELD_OF[k] for k in self._dirty_kinds if k in FIELD_OF}
            for name in dirty_fields:
                merged: dict[ObjectKey, Any] = {}
                for kind, field_name in FIELD_OF.items():
                    if field_name == name and kind in self._records:
                        merged.update(self._records[kind])
                fields[name] = MappingProxyType(merged)
            if self._index.dirty:  # only when a pod's group changed; unchanged groups are reused
                fields["pods_by_workload"] = MappingProxyType(self._index.view())
            if self._restarts_dirty:
                fields["restarts"] = self._build_restarts()
            if self._gone_pods or self._gone_nodes:
                self._usage.forget(self._gone_pods, self._gone_nodes)
                self._gone_pods, self._gone_nodes = [], []
            if self._states_changed or self._scope_changed:
                states = self._merged_states()
                states_changed = True
            else:  # no stream changed state: only the counts of the kinds written can differ
                states = dict(prev.states)
                states_changed = False
                for kind in self._dirty_kinds:
                    state = merge_states(kind, self._streams[kind], self._count(kind))
                    if state != states.get(kind):
                        states[kind] = state
                        states_changed = True
            usage = self._usage.publish(states)
            if usage is not None or self._scope_changed:
                fields["usage"] = usage or self._usage.view
            changes = ChangeSet(
                generation=generation,
                added=frozenset(self._added),
                modified=frozenset(self._modified),
                deleted=frozenset(self._deleted),
                states_changed=states_changed,
                scope_changed=self._scope_changed,
                usage_changed=usage is not None,
            )
            scope = self._scope
            if self._scope_changed:
                base = ClusterSnapshot()  # nothing of the old scope survives
            else:
                base = prev
            self._snapshot = replace(
                base,
                generation=generation,
                context=scope.context,
                server=scope.server,
                server_version=self._server_version,
                namespace=scope.namespace,
                taken_at=self._clock(),
                states=MappingProxyType(states),
                **fields,
            )
            self.published_epoch = scope.epoch
            self._added, self._modified, self._deleted = set(), set(), set()
            self._dirty_kinds = set()
            self._restarts_dirty = self._states_changed = self._scope_changed = False
            events, self._restart_events = self._restart_events, []
        return changes, events

    def _build_restarts(self) -> tuple[RestartRecord, ...]:
        out: list[RestartRecord] = []
        logs = self._crash_logs
        for records in self._restarts.values():
            for r in records:
                lines = logs.get((r.namespace, r.pod, r.container))
                out.append(replace(r, crash_log=lines) if lines else r)
        out.sort(key=_restart_order)
        return tuple(out)
