"""Initial sync, live changes, indexes, restart hooks and on-demand fetches against the simulator."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from kdash.errors import KdashError
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import SyncPhase
from kdash.model.source import ChangeSet
from tests.helpers import wait_for

from .conftest import pod

ALL_KINDS = {
    "namespaces": ("namespaces", ObjectKey("Namespace", "", "shop")),
    "nodes": ("nodes", None),
    "pods": ("pods", ObjectKey("Pod", "shop", "web-5d4f8-a")),
    "events": ("events", ObjectKey("Event", "shop", "web.1")),
    "deployments": ("workloads", ObjectKey("Deployment", "shop", "web")),
    "replicasets": ("replicasets", ObjectKey("ReplicaSet", "shop", "web-5d4f8")),
    "statefulsets": ("workloads", ObjectKey("StatefulSet", "shop", "db")),
    "daemonsets": ("workloads", ObjectKey("DaemonSet", "shop", "agent")),
    "jobs": ("workloads", ObjectKey("Job", "shop", "migrate")),
    "cronjobs": ("workloads", ObjectKey("CronJob", "shop", "report")),
    "horizontalpodautoscalers": ("hpas", ObjectKey("HorizontalPodAutoscaler", "shop", "web")),
    "resourcequotas": ("quotas", ObjectKey("ResourceQuota", "shop", "quota")),
    "limitranges": ("limitranges", ObjectKey("LimitRange", "shop", "limits")),
    "services": ("services", ObjectKey("Service", "shop", "web")),
    "poddisruptionbudgets": ("pdbs", ObjectKey("PodDisruptionBudget", "shop", "web")),
}


class Recorder:
    """Collects ChangeSets delivered on the service's thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sets: list[ChangeSet] = []

    def __call__(self, cs: ChangeSet) -> None:
        with self.lock:
            self.sets.append(cs)

    def seen(self, attr: str, key: ObjectKey) -> bool:
        with self.lock:
            return any(key in getattr(cs, attr) for cs in self.sets)


def test_initial_sync_of_every_kind(sim: Any, make_service: Any) -> None:
    svc = make_service(sim)
    svc.start()
    assert svc.wait_until_synced(15)
    snap = svc.snapshot()
    assert snap.context == "kdash-sim"
    assert snap.server == sim.url
    assert snap.namespace is None
    for resource, (field, key) in ALL_KINDS.items():
        state = snap.states[resource]
        assert state.phase is SyncPhase.LIVE, (resource, state)
        records = getattr(snap, field)
        assert records, resource
        if key is not None:
            assert key in records, (resource, key)
            assert records[key].meta.key == key
    assert snap.states["pods"].count == 3
    # metrics.k8s.io is not served by the empty scenario: unavailable, never an error
    assert snap.states["pods.metrics.k8s.io"].phase in (SyncPhase.UNAVAILABLE, SyncPhase.POLLING)
    # owner index: Deployment -> ReplicaSet -> pods; StatefulSet -> pods
    assert snap.pods_of(ObjectKey("Deployment", "shop", "web")) == [
        snap.pods[ObjectKey("Pod", "shop", "web-5d4f8-a")],
        snap.pods[ObjectKey("Pod", "shop", "web-5d4f8-b")],
    ]
    assert [p.meta.name for p in snap.pods_of(ObjectKey("StatefulSet", "shop", "db"))] == ["db-0"]
    assert [(r.pod, r.restarts) for r in snap.restarts] == [("web-5d4f8-b", 3)]
    wait_for(lambda: svc.snapshot().server_version, what="server version")
    assert svc.server_version().startswith("v1.")
    assert svc.connection_error() is None


def test_paginated_list_reads_every_page(sim: Any, make_service: Any) -> None:
    for i in range(7):
        sim.apply(pod(f"extra-{i}"))
    svc = make_service(sim)  # FAST settings list 3 per page
    svc.start()
    assert svc.wait_until_synced(15)
    assert len(svc.snapshot().pods) == 10
    continues = [e for e in sim.audit if e["verb"] == "list" and "continue" in str(e.get("query", ""))]
    assert continues, "expected limit/continue paging"


