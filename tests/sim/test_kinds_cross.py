"""The kinds the cross-object and RBAC rules read, served by the simulator as a real API server
serves them: kubectl's tables, list + watch through the kubernetes client, and 403 when forbidden."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import kubernetes
import pytest

from kdash.sim import SimCluster, start_sim
from tests.sim.conftest import client_for
from tests.sim.test_kubectl import kubectl

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


@needs_kubectl
def test_kubectl_gets_policies_roles_and_bindings(demo: SimCluster, tmp_path: Path) -> None:
    r = kubectl(
        demo, tmp_path, "get", "networkpolicies,roles,rolebindings,clusterroles,clusterrolebindings", "-A"
    )
    assert r.returncode == 0, r.stderr
    for needle in (
        "networkpolicy.networking.k8s.io/allow-metrics-gateway",
        "role.rbac.authorization.k8s.io/debugger",
        "rolebinding.rbac.authorization.k8s.io/debug-default",
        "clusterrole.rbac.authorization.k8s.io/cluster-admin",
        "clusterrolebinding.rbac.authorization.k8s.io/ci-deployer-admin",
        "ClusterRole/cluster-admin",  # the ROLE column of bindings
    ):
        assert needle in r.stdout, needle
    cm = kubectl(demo, tmp_path, "get", "configmap", "-n", "payments", "ledger-env", "-o", "jsonpath={.data}")
    assert cm.returncode == 0 and "LEDGER_DB_PASSWORD" in cm.stdout, cm.stderr


def _watch(list_fn: Any, **kw: Any) -> list[tuple[str, str]]:
    """A list, then a watch from its resourceVersion: the initial list's names and watch events."""
    listed = list_fn(**kw)
    names = sorted(i.metadata.name for i in listed.items)
    w = kubernetes.watch.Watch()
    events = [
        (e["type"], e["object"].metadata.name)
        for e in w.stream(list_fn, resource_version=listed.metadata.resource_version, timeout_seconds=1, **kw)
    ]
    return [("LISTED", n) for n in names] + events


def test_list_and_watch_through_the_kubernetes_client(demo: SimCluster) -> None:
    client = client_for(demo)
    net = kubernetes.client.NetworkingV1Api(client)
    rbac = kubernetes.client.RbacAuthorizationV1Api(client)
    core = kubernetes.client.CoreV1Api(client)
    got = _watch(net.list_network_policy_for_all_namespaces)
    assert ("LISTED", "allow-metrics-gateway") in got and ("LISTED", "default-deny-ingress") in got
    assert all(kind == "LISTED" for kind, _ in got)  # nothing changed since the list: no event
    assert ("LISTED", "ci-deployer-admin") in _watch(rbac.list_cluster_role_binding)
    assert ("LISTED", "debugger") in _watch(rbac.list_namespaced_role, namespace="shop")
    assert ("LISTED", "search") in _watch(net.list_ingress_for_all_namespaces)
    assert ("LISTED", "ledger-env") in _watch(core.list_namespaced_config_map, namespace="payments")
    from_zero = list(
        kubernetes.watch.Watch().stream(rbac.list_cluster_role, resource_version="0", timeout_seconds=1)
    )
    assert "cluster-admin" in {e["object"].metadata.name for e in from_zero if e["type"] == "ADDED"}


def test_forbidden_rbac_kinds_answer_403() -> None:
    with start_sim("demo", faults="forbid=clusterrolebindings+roles") as sim:
        rbac = kubernetes.client.RbacAuthorizationV1Api(client_for(sim))
        with pytest.raises(kubernetes.client.ApiException) as err:
            rbac.list_cluster_role_binding()
        assert err.value.status == 403
        assert rbac.list_cluster_role().items  # the others still answer
