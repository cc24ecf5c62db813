"""HorizontalPodAutoscalers (autoscaling/v2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kdash.model.meta import Condition, Meta


@dataclass(frozen=True, slots=True)
class HpaMetric:
    """One metric of an HPA, as `kubectl get hpa` TARGETS would show it.

    `type` is Resource, ContainerResource, Pods, Object or External; `name` the resource or metric
    name ("cpu"); `current` None while unknown; `text` is kubectl's TARGETS piece: "cpu: 85%/70%",
    "memory: 300Mi/500Mi", "<unknown>/100" (Pods/Object/External carry no name, as in kubectl),
    "3/5 (avg)" for an AverageValue Object/External target.
    """

    type: str
    name: str
    target: str
    current: str | None = None
    target_type: str = ""  # Utilization, AverageValue, Value
    text: str = ""
    selector: str = ""  # Pods/Object/External: the metric's label selector, "k=v,k2 in (a,b)"
    container: str = ""  # ContainerResource: the container measured
    described: str = ""  # Object: the object the metric describes, "Ingress/main-route"


@dataclass(frozen=True, slots=True)
class HpaRecord:
    meta: Meta
    target_kind: str = ""
    target_name: str = ""
    min_replicas: int = 1
    max_replicas: int = 0
    current_replicas: int = 0
    desired_replicas: int = 0
    metrics: tuple[HpaMetric, ...] = ()
    conditions: tuple[Condition, ...] = ()
    last_scale: datetime | None = None
    has_status: bool = True

    def condition(self, type_: str) -> Condition | None:
        for cond in self.conditions:
            if cond.type == type_:
                return cond
        return None

    @property
    def metrics_unavailable(self) -> bool:
        """The controller could not read a metric (ScalingActive=False or a metric without value)."""
        active = self.condition("ScalingActive")
        return (active is not None and active.status == "False") or any(
            m.current is None for m in self.metrics
        )

    @property
    def desired_known(self) -> bool:
        """Whether `desired_replicas` is a real answer. While metrics are unavailable the server
        reports desiredReplicas 0, which is no target at all (kubectl shows the current count);
        0 stays an answer when scaling is disabled because the target itself is at 0 replicas."""
        if not self.has_status:
            return False
        if self.desired_replicas > 0 or not self.metrics_unavailable:
            return True
        active = self.condition("ScalingActive")
        return active is not None and active.reason == "ScalingDisabled"
