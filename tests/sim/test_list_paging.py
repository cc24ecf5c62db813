"""List pages (served by index: bisect for the continue key, slices for the page) against two
independent references: the unpaginated list, and a model of the store kept by the test itself
while pods are added, changed and deleted between pages.

A continue token pins the resourceVersion the list reports, not the data: later pages show the store
as it is when they are asked for (items after the token's key), which is what the simulator has
always served. The model checks exactly that, page by page.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kdash.sim import SimCluster, start_sim
from tests.sim.conftest import client_for

JSON = dict[str, Any]
Key = tuple[str, str]
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json"
METADATA = "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io, application/json"

#: (labelSelector, fieldSelector, the same in Python) for the lists under test.
SELECTORS: dict[str, tuple[str | None, str | None, Callable[[JSON], bool]]] = {
    "none": (None, None, lambda p: True),
    "label": (
        "app in (svc-01,svc-07,svc-30),tier!=gone",
        None,
        lambda p: (
            p["metadata"].get("labels", {}).get("app") in ("svc-01", "svc-07", "svc-30")
            and p["metadata"].get("labels", {}).get("tier") != "gone"
        ),
    ),
    "field": (None, "spec.nodeName=node-3", lambda p: p["spec"].get("nodeName") == "node-3"),
    "both": (
        "app in (svc-01,svc-07,svc-30),tier!=gone",
        "spec.nodeName=node-3",
        lambda p: (
            p["metadata"].get("labels", {}).get("app") in ("svc-01", "svc-07", "svc-30")
            and p["metadata"].get("labels", {}).get("tier") != "gone"
            and p["spec"].get("nodeName") == "node-3"
        ),
    ),
}
NAMESPACES = [None, "team-001"]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    path = tmp_path_factory.mktemp("paging") / "kubeconfig"
    with start_sim("big", pods=600, kubeconfig_path=path) as sim:  # team-000..002: 250, 250, 100
        yield sim


@pytest.fixture(scope="module")
def api(big: SimCluster) -> Any:
    return client_for(big)


def _path(namespace: str | None) -> str:
    return f"/api/v1/namespaces/{namespace}/pods" if namespace else "/api/v1/pods"


def _request(api: Any, namespace: str | None, accept: str, query: dict[str, Any]) -> tuple[int, JSON]:
    """One list request through the kubernetes client (query keys as the API spells them)."""
    method, url, headers, body, post = api.param_serialize(
        "GET",
        _path(namespace),
        query_params=[(k, v) for k, v in query.items() if v is not None],
        header_params={"Accept": accept},
        auth_settings=["BearerToken"],
    )
    resp = api.call_api(method, url, header_params=headers, body=body, post_params=post)
    resp.read()
    return resp.status, json.loads(resp.data)


def _get(api: Any, namespace: str | None, accept: str = "application/json", **query: Any) -> JSON:
    code, doc = _request(api, namespace, accept, query)
    assert code == 200, doc
    return doc


def _pages(
    api: Any, namespace: str | None, limit: int, accept: str = "application/json", **query: Any
) -> Iterator[JSON]:
    token = None
    while True:
        page = _get(api, namespace, accept, limit=limit, **{"continue": token}, **query)
        yield page
        token = page["metadata"].get("continue")
        if not token:
            return


def _key(item: JSON) -> Key:
    return (item["metadata"].get("namespace", ""), item["metadata"]["name"])


@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.parametrize("selector", sorted(SELECTORS))
@pytest.mark.parametrize("limit", [37, 500])
def test_pages_add_up_to_the_unpaginated_list(
    api: Any, namespace: str | None, selector: str, limit: int
) -> None:
    label, field, _ = SELECTORS[selector]
    whole = _get(api, namespace, labelSelector=label, fieldSelector=field)
    assert whole["items"], "every list under test has items"
    assert "continue" not in whole["metadata"]
    seen: list[JSON] = []
    for page in _pages(api, namespace, limit, labelSelector=label, fieldSelector=field):
        assert page["metadata"]["resourceVersion"] == whole["metadata"]["resourceVersion"]
        assert 0 < len(page["items"]) <= limit
        seen += page["items"]
        left = len(whole["items"]) - len(seen)
        assert page["metadata"].get("remainingItemCount", 0) == left
        assert ("continue" in page["metadata"]) == (left > 0)
    assert seen == whole["items"]
    assert [_key(i) for i in seen] == sorted(_key(i) for i in seen)


@pytest.mark.parametrize("accept", [TABLE, METADATA], ids=["table", "metadata"])
def test_table_and_metadata_pages_add_up_too(api: Any, accept: str) -> None:
    part = "rows" if accept == TABLE else "items"
    whole = _get(api, "team-000", accept)
    pages = list(_pages(api, "team-000", 60, accept))
    assert len(pages) == 5
    timeless = _without_age(whole) if accept == TABLE else (lambda row: row)
    assert [timeless(r) for p in pages for r in p[part]] == [timeless(r) for r in whole[part]]
    assert all(p["metadata"]["resourceVersion"] == whole["metadata"]["resourceVersion"] for p in pages)


def _without_age(table: JSON) -> Callable[[JSON], JSON]:
    """A Table row without its Age cell: kubectl's AGE is computed from the clock when each page is
    served, so "23h" on the whole list may read "24h" on a page asked for a moment later. Every
    other cell, and the row's object, must be the same."""
    names = [c["name"] for c in table["columnDefinitions"]]
    assert "Age" in names  # the column the rows are compared without
    age = names.index("Age")
    return lambda row: {**row, "cells": row["cells"][:age] + row["cells"][age + 1 :]}


