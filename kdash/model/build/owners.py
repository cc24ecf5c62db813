"""Which workload owns a pod: its controller, with a ReplicaSet resolved to its Deployment."""

from __future__ import annotations

from collections.abc import Mapping

from kdash.model.build._json import remember
from kdash.model.meta import Meta, ObjectKey, OwnerRef, new_object_key
from kdash.model.workloads import WorkloadRecord

POD_TEMPLATE_HASH = "pod-template-hash"
_INFERRED: dict[str, OwnerRef] = {}  # Deployment name -> the owner inferred for its pods (shared)


def resolve_workload(
    owner: OwnerRef | None,
    namespace: str,
    replicasets: Mapping[ObjectKey, WorkloadRecord],
    pod_template_hash: str = "",
) -> OwnerRef | None:
    """The top workload behind a pod whose controller is `owner`.

    A ReplicaSet controller resolves to the Deployment that controls it. When the ReplicaSet is not
    known (not listed yet, or forbidden), the Deployment's name is inferred by stripping the
    "-<hash>" suffix, but only when the pod's `pod-template-hash` label equals that suffix: a bare
    ReplicaSet named "web-abc" must not become a Deployment "web". The inferred owner has no uid.
    """
    if owner is None or owner.kind != "ReplicaSet":
        return owner
    rs = replicasets.get(new_object_key("ReplicaSet", namespace, owner.name)) if replicasets else None
    if rs is not None:
        top = rs.meta.controller
        if top is not None and top.kind == "Deployment":
            return top
        return owner
    if pod_template_hash:
        suffix = "-" + pod_template_hash
        name = owner.name
        if name.endswith(suffix) and len(name) > len(suffix):
            deployment = name[: -len(suffix)]
            inferred = _INFERRED.get(deployment)
            if inferred is None:
                inferred = OwnerRef("Deployment", deployment, "", True)
                remember(_INFERRED, deployment, inferred)
            return inferred
    return owner


def pod_workload(meta: Meta, replicasets: Mapping[ObjectKey, WorkloadRecord]) -> OwnerRef | None:
    """`resolve_workload` for a pod's metadata (its controller, namespace and pod-template-hash label)."""
    return resolve_workload(
        meta.controller, meta.namespace, replicasets, meta.labels.get(POD_TEMPLATE_HASH, "")
    )