def test_changes_arrive_as_changesets_and_records(sim: Any, make_service: Any) -> None:
    svc = make_service(sim)
    rec = Recorder()
    svc.subscribe(rec)
    svc.start()
    assert svc.wait_until_synced(15)
    key = ObjectKey("Pod", "shop", "late")
    sim.apply(pod("late"))
    wait_for(lambda: rec.seen("added", key), what="ADDED ChangeSet")
    wait_for(lambda: key in svc.snapshot().pods, what="record in snapshot")

    sim.update("pods", "shop", "late", lambda o: o["metadata"]["labels"].update(tier="gold"))
    wait_for(lambda: rec.seen("modified", key), what="MODIFIED ChangeSet")
    wait_for(lambda: svc.snapshot().pods[key].meta.labels.get("tier") == "gold", what="modified record")

    sim.delete("pods", "shop", "late")
    wait_for(lambda: rec.seen("deleted", key), what="DELETED ChangeSet")
    assert key not in svc.snapshot().pods
    gens = [cs.generation for cs in rec.sets]
    assert gens == sorted(gens)
    assert len(set(gens)) == len(gens)


def test_unsubscribe_stops_notifications(sim: Any, make_service: Any) -> None:
    svc = make_service(sim)
    rec = Recorder()
    unsubscribe = svc.subscribe(rec)
    svc.start()
    assert svc.wait_until_synced(15)
    unsubscribe()
    count = len(rec.sets)
    sim.apply(pod("quiet"))
    wait_for(lambda: ObjectKey("Pod", "shop", "quiet") in svc.snapshot().pods)
    assert len(rec.sets) == count


def test_restart_hook_and_crash_log(sim: Any, make_service: Any) -> None:
    svc = make_service(sim)
    calls: list[tuple[str, str, int, int]] = []
    svc.on_restart(lambda p, c, old, new: calls.append((p.meta.name, c, old, new)))
    svc.start()
    assert svc.wait_until_synced(15)
    assert calls == []  # the initial list is never a restart

    def bump(o: dict[str, Any]) -> None:
        o["status"]["containerStatuses"][0]["restartCount"] = 4

    sim.update("pods", "shop", "web-5d4f8-b", bump)
    wait_for(lambda: calls, what="restart callback")
    assert calls == [("web-5d4f8-b", "app", 3, 4)]

    svc.attach_crash_log("shop", "web-5d4f8-b", "app", [f"line {i}" for i in range(150)])

    def crash_log() -> tuple[str, ...]:
        recs = [r for r in svc.snapshot().restarts if r.pod == "web-5d4f8-b"]
        return recs[0].crash_log if recs else ()

    lines = wait_for(crash_log, what="crash log in snapshot")
    assert len(lines) == 100
    assert lines[-1] == "line 149"


def test_restarts_are_worst_first(sim: Any, make_service: Any) -> None:
    looping = pod("looping", restarts=1)
    looping["status"]["containerStatuses"][0]["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
    sim.apply(looping)
    sim.apply(pod("many", restarts=50))
    svc = make_service(sim)
    svc.start()
    assert svc.wait_until_synced(15)
    assert [r.pod for r in svc.snapshot().restarts] == ["looping", "many", "web-5d4f8-b"]


def test_fetch_object(sim: Any, make_service: Any) -> None:
    svc = make_service(sim)
    obj = svc.fetch_object(ObjectKey("Deployment", "shop", "web"))
    assert obj["metadata"]["name"] == "web"
    assert "managedFields" not in obj["metadata"]
    with pytest.raises(KdashError, match="no longer exists"):
        svc.fetch_object(ObjectKey("Pod", "shop", "nope"))
    with pytest.raises(KdashError, match="Secrets"):
        svc.fetch_object(ObjectKey("Secret", "shop", "db-password"))
    assert not [e for e in sim.audit if "secrets" in e["path"]]


def test_set_namespace_narrows_scope(sim: Any, make_service: Any) -> None:
    sim.apply(pod("other", ns="default"))
    svc = make_service(sim)
    rec = Recorder()
    svc.subscribe(rec)
    svc.start()
    assert svc.wait_until_synced(15)
    assert ObjectKey("Pod", "default", "other") in svc.snapshot().pods
    svc.set_namespace("shop")
    wait_for(lambda: any(cs.scope_changed for cs in rec.sets), what="scope_changed")
    assert svc.wait_until_synced(15)
    snap = svc.snapshot()
    assert snap.namespace == "shop"
    assert {k.namespace for k in snap.pods} == {"shop"}
    assert ObjectKey("Namespace", "", "default") in snap.namespaces  # cluster-scoped kinds stay whole
    paths = {e["path"] for e in sim.audit}
    assert "/api/v1/namespaces/shop/pods" in paths
