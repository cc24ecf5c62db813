"""The seam to `kdash.model.build`: raw API dicts in, compact records out.

Kept in one place so the informers and the store do not care how the builders are spelled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from kdash.model.build import WorkloadIndex, build_meta, record_builder, restart_records
from kdash.model.meta import Meta
from kdash.model.pods import PodRecord, RestartRecord


@dataclass(frozen=True, slots=True)
class PodMetricsRecord:
    """Current usage of one pod from metrics.k8s.io: container name -> {"cpu": "12m", "memory": "30Mi"}."""

    meta: Meta
    containers: Mapping[str, Mapping[str, str]]
    window: str = ""


def _build_metrics(obj: dict[str, Any]) -> PodMetricsRecord:
    usage: dict[str, Mapping[str, str]] = {}
    for c in obj.get("containers") or ():
        if isinstance(c, dict) and isinstance(c.get("name"), str):
            raw = c.get("usage")
            raw = raw if isinstance(raw, dict) else {}
            usage[c["name"]] = MappingProxyType({str(k): str(v) for k, v in raw.items()})
    meta = build_meta(obj, "PodMetrics")
    return PodMetricsRecord(meta, MappingProxyType(usage), str(obj.get("window") or ""))


def build(resource: str, obj: dict[str, Any]) -> Any:
    """A compact record for one raw object of `resource` (plural name)."""
    return builder(resource)(obj)


def builder(resource: str) -> Callable[[dict[str, Any]], Any]:
    """The record builder of `resource`, looked up once per informer rather than once per object."""
    if resource == "pods.metrics.k8s.io":
        return _build_metrics
    return record_builder(resource)


def restart_records_of(pod: PodRecord) -> tuple[RestartRecord, ...]:
    return tuple(restart_records(pod))


__all__ = ["PodMetricsRecord", "WorkloadIndex", "build", "builder", "restart_records_of"]
