"""Secrets: metadata-only answers carry no data, and the audit log tells which reads returned data.

The store holds real-looking Secret data (`SECRET_VALUES`); a client that asks for
``as=PartialObjectMetadata(List)`` or a Table (rows with metadata) never sees it, and
``SimCluster.audit_reads_of("secrets")`` records the form of every read, so a test can prove that a
client (kdash) never asked for Secret data.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kdash.sim import SimCluster, start_sim
from kdash.sim.scenarios.demo_config import SECRET_VALUES
from tests.sim.conftest import client_for
from tests.sim.test_kinds_discovery import raw

LIST_META = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json"
ONE_META = "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io,application/json"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
ENCODED = [base64.b64encode(v.encode()).decode() for v in SECRET_VALUES]


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimCluster]:
    with start_sim("demo", kubeconfig_path=tmp_path / "kc") as s:
        yield s


def _leaks(body: Any) -> list[str]:
    text = json.dumps(body)
    return [v for v in [*SECRET_VALUES, *ENCODED] if v in text]


def _watch(api: Any, path: str, accept: str) -> list[Any]:
    method, url, headers, body, post = api.param_serialize(
        "GET",
        path,
        query_params=[("watch", "1"), ("timeoutSeconds", "1")],
        header_params={"Accept": accept},
        auth_settings=["BearerToken"],
    )
    resp = api.call_api(method, url, header_params=headers, body=body, post_params=post)
    resp.read()
    return [json.loads(line) for line in resp.data.splitlines() if line.strip()]


def test_metadata_only_answers_carry_no_data_and_the_audit_says_so(sim: SimCluster) -> None:
    api = client_for(sim)
    listed = raw(api, "/api/v1/secrets", LIST_META)
    assert (listed["kind"], listed["apiVersion"]) == ("PartialObjectMetadataList", "meta.k8s.io/v1")
    assert {i["kind"] for i in listed["items"]} == {"PartialObjectMetadata"}
    assert all(set(i) == {"kind", "apiVersion", "metadata"} for i in listed["items"])
    names = {i["metadata"]["name"] for i in listed["items"]}
    assert {"web-tls", "api-db-credentials", "legacy-ci-token"} <= names
    creds = next(i for i in listed["items"] if i["metadata"]["name"] == "api-db-credentials")
    assert creds["metadata"]["labels"] == {"app": "api"}  # metadata-rich, data-free
    one = raw(api, "/api/v1/namespaces/payments/secrets/api-db-credentials", ONE_META)
    assert set(one) == {"kind", "apiVersion", "metadata"}
    watched = _watch(api, "/api/v1/namespaces/payments/secrets", ONE_META)
    assert watched and {e["object"]["kind"] for e in watched} == {"PartialObjectMetadata"}
    table = raw(api, "/api/v1/secrets", TABLE)
    assert {r["object"]["kind"] for r in table["rows"]} == {"PartialObjectMetadata"}
    for body in (listed, one, watched, table):
        assert _leaks(body) == []
    reads = sim.audit_reads_of("secrets")
    assert [(e["verb"], e["accept"]) for e in reads] == [
        ("list", "metadata"),
        ("get", "metadata"),
        ("watch", "metadata"),
        ("list", "table"),
    ]


def test_reads_that_return_data_are_visible_in_the_audit(sim: SimCluster) -> None:
    """The other half of the proof: the data is in the store, and asking for it shows."""
    api = client_for(sim)
    full = raw(api, "/api/v1/namespaces/payments/secrets/api-db-credentials")
    assert base64.b64decode(full["data"]["password"]).decode() == SECRET_VALUES[0]
    rows = raw(api, "/api/v1/secrets", TABLE, includeObject="Object")
    assert _leaks(rows)
    raw(api, "/api/v1/namespaces/shop/pods")  # other kinds are not counted
    assert [(e["verb"], e["accept"]) for e in sim.audit_reads_of("secrets")] == [
        ("get", "json"),
        ("list", "table+object"),
    ]
    assert {e["resource"] for e in sim.audit} >= {"secrets", "pods"}
