"""Pure builders: one raw API object (decoded JSON) in, one frozen record out.

Every builder accepts any shape a real API server, an older or newer one, or a hand-written
manifest may produce (missing or null fields, wrong types, unknown fields, odd quantities, times in
the future) and returns a record holding whatever could be read. None does I/O or reads the clock.

List items from a real API server carry no `kind`/`apiVersion`, so the kind always comes from the
caller: `build_record("deployments", item)` or `build_workload(item, kind="Deployment")`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from kdash.model.build.autoscaling import build_hpa, build_hpa_metric, hpa_targets_text
from kdash.model.build.cluster import (
    build_configmap,
    build_event,
    build_limitrange,
    build_namespace,
    build_network_policy,
    build_node,
    build_pdb,
    build_quota,
    build_service,
)
from kdash.model.build.meta import build_meta, build_selector
from kdash.model.build.network import build_ingress
from kdash.model.build.owners import pod_workload, resolve_workload
from kdash.model.build.pods import (
    build_container_state,
    build_container_status,
    build_pod,
    container_state_text,
    restart_records,
    restarts_text,
)
from kdash.model.build.podspec import build_container, build_pod_spec, build_probe
from kdash.model.build.rbac import (
    build_cluster_role,
    build_cluster_role_binding,
    build_role,
    build_role_binding,
)
from kdash.model.build.snapshot_index import WorkloadIndex, index_pods_by_workload
from kdash.model.build.workloads import build_replicaset, build_workload

RESOURCE_KINDS: dict[str, str] = {
    "pods": "Pod",
    "deployments": "Deployment",
    "statefulsets": "StatefulSet",
    "daemonsets": "DaemonSet",
    "jobs": "Job",
    "cronjobs": "CronJob",
    "replicasets": "ReplicaSet",
    "horizontalpodautoscalers": "HorizontalPodAutoscaler",
    "resourcequotas": "ResourceQuota",
    "limitranges": "LimitRange",
    "namespaces": "Namespace",
    "nodes": "Node",
    "events": "Event",
    "services": "Service",
    "poddisruptionbudgets": "PodDisruptionBudget",
    "networkpolicies": "NetworkPolicy",
    "ingresses": "Ingress",
    "configmaps": "ConfigMap",
    "roles": "Role",
    "clusterroles": "ClusterRole",
    "rolebindings": "RoleBinding",
    "clusterrolebindings": "ClusterRoleBinding",
}
KIND_RESOURCES: dict[str, str] = {kind: plural for plural, kind in RESOURCE_KINDS.items()}
CLUSTER_SCOPED_KINDS = frozenset({"Namespace", "Node", "ClusterRole", "ClusterRoleBinding"})

_BUILDERS: dict[str, Callable[[object], object]] = {
    "pods": build_pod,
    "deployments": partial(build_workload, kind="Deployment"),
    "statefulsets": partial(build_workload, kind="StatefulSet"),
    "daemonsets": partial(build_workload, kind="DaemonSet"),
    "jobs": partial(build_workload, kind="Job"),
    "cronjobs": partial(build_workload, kind="CronJob"),
    "replicasets": build_replicaset,  # owner mapping and counts only (see build_replicaset)
    "horizontalpodautoscalers": build_hpa,
    "resourcequotas": build_quota,
    "limitranges": build_limitrange,
    "namespaces": build_namespace,
    "nodes": build_node,
    "events": build_event,
    "services": build_service,
    "poddisruptionbudgets": build_pdb,
    "networkpolicies": build_network_policy,
    "ingresses": build_ingress,
    "configmaps": build_configmap,
    "roles": build_role,
    "clusterroles": build_cluster_role,
    "rolebindings": build_role_binding,
    "clusterrolebindings": build_cluster_role_binding,
}


def record_builder(resource: str) -> Callable[[object], object]:
    """The builder of `resource`'s records (plural name), for callers that build many of one kind.

    Raises ValueError only for a resource kdash does not model (a caller bug, not bad data).
    """
    builder = _BUILDERS.get(resource)
    if builder is None:
        raise ValueError(f"no record builder for resource {resource!r}")
    return builder


def build_record(resource: str, obj: object) -> object:
    """Build the record for one object of `resource` (plural name, e.g. "pods", "deployments").

    Raises ValueError only for a resource kdash does not model (a caller bug, not bad data).
    """
    return record_builder(resource)(obj)


__all__ = [
    "CLUSTER_SCOPED_KINDS",
    "KIND_RESOURCES",
    "RESOURCE_KINDS",
    "WorkloadIndex",
    "build_container",
    "build_container_state",
    "build_container_status",
    "build_event",
    "build_hpa",
    "build_hpa_metric",
    "build_limitrange",
    "build_meta",
    "build_namespace",
    "build_node",
    "build_pdb",
    "build_pod",
    "build_pod_spec",
    "build_probe",
    "build_quota",
    "build_record",
    "build_replicaset",
    "build_selector",
    "build_service",
    "build_workload",
    "container_state_text",
    "hpa_targets_text",
    "index_pods_by_workload",
    "pod_workload",
    "record_builder",
    "resolve_workload",
    "restart_records",
    "restarts_text",
]
