"""The remaining kinds kdash keeps: namespaces, nodes, events, services, PDBs, NetworkPolicies and
ConfigMaps (key names only: kdash never keeps a ConfigMap's values)."""

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
    # spec.ports as numbers and names, for an Ingress backend's port (kdash.health.rules_cross)
    port_numbers: tuple[int, ...] = ()
    port_names: tuple[str, ...] = ()

    @property
    def headless(self) -> bool:
        return self.cluster_ip == "None"


@dataclass(frozen=True, slots=True)
class PdbRecord:
    meta: Meta
    selector: LabelSelector = LabelSelector()
    min_available: str = ""
    max_unavailable: str = ""
    disruptions_allowed: int = 0
    # status (has_status False for a manifest, or before the disruption controller wrote it)
    current_healthy: int = 0
    desired_healthy: int = 0
    expected_pods: int = 0
    has_status: bool = False


@dataclass(frozen=True, slots=True)
class NetworkPolicyRecord:
    """A NetworkPolicy: which pods of its namespace it selects (empty selector: all of them)."""

    meta: Meta
    pod_selector: LabelSelector = LabelSelector()
    policy_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConfigMapRecord:
    """A ConfigMap's key names (data and binaryData), never its values: a rule looks for keys that
    name credentials, and a cluster's ConfigMaps can weigh more than all its pods."""

    meta: Meta
    keys: tuple[str, ...] = ()
