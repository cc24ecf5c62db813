"""Indexes derived from records, shared by the cluster service and offline `kdash check -f`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kdash.model.build.owners import POD_TEMPLATE_HASH, pod_workload
from kdash.model.meta import Meta, ObjectKey, new_object_key
from kdash.model.pods import PodRecord
from kdash.model.workloads import WorkloadRecord


def index_pods_by_workload(
    pods: Mapping[ObjectKey, PodRecord] | Iterable[PodRecord],
    replicasets: Mapping[ObjectKey, WorkloadRecord],
) -> dict[ObjectKey, tuple[ObjectKey, ...]]:
    """Pod keys grouped by their top workload (Deployment through its ReplicaSet), each sorted by name.

    Ownership is resolved again here with the ReplicaSets known now, rather than trusting the
    `workload` a pod was built with, which may have been inferred before its ReplicaSet arrived.
    """
    # A mapping's own keys are reused: `meta.key` would make a new ObjectKey per pod on each rebuild.
    pairs = pods.items() if isinstance(pods, Mapping) else ((pod.meta.key, pod) for pod in pods)
    groups: dict[ObjectKey, list[ObjectKey]] = {}
    for pod_key, pod in pairs:
        owner = pod_workload(pod.meta, replicasets)
        if owner is None:
            continue
        key = ObjectKey(owner.kind, pod.meta.namespace, owner.name)
        groups.setdefault(key, []).append(pod_key)
    return {key: tuple(sorted(members)) for key, members in groups.items()}


def _ownership(meta: Meta) -> tuple[object, ...]:
    """Everything of a pod's metadata its workload is resolved from."""
    return (meta.namespace, meta.controller, meta.labels.get(POD_TEMPLATE_HASH, ""))


def _replicaset(meta: Meta) -> tuple[str, str] | None:
    """(namespace, name) of the ReplicaSet controlling a pod, if one does."""
    controller = meta.controller
    if controller is None or controller.kind != "ReplicaSet":
        return None
    return (meta.namespace, controller.name)


class WorkloadIndex:
    """`index_pods_by_workload`, kept up to date one change at a time (the store's pods_by_workload).

    Rebuilding it on every publish that adds or deletes a pod cost O(N log N) per publish during a
    rollout in a big cluster; here a pod change touches its own group, a ReplicaSet change
    re-resolves only the pods it controls, and a publish copies the group map (one entry per
    workload) and sorts the changed groups again. `view()` equals
    `index_pods_by_workload(pods, replicasets)` for the pods and ReplicaSets reported so far
    (tests/model/test_workload_index.py checks it on random change sequences).
    """

    def __init__(self) -> None:
        self._owner: dict[ObjectKey, ObjectKey] = {}  # pod -> its top workload (pods with one)
        self._groups: dict[ObjectKey, set[ObjectKey]] = {}
        self._by_rs: dict[tuple[str, str], set[ObjectKey]] = {}  # (namespace, RS) -> pods it controls
        self._dirty: set[ObjectKey] = set()  # groups changed since the last view
        self._view: dict[ObjectKey, tuple[ObjectKey, ...]] = {}

    def clear(self) -> None:
        self._owner.clear()
        self._groups.clear()
        self._by_rs.clear()
        self._dirty.clear()
        self._view = {}

    @property
    def dirty(self) -> bool:
        """Whether `view()` would differ from the last one."""
        return bool(self._dirty)

    def put_pod(
        self, key: ObjectKey, meta: Meta, old: Meta | None, replicasets: Mapping[ObjectKey, WorkloadRecord]
    ) -> None:
        """Pod `key` was added (`old` None) or changed from `old`; cheap unless its ownership changed."""
        if old is not None:
            if _ownership(old) == _ownership(meta):
                return
            self._unlink(key, old)
        rs = _replicaset(meta)
        if rs is not None:
            members = self._by_rs.get(rs)
            if members is None:
                self._by_rs[rs] = {key}
            else:
                members.add(key)
        self._resolve(key, meta, replicasets, new=old is None)

    def remove_pod(self, key: ObjectKey, meta: Meta) -> None:
        """Pod `key`, last seen with `meta`, was deleted."""
        self._unlink(key, meta)
        self._move(key, None)

    def replicaset_changed(
        self,
        namespace: str,
        name: str,
        pods: Mapping[ObjectKey, PodRecord],
        replicasets: Mapping[ObjectKey, WorkloadRecord],
    ) -> None:
        """A ReplicaSet appeared, went, or changed its controller: re-resolve the pods it controls."""
        for key in self._by_rs.get((namespace, name), ()):
            pod = pods.get(key)
            if pod is not None:
                self._resolve(key, pod.meta, replicasets)

    def view(self) -> Mapping[ObjectKey, tuple[ObjectKey, ...]]:
        """The groups now. Never mutated afterwards (a change makes a new dict, reusing the tuples of
        unchanged groups), so it can be published as is."""
        if self._dirty:
            view = dict(self._view)
            for group in self._dirty:
                members = self._groups.get(group)
                if members:
                    view[group] = tuple(sorted(members))
                else:
                    view.pop(group, None)
            self._dirty.clear()
            self._view = view
        return self._view

    def _unlink(self, key: ObjectKey, old: Meta) -> None:
        rs = _replicaset(old)
        if rs is None:
            return
        members = self._by_rs.get(rs)
        if members is not None:
            members.discard(key)
            if not members:
                del self._by_rs[rs]

    def _resolve(
        self,
        key: ObjectKey,
        meta: Meta,
        replicasets: Mapping[ObjectKey, WorkloadRecord],
        *,
        new: bool = False,
    ) -> None:
        owner = pod_workload(meta, replicasets)
        group = None if owner is None else new_object_key(owner.kind, meta.namespace, owner.name)
        self._move(key, group, new=new)

    def _move(self, key: ObjectKey, group: ObjectKey | None, *, new: bool = False) -> None:
        """Put pod `key` in `group` (None: in none); `new`: a pod not indexed yet (no lookup)."""
        old = None if new else self._owner.get(key)
        if old == group:
            return
        if old is not None:
            before = self._groups[old]
            before.discard(key)
            if not before:
                del self._groups[old]
            self._dirty.add(old)
        if group is None:
            self._owner.pop(key, None)
        else:
            self._owner[key] = group
            members = self._groups.get(group)
            if members is None:
                self._groups[group] = {key}
            else:
                members.add(key)
            self._dirty.add(group)
