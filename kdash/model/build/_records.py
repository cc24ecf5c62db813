"""The builders' constructors of frozen records (see kdash.model.construct for why)."""

from __future__ import annotations

from kdash.model.construct import constructor
from kdash.model.meta import Condition, Meta, OwnerRef
from kdash.model.pods import (
    ContainerSpec,
    ContainerState,
    ContainerStatus,
    PodRecord,
    PodSpecSummary,
    ProbeSpec,
)
from kdash.model.workloads import WorkloadRecord

new_meta = constructor(Meta)
new_owner_ref = constructor(OwnerRef)
new_condition = constructor(Condition)
new_pod = constructor(PodRecord)
new_pod_spec = constructor(PodSpecSummary)
new_container_spec = constructor(ContainerSpec)
new_container_state = constructor(ContainerState)
new_container_status = constructor(ContainerStatus)
new_probe = constructor(ProbeSpec)
new_workload = constructor(WorkloadRecord)
