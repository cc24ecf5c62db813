"""Server-side Tables for issue 13's kinds: kubectl's columns and cells, CRD printer columns, watch.

Columns are kube-apiserver's (pkg/printers/internalversion/printers.go; the default convertor's
NAME / CREATED AT for kinds without a printer; apiextensions' convertor for custom resources).
Cells are checked on the demo over HTTP and, where a capture exists, on the real server's objects
(../shared/k8s-reference/3x-*), printed with the sim's printer at the capture's time.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kdash.sim import SimCluster, jsonpath, resources, tables
from kdash.sim.registry import Registry
from kdash.sim.scenarios.demo_crds import crds
from tests.sim.test_kinds_discovery import raw

REF = Path(__file__).resolve().parents[3] / "shared" / "k8s-reference"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
#: The capture's clock (the Date header of the 3x captures).
CAPTURED = datetime(2026, 11, 29, 18, 41, 18, tzinfo=UTC)
#: path -> the columns kubectl prints (priority-1 ones marked with a trailing "*").
COLUMNS = {
    "/api/v1/endpoints": ["Name", "Endpoints", "Age"],
    "/apis/discovery.k8s.io/v1/endpointslices": ["Name", "AddressType", "Ports", "Endpoints", "Age"],
    "/apis/networking.k8s.io/v1/ingresses": ["Name", "Class", "Hosts", "Address", "Ports", "Age"],
    "/apis/networking.k8s.io/v1/ingressclasses": ["Name", "Controller", "Parameters", "Age"],
    "/apis/networking.k8s.io/v1/networkpolicies": ["Name", "Pod-Selector", "Age"],
    "/api/v1/persistentvolumeclaims": [
        "Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass", "VolumeAttributesClass", "Age",
        "VolumeMode*",
    ],
    "/api/v1/persistentvolumes": [
        "Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass",
        "VolumeAttributesClass", "Reason", "Age", "VolumeMode*",
    ],
    "/apis/storage.k8s.io/v1/storageclasses": [
        "Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age",
    ],
    "/api/v1/configmaps": ["Name", "Data", "Age"],
    "/api/v1/secrets": ["Name", "Type", "Data", "Age"],
    "/api/v1/serviceaccounts": ["Name", "Secrets", "Age"],
    "/api/v1/services": ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector*"],
    "/api/v1/nodes": [
        "Name", "Status", "Roles", "Age", "Version", "Internal-IP*", "External-IP*", "OS-Image*",
        "Kernel-Version*", "Container-Runtime*",
    ],
    "/apis/rbac.authorization.k8s.io/v1/rolebindings": [
        "Name", "Role", "Age", "Users*", "Groups*", "ServiceAccounts*",
    ],
    "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings": [
        "Name", "Role", "Age", "Users*", "Groups*", "ServiceAccounts*",
    ],
    "/apis/rbac.authorization.k8s.io/v1/roles": ["Name", "Created At"],
    "/apis/rbac.authorization.k8s.io/v1/clusterroles": ["Name", "Created At"],
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions": ["Name", "Created At"],
    "/api/v1/limitranges": ["Name", "Created At"],
    "/apis/cert-manager.io/v1/certificates": ["Name", "Ready", "Secret", "Issuer*", "Status*", "Age"],
    "/apis/cert-manager.io/v1/clusterissuers": ["Name", "Ready", "Status*", "Age"],
}  # fmt: skip


def _table(api: Any, path: str, **query: Any) -> tuple[list[str], dict[str, list[Any]]]:
    doc = raw(api, path, TABLE, **query)
    assert (doc["kind"], doc["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    cols = [c["name"] + ("*" if c["priority"] else "") for c in doc["columnDefinitions"]]
    rows = {}
    for row in doc["rows"]:
        meta = row["object"]["metadata"]
        rows[f"{meta.get('namespace', '')}/{meta['name']}".lstrip("/")] = row["cells"]
    return cols, rows


@pytest.mark.parametrize("path", list(COLUMNS))
def test_columns_are_kubectls(api: Any, path: str) -> None:
    cols, rows = _table(api, path)
    assert cols == COLUMNS[path]
    assert rows, f"the demo has no {path}"
    assert all(len(cells) == len(cols) for cells in rows.values())


def test_cells_on_the_demo(api: Any) -> None:
    _, ing = _table(api, "/apis/networking.k8s.io/v1/ingresses")
    assert ing["shop/shop"][1:5] == ["nginx", "shop.example.com", "203.0.113.10", "80, 443"]
    assert ing["shop/search"][1:5] == ["nginx", "search.example.com", "", "80"]
    _, pvc = _table(api, "/api/v1/persistentvolumeclaims")
    volume = pvc["shop/data-redis-0"][2]
    assert volume.startswith("pvc-")
    assert pvc["shop/data-redis-0"][1:] == [
        "Bound",
        volume,
        "1Gi",
        "RWO",
        "standard",
        "<unset>",
        "10d",
        "Filesystem",
    ]
    assert pvc["shop/uploads"][1:7] == ["Pending", "", "", "", "fast", "<unset>"]
    _, pv = _table(api, "/api/v1/persistentvolumes")
    assert pv[volume][1:8] == ["1Gi", "RWO", "Delete", "Bound", "shop/data-redis-0", "standard", "<unset>"]
    assert pv["nfs-archive"][1:6] == ["100Gi", "ROX,RWX", "Retain", "Available", ""]
    _, sc = _table(api, "/apis/storage.k8s.io/v1/storageclasses")
    assert "standard (default)" in {cells[0] for cells in sc.values()}
    assert sc["fast"][1:5] == ["ebs.csi.aws.com", "Retain", "WaitForFirstConsumer", True]
    _, secrets = _table(api, "/api/v1/secrets")
    assert secrets["shop/web-tls"][1:3] == ["kubernetes.io/tls", 2]
    _, sas = _table(api, "/api/v1/serviceaccounts")
    assert sas["kube-system/legacy-ci"][1] == 1
    _, cms = _table(api, "/api/v1/configmaps")
    assert cms["shop/cart-env"][1] == 3
    _, netpol = _table(api, "/apis/networking.k8s.io/v1/networkpolicies")
    assert (netpol["shop/allow-web"][1], netpol["shop/default-deny-ingress"][1]) == ("app=web", "<none>")
    _, slices = _table(api, "/apis/discovery.k8s.io/v1/endpointslices")
    web = next(cells for key, cells in slices.items() if key.startswith("shop/web-"))
    assert web[1:3] == ["IPv4", "80"]
    assert len(web[3].split(",")) == 3
    legacy = next(cells for key, cells in slices.items() if key.startswith("shop/legacy-search-"))
    assert legacy[1:4] == ["IPv4", "<unset>", "<unset>"]
    _, svc = _table(api, "/api/v1/services")
    assert svc["shop/frontend"][1:5] == ["LoadBalancer", "10.96.10.4", "203.0.113.20", "80:31080/TCP"]
    assert svc["kube-system/kube-dns"][4] == "53/UDP,53/TCP,9153/TCP"
    _, rb = _table(api, "/apis/rbac.authorization.k8s.io/v1/rolebindings")
    assert rb["shop/read-pods"][1] == "Role/pod-reader"
    assert rb["shop/read-pods"][3:] == ["jane", "", "shop/default"]
    _, crd = _table(api, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
    created = crd["certificates.cert-manager.io"][1]
    assert datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")


def test_crd_instances_use_their_printer_columns(api: Any) -> None:
    _, certs = _table(api, "/apis/cert-manager.io/v1/certificates")
    assert certs["shop/web-tls"][:5] == [
        "web-tls", "True", "web-tls", "letsencrypt-prod", "Certificate is up to date and has not expired",
    ]  # fmt: skip
    assert certs["shop/search-tls"][:4] == ["search-tls", "False", "search-tls", "letsencrypt-prod"]
    assert certs["payments/api-tls"][5] == "7d"  # a date column prints an age
    doc = raw(api, "/apis/cert-manager.io/v1/certificates", TABLE)
    age = doc["columnDefinitions"][-1]
    assert (age["type"], age["description"][:17]) == ("date", "CreationTimestamp")
    ready = doc["columnDefinitions"][1]
    assert ready["description"] == (
        'Custom resource definition column (in JSONPath format): .status.conditions[?(@.type=="Ready")].status'
    )
    _, issuers = _table(api, "/apis/cert-manager.io/v1/clusterissuers")
    assert issuers["letsencrypt-prod"][1] == "True"


def _crd_type(columns: list[dict[str, Any]]) -> Any:
    crd = crds(CAPTURED)[0]
    crd["spec"]["versions"][0]["additionalPrinterColumns"] = columns
    reg = Registry()
    reg.add_crd(crd)
    return reg.lookup("certificates")


def test_printer_column_types_and_missing_values() -> None:
    rt = _crd_type(
        [
            {"name": "N", "type": "integer", "jsonPath": ".spec.n"},
            {"name": "F", "type": "number", "jsonPath": ".spec.n"},
            {"name": "B", "type": "boolean", "jsonPath": ".spec.flag"},
            {"name": "S", "type": "string", "jsonPath": ".spec.dnsNames"},
            {"name": "First", "type": "string", "jsonPath": ".spec.dnsNames[0]"},
            {"name": "Missing", "type": "string", "jsonPath": ".status.nothing"},
            {"name": "WrongType", "type": "integer", "jsonPath": ".spec.flag"},
            {"name": "When", "type": "date", "jsonPath": ".spec.when"},
            {"name": "Bad", "type": "date", "jsonPath": ".spec.bad"},
        ]
    )
    obj = {
        "metadata": {"name": "x", "namespace": "shop", "creationTimestamp": "2026-11-29T18:00:00Z"},
        "spec": {"n": 3, "flag": True, "dnsNames": ["a.example", "b.example"], "when": "2026-11-28T18:41:18Z", "bad": "soon"},
    }  # fmt: skip
    row = tables.table_row(rt, obj, CAPTURED, "None")
    assert row["cells"] == [
        "x",
        3,
        3.0,
        True,
        '["a.example","b.example"]',
        "a.example",
        None,
        None,
        "24h",
        "<invalid>",
    ]
    assert [c["name"] for c in tables.column_definitions(_crd_type([]))] == ["Name", "Age"]


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ('.status.conditions[?(@.type=="Ready")].status', ["False"]),
        (".status.conditions[?(@.type!='Ready')].reason", ["Later"]),
        (".status.conditions[*].type", ["Ready", "Issuing"]),
        (".status.conditions[-1].type", ["Issuing"]),
        (".status.conditions[?(@.observed)].type", ["Issuing"]),
        ("{.spec['secret.name']}", ["s"]),
        (".spec.nope.deeper", []),
        (".status.conditions[9]", []),
        (".spec..x", []),  # recursive descent is outside the subset: no result, not an error
    ],
)
def test_jsonpath_subset(path: str, want: list[Any]) -> None:
    obj = {
        "spec": {"secret.name": "s"},
        "status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "Issuing", "reason": "Later", "observed": 1}]},
    }  # fmt: skip
    assert jsonpath.find(path, obj) == want


def _reference_rows(name: str, plural: str) -> dict[str, list[Any]]:
    items = json.loads((REF / f"{name}.body").read_text())["items"]
    doc = tables.table(resources.lookup(plural), items, CAPTURED, "None", {})
    return {
        row_obj["metadata"]["name"]: row["cells"] for row_obj, row in zip(items, doc["rows"], strict=True)
    }


def test_cells_of_the_real_servers_objects() -> None:
    """kubectl's text for the captured objects: an Endpoints with only not-ready addresses prints
    nothing, one without subsets "<none>"; an empty EndpointSlice "<unset>"; and so on."""
    ep = _reference_rows("32-endpoints-shop", "endpoints")
    assert ep["db"][1] == "<none>"
    assert ep["web"][1] == ""
    es = _reference_rows("33-endpointslices-shop", "endpointslices")
    assert es["db-7gnng"][1:4] == ["IPv4", "<unset>", "<unset>"]
    assert es["web-r49vn"][1:4] == ["IPv4", "80", "10.244.0.11,10.244.0.12"]
    ing = _reference_rows("34-ingresses-shop", "ingresses")
    assert ing["web"][1:5] == ["<none>", "shop.example.local", "", "80"]
    pvc = _reference_rows("35-pvcs-shop", "persistentvolumeclaims")
    assert pvc["data-db-0"][:7] == ["data-db-0", "Bound", "pv-db-0", "1Gi", "RWO", "", "<unset>"]
    assert pvc["data-db-0"][8] == "Filesystem"
    pv = _reference_rows("36-pvs", "persistentvolumes")
    assert pv["pv-db-0"][:10] == [
        "pv-db-0",
        "1Gi",
        "RWO",
        "Retain",
        "Bound",
        "shop/data-db-0",
        "",
        "<unset>",
        "",
        "5m22s",
    ]
    sa = _reference_rows("46-serviceaccounts-shop", "serviceaccounts")
    assert sa["default"][1] == 0
    cm = _reference_rows("47-configmaps-shop", "configmaps")
    assert cm["kube-root-ca.crt"][1] == 1
    svc = _reference_rows("31-services-shop", "services")
    assert svc["db"][1:5] == ["ClusterIP", "None", "<none>", "5432/TCP"]


def test_watch_in_table_form_for_a_crd(demo: SimCluster, api: Any) -> None:
    """A watch asked for as Table sends one-row Tables with the CRD's cells, changes included."""
    rv = raw(api, "/apis/cert-manager.io/v1/namespaces/shop/certificates")["metadata"]["resourceVersion"]

    def ready(obj: dict[str, Any]) -> None:
        obj["status"]["conditions"][0].update(
            status="True", reason="Ready", message="Certificate is up to date"
        )

    demo.update("certificates", "shop", "search-tls", ready)
    method, url, headers, body, post = api.param_serialize(
        "GET",
        "/apis/cert-manager.io/v1/namespaces/shop/certificates",
        query_params=[("watch", "1"), ("resourceVersion", rv), ("timeoutSeconds", "1")],
        header_params={"Accept": TABLE},
        auth_settings=["BearerToken"],
    )
    resp = api.call_api(method, url, header_params=headers, body=body, post_params=post)
    resp.read()
    events = [json.loads(line) for line in resp.data.splitlines() if line.strip()]
    assert [e["type"] for e in events] == ["MODIFIED"]
    table = events[0]["object"]
    assert table["kind"] == "Table"
    assert [c["name"] for c in table["columnDefinitions"]][:3] == ["Name", "Ready", "Secret"]
    assert table["rows"][0]["cells"][:2] == ["search-tls", "True"]
