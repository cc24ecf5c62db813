"""Discovery for issue 13's kinds, and CRDs that appear in it (and are served) once stored.

Through the real kubernetes client: aggregated ``/api`` and ``/apis`` as kubectl asks for them, the
legacy documents as the client's own discovery calls read them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes
import pytest

from kdash.sim import SimCluster, start_sim
from kdash.sim.faults import FaultSpecError, parse_faults
from tests.sim.conftest import client_for

REF = Path(__file__).resolve().parents[3] / "shared" / "k8s-reference"
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
#: (group, version, plural) -> kubectl's short names, for every kind issue 13 opens by `:` command.
KINDS = {
    ("", "v1", "services"): ["svc"],
    ("", "v1", "endpoints"): ["ep"],
    ("", "v1", "nodes"): ["no"],
    ("", "v1", "persistentvolumeclaims"): ["pvc"],
    ("", "v1", "persistentvolumes"): ["pv"],
    ("", "v1", "configmaps"): ["cm"],
    ("", "v1", "secrets"): [],
    ("", "v1", "serviceaccounts"): ["sa"],
    ("", "v1", "pods"): ["po"],
    ("apps", "v1", "deployments"): ["deploy"],
    ("apps", "v1", "replicasets"): ["rs"],
    ("policy", "v1", "poddisruptionbudgets"): ["pdb"],
    ("networking.k8s.io", "v1", "ingresses"): ["ing"],
    ("networking.k8s.io", "v1", "networkpolicies"): ["netpol"],
    ("networking.k8s.io", "v1", "ingressclasses"): [],
    ("discovery.k8s.io", "v1", "endpointslices"): [],
    ("storage.k8s.io", "v1", "storageclasses"): ["sc"],
    ("apiextensions.k8s.io", "v1", "customresourcedefinitions"): ["crd", "crds"],
    ("rbac.authorization.k8s.io", "v1", "roles"): [],
    ("rbac.authorization.k8s.io", "v1", "rolebindings"): [],
    ("rbac.authorization.k8s.io", "v1", "clusterroles"): [],
    ("rbac.authorization.k8s.io", "v1", "clusterrolebindings"): [],
    ("cert-manager.io", "v1", "certificates"): ["cert", "certs"],
}


def raw(api: Any, path: str, accept: str = "application/json", **query: Any) -> Any:
    """GET ``path`` through the client's own HTTP stack (auth, TLS); the decoded JSON body."""
    method, url, headers, body, post = api.param_serialize(
        "GET",
        path,
        query_params=list(query.items()),
        header_params={"Accept": accept},
        auth_settings=["BearerToken"],
    )
    resp = api.call_api(method, url, header_params=headers, body=body, post_params=post)
    resp.read()
    assert resp.status == 200, resp.data
    return json.loads(resp.data)


def _entries(doc: Any, core: bool) -> dict[tuple[str, str, str], Any]:
    return {
        ("" if core else item["metadata"]["name"], ver["version"], res["resource"]): res
        for item in doc["items"]
        for ver in item["versions"]
        for res in ver["resources"]
    }


@pytest.fixture(scope="module")
def aggregated(api: Any) -> dict[tuple[str, str, str], Any]:
    return {**_entries(raw(api, "/api", AGGREGATED), True), **_entries(raw(api, "/apis", AGGREGATED), False)}


def test_aggregated_discovery_lists_the_kinds_with_short_names(aggregated: dict[Any, Any]) -> None:
    missing = [k for k in KINDS if k not in aggregated]
    assert not missing
    assert {k: aggregated[k].get("shortNames", []) for k in KINDS} == KINDS
    for key in KINDS:
        assert {"get", "list", "watch"} <= set(aggregated[key]["verbs"]), key


def test_built_in_entries_are_the_real_servers(aggregated: dict[Any, Any]) -> None:
    """Every built-in entry (verbs, categories, scope, subresources aside) is the captured one."""
    real = {
        **_entries(json.loads((REF / "49b-api-aggregated-discovery.body").read_text()), True),
        **_entries(json.loads((REF / "49-apis-aggregated-discovery.body").read_text()), False),
    }
    for key, entry in aggregated.items():
        if key[0] in ("cert-manager.io", "metrics.k8s.io"):  # a CRD; the simulated metrics-server
            continue
        want = {k: v for k, v in real[key].items() if k != "subresources"}
        assert {k: v for k, v in entry.items() if k != "subresources"} == want, key
    assert aggregated[("", "v1", "pods")]["categories"] == ["all"]


def test_legacy_discovery_through_the_client(api: Any) -> None:
    core = kubernetes.client.CoreV1Api(api).get_api_resources()
    by_name = {r.name: r for r in core.resources}
    assert by_name["endpoints"].short_names == ["ep"]
    assert by_name["persistentvolumes"].namespaced is False
    assert "secrets" in by_name and "serviceaccounts" in by_name
    groups = {g.name: g for g in kubernetes.client.ApisApi(api).get_api_versions().groups}
    for group in ("discovery.k8s.io", "storage.k8s.io", "apiextensions.k8s.io", "rbac.authorization.k8s.io"):
        assert groups[group].preferred_version.version == "v1"
    assert groups["cert-manager.io"].preferred_version.group_version == "cert-manager.io/v1"
    certs = raw(api, "/apis/cert-manager.io/v1")
    names = {r["name"]: r for r in certs["resources"]}
    assert names["certificates"]["shortNames"] == ["cert", "certs"]
    assert names["certificates"]["kind"] == "Certificate"
    assert names["clusterissuers"]["namespaced"] is False
    assert "certificates/status" in names


# ---- CRDs are dynamic ------------------------------------------------------------------------

