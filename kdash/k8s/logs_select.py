"""Which containers a `LogTarget` means, from a cluster snapshot or from raw pod objects.

Multi-pod following is only as good as its membership: stern watches pods so new replicas join and
deleted ones leave, where k9s resolves the pod set once. kdash re-resolves on every snapshot the
cluster service publishes (or on a poll without one), so these functions are pure and cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kdash.model.pods import PodRecord
from kdash.model.selectors import parse_label_selector
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.source import ChangeSet, LogTarget


@dataclass(frozen=True, slots=True, order=True)
class ContainerRef:
    """One container to follow."""

    namespace: str
    pod: str
    container: str

    def __str__(self) -> str:
        return f"{self.pod}/{self.container}"


class PodSource(Protocol):
    """What the log service needs of the cluster service: pods, and a nudge when they change."""

    def snapshot(self) -> ClusterSnapshot: ...

    def subscribe(self, callback: Callable[[ChangeSet], None]) -> Callable[[], None]: ...


def pod_containers(pod: PodRecord, only: str | None) -> list[str]:
    """The pod's containers to follow: `only` when named (init containers allowed), else the app ones."""
    names = [c.name for c in pod.spec.containers] or [c.name for c in pod.containers]
    if only is None:
        return names
    inits = [c.name for c in pod.spec.init_containers] or [c.name for c in pod.init_containers]
    return [only] if only in names or only in inits or not names else []


def select_pods(snapshot: ClusterSnapshot, target: LogTarget) -> list[PodRecord]:
    """The pods of `target` in `snapshot`: one pod, a workload's, a selector's or a namespace's."""
    if target.pod is not None:
        found = [p for p in snapshot.pods.values() if p.meta.name == target.pod]
        return [p for p in found if target.namespace is None or p.meta.namespace == target.namespace]
    if target.workload is not None:
        return snapshot.pods_of(target.workload)
    pods: Iterable[PodRecord] = snapshot.pods.values()
    if target.namespace is not None:
        pods = (p for p in pods if p.meta.namespace == target.namespace)
    if target.label_selector:
        selector = parse_label_selector(target.label_selector)
        pods = (p for p in pods if selector.matches(p.meta.labels))
    return list(pods)


def select_containers(snapshot: ClusterSnapshot, target: LogTarget) -> list[ContainerRef]:
    """Every container of `target`, sorted (so a stream cap always keeps the same ones)."""
    refs = [
        ContainerRef(p.meta.namespace, p.meta.name, c)
        for p in select_pods(snapshot, target)
        for c in pod_containers(p, target.container)
    ]
    return sorted(set(refs))


def containers_of_raw_pods(pods: Iterable[Mapping[str, Any]], only: str | None) -> list[ContainerRef]:
    """The same selection from raw pod JSON (used when there is no cluster service to ask)."""
    refs: set[ContainerRef] = set()
    for pod in pods:
        meta = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        names = [c.get("name", "") for c in spec.get("containers") or []]
        inits = [c.get("name", "") for c in spec.get("initContainers") or []]
        if only is not None:
            names = [only] if only in names or only in inits else []
        for name in names:
            refs.add(ContainerRef(meta.get("namespace", ""), meta.get("name", ""), name))
    return sorted(refs)
