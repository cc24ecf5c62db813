"""`kdash exporter` scraped over HTTP against the simulated demo cluster: the numbers are those of
`kdash check -o json` for the same (still) cluster, restarts are the pods' own counts, a change in
the cluster reaches the metrics through the watch, and only get/list/watch reach the server."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest

from kdash.alerts.engine import AlertEngine
from kdash.cli import main
from kdash.k8s.kubeconfig import load_target
from kdash.k8s.service import ClusterService
from kdash.sim import start_sim
from tests.exporter.conftest import Exporter, value
from tests.helpers import wait_for


def check_json(sim: Any, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(["check", "--kubeconfig", str(sim.kubeconfig_path), "-A", "-o", "json"])
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def test_scores_and_findings_match_kdash_check(
    sim: Any, exporter: Exporter, capsys: pytest.CaptureFixture[str]
) -> None:
    metrics = exporter.ready()
    doc = check_json(sim, capsys)
    assert doc["score"] < 100  # the demo has problems: the comparison below compares something
    assert value(metrics, "kdash_cluster_score") == doc["score"]

    objects = {(o["namespace"], o["kind"], o["name"]): o["score"] for o in doc["objects"]}
    exported = {
        (labels["namespace"], labels["kind"], labels["name"]): v
        for labels, v in ((dict(k), v) for k, v in metrics["kdash_object_score"].items())
    }
    assert exported == objects

    by_ns: defaultdict[str, list[float]] = defaultdict(list)
    for (ns, _kind, _name), score in objects.items():
        by_ns[ns].append(score)
    namespaces = {dict(k)["namespace"]: v for k, v in metrics["kdash_namespace_score"].items()}
    assert namespaces == {ns: round(sum(s) / len(s), 1) for ns, s in by_ns.items()}

    findings = Counter((f["rule"], f["severity"], f["namespace"]) for f in doc["findings"])
    exported_findings = {
        (d["rule"], d["severity"], d["namespace"]): v
        for d, v in ((dict(k), v) for k, v in metrics["kdash_findings"].items())
    }
    assert exported_findings == {k: float(n) for k, n in findings.items()}
    assert sum(exported_findings.values()) == sum(doc["summary"].values())


def test_restarts_are_the_pods_counts(sim: Any, exporter: Exporter) -> None:
    metrics = exporter.ready()
    expected = {
        (p["metadata"]["namespace"], p["metadata"]["name"], cs["name"]): float(cs["restartCount"])
        for p in sim.list("Pod")
        for cs in (p.get("status", {}).get("initContainerStatuses") or [])
        + (p.get("status", {}).get("containerStatuses") or [])
        if cs.get("restartCount", 0) > 0
    }
    assert expected  # the demo has restarting containers
    exported = {
        (d["namespace"], d["pod"], d["container"]): v
        for d, v in ((dict(k), v) for k, v in metrics["kdash_container_restarts_total"].items())
    }
    assert {k: v for k, v in exported.items() if v > 0} == expected


def test_open_alerts_are_the_engines(sim: Any, exporter: Exporter) -> None:
    metrics = exporter.ready()
    service = ClusterService(load_target(kubeconfig=str(sim.kubeconfig_path)), namespace=None)
    service.start()
    try:
        assert service.wait_until_synced(timeout=30)
        snapshot = service.snapshot()
    finally:
        service.stop()
    engine = AlertEngine()
    engine.update(snapshot, None, datetime.now(UTC))
    counts = Counter(a.severity.value for a in engine.open_alerts())
    assert counts["error"] > 0
    assert value(metrics, "kdash_alerts_open", severity="error") == counts["error"]
    assert value(metrics, "kdash_alerts_open", severity="warning") == counts["warning"]


def test_every_kind_is_live_and_the_endpoints_answer(exporter: Exporter) -> None:
    metrics = exporter.ready()
    assert value(metrics, "kdash_sync_state", kind="pods", state="live") == 1
    assert value(metrics, "kdash_sync_state", kind="pods", state="forbidden") == 0
    assert value(metrics, "kdash_sync_phase", kind="deployments") == 1
    assert value(metrics, "kdash_cluster_reachable") == 1
    assert value(metrics, "kdash_series_dropped", metric="kdash_object_score") == 0
    assert "kdash_scrape_duration_seconds" in metrics
    assert exporter.get("/healthz")[:2] == (200, "text/plain; charset=utf-8")
    assert exporter.get("/readyz")[0] == 200
    assert exporter.get("/nothing")[0] == 404
    status, ctype, body = exporter.get("/metrics", accept="application/openmetrics-text; version=1.0.0")
    assert status == 200 and ctype.startswith("application/openmetrics-text")
    assert body.rstrip().endswith("# EOF")


def test_a_restart_reaches_the_metrics_through_the_watch() -> None:
    with start_sim("demo") as sim:  # its own cluster: the others compare against a still one
        exporter = Exporter("--kubeconfig", str(sim.kubeconfig_path), "-n", "shop")
        try:
            before = exporter.ready()
            pod = next(p for p in sim.list("Pod", "shop") if p["metadata"]["name"].startswith("web-"))
            name, container = pod["metadata"]["name"], pod["spec"]["containers"][0]["name"]
            key = tuple(sorted({"namespace": "shop", "pod": name, "container": container}.items()))
            old = before.get("kdash_container_restarts_total", {}).get(key, 0.0)
            sim.restart_container("shop", name, container)
            wait_for(
                lambda: exporter.metrics()["kdash_container_restarts_total"].get(key, 0.0) == old + 1,
                what="the restart in kdash_container_restarts_total",
            )
        finally:
            assert exporter.end() == 0


def test_the_exporter_only_reads(sim: Any, exporter: Exporter) -> None:
    exporter.ready()
    verbs = {e["verb"] for e in sim.audit}
    assert verbs <= {"get", "list", "watch"}, verbs
    assert not [e for e in sim.audit if e.get("resource", "").endswith("secrets")]
