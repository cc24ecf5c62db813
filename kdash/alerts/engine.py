"""AlertEngine: published snapshots and their change sets in, what opened and resolved out.

Incremental, because the dashboard runs at 10,000 pods and renders ten times a second: an update
re-examines only the objects its change sets name, plus those whose due time has come (a pod Pending
for 4 of 5 minutes is due in one, so its alert fires on time although nothing about it changes).
A full pass runs on the first update, when no change sets are given, and when the scope changes.
One alert per (condition, object, container): a repeat while open bumps its count; when the
condition clears (or the object goes) it is resolved and kept a while as recently resolved.
Pure: no I/O, no clock (`now` is a parameter), not thread-safe (one caller at a time).
"""

from __future__ import annotations

import heapq
from collections import OrderedDict, deque
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from operator import attrgetter

from kdash.alerts.conditions import (
    WATCHED_KINDS,
    Found,
    Hit,
    alert_id,
    deployment_conditions,
    hpa_conditions,
    node_conditions,
    pod_conditions,
    quota_conditions,
)
from kdash.alerts.config import AlertsConfig
from kdash.alerts.model import Alert, AlertBoard, AlertDelta, AlertSeverity
from kdash.model.autoscaling import HpaRecord
from kdash.model.cluster import NodeRecord
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.quotas import QuotaRecord
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.source import ChangeSet
from kdash.model.workloads import WorkloadRecord

Changes = ChangeSet | Iterable[ChangeSet] | None
NEVER = datetime.min.replace(tzinfo=UTC)  # a baseline older than any window
_KEY_ORDER = attrgetter("kind", "namespace", "name")  # tuples of str: sorting 12,000 keys in C


def _order(alert: Alert) -> tuple[int, float, str]:
    """Errors first, then the most recently seen, then by id (a stable order for equal times)."""
    return (0 if alert.severity is AlertSeverity.ERROR else 1, -alert.last_seen.timestamp(), alert.id)


