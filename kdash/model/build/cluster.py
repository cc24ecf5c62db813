"""ResourceQuotas, LimitRanges, Namespaces, Nodes, Events, Services, PodDisruptionBudgets,
NetworkPolicies and ConfigMaps (key names only)."""

from __future__ import annotations

from kdash.model.build._json import (
    conditions,
    d,
    i,
    istr,
    lst,
    opt_i,
    quantity_map,
    s,
    scalar_str,
    str_map,
    t,
)
from kdash.model.build.meta import build_meta, build_selector
from kdash.model.cluster import (
    ConfigMapRecord,
    EventRecord,
    NamespaceRecord,
    NetworkPolicyRecord,
    NodeRecord,
    PdbRecord,
    ServiceRecord,
)
from kdash.model.meta import LabelSelector, ObjectKey
from kdash.model.quantity import try_quantity
from kdash.model.quotas import LimitRangeItem, LimitRangeRecord, QuotaItem, QuotaRecord


def build_quota(obj: object) -> QuotaRecord:
    """Quota usage per resource, sorted by resource name; a manifest without status reads spec.hard.

    `used` is "" (and `used_value` None) when the quota controller has not reported usage yet.
    """
    raw = d(obj)
    meta = build_meta(raw, "ResourceQuota")
    status = d(raw.get("status"))
    hard = quantity_map(status.get("hard")) or quantity_map(d(raw.get("spec")).get("hard"))
    used = quantity_map(status.get("used"))
    items = tuple(
        QuotaItem(
            name, used.get(name, ""), hard[name], try_quantity(used.get(name)), try_quantity(hard[name])
        )
        for name in sorted(hard)
    )
    return QuotaRecord(meta=meta, items=items)


def build_limitrange(obj: object) -> LimitRangeRecord:
    """LimitRange items: type with default limits, default requests, min and max."""
    raw = d(obj)
    meta = build_meta(raw, "LimitRange")
    items: list[LimitRangeItem] = []
    for item in lst(d(raw.get("spec")).get("limits")):
        if isinstance(item, dict):
            items.append(
                LimitRangeItem(
                    type=s(item.get("type")),
                    default=quantity_map(item.get("default")),
                    default_request=quantity_map(item.get("defaultRequest")),
                    min=quantity_map(item.get("min")),
                    max=quantity_map(item.get("max")),
                )
            )
    return LimitRangeRecord(meta=meta, items=tuple(items))


def build_namespace(obj: object) -> NamespaceRecord:
    raw = d(obj)
    return NamespaceRecord(
        meta=build_meta(raw, "Namespace"), phase=s(d(raw.get("status")).get("phase")) or "Active"
    )


_ROLE_PREFIX = "node-role.kubernetes.io/"


def build_node(obj: object) -> NodeRecord:
    """A node: Ready condition, roles (from node-role labels, as kubectl shows them), kubelet version, IP."""
    raw = d(obj)
    meta = build_meta(raw, "Node")
    status = d(raw.get("status"))
    conds = conditions(status.get("conditions"))
    roles = {key[len(_ROLE_PREFIX) :] for key in meta.labels if key.startswith(_ROLE_PREFIX)}
    legacy = meta.labels.get("kubernetes.io/role")
    if legacy:
        roles.add(legacy)
    roles.discard("")
    internal_ip = ""
    for addr in lst(status.get("addresses")):
        if isinstance(addr, dict) and addr.get("type") == "InternalIP":
            internal_ip = s(addr.get("address"))
            break
    return NodeRecord(
        meta=meta,
        ready=any(c.type == "Ready" and c.status == "True" for c in conds),
        roles=tuple(sorted(roles)),
        version=s(d(status.get("nodeInfo")).get("kubeletVersion")),
        internal_ip=internal_ip,
        unschedulable=d(raw.get("spec")).get("unschedulable") is True,
        conditions=conds,
        allocatable=quantity_map(status.get("allocatable")),
        capacity=quantity_map(status.get("capacity")),
    )


