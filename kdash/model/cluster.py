"""The remaining kinds kdash keeps: namespaces, nodes, events, services, PDBs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from kdash.model.meta import Condition, LabelSelector, Meta, ObjectKey, empty_map


@dataclass(frozen=True, slots=True)
class NamespaceRecord:
    meta: Meta
    phase: str = "Active"


@dataclass(frozen=True, slots=True)
class NodeRecord:
    meta: Meta
    ready: bool = False
    roles: tuple[str, ...] = ()
    version: str = ""
    internal_ip: str = ""
    unschedulable: bool = False
    conditions: tuple[Condition, ...] = ()
    # status.allocatable / status.capacity as the API wrote them ("7800m", "31Gi"): usage columns
    # compare metrics.k8s.io usage and summed pod requests against them
    allocatable: Mapping[str, str] = field(default_factory=empty_map)
    capacity: Mapping[str, str] = field(default_factory=empty_map)


@dataclass(frozen=True, slots=True)
class EventRecord:
    meta: Meta
    type: str = "Normal"  # Normal, Warning
    reason: str = ""
    message: str = ""
    involved: ObjectKey | None = None
    involved_uid: str = ""
    count: int = 1
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    meta: Meta
    type: str = "ClusterIP"
    cluster_ip: str = ""
    selector: LabelSelector = LabelSelector()
    ports: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PdbRecord:
    meta: Meta
    selector: LabelSelector = LabelSelector()
    min_available: str = ""
    max_unavailable: str = ""
    disruptions_allowed: int = 0
