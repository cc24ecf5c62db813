"""The metrics kinds' side of the store: the latest metrics.k8s.io lists, one `UsageHistory` per
scope, and the `UsageView` each snapshot carries.

metrics-server serves lists only, so its kinds are polled (every `ServiceSettings.metrics_interval`)
and each poll replaces what the last one said; a pod missing from one poll (restarting, not yet
scraped) keeps its history, which is dropped only when the pod itself is deleted. Availability is
read from the kinds' stream states: an absent API group (404) is "metrics unavailable", said once
and never an error; a 403 carries the server's words; a failing poll keeps the last values.

Every method is called with the store's lock held (kdash.k8s.store): no lock of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from kdash.k8s.resources import METRICS_RESOURCES
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import KindState, SyncPhase
from kdash.model.usage import (
    DEFAULT_HISTORY,
    NodeUsage,
    PodUsage,
    SeriesKey,
    UsageHistory,
    UsageView,
    node_series,
    pod_series,
)

POD_METRICS = "pods.metrics.k8s.io"
NODE_METRICS = "nodes.metrics.k8s.io"
ABSENT = "metrics unavailable (metrics.k8s.io is not served)"
WAITING = "waiting for metrics"
NOT_READ = "metrics not read (service.kinds leaves out pods.metrics.k8s.io and nodes.metrics.k8s.io)"
_OK = (SyncPhase.LIVE, SyncPhase.POLLING)


class UsageTracker:
    """Usage of one scope: fed by the metrics informers' lists; at publish time the latest values
    join the history (a sample already held is dropped there) and become the new view."""

    def __init__(self, kinds: Iterable[str], interval: float, capacity: int = DEFAULT_HISTORY) -> None:
        kinds = tuple(kinds)
        self.kinds = tuple(k for k in kinds if k in METRICS_RESOURCES)
        #: Pods are watched too: their deletions drop series. Otherwise a cluster-wide poll does.
        self._follow_pods = "pods" in kinds
        self.interval = interval
        self.capacity = capacity
        self.reset()

    def reset(self) -> None:
        """A new scope: nothing listed, a fresh history (old snapshots keep the old one)."""
        self.history = UsageHistory(self.capacity)
        self._pods: dict[ObjectKey, PodUsage] = {}
        self._nodes: dict[str, NodeUsage] = {}
        self._listed: set[str] = set()
        self._landed = True  # publish the scope's first view
        self._retain_pods = False
        message = WAITING if self.kinds else NOT_READ
        self.view = UsageView(available=False, message=message, history=self.history, interval=self.interval)

    @property
    def dirty(self) -> bool:
        """A poll landed since the last publish."""
        return self._landed

    def count(self, kind: str) -> int:
        return len(self._pods) if kind == POD_METRICS else len(self._nodes)

    # ---- writes (informer threads, store lock held) ---------------------------------------------

    def replace(self, kind: str, namespace: str | None, records: Iterable[Any]) -> None:
        """One poll's complete list of `kind` in `namespace` (None = all)."""
        if kind == POD_METRICS:
            pods = [r for r in records if isinstance(r, PodUsage)]
            if namespace is None:
                self._pods = {}
            else:
                self._pods = {k: v for k, v in self._pods.items() if k.namespace != namespace}
            self._pods.update((p.key, p) for p in pods)
            self._retain_pods = not self._follow_pods and namespace is None
        elif kind == NODE_METRICS:
            self._nodes = {n.name: n for n in records if isinstance(n, NodeUsage)}
        else:
            return
        self._listed.add(kind)
        self._landed = True

    def forget(self, pods: Iterable[ObjectKey] = (), nodes: Iterable[str] = ()) -> None:
        """Drop the series of deleted pods (every container) and nodes."""
        gone_pods = {(k.namespace or "", k.name) for k in pods}
        gone_nodes = set(nodes)
        if not gone_pods and not gone_nodes:
            return
        series = self.history.keys()
        keep = [
            s
            for s in series
            if not (s.kind == "Pod" and (s.namespace, s.name) in gone_pods)
            and not (s.kind == "Node" and s.name in gone_nodes)
        ]
        self.history.retain(keep)
        for key in [k for k in self._pods if (k.namespace or "", k.name) in gone_pods]:
            del self._pods[key]
        for name in gone_nodes:
            self._nodes.pop(name, None)

    def _retain(self) -> None:
        """Without a pods watch: keep the series of what the last polls listed."""
        keep: list[SeriesKey] = [node_series(n) for n in self._nodes]
        for pod in self._pods.values():
            keep.append(pod_series(pod.key))
            keep.extend(pod_series(pod.key, c) for c in pod.containers)
        series = self.history.keys()
        history_nodes = [s for s in series if s.kind == "Node"]
        self.history.retain([*keep, *history_nodes])

    # ---- publishing (store lock held) -----------------------------------------------------------

    def publish(self, states: Mapping[str, KindState]) -> UsageView | None:
        """The new view when a poll landed or availability changed, else None."""
        available, message = self._availability(states)
        if not self._landed and (available, message) == (self.view.available, self.view.message):
            return None
        if self._landed:  # history grows here, so it never runs ahead of the published values
            self.history.add_pods(self._pods.values())
            self.history.add_nodes(self._nodes.values())
            if self._retain_pods:
                self._retain()
        self._landed = self._retain_pods = False
        self.view = UsageView(
            available=available,
            message=message,
            pods=MappingProxyType(dict(self._pods)),
            nodes=MappingProxyType(dict(self._nodes)),
            history=self.history,
            interval=self.interval,
        )
        return self.view

    def _availability(self, states: Mapping[str, KindState]) -> tuple[bool, str]:
        if not self.kinds:
            return False, NOT_READ
        found = [states[k] for k in self.kinds if k in states]
        pods = states.get(POD_METRICS)
        if any(s.phase in _OK for s in found) or (
            self._listed and all(s.phase is SyncPhase.ERROR for s in found)
        ):
            # served (or failing after it was: the last values stay); say what the pods list lacks
            return True, "" if pods is None or pods.phase in _OK else _reason(pods)
        worst = pods or (found[0] if found else None)
        return False, _reason(worst) if worst is not None else WAITING


def _reason(state: KindState) -> str:
    if state.phase is SyncPhase.UNAVAILABLE:
        return ABSENT
    if state.phase is SyncPhase.SYNCING:
        return WAITING
    return f"metrics unavailable: {state.message}" if state.message else "metrics unavailable"
