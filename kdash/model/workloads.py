"""Controllers that run pods: Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, ReplicaSets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kdash.model.meta import Condition, LabelSelector, Meta
from kdash.model.pods import PodSpecSummary

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")


@dataclass(frozen=True, slots=True)
class WorkloadRecord:
    """One workload with kubectl's columns precomputed.

    `desired`, `ready`, `up_to_date`, `available` follow `kubectl get` for the kind
    (DaemonSet: desiredNumberScheduled/numberReady/updatedNumberScheduled/numberAvailable;
    Job: completions/succeeded; CronJob: active jobs). `ready_text` is what kubectl prints in READY
    (or COMPLETIONS for Jobs; "" for CronJobs).
    """

    meta: Meta
    kind: str
    desired: int = 0
    ready: int = 0
    up_to_date: int = 0
    available: int = 0
    ready_text: str = ""
    replicas_set: bool = True  # spec.replicas present (absent means the API default of 1)
    selector: LabelSelector = LabelSelector()
    template: PodSpecSummary = PodSpecSummary()
    conditions: tuple[Condition, ...] = ()
    images: tuple[str, ...] = ()
    # spec.replicas in what was applied: a manifest's own spec.replicas; live, the
    # last-applied-configuration (kubectl apply) or a server-side Apply that owns spec.replicas.
    # An HPA's target that applies replicas has it reset on every apply.
    replicas_applied: bool = False
    # StatefulSet
    volume_claim_templates: int = 0
    service_name: str = ""  # spec.serviceName: the headless Service giving pods their DNS names
    # Deployment: spec.strategy as written ("" when not set: RollingUpdate with maxUnavailable 25%)
    strategy: str = ""
    max_unavailable: str = ""  # "25%", "1" ...
    # Job
    active: int = 0
    succeeded: int = 0
    failed: int = 0
    job_failed: bool = False  # a Failed=True condition
    job_complete: bool = False
    # CronJob
    schedule: str = ""
    suspend: bool = False
    last_schedule: datetime | None = None
    last_successful: datetime | None = None
    starting_deadline: int | None = None  # startingDeadlineSeconds
    has_status: bool = True  # False for manifests without status (offline check)
    # StatefulSet currentReplicas, DaemonSet currentNumberScheduled, ReplicaSet status.replicas
    current: int = 0
    # Job: kubectl's STATUS (Complete, Failed, Terminating, Suspended, FailureTarget, Running)
    status_text: str = ""
    # status.observedGeneration; below meta.generation means the controller has not seen the spec yet
    observed_generation: int = 0

    def condition(self, type_: str) -> Condition | None:
        for cond in self.conditions:
            if cond.type == type_:
                return cond
        return None
