"""Discovery over real HTTP to the sim: aggregated where served, legacy documents where not, partial
when one group version is broken, in the background and again after a context switch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kdash.k8s.service import ClusterService
from kdash.model.feeds import ApiResource, Discovery
from kdash.model.snapshot import SyncPhase
from kdash.sim.scenarios.demo_crds import crds
from tests.helpers import wait_for

from .conftest import sim_kubeconfig_entry, write_kubeconfig

# kubectl's short names of the kinds the issue names, by qualified resource name
SHORT = {
    "pods": "po",
    "deployments.apps": "deploy",
    "services": "svc",
    "ingresses.networking.k8s.io": "ing",
    "nodes": "no",
    "persistentvolumeclaims": "pvc",
    "persistentvolumes": "pv",
    "configmaps": "cm",
    "serviceaccounts": "sa",
    "endpoints": "ep",
    "networkpolicies.networking.k8s.io": "netpol",
    "poddisruptionbudgets.policy": "pdb",
    "replicasets.apps": "rs",
    "customresourcedefinitions.apiextensions.k8s.io": "crd",
}


def _discovered(svc: ClusterService) -> Discovery:
    return wait_for(lambda: (d := svc.discovery()).phase is not SyncPhase.SYNCING and d, what="discovery")


def _by_name(d: Discovery) -> dict[str, ApiResource]:
    return {r.qualified: r for r in d.resources}


def _gets(sim: Any) -> list[str]:
    return [e["path"] for e in sim.audit if e["verb"] == "get"]


def test_aggregated_discovery_lists_every_kind_with_short_names(sim: Any, make_service: Any) -> None:
    svc = make_service(sim)
    svc.start()
    d = _discovered(svc)
    assert d.phase is SyncPhase.LIVE and d.message == ""
    found = _by_name(d)
    for name, short in SHORT.items():
        assert short in found[name].short_names, name
    assert "secrets" in found
    pods = found["pods"]
    assert (pods.group, pods.version, pods.kind, pods.namespaced) == ("", "v1", "Pod", True)
    assert {"list", "watch", "get"} <= pods.verbs and pods.singular == "pod"
    assert not found["nodes"].namespaced
    assert "all" in found["pods"].categories
    assert all("/" not in r.resource for r in d.resources)  # pods/log, pods/status: not resources
    assert d.resources[0].group == ""  # the core group first
    # two requests, aggregated: no legacy per-group-version documents were needed
    assert "/api/v1" not in _gets(sim) and "/apis/apps/v1" not in _gets(sim)


def test_a_crd_is_discovered_with_its_short_names_and_categories(sim: Any, make_service: Any) -> None:
    for crd in crds(datetime.now(UTC)):
        sim.apply(crd)
    svc = make_service(sim)
    svc.start()
    certs = _by_name(_discovered(svc))["certificates.cert-manager.io"]
    assert (certs.kind, certs.version, certs.namespaced) == ("Certificate", "v1", True)
    assert certs.short_names == ("cert", "certs") and "cert-manager" in certs.categories


def test_legacy_discovery_where_aggregated_is_not_served(sim: Any, make_service: Any) -> None:
    aggregated = make_service(sim)
    aggregated.start()
    expected = set(_discovered(aggregated).resources)
    aggregated.stop()
    sim.set_faults("aggregated-discovery=off")  # a pre-1.26 server
    sim.clear_audit()
    svc = make_service(sim)
    svc.start()
    d = _discovered(svc)
    assert d.phase is SyncPhase.LIVE and d.message == ""
    assert set(d.resources) == expected  # the same resources, short names, verbs and categories
    assert "/api/v1" in _gets(sim) and "/apis/apps/v1" in _gets(sim)  # found the legacy way


@pytest.mark.parametrize("aggregated", ["on", "off"])
def test_a_broken_group_version_makes_discovery_partial(sim: Any, make_service: Any, aggregated: str) -> None:
    sim.set_faults(f"aggregated-discovery={aggregated},broken-discovery=autoscaling/v2")
    svc = make_service(sim)
    svc.start()
    d = _discovered(svc)
    assert d.phase is SyncPhase.LIVE
    assert "autoscaling/v2" in d.message
    found = _by_name(d)
    assert "pods" in found and "deployments.apps" in found  # the rest is there
    sim.set_faults(None)  # the API server behind it recovers: discovery asks again, and completes
    d = wait_for(lambda: (x := svc.discovery()).message == "" and x, what="a complete discovery")
    assert "horizontalpodautoscalers.autoscaling" in _by_name(d)


def test_discovery_runs_in_the_background_and_again_after_a_context_switch(
    sim: Any, make_service: Any, tmp_path: Any
) -> None:
    entry = sim_kubeconfig_entry(sim)
    path = write_kubeconfig(tmp_path / "kc.yaml", {"a": entry, "b": entry}, current="a")
    sim.set_faults("latency=300ms")  # every answer takes a while: discovery() must not wait for it
    svc = make_service(sim, kubeconfig=str(path))
    svc.start()
    assert svc.discovery().phase is SyncPhase.SYNCING
    assert _discovered(svc).phase is SyncPhase.LIVE
    discoveries = len([p for p in _gets(sim) if p == "/api"])
    svc.switch_context("b")
    assert svc.discovery().phase is SyncPhase.SYNCING  # the other cluster is not known yet
    assert _discovered(svc).phase is SyncPhase.LIVE
    assert len([p for p in _gets(sim) if p == "/api"]) > discoveries
