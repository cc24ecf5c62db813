"""An immutable picture of the cluster, as the cluster service publishes it to readers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import Any

from kdash.model.autoscaling import HpaRecord
from kdash.model.build.network import IngressRecord
from kdash.model.cluster import (
    ConfigMapRecord,
    EventRecord,
    NamespaceRecord,
    NetworkPolicyRecord,
    NodeRecord,
    PdbRecord,
    ServiceRecord,
)
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord, RestartRecord
from kdash.model.quotas import LimitRangeRecord, QuotaRecord
from kdash.model.rbac import BindingRecord, RoleRecord
from kdash.model.usage import UsageView
from kdash.model.workloads import WorkloadRecord


class SyncPhase(Enum):
    SYNCING = "syncing"  # first list not complete yet
    LIVE = "live"  # listed and watching
    POLLING = "polling"  # watch forbidden: re-listing on an interval
    FORBIDDEN = "forbidden"  # the API said 403; `message` holds its words
    ERROR = "error"  # failing; `retry_at` says when the next attempt is
    UNAVAILABLE = "unavailable"  # the API group is not served (e.g. metrics.k8s.io): not an error


@dataclass(frozen=True, slots=True)
class KindState:
    """Per-kind sync state; `stale_since` is set while data is kept but no longer confirmed live."""

    kind: str
    phase: SyncPhase = SyncPhase.SYNCING
    message: str = ""
    retry_at: datetime | None = None
    stale_since: datetime | None = None
    count: int = 0
    # Read namespace by namespace (a cluster-wide list was forbidden, or one namespace is shown):
    # the namespaces read, and those whose list was forbidden too. Both empty for one cluster-wide stream.
    namespaces: tuple[str, ...] = ()
    denied: tuple[str, ...] = ()


def _frozen(d: Mapping[Any, Any] | None = None) -> Mapping[Any, Any]:
    return MappingProxyType(dict(d or {}))


@dataclass(frozen=True, slots=True, repr=False)
class ClusterSnapshot:
    """All records in scope at one generation. Maps are keyed by ObjectKey; never mutated after publish.

    Workloads of every kind share one map (key.kind tells them apart); ReplicaSets are kept apart
    because they are plumbing between Deployments and pods.
    """

    generation: int = 0
    context: str = ""
    server: str = ""
    server_version: str = ""
    namespace: str | None = None  # None = all namespaces
    taken_at: datetime | None = None
    namespaces: Mapping[ObjectKey, NamespaceRecord] = field(default_factory=_frozen)
    nodes: Mapping[ObjectKey, NodeRecord] = field(default_factory=_frozen)
    pods: Mapping[ObjectKey, PodRecord] = field(default_factory=_frozen)
    workloads: Mapping[ObjectKey, WorkloadRecord] = field(default_factory=_frozen)
    replicasets: Mapping[ObjectKey, WorkloadRecord] = field(default_factory=_frozen)
    hpas: Mapping[ObjectKey, HpaRecord] = field(default_factory=_frozen)
    quotas: Mapping[ObjectKey, QuotaRecord] = field(default_factory=_frozen)
    limitranges: Mapping[ObjectKey, LimitRangeRecord] = field(default_factory=_frozen)
    events: Mapping[ObjectKey, EventRecord] = field(default_factory=_frozen)
    services: Mapping[ObjectKey, ServiceRecord] = field(default_factory=_frozen)
    pdbs: Mapping[ObjectKey, PdbRecord] = field(default_factory=_frozen)
    # read by the cross-object and RBAC rules (kdash.health.rules_cross, rules_rbac); each of these
    # kinds may be forbidden, which only keeps the rules that read it from running
    netpols: Mapping[ObjectKey, NetworkPolicyRecord] = field(default_factory=_frozen)
    ingresses: Mapping[ObjectKey, IngressRecord] = field(default_factory=_frozen)
    configmaps: Mapping[ObjectKey, ConfigMapRecord] = field(default_factory=_frozen)
    roles: Mapping[ObjectKey, RoleRecord] = field(default_factory=_frozen)  # Roles and ClusterRoles
    bindings: Mapping[ObjectKey, BindingRecord] = field(default_factory=_frozen)  # and ClusterRoleBindings
    restarts: tuple[RestartRecord, ...] = ()  # worst first
    states: Mapping[str, KindState] = field(default_factory=_frozen)  # keyed by plural resource name
    pods_by_workload: Mapping[ObjectKey, tuple[ObjectKey, ...]] = field(default_factory=_frozen)
    # metrics.k8s.io usage and its history; `usage.available` False = "metrics unavailable"
    usage: UsageView = UsageView()

    def __repr__(self) -> str:
        # A summary, not the records: Textual builds worker descriptions (and loggers build
        # messages) from repr(), and a full repr of 10,000 pods takes about a second.
        return (
            f"ClusterSnapshot(generation={self.generation}, context={self.context!r}, "
            f"namespace={self.namespace!r}, pods={len(self.pods)}, workloads={len(self.workloads)})"
        )

    def pods_of(self, workload: ObjectKey) -> list[PodRecord]:
        """Pods whose top controller is `workload` (Deployment through its ReplicaSets)."""
        return [self.pods[k] for k in self.pods_by_workload.get(workload, ()) if k in self.pods]

    def events_for(self, key: ObjectKey) -> list[EventRecord]:
        """Events about one object, Warning first, then newest first."""
        found = [e for e in self.events.values() if e.involved == key]

        def order(e: EventRecord) -> tuple[int, float]:
            seen = e.last_seen or e.first_seen or e.meta.created
            return (0 if e.type == "Warning" else 1, -seen.timestamp() if seen is not None else 0.0)

        return sorted(found, key=order)