class AlertEngine:
    """The open and recently resolved alerts of one cluster view; see the module docstring."""

    def __init__(self, config: AlertsConfig | None = None) -> None:
        self.config = config or AlertsConfig()
        self._open: dict[str, Alert] = {}
        self._marks: dict[str, Hashable] = {}
        self._by_key: dict[ObjectKey, set[str]] = {}
        self._resolved: OrderedDict[str, Alert] = OrderedDict()
        self._due: list[tuple[datetime, int, ObjectKey]] = []
        self._due_at: dict[ObjectKey, datetime] = {}
        self._seq = 0
        # pod -> container -> (when, restart count) observations, for RestartJump (only containers
        # that restarted), and the pods examined before (whose containers without history had 0)
        self._seen_pods: set[ObjectKey] = set()
        self._restarts: dict[ObjectKey, dict[str, deque[tuple[datetime, int]]]] = {}
        self._since: dict[str, datetime] = {}
        self._scope: tuple[str, str | None] | None = None  # (context, namespace) of the last update
        self.last_examined = 0  # objects examined by the last update (for tests and tuning)
        self.last_full = False
        self._board: AlertBoard | None = AlertBoard()

    # -- reading -------------------------------------------------------------------------------------

    def open_alerts(self) -> list[Alert]:
        """Open alerts, errors first, most recently seen first."""
        return sorted(self._open.values(), key=_order)

    def resolved_alerts(self) -> list[Alert]:
        """Recently resolved alerts, newest first (bounded by resolved_keep / resolved_minutes)."""
        return list(reversed(self._resolved.values()))

    def board(self) -> AlertBoard:
        """Open and resolved alerts as one immutable value, rebuilt only after a change."""
        if self._board is None:
            self._board = AlertBoard(tuple(self.open_alerts()), tuple(self.resolved_alerts()))
        return self._board

    def next_due(self) -> datetime | None:
        """The earliest time an update would change something without a change set (for `kdash
        watch`, which can sleep until then)."""
        self._drop_stale_due()
        return self._due[0][0] if self._due else None

    @property
    def open_count(self) -> int:
        return len(self._open)

    def worst_severity(self) -> AlertSeverity | None:
        if not self._open:
            return None
        if any(a.severity is AlertSeverity.ERROR for a in self._open.values()):
            return AlertSeverity.ERROR
        return AlertSeverity.WARNING

    # -- updating ------------------------------------------------------------------------------------

    def work_for(self, snapshot: ClusterSnapshot, changes: Changes) -> int:
        """About how many objects `update(snapshot, changes, ...)` would examine (a caller with a
        budget, such as the TUI's event loop, hands big updates to a thread)."""
        sets = _sets(changes)
        if self._needs_full(snapshot, sets):
            maps = (snapshot.pods, snapshot.workloads, snapshot.hpas, snapshot.quotas, snapshot.nodes)
            return sum(len(m) for m in maps)
        assert sets is not None
        return sum(len(c.added) + len(c.modified) + len(c.deleted) for c in sets)

    def last_full_needed(self, snapshot: ClusterSnapshot, changes: Changes) -> bool:
        """Whether `update(snapshot, changes, ...)` would make a full pass (first update, scope change)."""
        return self._needs_full(snapshot, _sets(changes))

    def _needs_full(self, snapshot: ClusterSnapshot, sets: list[ChangeSet] | None) -> bool:
        scope = (snapshot.context, snapshot.namespace)
        return (
            sets is None or self._scope is None or scope != self._scope or any(c.scope_changed for c in sets)
        )

    def update(self, snapshot: ClusterSnapshot, changes: Changes, now: datetime) -> AlertDelta:
        """Take in one published snapshot: `changes` are the change sets since the previous update
        (one, several, or an empty list when only time moved on); None means "unknown": a full pass."""
        sets = _sets(changes)
        delta = _Delta()
        scope = (snapshot.context, snapshot.namespace)
        full = self._needs_full(snapshot, sets)
        if self._scope is not None and scope != self._scope:
            self._drop_out_of_scope(snapshot, scope[0] != self._scope[0], delta)
        self._scope = scope
        self.last_full = full
        self.last_examined = 0
        if full:
            keys = set(_all_keys(snapshot))
            keys.update(k for k in self._by_key if _lookup(snapshot, k) is None)  # gone: resolve
            self._forget_outside(snapshot)
        else:
            assert sets is not None
            keys = {k for c in sets for k in (*c.added, *c.modified, *c.deleted) if k.kind in WATCHED_KINDS}
        while self._due and self._due[0][0] <= now:  # time-based conditions that are due now
            when, _, key = heapq.heappop(self._due)
            if self._due_at.get(key) == when:
                del self._due_at[key]
                keys.add(key)
        # in key order: the same alerts come out in the same order whichever way they were found
        for key in sorted(keys, key=_KEY_ORDER):
            self._examine(snapshot, key, now, delta)
        pruned = self._prune_resolved(now)
        frozen = delta.freeze()
        if pruned or not frozen.empty:
            self._board = None
        return frozen

    def _examine(self, snapshot: ClusterSnapshot, key: ObjectKey, now: datetime, delta: _Delta) -> None:
        self.last_examined += 1
        record = _lookup(snapshot, key)
        if record is None:
            for ident in sorted(self._by_key.get(key, ())):
                self._resolve(ident, now, "deleted", delta)
            self._forget(key)
            return
        found = self._conditions(record, now)
        if key.kind == "Pod":
            self._seen_pods.add(key)
        seen: set[str] = set()
        for hit in found.hits:
            ident = alert_id(hit.condition, key, hit.container)
            seen.add(ident)
            self._since.pop(ident, None)
            self._hold(ident, key, hit, snapshot.context, now, delta)
        for ident in sorted(self._by_key.get(key, set()) - seen):
            self._resolve(ident, now, "cleared", delta)
        self._set_due(key, found.due)

    def _conditions(self, record: object, now: datetime) -> Found:
        cfg = self.config
        if isinstance(record, PodRecord):
            return pod_conditions(record, record.meta.key, now, cfg, self)
        if isinstance(record, WorkloadRecord):
            return deployment_conditions(record, cfg)
        if isinstance(record, HpaRecord):
            return hpa_conditions(record, now, cfg, self)
        if isinstance(record, QuotaRecord):
            return quota_conditions(record, cfg)
        if isinstance(record, NodeRecord):
            return node_conditions(record, cfg)
        return Found()

    def _hold(self, ident: str, key: ObjectKey, hit: Hit, context: str, now: datetime, delta: _Delta) -> None:
        """The condition holds: open it, or count a repeat, or refresh what it says."""
        current = self._open.get(ident)
        if current is None:
            alert = Alert(
                id=ident,
                condition=hit.condition,
                severity=hit.severity,
                key=key,
                message=hit.message,
                first_seen=now,
                last_seen=now,
                container=hit.container,
                context=context,
                exit_code=hit.exit_code,
                termination_message=hit.termination_message,
            )
            self._open[ident] = alert
            self._marks[ident] = hit.mark
            self._by_key.setdefault(key, set()).add(ident)
            self._resolved.pop(ident, None)  # open again: one row per id
            delta.opened[ident] = alert
            return
        repeat = self._marks.get(ident) != hit.mark
        if not repeat and current.message == hit.message and current.severity is hit.severity:
            return
        updated = replace(
            current,
            message=hit.message,
            severity=hit.severity,
            count=current.count + 1 if repeat else current.count,
            last_seen=now if repeat else current.last_seen,
            exit_code=hit.exit_code,
            termination_message=hit.termination_message,
        )
        self._open[ident] = updated
        self._marks[ident] = hit.mark
        if ident in delta.opened:
            delta.opened[ident] = updated
        else:
            delta.updated[ident] = updated

    def _resolve(self, ident: str, now: datetime, resolution: str, delta: _Delta) -> None:
        alert = self._open.pop(ident, None)
        if alert is None:
            return
        self._marks.pop(ident, None)
        ids = self._by_key.get(alert.key)
        if ids is not None:
            ids.discard(ident)
            if not ids:
                del self._by_key[alert.key]
        done = replace(alert, resolved_at=now, resolution=resolution)
        delta.updated.pop(ident, None)
        if delta.opened.pop(ident, None) is None:  # opened and cleared in one update: never reported
            delta.resolved[ident] = done
        self._resolved.pop(ident, None)
        self._resolved[ident] = done
        while len(self._resolved) > self.config.resolved_keep:
            self._resolved.popitem(last=False)

    def _drop_out_of_scope(self, snapshot: ClusterSnapshot, new_context: bool, delta: _Delta) -> None:
        """Another namespace or context: alerts whose object is out of view are forgotten, not
        resolved (nothing cleared in the cluster); another context forgets everything."""
        for ident, alert in list(self._open.items()):
            if new_context or (
                snapshot.namespace is not None and alert.key.namespace not in ("", snapshot.namespace)
            ):
                del self._open[ident]
                self._marks.pop(ident, None)
                delta.dropped[ident] = alert
                self._forget(alert.key)
        if new_context:
            self._resolved.clear()
            self._restarts.clear()
            self._seen_pods.clear()
            self._since.clear()
            self._by_key.clear()
            self._due.clear()
            self._due_at.clear()

    def _forget_outside(self, snapshot: ClusterSnapshot) -> None:
        """Full pass: what is kept about objects out of the snapshot (another scope, or gone) goes."""
        for pod in [k for k in self._restarts if k not in snapshot.pods]:
            del self._restarts[pod]
        self._seen_pods.intersection_update(snapshot.pods)
        for stale in [k for k in self._due_at if _lookup(snapshot, k) is None]:
            del self._due_at[stale]
        live = {alert_id("HpaAtMax", key) for key in snapshot.hpas}
        for ident in [i for i in self._since if i not in live]:
            del self._since[ident]

    def _forget(self, key: ObjectKey) -> None:
        self._by_key.pop(key, None)
        self._due_at.pop(key, None)
        self._restarts.pop(key, None)
        self._seen_pods.discard(key)
        if key.kind == "HorizontalPodAutoscaler":
            self._since.pop(alert_id("HpaAtMax", key), None)

    def _set_due(self, key: ObjectKey, when: datetime | None) -> None:
        if when is None:
            self._due_at.pop(key, None)
            return
        if self._due_at.get(key) == when:
            return
        self._due_at[key] = when
        self._seq += 1
        heapq.heappush(self._due, (when, self._seq, key))
        if len(self._due) > 4 * len(self._due_at) + 64:
            self._drop_stale_due(rebuild=True)

    def _drop_stale_due(self, rebuild: bool = False) -> None:
        if rebuild:
            self._due = [e for e in self._due if self._due_at.get(e[2]) == e[0]]
            heapq.heapify(self._due)
        while self._due and self._due_at.get(self._due[0][2]) != self._due[0][0]:
            heapq.heappop(self._due)

    def _prune_resolved(self, now: datetime) -> bool:
        horizon = now - timedelta(minutes=self.config.resolved_minutes)
        pruned = False
        while self._resolved:
            oldest = next(iter(self._resolved.values()))
            if oldest.resolved_at is None or oldest.resolved_at >= horizon:
                break
            self._resolved.popitem(last=False)
            pruned = True
        return pruned

    # -- Memory (kdash.alerts.conditions) ----------------------------------------------------------

    def is_open(self, alert_id: str) -> bool:
        return alert_id in self._open

    def resolved_at(self, alert_id: str) -> datetime | None:
        done = self._resolved.get(alert_id)
        return None if done is None else done.resolved_at

    def restart_jump(
        self, key: ObjectKey, container: str, count: int, now: datetime
    ) -> tuple[int, datetime | None]:
        """Restarts observed within the window: the count now minus the count last seen before the
        window began. Restarts before kdash first looked are no jump; a container seen before with
        no restarts keeps no history (most of 10,000 pods), its baseline is 0 from the start."""
        pod = self._restarts.get(key)
        seen = pod.get(container) if pod is not None else None
        if seen is None:
            if count == 0:
                return (0, None)
            baseline = (NEVER, 0) if key in self._seen_pods else (now, count)
            seen = deque([baseline] if baseline[1] == count else [baseline, (now, count)])
            self._restarts.setdefault(key, {})[container] = seen
        elif count < seen[-1][1]:  # the container was recreated: start again
            seen.clear()
            seen.append((now, count))
        elif count > seen[-1][1]:
            seen.append((now, count))
        start = now - timedelta(minutes=self.config.restart_window_minutes)
        while len(seen) > 1 and seen[1][0] <= start:
            seen.popleft()  # the newest observation before the window is the baseline
        jump = count - seen[0][1]
        if len(seen) == 1 or jump <= 0:
            return (0, None)
        # it falls when the first restart seen after the baseline leaves the window
        return (jump, seen[1][0] + timedelta(minutes=self.config.restart_window_minutes))

    def any_open(self, key: ObjectKey) -> bool:
        return key in self._by_key

    def since(self, alert_id: str, now: datetime) -> datetime:
        return self._since.setdefault(alert_id, now)

    def forget_since(self, alert_id: str) -> None:
        self._since.pop(alert_id, None)


