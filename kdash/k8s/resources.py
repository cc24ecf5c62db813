"""The kinds kdash lists and watches: where each lives in the API and how it is scoped."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    """One API resource; `resource` is the plural name used as the key of states and the store."""

    resource: str
    kind: str
    group_version: str  # "v1", "apps/v1", "metrics.k8s.io/v1beta1"
    namespaced: bool
    plural: str = ""  # the URL segment when it differs from `resource` (pods.metrics.k8s.io -> pods)
    watchable: bool = True  # metrics-server serves list only
    optional: bool = False  # absent API group is UNAVAILABLE, not an error

    @property
    def base(self) -> str:
        return (
            f"/api/{self.group_version}" if "/" not in self.group_version else f"/apis/{self.group_version}"
        )

    @property
    def url_plural(self) -> str:
        return self.plural or self.resource


def _r(resource: str, kind: str, gv: str, namespaced: bool = True, **kw: object) -> ResourceInfo:
    return ResourceInfo(resource, kind, gv, namespaced, **kw)  # type: ignore[arg-type]


RESOURCES: dict[str, ResourceInfo] = {
    r.resource: r
    for r in (
        _r("namespaces", "Namespace", "v1", namespaced=False),
        _r("nodes", "Node", "v1", namespaced=False),
        _r("pods", "Pod", "v1"),
        _r("events", "Event", "v1"),
        _r("services", "Service", "v1"),
        _r("resourcequotas", "ResourceQuota", "v1"),
        _r("limitranges", "LimitRange", "v1"),
        _r("deployments", "Deployment", "apps/v1"),
        _r("replicasets", "ReplicaSet", "apps/v1"),
        _r("statefulsets", "StatefulSet", "apps/v1"),
        _r("daemonsets", "DaemonSet", "apps/v1"),
        _r("jobs", "Job", "batch/v1"),
        _r("cronjobs", "CronJob", "batch/v1"),
        _r("horizontalpodautoscalers", "HorizontalPodAutoscaler", "autoscaling/v2"),
        _r("poddisruptionbudgets", "PodDisruptionBudget", "policy/v1"),
        # read by the cross-object and RBAC rules alone: optional, and a 403 on them only keeps
        # those rules from running (kdash.health.cross.runnable)
        _r("networkpolicies", "NetworkPolicy", "networking.k8s.io/v1", optional=True),
        _r("ingresses", "Ingress", "networking.k8s.io/v1", optional=True),
        _r("configmaps", "ConfigMap", "v1", optional=True),  # key names kept, never values
        _r("roles", "Role", "rbac.authorization.k8s.io/v1", optional=True),
        _r("clusterroles", "ClusterRole", "rbac.authorization.k8s.io/v1", namespaced=False, optional=True),
        _r("rolebindings", "RoleBinding", "rbac.authorization.k8s.io/v1", optional=True),
        _r(
            "clusterrolebindings",
            "ClusterRoleBinding",
            "rbac.authorization.k8s.io/v1",
            namespaced=False,
            optional=True,
        ),
        # metrics-server: list only, polled every ServiceSettings.metrics_interval (kdash.k8s.usage)
        _r(
            "pods.metrics.k8s.io",
            "PodMetrics",
            "metrics.k8s.io/v1beta1",
            plural="pods",
            watchable=False,
            optional=True,
        ),
        _r(
            "nodes.metrics.k8s.io",
            "NodeMetrics",
            "metrics.k8s.io/v1beta1",
            namespaced=False,
            plural="nodes",
            watchable=False,
            optional=True,
        ),
    )
}

# Kinds the detail view may open besides the watched ones (fetched on demand, never watched).
# Secret is deliberately absent: kdash never reads Secret data.
EXTRA_FETCHABLE: dict[str, ResourceInfo] = {
    r.kind: r
    for r in (
        _r("configmaps", "ConfigMap", "v1"),
        _r("persistentvolumeclaims", "PersistentVolumeClaim", "v1"),
        _r("persistentvolumes", "PersistentVolume", "v1", namespaced=False),
        _r("serviceaccounts", "ServiceAccount", "v1"),
        _r("endpoints", "Endpoints", "v1"),
        _r("ingresses", "Ingress", "networking.k8s.io/v1"),
    )
}

KIND_TO_RESOURCE: dict[str, str] = {r.kind: r.resource for r in RESOURCES.values()}
#: The metrics-server kinds: their lists feed `ClusterSnapshot.usage`, not the object maps.
METRICS_RESOURCES: frozenset[str] = frozenset({"pods.metrics.k8s.io", "nodes.metrics.k8s.io"})


def info_for_kind(kind: str) -> ResourceInfo | None:
    """The resource of a Kind (watched or fetchable), None when kdash does not know it."""
    resource = KIND_TO_RESOURCE.get(kind)
    if resource is not None:
        return RESOURCES[resource]
    return EXTRA_FETCHABLE.get(kind)


def list_path(resource: str | ResourceInfo, namespace: str | None) -> str:
    """The collection URL: all namespaces when `namespace` is None (or the kind is cluster-scoped)."""
    info = RESOURCES[resource] if isinstance(resource, str) else resource
    if info.namespaced and namespace:
        return f"{info.base}/namespaces/{quote(namespace, safe='')}/{info.url_plural}"
    return f"{info.base}/{info.url_plural}"


def object_path(resource: str | ResourceInfo, namespace: str, name: str) -> str:
    """The URL of one object."""
    return f"{list_path(resource, namespace or None)}/{quote(name, safe='')}"
