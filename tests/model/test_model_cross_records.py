"""Builders of what the cross-object and RBAC rules read: NetworkPolicies, ConfigMaps (key names
only), RBAC, PDB status, Service ports, and whether an applied manifest set spec.replicas."""

from __future__ import annotations

import json
from typing import Any

from kdash.model.build import build_record, build_workload
from kdash.model.build.meta import LAST_APPLIED
from kdash.model.rbac import PolicyRule, Subject


def deployment(replicas: int | None = 3, **md: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}},
    }
    if replicas is not None:
        spec["replicas"] = replicas
    return {"metadata": {"name": "web", "namespace": "shop", **md}, "spec": spec}


def test_replicas_applied_on_a_manifest_is_spec_replicas() -> None:
    assert build_workload(deployment(3), "Deployment").replicas_applied
    assert not build_workload(deployment(None), "Deployment").replicas_applied


def test_replicas_applied_live_reads_what_was_applied() -> None:
    live = {"resourceVersion": "812"}  # live objects always carry spec.replicas (defaulted)
    assert not build_workload(deployment(3, **live), "Deployment").replicas_applied
    with_replicas = json.dumps({"kind": "Deployment", "spec": {"replicas": 3}})
    without = json.dumps({"kind": "Deployment", "spec": {"template": {"spec": {"replicas": "not this"}}}})
    applied = build_workload(deployment(3, annotations={LAST_APPLIED: with_replicas}, **live), "Deployment")
    assert applied.replicas_applied
    assert LAST_APPLIED not in applied.meta.annotations  # still dropped from what is kept
    assert not build_workload(
        deployment(3, annotations={LAST_APPLIED: without}, **live), "Deployment"
    ).replicas_applied
    assert not build_workload(
        deployment(3, annotations={LAST_APPLIED: '{"replicas": broken'}, **live), "Deployment"
    ).replicas_applied
    ssa = [
        {
            "manager": "kube-controller-manager",
            "operation": "Update",
            "fieldsV1": {"f:spec": {"f:replicas": {}}},
        },
        {"manager": "argocd", "operation": "Apply", "fieldsV1": {"f:spec": {"f:template": {}}}},
    ]
    assert not build_workload(deployment(3, managedFields=ssa, **live), "Deployment").replicas_applied
    ssa[1]["fieldsV1"] = {"f:spec": {"f:replicas": {}}}
    assert build_workload(deployment(3, managedFields=ssa, **live), "Deployment").replicas_applied


def test_statefulset_service_name() -> None:
    sts = build_workload(
        {"metadata": {"name": "db"}, "spec": {"serviceName": "db-hl", "replicas": 1}}, "StatefulSet"
    )
    assert sts.service_name == "db-hl"
    assert build_workload(deployment(), "Deployment").service_name == ""


def test_configmap_keeps_key_names_never_values() -> None:
    cm = build_record(
        "configmaps",
        {"metadata": {"name": "c"}, "data": {"b": "hunter2", "a": "x"}, "binaryData": {"z.bin": "AAAA"}},
    )
    assert cm.keys == ("a", "b", "z.bin")  # type: ignore[attr-defined]
    assert "hunter2" not in repr(cm)
    assert build_record("configmaps", {"metadata": {"name": "c"}, "data": "junk"}).keys == ()  # type: ignore[attr-defined]


def test_pdb_status_and_service_ports() -> None:
    pdb = build_record(
        "poddisruptionbudgets",
        {
            "metadata": {"name": "p"},
            "spec": {"maxUnavailable": 0},
            "status": {"disruptionsAllowed": 0, "currentHealthy": 3, "desiredHealthy": 3, "expectedPods": 3},
        },
    )
    assert (pdb.max_unavailable, pdb.has_status, pdb.expected_pods, pdb.current_healthy) == ("0", True, 3, 3)  # type: ignore[attr-defined]
    assert not build_record("poddisruptionbudgets", {"metadata": {"name": "p"}}).has_status  # type: ignore[attr-defined]
    svc = build_record(
        "services",
        {
            "metadata": {"name": "s"},
            "spec": {"clusterIP": "None", "ports": [{"name": "http", "port": 80}, {"port": "x"}]},
        },
    )
    assert (svc.port_numbers, svc.port_names, svc.headless) == ((80,), ("http",), True)  # type: ignore[attr-defined]


def test_network_policy_and_rbac() -> None:
    pol = build_record(
        "networkpolicies",
        {
            "metadata": {"name": "n", "namespace": "shop"},
            "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress", 3]},
        },
    )
    assert pol.pod_selector.matches({"app": "web"}) and pol.policy_types == ("Ingress",)  # type: ignore[attr-defined]
    role = build_record(
        "clusterroles",
        {
            "metadata": {"name": "r"},
            "rules": [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}, "junk"],
        },
    )
    assert role.meta.kind == "ClusterRole" and role.rules == (PolicyRule(("",), ("pods/exec",), ("create",)),)  # type: ignore[attr-defined]
    binding = build_record(
        "rolebindings",
        {
            "metadata": {"name": "b", "namespace": "shop"},
            "roleRef": {"kind": "Role", "name": "r"},
            "subjects": [{"kind": "ServiceAccount", "name": "default"}, None],
        },
    )
    assert (binding.role_kind, binding.role_name, binding.subjects) == (
        "Role",
        "r",
        (Subject("ServiceAccount", "default"),),
    )  # type: ignore[attr-defined]