def _sets(changes: Changes) -> list[ChangeSet] | None:
    return [changes] if isinstance(changes, ChangeSet) else list(changes) if changes is not None else None


def _all_keys(snapshot: ClusterSnapshot) -> Iterator[ObjectKey]:
    yield from snapshot.pods
    yield from (k for k in snapshot.workloads if k.kind == "Deployment")
    yield from snapshot.hpas
    yield from snapshot.quotas
    yield from snapshot.nodes


def _lookup(snapshot: ClusterSnapshot, key: ObjectKey) -> object | None:
    kind = key.kind
    if kind == "Pod":
        return snapshot.pods.get(key)
    if kind == "Deployment":
        return snapshot.workloads.get(key)
    if kind == "HorizontalPodAutoscaler":
        return snapshot.hpas.get(key)
    if kind == "ResourceQuota":
        return snapshot.quotas.get(key)
    if kind == "Node":
        return snapshot.nodes.get(key)
    return None


class _Delta:
    """An update's changes while it runs, keyed by id so a later step can amend an earlier one."""

    def __init__(self) -> None:
        self.opened: dict[str, Alert] = {}
        self.resolved: dict[str, Alert] = {}
        self.updated: dict[str, Alert] = {}
        self.dropped: dict[str, Alert] = {}

    def freeze(self) -> AlertDelta:
        def ordered(d: dict[str, Alert]) -> tuple[Alert, ...]:
            return tuple(d[k] for k in sorted(d))

        return AlertDelta(
            ordered(self.opened), ordered(self.resolved), ordered(self.updated), ordered(self.dropped)
        )
