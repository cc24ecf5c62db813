"""Cross-object rules about workloads: PodDisruptionBudgets against the replicas they guard, a
StatefulSet's headless Service, and a workload's selector against its own template."""

from __future__ import annotations

from collections.abc import Iterator

from kdash.health.context import LONG_RUNNING_KINDS, Ctx, Target
from kdash.health.crossindex import CrossIndex, target_labels
from kdash.health.registry import Hit, Rule, cluster_rule, object_rule
from kdash.health.rules_cross import PODS, CrossHits, hpas_by_target, name_of, selector_text
from kdash.model.findings import Severity
from kdash.model.meta import ObjectKey

ERR, WARN = Severity.ERROR, Severity.WARNING


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


@cluster_rule(
    Rule(
        "pdb-blocks-drain",
        WARN,
        "cluster",
        "workloads",
        "a PodDisruptionBudget can never allow an eviction: maxUnavailable 0, minAvailable 100 % or at "
        "least the replicas (or the HPA's minReplicas) of a workload it selects, or, live, 0 "
        "disruptions allowed while every pod it expects is healthy",
        "`kubectl drain`, node upgrades and the cluster autoscaler wait on the budget forever: node "
        "maintenance stalls until someone deletes the PDB by hand.",
        "Leave room for one eviction: `maxUnavailable: 1`, or a minAvailable below the smallest "
        "replica count (an HPA's minReplicas included).",
        polaris=("pdbDisruptionsIsZero", "pdbMinAvailableGreaterThanHPAMinReplicas"),
    ),
    reads=("poddisruptionbudgets", "horizontalpodautoscalers", *PODS),
)
def pdb_blocks_drain(ix: CrossIndex) -> CrossHits:
    hpas = hpas_by_target(ix)
    for pdb in ix.snapshot.pdbs.values():
        reason = ""
        if pdb.max_unavailable in ("0", "0%"):
            reason = "maxUnavailable is 0"
        elif pdb.min_available == "100%":
            reason = "minAvailable is 100%"
        elif (floor := _int(pdb.min_available)) is not None:
            for t in ix.selected_targets(pdb.selector, pdb.meta.namespace):
                wl = t.workload
                if wl is None or wl.kind not in ("Deployment", "StatefulSet"):
                    continue
                scalers = hpas.get(t.key)
                least = (
                    min(h.min_replicas for h in scalers)
                    if scalers
                    else (wl.desired if wl.replicas_set else 1)
                )
                if floor >= least:
                    what = "the HPA's minReplicas" if scalers else "the replicas"
                    reason = f"minAvailable {floor} is not below {what} ({least}) of {name_of(t.key)}"
                    break
        healthy = pdb.expected_pods > 0 and pdb.current_healthy >= pdb.expected_pods
        if not reason and pdb.has_status and pdb.disruptions_allowed == 0 and healthy:
            reason = f"0 disruptions allowed with all {pdb.expected_pods} pods healthy"
        if reason:
            yield pdb.meta.key, Hit(f"{reason}: drains block")


@cluster_rule(
    Rule(
        "pdb-selects-nothing",
        WARN,
        "cluster",
        "workloads",
        "a PodDisruptionBudget's selector matches no pod and no workload's pod template in its namespace",
        "The budget protects nothing: evictions of the pods it was meant for are not limited at all.",
        "Make `spec.selector` match the labels of the workload's pod template.",
    ),
    reads=("poddisruptionbudgets", *PODS),
)
def pdb_selects_nothing(ix: CrossIndex) -> CrossHits:
    for pdb in ix.snapshot.pdbs.values():
        if not ix.selects_any(pdb.selector, pdb.meta.namespace):
            yield (
                pdb.meta.key,
                Hit(f"selector {selector_text(pdb.selector)} matches no pod in {pdb.meta.namespace}"),
            )


@cluster_rule(
    Rule(
        "statefulset-service-missing",
        WARN,
        "cluster",
        "workloads",
        "a StatefulSet's `serviceName` is empty, names no Service, names a Service that is not headless "
        "(`clusterIP: None`) or one that does not select its pods",
        "The pods get no stable DNS names (`redis-0.redis`), which is what clients of a StatefulSet "
        "(replicas finding each other, clients pinning a member) rely on.",
        "Create a headless Service selecting the pods and name it in `spec.serviceName`: "
        "`spec: {clusterIP: None, selector: {app: redis}}`.",
        kube_score=("statefulset-has-servicename",),
    ),
    reads=("services", "statefulsets"),
)
def statefulset_service_missing(ix: CrossIndex) -> CrossHits:
    services = ix.snapshot.services
    for t in ix.targets:
        wl = t.workload
        if wl is None or wl.kind != "StatefulSet":
            continue
        name = wl.service_name
        svc = services.get(ObjectKey("Service", t.key.namespace, name)) if name else None
        if not name:
            yield t.key, Hit(f"{name_of(t.key)} has no serviceName")
        elif svc is None:
            yield t.key, Hit(f"serviceName {name} names no Service in {t.key.namespace}")
        elif not svc.headless:
            yield t.key, Hit(f"Service {name} is not headless (clusterIP {svc.cluster_ip or 'assigned'})")
        elif svc.selector.empty or not svc.selector.matches(target_labels(t)):
            yield t.key, Hit(f"Service {name} does not select the pods of {name_of(t.key)}")


@object_rule(
    Rule(
        "selector-template-mismatch",
        ERR,
        "object",
        "workloads",
        "a Deployment, StatefulSet or DaemonSet has no `spec.selector`, or one its pod template's "
        "labels do not satisfy",
        "The API server rejects it (apps/v1 requires the selector and that the template matches it), "
        "so the apply fails; where an older tool let it through, the controller would not own its "
        "own pods.",
        "Set `spec.selector.matchLabels` to labels the template carries: "
        "`selector: {matchLabels: {app: web}}` with `template.metadata.labels: {app: web}`.",
        kube_score=(
            "deployment-pod-selector-labels-match-template-metadata-labels",
            "statefulset-pod-selector-labels-match-template-metadata-labels",
        ),
    )
)
def selector_template_mismatch(_ctx: Ctx, t: Target) -> Iterator[Hit]:
    wl = t.workload
    if wl is None or wl.kind not in LONG_RUNNING_KINDS:
        return
    if wl.selector.empty:
        yield Hit(f"{name_of(t.key)} has no spec.selector")
    elif not wl.selector.matches(t.template.labels):
        yield Hit(f"selector {selector_text(wl.selector)} does not match the pod template's labels")