WIDGET_CRD = {
    "kind": "CustomResourceDefinition",
    "apiVersion": "apiextensions.k8s.io/v1",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
        "versions": [
            {"name": "v1beta1", "served": True, "storage": False},
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}],
            },
        ],
    },
}


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    with start_sim("empty", kubeconfig_path=tmp_path_factory.mktemp("crd") / "kc") as sim:
        yield sim


def test_a_stored_crd_is_discovered_and_served_and_its_deletion_undoes_it(empty: SimCluster) -> None:
    api = client_for(empty)
    custom = kubernetes.client.CustomObjectsApi(api)
    assert "example.com" not in {g.name for g in kubernetes.client.ApisApi(api).get_api_versions().groups}
    empty.apply(WIDGET_CRD)
    empty.apply(
        {"kind": "Widget", "apiVersion": "example.com/v1", "metadata": {"name": "w1"}, "spec": {"size": 3}}
    )
    group = raw(api, "/apis/example.com")
    assert [v["version"] for v in group["versions"]] == ["v1", "v1beta1"]  # by version priority
    assert group["preferredVersion"]["version"] == "v1"
    agg = _entries(raw(api, "/apis", AGGREGATED), False)
    assert agg[("example.com", "v1", "widgets")]["shortNames"] == ["wd"]
    got = custom.get_namespaced_custom_object("example.com", "v1", "default", "widgets", "w1")
    assert (got["kind"], got["apiVersion"], got["spec"]) == ("Widget", "example.com/v1", {"size": 3})
    old = custom.list_namespaced_custom_object("example.com", "v1beta1", "default", "widgets")
    assert [i["metadata"]["name"] for i in old["items"]] == ["w1"]
    assert empty.get("widgets.example.com", "default", "w1") is not None
    empty.delete("customresourcedefinitions", None, "widgets.example.com")
    with pytest.raises(kubernetes.client.ApiException) as exc:
        custom.list_namespaced_custom_object("example.com", "v1", "default", "widgets")
    assert exc.value.status == 404
    assert "example.com" not in {g.name for g in kubernetes.client.ApisApi(api).get_api_versions().groups}


def test_a_scenario_file_may_define_crds_and_their_objects(tmp_path: Path) -> None:
    path = tmp_path / "crd.yaml"
    widget = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w1", "namespace": "toys"},
    }
    path.write_text(json.dumps(WIDGET_CRD) + "\n---\n" + json.dumps(widget) + "\n")
    with start_sim(str(path), tls=False) as sim:
        assert [w["metadata"]["name"] for w in sim.list("widgets", "toys")] == ["w1"]
        assert sim.get("namespaces", None, "toys") is not None
    bad = tmp_path / "bad.yaml"
    bad.write_text(json.dumps({**widget, "apiVersion": "other.io/v1"}))
    with pytest.raises(ValueError, match="kind 'Widget' is not served"):
        start_sim(str(bad), tls=False)


# ---- discovery faults ----------------------------------------------------------------------------


def test_a_server_without_aggregated_discovery(empty: SimCluster) -> None:
    api = client_for(empty)
    empty.set_faults("aggregated-discovery=off")
    try:
        assert raw(api, "/apis", AGGREGATED)["kind"] == "APIGroupList"
        assert raw(api, "/api", AGGREGATED)["kind"] == "APIVersions"
    finally:
        empty.set_faults(None)
    assert raw(api, "/apis", AGGREGATED)["kind"] == "APIGroupDiscoveryList"


def test_an_unavailable_group_version_is_stale_and_answers_503(empty: SimCluster) -> None:
    api = client_for(empty)
    empty.set_faults("broken-discovery=metrics.k8s.io/v1beta1+policy")
    try:
        agg = {i["metadata"]["name"]: i["versions"] for i in raw(api, "/apis", AGGREGATED)["items"]}
        assert agg["metrics.k8s.io"] == [{"version": "v1beta1", "freshness": "Stale"}]
        assert agg["policy"] == [{"version": "v1", "freshness": "Stale"}]
        assert agg["apps"][0]["freshness"] == "Current"
        legacy = {g["name"]: g for g in raw(api, "/apis")["groups"]}
        assert legacy["metrics.k8s.io"]["preferredVersion"]["groupVersion"] == "metrics.k8s.io/v1beta1"
        assert raw(api, "/apis/metrics.k8s.io")["name"] == "metrics.k8s.io"
        for path in (
            "/apis/metrics.k8s.io/v1beta1",
            "/apis/policy/v1",
            "/apis/policy/v1/poddisruptionbudgets",
        ):
            with pytest.raises(AssertionError, match="503"):
                _status_of(api, path)
        assert raw(api, "/apis/apps/v1")["groupVersion"] == "apps/v1"
    finally:
        empty.set_faults(None)
    assert "metrics.k8s.io" not in {g["name"] for g in raw(api, "/apis")["groups"]}


def _status_of(api: Any, path: str) -> None:
    method, url, headers, body, post = api.param_serialize(
        "GET", path, header_params={"Accept": "application/json"}, auth_settings=["BearerToken"]
    )
    resp = api.call_api(method, url, header_params=headers, body=body, post_params=post)
    resp.read()
    doc = json.loads(resp.data)
    assert resp.status == 200, f"{resp.status} {doc.get('reason')}"


def test_discovery_fault_specs_are_checked() -> None:
    faults = parse_faults("broken-discovery=metrics.k8s.io,cert-manager.io/v1,aggregated-discovery=off")
    assert faults.broken_discovery == {"metrics.k8s.io", "cert-manager.io/v1"}
    assert faults.no_aggregated_discovery
    with pytest.raises(FaultSpecError, match="on or off"):
        parse_faults("aggregated-discovery=maybe")
