"""The fast list path: pages parsed item by item, the next page requested early, one GC pause
(with a freeze) per list. Each shortcut must fall back to the plain path whenever its assumption
does not hold, without losing or inventing objects."""

from __future__ import annotations

import gc
from typing import Any

import orjson
import pytest

from kdash.k8s import rawapi
from kdash.model.meta import ObjectKey

from .conftest import pod, workload


def _item(obj: dict[str, Any]) -> dict[str, Any]:
    """As a list item: API servers leave out kind and apiVersion, so metadata comes first."""
    return {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}


def _page(items: list[Any], cont: str = "") -> bytes:
    meta: dict[str, Any] = {"resourceVersion": "42"}
    if cont:
        meta["continue"] = cont
        meta["remainingItemCount"] = 7
    return orjson.dumps({"kind": "PodList", "apiVersion": "v1", "metadata": meta, "items": items})


def _split(body: bytes) -> tuple[dict[str, Any], list[Any]]:
    found = rawapi.list_envelope(body)
    assert found is not None
    envelope, start, end = found
    return envelope, list(rawapi.iter_items(body, start, end))


def test_items_parsed_one_by_one_equal_a_whole_parse() -> None:
    items = [_item(pod(f"p{i}")) for i in range(5)]
    items[2]["metadata"]["annotations"] = {"note": 'text with },{"metadata": inside a string'}
    body = _page(items, cont="eyJydiI6NDJ9")
    envelope, parsed = _split(body)
    assert parsed == orjson.loads(body)["items"]
    assert envelope["metadata"] == {
        "resourceVersion": "42",
        "continue": "eyJydiI6NDJ9",
        "remainingItemCount": 7,
    }
    assert rawapi.peek_continue(body) == "eyJydiI6NDJ9"


@pytest.mark.parametrize("items", [[], [_item(pod("only"))]])
def test_empty_and_single_item_pages(items: list[Any]) -> None:
    assert _split(_page(items) + b"\n")[1] == items


def test_items_not_starting_with_metadata_are_not_split() -> None:
    body = _page([pod("a"), pod("b")])  # kind/apiVersion first: no boundary found
    found = rawapi.list_envelope(body)
    assert found is not None
    with pytest.raises(rawapi.SplitError):
        list(rawapi.iter_items(body, found[1], found[2]))


def test_nested_item_boundaries_are_detected() -> None:
    """A StatefulSet's volumeClaimTemplates is an array of objects starting with "metadata":
    splitting there yields pieces that are not whole objects, which must raise, not mislead."""
    sts = workload("StatefulSet", "db", serviceName="db")
    sts["spec"]["volumeClaimTemplates"] = [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]
    body = _page([_item(sts), _item(workload("StatefulSet", "cache"))])
    found = rawapi.list_envelope(body)
    assert found is not None
    with pytest.raises(rawapi.SplitError):
        list(rawapi.iter_items(body, found[1], found[2]))


@pytest.mark.parametrize(
    "body",
    [
        b'{"items":[{"metadata":{"name":"a"}}],"metadata":{"continue":"x"}}',  # items not last
        orjson.dumps({"metadata": {}, "items": [pod("a")]}, option=orjson.OPT_INDENT_2),  # spaced
        b'{"kind":"PodList","items":null}',
        b'{"nested":{"items":[{"metadata":{}}]}}',
        b"not json at all",
    ],
)
def test_pages_laid_out_otherwise_are_not_split(body: bytes) -> None:
    found = rawapi.list_envelope(body)
    if found is not None:  # then every item must still come out right, or SplitError
        try:
            items = list(rawapi.iter_items(body, found[1], found[2]))
        except rawapi.SplitError:
            return
        assert items == orjson.loads(body)["items"]


def test_gc_pause_nests_and_freezes_once_at_the_end() -> None:
    if not gc.isenabled():
        pytest.skip("the collector is off in this process")
    frozen = gc.get_freeze_count()
    try:
        with rawapi.gc_paused(freeze=True):
            assert not gc.isenabled()
            with rawapi.gc_paused(rawapi.BIG_BODY):
                assert not gc.isenabled()
            assert not gc.isenabled()
            leftover = object()
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen
        del leftover
        before = gc.get_freeze_count()
        with rawapi.gc_paused(rawapi.BIG_BODY):  # no freeze asked: none done
            pass
        assert gc.isenabled() and gc.get_freeze_count() == before
        with rawapi.gc_paused(10):  # small bodies do not pause at all
            assert gc.isenabled()
        with rawapi.gc_paused():
            rawapi.request_gc_freeze()  # asked for inside a pause: done when it ends
        assert gc.isenabled() and gc.get_freeze_count() > 0
        rawapi.gc_unfreeze()
        assert gc.get_freeze_count() == 0
        rawapi.request_gc_freeze()  # outside a pause: nothing happens, now or later
        with rawapi.gc_paused():
            pass
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_small_lists_do_not_freeze(sim: Any, make_service: Any) -> None:
    """Only big lists freeze: a frozen object that later ends in a reference cycle (a socket of a
    stopped informer) would never be freed."""
    gc.unfreeze()
    svc = make_service(sim)
    svc.start()
    assert svc.wait_until_synced(15)
    assert gc.get_freeze_count() == 0


def test_a_kind_whose_items_cannot_be_split_lists_completely(sim: Any, make_service: Any) -> None:
    for i in range(4):
        sts = workload("StatefulSet", f"vol-{i}", serviceName=f"vol-{i}")
        sts["spec"]["volumeClaimTemplates"] = [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]
        sim.apply(sts)
    svc = make_service(sim)  # 3 per page: several pages, each falls back to a whole parse
    svc.start()
    assert svc.wait_until_synced(15)
    names = {k.name for k in svc.snapshot().workloads if k.kind == "StatefulSet"}
    assert names == {"db", "vol-0", "vol-1", "vol-2", "vol-3"}


def test_a_wrong_early_token_is_thrown_away(sim: Any, make_service: Any, monkeypatch: Any) -> None:
    """If the token read early differs from the parsed one, the early page is discarded and the
    right one requested: every object is listed exactly once."""
    for i in range(8):
        sim.apply(pod(f"extra-{i}"))
    monkeypatch.setattr(rawapi, "list_envelope", lambda body: None)
    monkeypatch.setattr(rawapi, "peek_continue", lambda body: "bogus-token")
    svc = make_service(sim)
    svc.start()
    assert svc.wait_until_synced(15)
    pods = svc.snapshot().pods
    assert len(pods) == 11
    assert ObjectKey("Pod", "shop", "extra-7") in pods
    bogus = [e for e in sim.audit if "bogus-token" in str(e.get("query", ""))]
    assert bogus, "expected the early (wrong) requests to have been made"


def test_paged_lists_use_early_requests(sim: Any, make_service: Any) -> None:
    for i in range(8):
        sim.apply(pod(f"extra-{i}"))
    sim.clear_audit()
    svc = make_service(sim)
    svc.start()
    assert svc.wait_until_synced(15)
    assert len(svc.snapshot().pods) == 11
    pod_lists = [e for e in sim.audit if e["verb"] == "list" and "/pods" in str(e.get("path", ""))]
    # 11 pods at 3 a page: 4 pages, each requested once (no wasted early request)
    assert len(pod_lists) == 4, pod_lists
