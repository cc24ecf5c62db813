"""The store's sorted index, namespace spans and selector views against the plain reading: sort the
objects the store holds, filter them. Random writes (adds, changes, deletes) interleave with reads,
so the index is checked both where it is kept in step by a write and where it is rebuilt."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kdash.sim.store import Store
from tests.sim.conftest import FROZEN

JSON = dict[str, Any]
NAMESPACES = ["", "a", "a-b", "ab", "b", "b\u00e9"]
NAMES = ["x", "x-1", "x1", "y", "z", "\u00e9"]

op = st.tuples(
    st.sampled_from(["put", "put", "delete", "read"]),
    st.sampled_from(NAMESPACES[1:]),
    st.sampled_from(NAMES),
    st.sampled_from(["red", "blue"]),
)


def _pod(ns: str, name: str, colour: str) -> JSON:
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {"name": name, "namespace": ns, "labels": {"c": colour}},
    }


def _red(obj: JSON) -> bool:
    return bool(obj["metadata"]["labels"]["c"] == "red")


@settings(max_examples=200, deadline=None)
@given(initial=st.lists(op, max_size=20), ops=st.lists(op, max_size=40))
def test_index_spans_and_views_match_sorting_and_filtering(initial: list[Any], ops: list[Any]) -> None:
    store = Store(lambda: FROZEN)
    store.load(_pod(ns, name, colour) for kind, ns, name, colour in initial if kind == "put")
    model: dict[tuple[str, str], str] = {}
    for kind, ns, name, colour in initial:
        if kind == "put":
            model[(ns, name)] = colour
    for kind, ns, name, colour in ops:
        if kind == "put":
            store.put(_pod(ns, name, colour))
            model[(ns, name)] = colour
        elif kind == "delete":
            gone = store.delete("pods", ns, name)
            assert (gone is not None) == ((ns, name) in model)
            model.pop((ns, name), None)
        index = store.index("pods")
        assert index.keys == sorted(model)
        assert [e.obj["metadata"]["labels"]["c"] for e in index.entries] == [model[k] for k in index.keys]
        for namespace in [None, *NAMESPACES]:
            want = [k for k in sorted(model) if namespace is None or k[0] == namespace]
            assert [k for k, _ in store.entries("pods", namespace)] == want
            view, lo, hi = store.view("pods", namespace, "c=red", _red)
            assert view.keys[lo:hi] == [k for k in want if model[k] == "red"]
            assert all(_red(e.obj) for e in view.entries[lo:hi])


def test_changed_at_moves_with_writes_in_that_namespace_only() -> None:
    store = Store(lambda: FROZEN)
    store.load([_pod("a", "x", "red"), _pod("b", "x", "red")])
    assert store.changed_at("pods") == store.changed_at("pods", "a") == 0
    store.put(_pod("a", "y", "blue"))
    assert store.changed_at("pods") == store.changed_at("pods", "a") == store.rv
    assert store.changed_at("pods", "b") == 0
    store.delete("pods", "b", "x")
    assert store.changed_at("pods", "b") == store.rv > store.changed_at("pods", "a")
