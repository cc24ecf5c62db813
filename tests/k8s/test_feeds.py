"""On-demand feeds over real HTTP to the sim: Table rows with kubectl's columns that follow the
server, the informer machinery (410, 403), close() ending threads and connections, Secrets read as
metadata only, raw object feeds, and feeds ending on a context switch."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kdash.errors import KdashError
from kdash.k8s.service import ClusterService
from kdash.model.feeds import ApiResource, FeedSource, FeedView
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import SyncPhase
from kdash.sim.scenarios.demo_crds import certificate, crds
from tests.helpers import wait_for

from .conftest import FAST, pod, sim_kubeconfig_entry, write_kubeconfig

POD_COLUMNS = [
    "Name",
    "Ready",
    "Status",
    "Restarts",
    "Age",
    "IP",
    "Node",
    "Nominated Node",
    "Readiness Gates",
]


def _resource(svc: ClusterService, qualified: str) -> ApiResource:
    def found() -> ApiResource | None:
        return next((r for r in svc.discovery().resources if r.qualified == qualified), None)

    return wait_for(found, what=f"{qualified} in discovery")


def _secret(ns: str, name: str, value: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": "web", "tier": "db"}},
        "data": {"password": value},
    }


def _feed_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("kdash-feed")]


def test_table_feed_shows_kubectl_columns_and_follows_the_server(sim: Any, make_service: Any) -> None:
    sim.apply(pod("extra"))  # 4 pods in pages of 3: a paginated list
    svc = make_service(sim)
    svc.start()
    feed = svc.open_table(_resource(svc, "pods"), "shop")
    views: list[FeedView] = []
    feed.subscribe(views.append)
    view = wait_for(
        lambda: (v := feed.view()).phase is SyncPhase.LIVE and len(v.rows) == 4 and v, what="4 pods"
    )
    assert [c.name for c in view.columns] == POD_COLUMNS
    assert [c.priority for c in view.columns][:5] == [0] * 5
    row = view.rows[ObjectKey("Pod", "shop", "web-5d4f8-b")]
    assert row.cells[:4] == ("web-5d4f8-b", "1/1", "Running", "3")  # numbers and all, as strings
    assert len(row.cells) == len(POD_COLUMNS)
    assert row.labels == {"app": "web", "pod-template-hash": "5d4f8"}
    assert row.created is not None
    # watched in Table form: an added, a changed and a deleted pod show up
    sim.apply(pod("late", restarts=7))
    sim.update("pods", "shop", "db-0", lambda o: o["status"].update(phase="Failed"))
    sim.delete("pods", "shop", "web-5d4f8-a")

    def followed() -> bool:
        rows = feed.view().rows
        late = rows.get(ObjectKey("Pod", "shop", "late"))
        db = rows.get(ObjectKey("Pod", "shop", "db-0"))
        return (
            late is not None
            and late.cells[3] == "7"
            and db is not None
            and db.cells[2] == "Failed"
            and ObjectKey("Pod", "shop", "web-5d4f8-a") not in rows
        )

    wait_for(followed, what="the add, change and delete in the feed")
    watches = [e for e in sim.audit if e["verb"] == "watch" and e["path"] == "/api/v1/namespaces/shop/pods"]
    lists = [e for e in sim.audit if e["verb"] == "list" and e["path"] == "/api/v1/namespaces/shop/pods"]
    assert {e["accept"] for e in watches + lists} == {"table"}
    assert all("includeObject=Metadata" in e["query"] for e in lists)
    assert any("continue=" in e["query"] for e in lists)  # paginated
    # subscribers got immutable views, newer ones with higher generations
    gens = [v.generation for v in views]
    assert gens == sorted(gens) and len(set(gens)) == len(gens)


def test_a_crd_list_has_its_printer_columns(sim: Any, make_service: Any) -> None:
    now = datetime.now(UTC)
    for crd in crds(now):
        sim.apply(crd)
    sim.apply(
        certificate("shop", "web-tls", "web-tls", ["shop.example.com"], now, timedelta(days=3), ready=True)
    )
    svc = make_service(sim)
    svc.start()
    certs = _resource(svc, "certificates.cert-manager.io")
    assert certs.short_names == ("cert", "certs")
    feed = svc.open_table(certs, None)
    view = wait_for(lambda: (v := feed.view()).rows and v, what="the certificate")
    assert [c.name for c in view.columns] == ["Name", "Ready", "Secret", "Issuer", "Status", "Age"]
    row = view.rows[ObjectKey("Certificate", "shop", "web-tls")]
    assert row.cells[:3] == ("web-tls", "True", "web-tls")
    # and a CRD instance opens for describe/YAML, by Kind (through discovery) or by resource
    obj = svc.fetch_object(ObjectKey("Certificate", "shop", "web-tls"))
    assert obj["spec"]["secretName"] == "web-tls" and "managedFields" not in obj["metadata"]
    assert svc.fetch_resource(certs, "shop", "web-tls")["kind"] == "Certificate"


def test_a_table_feed_survives_410(sim: Any, make_service: Any) -> None:
    svc = make_service(sim)
    feed = svc.open_table(_resource_started(svc), "shop")
    wait_for(lambda: feed.view().phase is SyncPhase.LIVE, what="the feed live")
    path = "/api/v1/namespaces/shop/pods"
    lists_before = len([e for e in sim.audit if e["verb"] == "list" and e["path"] == path])
    sim.set_faults("gone-every=0.3s")  # ERROR 410 on every open watch
    sim.apply(pod("during-410"))
    sim.delete("pods", "shop", "db-0")
    wait_for(
        lambda: len([e for e in sim.audit if e["verb"] == "list" and e["path"] == path]) > lists_before,
        what="a relist after 410",
    )
    sim.set_faults(None)
    expected = {ObjectKey("Pod", "shop", o["metadata"]["name"]) for o in sim.list("pods", "shop")}
    wait_for(lambda: set(feed.view().rows) == expected, what="the feed equal to the server")
    assert feed.view().phase is SyncPhase.LIVE


def _resource_started(svc: ClusterService) -> ApiResource:
    svc.start()
    return _resource(svc, "pods")


def test_forbidden_shows_the_rbac_reason(sim: Any, make_service: Any) -> None:
    sim.set_faults("forbid=configmaps")
    svc = make_service(sim)
    svc.start()
    feed = svc.open_table(_resource(svc, "configmaps"), None)
    view = wait_for(lambda: (v := feed.view()).phase is SyncPhase.FORBIDDEN and v, what="forbidden")
    assert 'cannot list resource "configmaps"' in view.message
    assert "forbidden" in view.message


def test_close_ends_the_threads_and_the_watch_at_once(sim: Any, make_service: Any) -> None:
    slow = replace(FAST, watch_timeout_seconds=120.0, read_timeout_seconds=130.0)
    svc = make_service(sim, settings=slow)
    svc.start()
    before = set(_feed_threads())
    feed = svc.open_table(_resource(svc, "services"), "shop")
    wait_for(lambda: feed.view().phase is SyncPhase.LIVE, what="the feed live")
    path = "/api/v1/namespaces/shop/services"
    # the sim audits a request when it ends: the watch is open until we close it
    wait_for(lambda: len(set(_feed_threads()) - before) == 2, what="informer and publisher threads")
    assert not [e for e in sim.audit if e["verb"] == "watch" and e["path"] == path]
    calls: list[FeedView] = []
    feed.subscribe(calls.append)
    wait_for(lambda: calls, what="the first view")
    feed.close()
    assert feed.join(5.0)
    assert set(_feed_threads()) <= before
    # the watch (timeoutSeconds >= 96) ended with the close, not with its timeout
    wait_for(lambda: [e for e in sim.audit if e["verb"] == "watch" and e["path"] == path], what="watch end")
    n = len(calls)
    sim.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "new", "namespace": "shop"}})
    assert len(calls) == n  # nothing after close()


def test_secrets_are_read_as_metadata_only(sim: Any, make_service: Any) -> None:
    sim.apply(_secret("shop", "db-password", "c2VjcmV0LXZhbHVl"))
    svc = make_service(sim)
    svc.start()
    secrets = _resource(svc, "secrets")
    feed = svc.open_table(secrets, "shop")
    view = wait_for(lambda: (v := feed.view()).rows and v, what="the secret row")
    assert [c.name for c in view.columns] == ["Name", "Labels", "Age"]
    row = view.rows[ObjectKey("Secret", "shop", "db-password")]
    assert row.cells[:2] == ("db-password", "2") and row.labels == {"app": "web", "tier": "db"}
    sim.apply(_secret("shop", "api-token", "dG9rZW4="))  # watched too
    wait_for(lambda: ObjectKey("Secret", "shop", "api-token") in feed.view().rows, what="watched secret")
    meta = svc.fetch_metadata(ObjectKey("Secret", "shop", "db-password"))
    assert meta["kind"] == "PartialObjectMetadata" and meta["metadata"]["name"] == "db-password"
    assert "c2VjcmV0LXZhbHVl" not in repr(meta) and "data" not in meta
    with pytest.raises(KdashError, match="Secrets"):
        svc.open_objects(secrets, "shop")
    with pytest.raises(KdashError, match="Secrets"):
        svc.fetch_object(ObjectKey("Secret", "shop", "db-password"))
    with pytest.raises(KdashError, match="Secrets"):
        svc.fetch_resource(secrets, "shop", "db-password")
    feed.close()
    assert feed.join(5.0)
    reads = wait_for(
        lambda: (
            (r := sim.audit_reads_of("secrets")) and {"list", "watch", "get"} <= {e["verb"] for e in r} and r
        ),
        what="the list, watch and get in the audit log",
    )
    assert {e["accept"] for e in reads} == {"metadata"}  # not one request for the data


def test_object_feed_gives_raw_objects_matching_a_selector(sim: Any, make_service: Any) -> None:
    svc = make_service(sim)
    svc.start()
    feed = svc.open_objects(_resource(svc, "pods"), None, label_selector="app=web")
    names = {"web-5d4f8-a", "web-5d4f8-b"}
    wait_for(lambda: {k.name for k in feed.view().objects} == names, what="the web pods")
    view = feed.view()
    obj = view.objects[ObjectKey("Pod", "shop", "web-5d4f8-b")]
    assert obj["status"]["containerStatuses"][0]["restartCount"] == 3
    assert "managedFields" not in obj["metadata"] and not view.rows
    sim.apply(pod("web-new", labels={"app": "web"}))
    sim.apply(pod("other", labels={"app": "other"}))
    wait_for(lambda: ObjectKey("Pod", "shop", "web-new") in feed.view().objects, what="the new web pod")
    assert ObjectKey("Pod", "shop", "other") not in feed.view().objects


def test_a_context_switch_ends_feeds_with_a_last_view(sim: Any, make_service: Any, tmp_path: Any) -> None:
    entry = sim_kubeconfig_entry(sim)
    path = write_kubeconfig(tmp_path / "kc.yaml", {"a": entry, "b": entry}, current="a")
    svc = make_service(sim, kubeconfig=str(path))
    svc.start()
    feed = svc.open_table(_resource(svc, "pods"), "shop")
    views: list[FeedView] = []
    feed.subscribe(views.append)
    wait_for(lambda: feed.view().phase is SyncPhase.LIVE, what="the feed live")
    svc.switch_context("b")
    last = wait_for(lambda: views and views[-1].closed and views[-1], what="the last view")
    assert 'switched to context "b"' in last.message and last.phase is not SyncPhase.LIVE
    assert feed.join(5.0)
    assert svc.discovery().phase is not SyncPhase.ERROR


def test_stop_closes_every_feed(sim: Any, make_service: Any) -> None:
    before = set(_feed_threads())
    svc = make_service(sim)
    assert isinstance(svc, FeedSource)  # what the UI checks on session.source
    svc.start()
    feeds = [svc.open_table(_resource(svc, q), None) for q in ("pods", "nodes", "services")]
    wait_for(lambda: all(f.view().phase is SyncPhase.LIVE for f in feeds), what="three live feeds")
    svc.stop()
    assert set(_feed_threads()) <= before
    with pytest.raises(KdashError):
        svc.open_table(feeds[0].view().resource, None)


def test_a_forbidden_cluster_wide_list_is_read_namespace_by_namespace(sim: Any, make_service: Any) -> None:
    sim.set_faults("forbid-ns=kube-system")  # cluster-wide lists and kube-system are forbidden
    settings = replace(FAST, namespaces=("shop", "kube-system"))
    svc = make_service(sim, settings=settings)
    svc.start()
    feed = svc.open_table(_resource(svc, "pods"), None)
    view = wait_for(
        lambda: (v := feed.view()).phase is SyncPhase.LIVE and "kube-system" in v.message and v,
        what="shop's pods, and kube-system named as forbidden",
    )
    assert {k.namespace for k in view.rows} == {"shop"} and len(view.rows) == 3
    sim.apply(pod("later"))  # and each namespace's loop watches in Table form
    wait_for(lambda: ObjectKey("Pod", "shop", "later") in feed.view().rows, what="the new pod")
    feed.close()
    assert feed.join(5.0)
