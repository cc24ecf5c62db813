"""A node as its typed screen reads it: conditions with heartbeats, taints, addresses, capacity,
allocatable and what runs the kubelet.

Not kept in the snapshot (the dashboard's NodeRecord stays lean): the node screen builds one from
the raw object of an on-demand feed. Any shape is accepted and never raises, as every builder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from kdash.model.build._json import conditions, d, lst, quantity_map, s, t
from kdash.model.build.meta import build_meta
from kdash.model.meta import Condition, Meta, empty_map


@dataclass(frozen=True, slots=True)
class Taint:
    """A node taint; `effect` NoSchedule, PreferNoSchedule or NoExecute."""

    key: str
    value: str = ""
    effect: str = ""
    added: datetime | None = None

    @property
    def text(self) -> str:
        """kubectl's form: "key=value:Effect" ("key:Effect" without a value)."""
        head = f"{self.key}={self.value}" if self.value else self.key
        return f"{head}:{self.effect}" if self.effect else head


@dataclass(frozen=True, slots=True)
class NodeCondition:
    """A node condition with its heartbeat (a stale heartbeat is how a lost kubelet shows)."""

    condition: Condition
    heartbeat: datetime | None = None


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """status.nodeInfo: what runs on the machine."""

    kubelet_version: str = ""
    kube_proxy_version: str = ""
    os_image: str = ""
    operating_system: str = ""
    architecture: str = ""
    kernel_version: str = ""
    container_runtime: str = ""


@dataclass(frozen=True, slots=True)
class NodeDetail:
    """Everything the node screen shows that the dashboard's NodeRecord leaves out."""

    meta: Meta
    conditions: tuple[NodeCondition, ...] = ()
    taints: tuple[Taint, ...] = ()
    unschedulable: bool = False
    addresses: tuple[tuple[str, str], ...] = ()  # (type, address): InternalIP, Hostname, ...
    capacity: Mapping[str, str] = field(default_factory=empty_map)
    allocatable: Mapping[str, str] = field(default_factory=empty_map)
    info: NodeInfo = NodeInfo()
    pod_cidr: str = ""
    provider_id: str = ""


def build_node_detail(obj: object) -> NodeDetail:
    """The node screen's view of one raw Node."""
    raw = d(obj)
    spec = d(raw.get("spec"))
    status = d(raw.get("status"))
    heartbeats = {
        s(c.get("type")): t(c.get("lastHeartbeatTime"))
        for c in lst(status.get("conditions"))
        if isinstance(c, dict)
    }
    conds = tuple(NodeCondition(c, heartbeats.get(c.type)) for c in conditions(status.get("conditions")))
    taints = tuple(
        Taint(s(x.get("key")), s(x.get("value")), s(x.get("effect")), t(x.get("timeAdded")))
        for x in lst(spec.get("taints"))
        if isinstance(x, dict) and s(x.get("key"))
    )
    addresses = tuple(
        (s(a.get("type")), s(a.get("address")))
        for a in lst(status.get("addresses"))
        if isinstance(a, dict) and s(a.get("address"))
    )
    info = d(status.get("nodeInfo"))
    return NodeDetail(
        meta=build_meta(raw, "Node"),
        conditions=conds,
        taints=taints,
        unschedulable=spec.get("unschedulable") is True,
        addresses=addresses,
        capacity=quantity_map(status.get("capacity")),
        allocatable=quantity_map(status.get("allocatable")),
        info=NodeInfo(
            kubelet_version=s(info.get("kubeletVersion")),
            kube_proxy_version=s(info.get("kubeProxyVersion")),
            os_image=s(info.get("osImage")),
            operating_system=s(info.get("operatingSystem")),
            architecture=s(info.get("architecture")),
            kernel_version=s(info.get("kernelVersion")),
            container_runtime=s(info.get("containerRuntimeVersion")),
        ),
        pod_cidr=s(spec.get("podCIDR")),
        provider_id=s(spec.get("providerID")),
    )
