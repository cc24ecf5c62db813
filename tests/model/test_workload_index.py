"""The store keeps pods_by_workload up to date change by change (`WorkloadIndex`) instead of
rebuilding it: after any sequence of pod and ReplicaSet changes it must equal the full rebuild
(`index_pods_by_workload`), including inferred Deployments, bare ReplicaSets and re-owned pods."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kdash.model.build import WorkloadIndex, index_pods_by_workload
from kdash.model.meta import Meta, ObjectKey, OwnerRef
from kdash.model.pods import PodRecord
from kdash.model.workloads import WorkloadRecord

NAMESPACES = ("a", "b")
RS_NAMES = ("web-5d4f8", "web-77aa1", "solo")


def _pod(namespace: str, name: str, owner: tuple[str, str] | None, hash_label: str) -> PodRecord:
    owners = (OwnerRef(owner[0], owner[1], "u", True),) if owner else ()
    labels = {"pod-template-hash": hash_label} if hash_label else {}
    return PodRecord(Meta("Pod", namespace, name, owners=owners, labels=labels))


def _rs(namespace: str, name: str, deployment: str | None) -> WorkloadRecord:
    owners = (OwnerRef("Deployment", deployment, "d", True),) if deployment else ()
    return WorkloadRecord(Meta("ReplicaSet", namespace, name, owners=owners), "ReplicaSet")


owner_refs = st.one_of(
    st.none(),
    st.tuples(st.just("ReplicaSet"), st.sampled_from(RS_NAMES)),
    st.tuples(st.just("StatefulSet"), st.just("db")),
)
pod_ops = st.tuples(
    st.just("pod"),
    st.sampled_from(NAMESPACES),
    st.sampled_from(("p1", "p2", "p3")),
    owner_refs,
    st.sampled_from(("", "5d4f8", "77aa1")),
)
rs_ops = st.tuples(
    st.just("rs"),
    st.sampled_from(NAMESPACES),
    st.sampled_from(RS_NAMES),
    st.sampled_from((None, "web", "other")),
    st.just(""),
)
deletes = st.tuples(
    st.sampled_from(("del-pod", "del-rs")),
    st.sampled_from(NAMESPACES),
    st.sampled_from(("p1", "p2", "p3", *RS_NAMES)),
    st.none(),
    st.just(""),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(pod_ops, pod_ops, rs_ops, deletes), max_size=30))
def test_incremental_index_equals_a_full_rebuild(ops: list[tuple[object, ...]]) -> None:
    pods: dict[ObjectKey, PodRecord] = {}
    replicasets: dict[ObjectKey, WorkloadRecord] = {}
    index = WorkloadIndex()
    for op, ns, name, arg, hash_label in ops:
        assert isinstance(ns, str) and isinstance(name, str) and isinstance(hash_label, str)
        if op == "pod":
            pod = _pod(ns, name, arg, hash_label)  # type: ignore[arg-type]
            old = pods.get(pod.meta.key)
            pods[pod.meta.key] = pod
            index.put_pod(pod.meta.key, pod.meta, None if old is None else old.meta, replicasets)
        elif op == "rs":
            rs = _rs(ns, name, arg)  # type: ignore[arg-type]
            replicasets[rs.meta.key] = rs
            index.replicaset_changed(ns, name, pods, replicasets)
        elif op == "del-pod":
            gone = pods.pop(ObjectKey("Pod", ns, name), None)
            if gone is not None:
                index.remove_pod(gone.meta.key, gone.meta)
        elif replicasets.pop(ObjectKey("ReplicaSet", ns, name), None) is not None:
            index.replicaset_changed(ns, name, pods, replicasets)
        assert dict(index.view()) == index_pods_by_workload(pods, replicasets)


def test_a_view_is_never_changed_afterwards() -> None:
    index = WorkloadIndex()
    first = _pod("a", "p1", ("StatefulSet", "db"), "")
    index.put_pod(first.meta.key, first.meta, None, {})
    view = index.view()
    assert view == {ObjectKey("StatefulSet", "a", "db"): (first.meta.key,)}
    second = _pod("a", "p2", ("StatefulSet", "db"), "")
    index.put_pod(second.meta.key, second.meta, None, {})
    assert view == {ObjectKey("StatefulSet", "a", "db"): (first.meta.key,)}  # the published one
    assert index.view()[ObjectKey("StatefulSet", "a", "db")] == (first.meta.key, second.meta.key)
    index.clear()
    assert not index.dirty and index.view() == {}