def build_event(obj: object) -> EventRecord:
    """A core/v1 Event (events.k8s.io/v1 field names are read as fallbacks).

    Events written through events.k8s.io carry null first/lastTimestamp and an `eventTime` instead,
    and a `series` instead of `count`; both shapes give the same record.
    """
    raw = d(obj)
    meta = build_meta(raw, "Event")
    involved = d(raw.get("involvedObject")) or d(raw.get("regarding"))
    key = None
    if involved:
        key = ObjectKey(istr(involved.get("kind")), istr(involved.get("namespace")), s(involved.get("name")))
    series = d(raw.get("series"))
    event_time = t(raw.get("eventTime"))
    first = (
        t(raw.get("firstTimestamp")) or t(raw.get("deprecatedFirstTimestamp")) or event_time or meta.created
    )
    last = (
        t(raw.get("lastTimestamp"))
        or t(raw.get("deprecatedLastTimestamp"))
        or t(series.get("lastObservedTime"))
        or event_time
        or first
    )
    count = opt_i(raw.get("count")) or opt_i(raw.get("deprecatedCount")) or opt_i(series.get("count")) or 1
    source = d(raw.get("source")) or d(raw.get("deprecatedSource"))
    message = raw.get("message")
    if not isinstance(message, str):
        message = raw.get("note")
    return EventRecord(
        meta=meta,
        type=istr(raw.get("type")) or "Normal",
        reason=istr(raw.get("reason")),
        message=message if isinstance(message, str) else "",
        involved=key,
        involved_uid=s(involved.get("uid")),
        count=count,
        first_seen=first,
        last_seen=last,
        source=s(source.get("component"))
        or s(raw.get("reportingComponent"))
        or s(raw.get("reportingController")),
    )


def _port_text(port: object) -> str:
    """kubectl's PORT(S) piece: "80/TCP", or "80:30080/TCP" with a node port."""
    p = d(port)
    number = scalar_str(p.get("port"))
    protocol = s(p.get("protocol")) or "TCP"
    node_port = i(p.get("nodePort"))
    return f"{number}:{node_port}/{protocol}" if node_port > 0 else f"{number}/{protocol}"


def build_service(obj: object) -> ServiceRecord:
    raw = d(obj)
    spec = d(raw.get("spec"))
    selector = str_map(spec.get("selector"))
    ports = [p for p in lst(spec.get("ports")) if isinstance(p, dict)]
    return ServiceRecord(
        meta=build_meta(raw, "Service"),
        type=s(spec.get("type")) or "ClusterIP",
        cluster_ip=s(spec.get("clusterIP")),
        selector=LabelSelector(selector) if selector else LabelSelector(),
        ports=tuple(_port_text(p) for p in ports),
        port_numbers=tuple(n for p in ports if (n := opt_i(p.get("port"))) is not None),
        port_names=tuple(name for p in ports if (name := s(p.get("name")))),
    )


def build_pdb(obj: object) -> PdbRecord:
    """A PodDisruptionBudget; minAvailable/maxUnavailable kept as written ("2", "50%"), "" when unset."""
    raw = d(obj)
    spec = d(raw.get("spec"))
    status = d(raw.get("status"))
    return PdbRecord(
        meta=build_meta(raw, "PodDisruptionBudget"),
        selector=build_selector(spec.get("selector")),
        min_available=scalar_str(spec.get("minAvailable")),
        max_unavailable=scalar_str(spec.get("maxUnavailable")),
        disruptions_allowed=i(status.get("disruptionsAllowed")),
        current_healthy=i(status.get("currentHealthy")),
        desired_healthy=i(status.get("desiredHealthy")),
        expected_pods=i(status.get("expectedPods")),
        has_status="disruptionsAllowed" in status or "expectedPods" in status,
    )


def build_network_policy(obj: object) -> NetworkPolicyRecord:
    """A NetworkPolicy's pod selector and policy types (its peers are not read)."""
    raw = d(obj)
    spec = d(raw.get("spec"))
    return NetworkPolicyRecord(
        meta=build_meta(raw, "NetworkPolicy"),
        pod_selector=build_selector(spec.get("podSelector")),
        policy_types=tuple(x for x in lst(spec.get("policyTypes")) if isinstance(x, str)),
    )


_KEYS_MAX = 256  # a ConfigMap with more keys keeps the first ones (sorted): enough to judge names


def build_configmap(obj: object) -> ConfigMapRecord:
    """A ConfigMap's key names from data and binaryData; the values are not kept (nor looked at)."""
    raw = d(obj)
    keys = {k for k in d(raw.get("data")) if isinstance(k, str)}
    keys.update(k for k in d(raw.get("binaryData")) if isinstance(k, str))
    return ConfigMapRecord(meta=build_meta(raw, "ConfigMap"), keys=tuple(sorted(keys)[:_KEYS_MAX]))