def test_watch_cache_list_ignores_limit_and_bad_limits_mean_none(api: Any) -> None:
    everything = _get(api, "team-002")["items"]
    assert len(everything) == 100
    cached = _get(api, "team-002", limit=5, resourceVersion="0")
    assert cached["items"] == everything
    assert "continue" not in cached["metadata"]
    assert _get(api, "team-002", limit=-3)["items"] == everything
    assert _get(api, "team-002", limit="many")["items"] == everything


def test_continue_token_errors(big: SimCluster, api: Any) -> None:
    code, _ = _request(api, None, "application/json", {"limit": 5, "continue": "not-a-token"})
    assert code == 400
    first = _get(api, "team-000", limit=5)
    big.expire_history()
    big.apply(_new_pod("team-000", "zz-expiry", "svc-01", "node-1"))
    big.expire_history()
    code, gone = _request(
        api, "team-000", "application/json", {"limit": 5, "continue": first["metadata"]["continue"]}
    )
    assert code == 410
    fresh = gone["metadata"]["continue"]
    resumed = _get(api, "team-000", limit=5, **{"continue": fresh})  # restarts after the same key
    assert _key(resumed["items"][0]) > _key(first["items"][-1])
    big.delete("pods", "team-000", "zz-expiry")


# ---- changes between pages, against a model the test keeps itself -----------------------------


def _new_pod(ns: str, name: str, app: str, node: str) -> JSON:
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": app}},
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox"}]},
        "status": {"phase": "Running"},
    }


def _item(stored: JSON) -> JSON:
    return {k: v for k, v in stored.items() if k not in ("kind", "apiVersion")}


class Model:
    """The pods the store should hold, kept from what the Python API's writes returned."""

    def __init__(self, items: list[JSON]) -> None:
        self.pods = {_key(i): i for i in items}

    def page(
        self, namespace: str | None, pred: Callable[[JSON], bool], after: Key | None, limit: int
    ) -> tuple[list[JSON], int]:
        """What the next page must hold (items after `after`, in key order) and how many remain."""
        rest = [
            self.pods[k]
            for k in sorted(self.pods)
            if (namespace is None or k[0] == namespace)
            and (after is None or k > after)
            and pred(self.pods[k])
        ]
        return rest[:limit], len(rest) - len(rest[:limit])


def _change(sim: SimCluster, model: Model, rng: random.Random, serial: list[int], after: Key) -> None:
    """One write: add a pod, relabel or move one (in or out of the selectors), or delete one;
    mostly one the walk has still to reach, where the next pages must show the change."""
    keys = sorted(model.pods)
    ahead = [k for k in keys if k > after]
    if ahead and rng.random() < 0.7:
        keys = ahead
    op = rng.choice(["add", "add", "relabel", "move", "delete"])
    if op == "add" or not keys:
        serial[0] += 1
        ns = rng.choice(["team-000", "team-001", "team-002", "team-001"])
        name = f"{rng.choice(['a', 'm', 'svc-07', 'svc-3', 'z'])}-added-{serial[0]}"
        stored = sim.apply(
            _new_pod(ns, name, rng.choice(["svc-01", "svc-07", "other"]), rng.choice(["node-3", "node-4"]))
        )
        model.pods[_key(stored)] = _item(stored)
        return
    ns, name = rng.choice(keys)
    if op == "delete":
        assert sim.delete("pods", ns, name)
        del model.pods[(ns, name)]
        return
    tier = rng.choice(["gone", "web"])
    node = rng.choice(["node-3", "node-5"])

    def bend(p: JSON) -> None:
        if op == "relabel":
            p["metadata"].setdefault("labels", {})["tier"] = tier
        else:
            p["spec"]["nodeName"] = node

    model.pods[(ns, name)] = _item(sim.update("pods", ns, name, bend))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**32 - 1),
    namespace=st.sampled_from(NAMESPACES),
    selector=st.sampled_from(sorted(SELECTORS)),
    limit=st.sampled_from([3, 40, 120]),
    writes=st.integers(0, 8),
)
def test_pages_follow_the_store_when_it_changes_between_them(
    big: SimCluster, api: Any, seed: int, namespace: str | None, selector: str, limit: int, writes: int
) -> None:
    rng = random.Random(seed)
    label, field, pred = SELECTORS[selector]
    model = Model(_get(api, None)["items"])
    serial = [seed % 100_000 * 100]
    after: Key | None = None
    token: str | None = None
    pinned: str | None = None
    for _ in range(12):  # a bounded walk: enough pages to cross namespaces, then stop
        query = {"limit": limit, "continue": token, "labelSelector": label, "fieldSelector": field}
        code, page = _request(api, namespace, "application/json", query)
        assert code == 200, page
        want, left = model.page(namespace, pred, after, limit)
        assert page["items"] == want
        assert page["metadata"].get("remainingItemCount", 0) == left
        pinned = pinned or page["metadata"]["resourceVersion"]
        assert page["metadata"]["resourceVersion"] == pinned  # the token pins the list's rv
        token = page["metadata"].get("continue")
        if not token:
            assert left == 0
            break
        after = _key(page["items"][-1])
        for _ in range(writes):
            _change(big, model, rng, serial, after)
