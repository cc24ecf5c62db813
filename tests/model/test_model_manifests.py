"""Offline `kdash check -f`: manifests become a ClusterSnapshot, problems become words."""

from __future__ import annotations

from typing import Any

from kdash.model.build.manifests import records_from_manifests
from kdash.model.meta import ObjectKey


def deployment(name: str, namespace: str | None = None) -> dict[str, Any]:
    md: dict[str, Any] = {"name": name, "labels": {"app": name}}
    if namespace:
        md["namespace"] = namespace
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": md,
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


def test_kinds_namespaces_and_problems() -> None:
    docs: list[object] = [
        deployment("web"),
        deployment("api", "shop"),
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "namespace": "ignored"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}},
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}},
        },
        None,  # an empty YAML document
        "just a string",
        {"metadata": {"name": "kindless"}},
        {"kind": "Deployment", "metadata": {}},
        deployment("web"),  # again: later one wins, reported
    ]
    snapshot, problems = records_from_manifests(docs)
    assert set(snapshot.workloads) == {
        ObjectKey("Deployment", "default", "web"),
        ObjectKey("Deployment", "shop", "api"),
    }
    web = snapshot.workloads[ObjectKey("Deployment", "default", "web")]
    assert (web.desired, web.has_status, web.images) == (2, False, ("nginx",))
    assert set(snapshot.namespaces) == {ObjectKey("Namespace", "", "shop")}
    assert set(snapshot.services) == {ObjectKey("Service", "default", "web")}
    assert set(snapshot.configmaps) == {ObjectKey("ConfigMap", "default", "settings")}  # key names only
    assert problems == [
        "document 7: not an object (str)",
        "document 8: no kind",
        "document 9: Deployment without metadata.name or metadata.generateName",
        "document 10: duplicate Deployment/default/web, the later one is used",
    ]


def test_lists_are_expanded() -> None:
    doc = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            deployment("a"),
            {"kind": "DeploymentList", "items": [deployment("b", "x")]},
            {"kind": "Frobnicator", "metadata": {"name": "f"}},
        ],
    }
    snapshot, problems = records_from_manifests([doc, {"kind": "PodList", "items": "nope"}])
    assert set(snapshot.workloads) == {
        ObjectKey("Deployment", "default", "a"),
        ObjectKey("Deployment", "x", "b"),
    }
    assert problems == [
        "document 1 item 3: unknown kind Frobnicator (f)",
        "document 2: PodList without a readable items list",
    ]


def test_pods_by_workload_through_replicasets() -> None:
    rs = {
        "kind": "ReplicaSet",
        "metadata": {
            "name": "web-abc",
            "ownerReferences": [{"kind": "Deployment", "name": "web", "uid": "d1", "controller": True}],
        },
    }
    pod = {
        "kind": "Pod",
        "metadata": {
            "name": "web-abc-1",
            "labels": {"pod-template-hash": "zzz"},  # does not match: only the RS tells the truth
            "ownerReferences": [{"kind": "ReplicaSet", "name": "web-abc", "uid": "r1", "controller": True}],
        },
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {"name": "c", "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
            ],
        },
    }
    bare = {"kind": "Pod", "metadata": {"name": "bare"}, "spec": {"containers": [{"name": "c"}]}}
    snapshot, problems = records_from_manifests([pod, rs, deployment("web"), bare])
    assert problems == []
    key = ObjectKey("Deployment", "default", "web")
    assert snapshot.pods_by_workload[key] == (ObjectKey("Pod", "default", "web-abc-1"),)
    assert [p.meta.name for p in snapshot.pods_of(key)] == ["web-abc-1"]
    pod_record = snapshot.pods[ObjectKey("Pod", "default", "web-abc-1")]
    assert pod_record.workload is not None
    assert pod_record.workload.uid == "d1"
    assert [(r.pod, r.container, r.restarts, r.state_text) for r in snapshot.restarts] == [
        ("web-abc-1", "c", 3, "CrashLoopBackOff")
    ]
    assert ObjectKey("ReplicaSet", "default", "web-abc") in snapshot.replicasets
