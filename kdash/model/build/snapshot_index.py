"""Indexes derived from records, shared by the cluster service and offline `kdash check -f`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kdash.model.build.owners import pod_workload
from kdash.model.meta import ObjectKey
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
