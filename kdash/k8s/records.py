"""The seam to `kdash.model.build`: raw API dicts in, compact records out.

Kept in one place so the informers and the store do not care how the builders are spelled. The
metrics kinds build `PodUsage` / `NodeUsage` (kdash.model.usage), which the store turns into
`ClusterSnapshot.usage` rather than keeping them as objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kdash.model.build import WorkloadIndex, record_builder, restart_records
from kdash.model.build.usage import build_node_usage, build_pod_usage
from kdash.model.pods import PodRecord, RestartRecord

_METRICS_BUILDERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "pods.metrics.k8s.io": build_pod_usage,
    "nodes.metrics.k8s.io": build_node_usage,
}


def build(resource: str, obj: dict[str, Any]) -> Any:
    """A compact record for one raw object of `resource` (plural name)."""
    return builder(resource)(obj)


def builder(resource: str) -> Callable[[dict[str, Any]], Any]:
    """The record builder of `resource`, looked up once per informer rather than once per object."""
    return _METRICS_BUILDERS.get(resource) or record_builder(resource)


def restart_records_of(pod: PodRecord) -> tuple[RestartRecord, ...]:
    return tuple(restart_records(pod))


__all__ = ["WorkloadIndex", "build", "builder", "restart_records_of"]
