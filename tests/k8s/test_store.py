"""The store keeps its derived parts (pods_by_workload, restarts, counts) up to date change by change
instead of rebuilding them on each publish; after any sequence of lists, watch events and
publishes they must equal what a rebuild from the published records gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kdash.k8s.store import Store
from kdash.model.build import index_pods_by_workload, restart_records
from kdash.model.meta import Meta, ObjectKey, OwnerRef
from kdash.model.pods import ContainerState, ContainerStatus, PodRecord
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.workloads import WorkloadRecord

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = ("pods", "replicasets")


def _pod(ns: str, name: str, rs: str | None, hash_label: str, restarts: int, version: int) -> PodRecord:
    owners = (OwnerRef("ReplicaSet", rs, "u", True),) if rs else ()
    labels = {"pod-template-hash": hash_label} if hash_label else {}
    meta = Meta(
        "Pod", ns, name, uid=f"uid-{name}", resource_version=str(version), owners=owners, labels=labels
    )
    state = ContainerState("waiting", "CrashLoopBackOff") if restarts > 1 else ContainerState("running")
    return PodRecord(meta, containers=(ContainerStatus("app", restart_count=restarts, state=state),))


def _rs(ns: str, name: str, deployment: str | None, version: int) -> WorkloadRecord:
    owners = (OwnerRef("Deployment", deployment, "d", True),) if deployment else ()
    meta = Meta("ReplicaSet", ns, name, uid=f"uid-{name}", resource_version=str(version), owners=owners)
    return WorkloadRecord(meta, "ReplicaSet")


NS = st.sampled_from(("a", "b"))
pods = st.builds(
    _pod,
    NS,
    st.sampled_from(("p1", "p2", "p3")),
    st.sampled_from((None, "web-5d4f8", "solo")),
    st.sampled_from(("", "5d4f8")),
    st.integers(0, 3),
    st.integers(1, 4),
)
replicasets = st.builds(
    _rs, NS, st.sampled_from(("web-5d4f8", "solo")), st.sampled_from((None, "web")), st.integers(1, 4)
)
ops = st.one_of(
    st.tuples(st.just("upsert"), pods | replicasets),
    st.tuples(st.just("delete"), pods | replicasets),
    st.tuples(st.just("list-pods"), st.lists(pods, max_size=4)),
    st.tuples(st.just("list-rs"), st.lists(replicasets, max_size=3)),
    st.tuples(st.just("publish"), st.none()),
)


def _rebuilt_restarts(snapshot: ClusterSnapshot) -> list[object]:
    order = {"CrashLoopBackOff": 0}
    found = [r for pod in snapshot.pods.values() for r in restart_records(pod)]
    return sorted(
        found, key=lambda r: (order.get(r.state_text, 1), -r.restarts, r.namespace, r.pod, r.container)
    )


def _put(current: dict[ObjectKey, Any], record: Any) -> None:
    """What the store does with one record: an unchanged resourceVersion and uid is not a change."""
    previous = current.get(record.meta.key)
    if previous is None or (previous.meta.resource_version, previous.meta.uid) != (
        record.meta.resource_version,
        record.meta.uid,
    ):
        current[record.meta.key] = record


@settings(max_examples=250, deadline=None)
@given(st.lists(ops, max_size=25))
def test_published_parts_equal_a_rebuild_from_the_records(steps: list[tuple[str, Any]]) -> None:
    store = Store(KINDS, lambda: NOW)
    epoch = store.reset("ctx", "https://x", None)
    expected: dict[str, dict[ObjectKey, Any]] = {kind: {} for kind in KINDS}
    for op, arg in [*steps, ("publish", None)]:
        if op in ("upsert", "delete"):
            kind = "pods" if isinstance(arg, PodRecord) else "replicasets"
            if op == "upsert":
                store.upsert(epoch, kind, arg)
                _put(expected[kind], arg)
            else:
                store.delete(epoch, kind, arg.meta.key)
                expected[kind].pop(arg.meta.key, None)
        elif op in ("list-pods", "list-rs"):
            kind = "pods" if op == "list-pods" else "replicasets"
            store.replace(epoch, kind, None, arg)
            for record in arg:
                _put(expected[kind], record)
            listed = {record.meta.key for record in arg}
            expected[kind] = {k: v for k, v in expected[kind].items() if k in listed}
        else:
            store.publish()
            snap = store.snapshot()
            assert dict(snap.pods) == expected["pods"]
            assert dict(snap.replicasets) == expected["replicasets"]
            assert dict(snap.pods_by_workload) == index_pods_by_workload(snap.pods, snap.replicasets)
            assert list(snap.restarts) == _rebuilt_restarts(snap)
            assert snap.states["pods"].count == len(snap.pods)


def test_a_pod_moves_between_workloads_when_its_replicaset_is_adopted_and_released() -> None:
    store = Store(KINDS, lambda: NOW)
    epoch = store.reset("ctx", "https://x", None)
    pod = _pod("a", "p1", "web-5d4f8", "", 0, 1)  # no hash label: nothing to infer from
    store.replace(epoch, "pods", None, [pod])
    store.publish()
    assert store.snapshot().pods_by_workload == {ObjectKey("ReplicaSet", "a", "web-5d4f8"): (pod.meta.key,)}
    store.upsert(epoch, "replicasets", _rs("a", "web-5d4f8", "web", 1))
    store.publish()
    assert store.snapshot().pods_by_workload == {ObjectKey("Deployment", "a", "web"): (pod.meta.key,)}
    store.delete(epoch, "replicasets", ObjectKey("ReplicaSet", "a", "web-5d4f8"))
    store.publish()
    assert store.snapshot().pods_by_workload == {ObjectKey("ReplicaSet", "a", "web-5d4f8"): (pod.meta.key,)}
    store.upsert(epoch, "pods", replace(pod, meta=replace(pod.meta, owners=(), resource_version="2")))
    store.publish()
    assert store.snapshot().pods_by_workload == {}
