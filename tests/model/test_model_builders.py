"""Each builder on real API server objects (tests/model/fixtures) and on hand-made edge cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kdash.model.autoscaling import HpaRecord
from kdash.model.build import (
    RESOURCE_KINDS,
    build_event,
    build_hpa,
    build_hpa_metric,
    build_limitrange,
    build_meta,
    build_namespace,
    build_node,
    build_pdb,
    build_pod,
    build_pod_spec,
    build_quota,
    build_record,
    build_service,
    build_workload,
    hpa_targets_text,
    index_pods_by_workload,
    resolve_workload,
)
from kdash.model.meta import ObjectKey, OwnerRef

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def items(name: str) -> list[dict[str, Any]]:
    return list(load(name)["items"])


def test_meta_drops_managed_fields_and_last_applied() -> None:
    obj = load("10-deployment")
    assert "managedFields" in obj["metadata"]
    assert "kubectl.kubernetes.io/last-applied-configuration" in obj["metadata"]["annotations"]
    meta = build_meta(obj, "Deployment")
    assert meta.key == ObjectKey("Deployment", "shop", "web")
    assert meta.annotations == {"deployment.kubernetes.io/revision": "1"}
    assert meta.labels == {"app": "web"}
    assert meta.created == datetime(2026, 11, 29, 18, 35, 56, tzinfo=UTC)
    assert meta.generation == 1
    assert not meta.deleting
    assert not hasattr(meta, "managed_fields")


def test_meta_of_replicaset_has_deployment_controller() -> None:
    rs = build_workload(load("11-replicaset"))  # a single GET carries its kind
    assert rs.kind == "ReplicaSet"
    assert rs.meta.controller == OwnerRef(
        "Deployment", "web", rs.meta.controller.uid if rs.meta.controller else "", True
    )
    assert (rs.desired, rs.current, rs.ready, rs.available) == (2, 2, 1, 1)


def test_crashloop_pod_details() -> None:
    pod = build_pod(load("09-pod-crashloop"))
    assert pod.status_text == "CrashLoopBackOff"
    (nginx,) = pod.containers
    assert nginx.restart_count == 7
    assert nginx.state.state == "waiting"
    assert nginx.state.reason == "CrashLoopBackOff"
    assert nginx.last_termination is not None
    assert (nginx.last_termination.reason, nginx.last_termination.exit_code) == ("OOMKilled", 137)
    assert pod.last_restart == datetime(2026, 11, 29, 18, 34, 1, tzinfo=UTC)
    assert pod.workload == OwnerRef("Deployment", "web", "", True)  # inferred from pod-template-hash
    assert pod.qos == "Burstable"


def test_pending_pod_without_container_statuses() -> None:
    pod = build_pod(load("09d-pod-pending-no-status"))
    assert (pod.status_text, pod.ready_text, pod.restarts) == ("Pending", "0/1", 0)
    assert pod.containers == ()
    assert pod.node == "node-1"


def test_pod_spec_summary_of_real_pod() -> None:
    pod = build_pod(load("09c-pod-cart-2containers"))
    app, sidecar = pod.spec.containers
    assert app.requests == {"cpu": "50m", "memory": "64Mi"}
    assert app.limits == {"cpu": "200m", "memory": "256Mi"}
    assert app.termination_message_policy == "File"
    assert app.pull_policy == "IfNotPresent"
    assert pod.spec.service_account == "default"
    assert pod.spec.termination_grace_period == 30
    assert pod.spec.restart_policy == "Always"
    assert sidecar.image == "busybox:1.36"


def test_pod_spec_probes_security_and_native_sidecars() -> None:
    probe = {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 5}
    same_probe_other_order = {"periodSeconds": 5, "httpGet": {"port": 8080, "path": "/healthz"}}
    spec = {
        "hostNetwork": True,
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000},
        "initContainers": [
            {"name": "proxy", "image": "envoy", "restartPolicy": "Always"},
            {"name": "migrate", "image": "app", "command": ["migrate"]},
        ],
        "containers": [
            {
                "name": "app",
                "image": "app:1",
                "readinessProbe": probe,
                "livenessProbe": same_probe_other_order,
                "startupProbe": {"tcpSocket": {"port": "http"}},
                "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
                "securityContext": {"privileged": False, "allowPrivilegeEscalation": True, "runAsUser": 0},
                "ports": [{"containerPort": 8080, "name": "http"}, {"containerPort": "junk"}],
                "resources": {"requests": {"cpu": 1, "memory": "1Gi"}, "limits": {"memory": None}},
            },
            {"name": "db", "image": "pg", "livenessProbe": {"exec": {"command": ["pg_isready", "-q"]}}},
        ],
    }
    summary = build_pod_spec(spec, {"app": "x"}, {"note": "y"})
    app, db = summary.containers
    proxy, migrate = summary.init_containers
    assert (proxy.restart_policy, migrate.restart_policy) == ("Always", "")
    assert app.readiness is not None
    assert app.liveness is not None
    assert app.startup is not None
    assert app.readiness.signature == app.liveness.signature
    assert (app.readiness.handler, app.readiness.detail, app.readiness.port) == (
        "httpGet",
        "GET /healthz :8080",
        "8080",
    )
    assert (app.startup.handler, app.startup.detail) == ("tcpSocket", "TCP :http")
    assert db.liveness is not None
    assert db.liveness.detail == "exec pg_isready -q"
    assert db.liveness.signature != app.liveness.signature
    assert app.pre_stop
    assert not db.pre_stop
    assert (app.privileged, app.allow_privilege_escalation, app.run_as_user, app.run_as_non_root) == (
        False,
        True,
        0,
        None,
    )
    assert app.ports == (8080,)
    assert app.port_names == ("http",)
    assert app.requests == {"cpu": "1", "memory": "1Gi"}
    assert app.limits == {}
    assert summary.host_network
    assert not summary.host_pid
    assert (summary.run_as_non_root, summary.run_as_user) == (True, 1000)
    assert summary.labels == {"app": "x"}
    assert summary.annotations == {"note": "y"}


def test_qos_computed_for_manifests_without_status() -> None:
    def qos(resources: dict[str, Any]) -> str:
        return build_pod(
            {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "resources": resources}]}}
        ).qos

    assert qos({}) == "BestEffort"
    assert qos({"limits": {"cpu": "1", "memory": "1Gi"}}) == "Guaranteed"
    assert (
        qos({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1000m", "memory": "1024Mi"}})
        == "Guaranteed"
    )
    assert qos({"requests": {"cpu": "1"}}) == "Burstable"


def test_workload_kinds_from_lists() -> None:
    (db,) = [build_workload(i, kind="StatefulSet") for i in items("39-statefulsets-shop")]
    assert (db.kind, db.ready_text, db.desired, db.volume_claim_templates) == ("StatefulSet", "0/1", 1, 1)
    assert db.images == ("postgres:16",)
    agent = build_workload(load("13-daemonset"))
    assert (agent.desired, agent.current, agent.ready, agent.up_to_date, agent.available) == (1, 1, 0, 1, 0)
    assert agent.ready_text == "0/1"
    # listed later, after the node went NotReady: nothing desired, one misscheduled
    (later,) = [build_workload(i, kind="DaemonSet") for i in items("40-daemonsets-shop")]
    assert (later.desired, later.current, later.ready_text) == (0, 0, "0/0")
    jobs = {j.meta.name: j for j in (build_workload(i, kind="Job") for i in items("41-jobs-shop"))}
    migrate = jobs["migrate"]
    assert (migrate.ready_text, migrate.active, migrate.status_text) == ("0/1", 1, "Running")
    assert not migrate.job_complete
    assert not migrate.job_failed
    (report,) = [build_workload(i, kind="CronJob") for i in items("42-cronjobs-shop")]
    assert (report.schedule, report.active, report.suspend) == ("*/5 * * * *", 1, False)
    assert report.last_schedule == datetime(2026, 11, 29, 18, 40, tzinfo=UTC)
    assert report.images == ("busybox:1.36",)
    assert report.template.restart_policy == "OnFailure"


def test_workload_kind_from_object_and_unknown_kind() -> None:
    assert build_workload(load("12-statefulset")).kind == "StatefulSet"
    odd = build_workload({"metadata": {"name": "x"}, "spec": {"replicas": 3}}, kind="Rollout")
    assert (odd.kind, odd.meta.name, odd.desired) == ("Rollout", "x", 0)


@pytest.mark.parametrize(
    ("spec", "status", "text", "state"),
    [
        ({"completions": 3}, {"succeeded": 1}, "1/3", "Running"),
        ({}, {"succeeded": 0}, "0/1", "Running"),
        ({"parallelism": 4}, {"succeeded": 2}, "2/1 of 4", "Running"),
        (
            {"completions": 1},
            {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]},
            "1/1",
            "Complete",
        ),
        (
            {"completions": 1},
            {"failed": 4, "conditions": [{"type": "Failed", "status": "True"}]},
            "0/1",
            "Failed",
        ),
        ({"suspend": True}, {"conditions": [{"type": "Suspended", "status": "True"}]}, "0/1", "Suspended"),
    ],
)
def test_job_columns(spec: dict[str, Any], status: dict[str, Any], text: str, state: str) -> None:
    job = build_workload({"metadata": {"name": "j"}, "spec": spec, "status": status}, kind="Job")
    assert (job.ready_text, job.status_text) == (text, state)
    assert job.job_failed == (state == "Failed")
    assert job.job_complete == (state == "Complete")


def test_deployment_manifest_defaults() -> None:
    dep = build_workload(
        {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {}}}}
    )
    assert (dep.desired, dep.replicas_set, dep.has_status, dep.ready_text) == (1, False, False, "0/1")


def test_hpa_reference_with_unreadable_metric() -> None:
    hpa = build_hpa(load("16-hpa-v2"))
    assert (hpa.target_kind, hpa.target_name, hpa.min_replicas, hpa.max_replicas) == (
        "Deployment",
        "web",
        2,
        5,
    )
    (cpu,) = hpa.metrics  # status carries {"type": ""} for the metric it could not read
    assert (cpu.type, cpu.name, cpu.target, cpu.current, cpu.text) == (
        "Resource",
        "cpu",
        "70%",
        None,
        "cpu: <unknown>/70%",
    )
    assert hpa_targets_text(hpa) == "cpu: <unknown>/70%"
    scaling = hpa.condition("ScalingActive")
    assert scaling is not None
    assert scaling.status == "False"
    assert scaling.reason == "FailedGetResourceMetric"


def test_hpa_v1_reads_as_cpu_metric() -> None:
    hpa = build_hpa(load("43b-hpa-v1"))
    assert [m.text for m in hpa.metrics] == ["cpu: <unknown>/70%"]


def _metric(type_: str, field: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"type": type_, field: body}


HPA_METRICS = [
    (
        _metric(
            "Resource",
            "resource",
            {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
        ),
        _metric(
            "Resource",
            "resource",
            {"name": "cpu", "current": {"averageUtilization": 85, "averageValue": "120m"}},
        ),
        "cpu: 85%/70%",
    ),
    (
        _metric(
            "Resource",
            "resource",
            {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
        ),
        None,
        "cpu: <unknown>/70%",
    ),
    (
        _metric(
            "Resource",
            "resource",
            {"name": "memory", "target": {"type": "AverageValue", "averageValue": "500Mi"}},
        ),
        _metric("Resource", "resource", {"name": "memory", "current": {"averageValue": "300Mi"}}),
        "memory: 300Mi/500Mi",
    ),
    (
        _metric("Resource", "resource", {"name": "cpu", "target": {"type": "Utilization"}}),
        None,
        "cpu: <unknown>/<auto>",
    ),
    (
        _metric(
            "ContainerResource",
            "containerResource",
            {"name": "cpu", "container": "app", "target": {"type": "Utilization", "averageUtilization": 60}},
        ),
        _metric(
            "ContainerResource",
            "containerResource",
            {"name": "cpu", "container": "app", "current": {"averageUtilization": 30}},
        ),
        "cpu: 30%/60%",
    ),
    (
        _metric(
            "Pods",
            "pods",
            {"metric": {"name": "rps"}, "target": {"type": "AverageValue", "averageValue": "10"}},
        ),
        _metric("Pods", "pods", {"metric": {"name": "rps"}, "current": {"averageValue": "15"}}),
        "15/10",
    ),
    (
        _metric(
            "Pods",
            "pods",
            {"metric": {"name": "rps"}, "target": {"type": "AverageValue", "averageValue": "10"}},
        ),
        {"type": ""},
        "<unknown>/10",
    ),
    (
        _metric("Object", "object", {"metric": {"name": "hits"}, "target": {"type": "Value", "value": "2k"}}),
        _metric("Object", "object", {"metric": {"name": "hits"}, "current": {"value": "1500"}}),
        "1500/2k",
    ),
    (
        _metric(
            "Object",
            "object",
            {"metric": {"name": "hits"}, "target": {"type": "AverageValue", "averageValue": "100"}},
        ),
        _metric("Object", "object", {"metric": {"name": "hits"}, "current": {"averageValue": "80"}}),
        "80/100 (avg)",
    ),
    (
        _metric(
            "External", "external", {"metric": {"name": "queue"}, "target": {"type": "Value", "value": "30"}}
        ),
        _metric("External", "external", {"metric": {"name": "queue"}, "current": {"value": "42"}}),
        "42/30",
    ),
    (
        _metric(
            "External",
            "external",
            {"metric": {"name": "queue"}, "target": {"type": "AverageValue", "averageValue": 5}},
        ),
        None,
        "<unknown>/5 (avg)",
    ),
    ({"type": "Quantum"}, None, "<unknown type>"),
]


@pytest.mark.parametrize(("spec", "status", "text"), HPA_METRICS, ids=[m[2] for m in HPA_METRICS])
def test_hpa_metric_texts(spec: dict[str, Any], status: dict[str, Any] | None, text: str) -> None:
    assert build_hpa_metric(spec, status).text == text


def test_hpa_targets_text_pairs_by_index_and_truncates() -> None:
    specs = [m[0] for m in HPA_METRICS[:4]]
    statuses = [m[1] or {"type": ""} for m in HPA_METRICS[:4]]
    hpa = build_hpa(
        {"metadata": {"name": "h"}, "spec": {"metrics": specs}, "status": {"currentMetrics": statuses}}
    )
    assert hpa_targets_text(hpa) == "cpu: 85%/70%, cpu: <unknown>/70% + 2 more..."
    assert hpa_targets_text(HpaRecord(meta=hpa.meta)) == "<none>"


def test_quota_percentages() -> None:
    quota = build_quota(load("17-resourcequota"))
    by_name = {item.resource: item for item in quota.items}
    assert list(by_name) == sorted(by_name)
    assert by_name["requests.cpu"].used_value == Decimal("0.55")
    assert by_name["requests.cpu"].percent == pytest.approx(13.75)
    assert by_name["limits.cpu"].percent == pytest.approx(30.0)
    assert by_name["requests.memory"].percent == pytest.approx(576 / 8192 * 100)
    assert by_name["pods"].percent == pytest.approx(40.0)


def test_quota_without_status_and_with_odd_values() -> None:
    quota = build_quota({"metadata": {"name": "q"}, "spec": {"hard": {"pods": 10, "cpu": "lots"}}})
    by_name = {item.resource: item for item in quota.items}
    assert by_name["pods"].hard_value == 10
    assert by_name["pods"].used == ""
    assert by_name["pods"].percent is None
    assert by_name["cpu"].hard_value is None


def test_limitrange() -> None:
    (item,) = build_limitrange(load("18-limitrange")).items
    assert item.type == "Container"
    assert item.default == {"cpu": "200m", "memory": "256Mi"}
    assert item.default_request == {"cpu": "50m", "memory": "64Mi"}
    assert item.max == {"cpu": "2", "memory": "2Gi"}
    assert item.min == {}


def test_nodes_ready_and_not_ready() -> None:
    node = build_node(load("20-node"))
    assert (node.ready, node.roles, node.version, node.internal_ip) == (
        True,
        ("worker",),
        "v1.36.2",
        "127.0.0.1",
    )
    assert node.meta.namespace == ""
    assert not build_node(load("x01-node-notready")).ready


def test_namespaces() -> None:
    records = [build_namespace(i) for i in items("30-namespaces")]
    assert {"default", "shop", "kube-system"} <= {r.meta.name for r in records}
    assert all(r.phase == "Active" for r in records)


def test_core_events_with_null_timestamps_fall_back_to_event_time() -> None:
    events = [build_event(i) for i in items("19-events-shop")]
    scheduled = next(
        e for e in events if e.reason == "Scheduled" and e.involved == ObjectKey("Pod", "shop", "cart")
    )
    assert scheduled.first_seen == datetime(2026, 11, 29, 18, 36, 0, 834313, tzinfo=UTC)
    assert scheduled.last_seen == scheduled.first_seen
    assert scheduled.source == "default-scheduler"
    assert scheduled.count == 1
    assert all(e.involved is not None for e in events)


def test_events_k8s_io_shape_reads_the_same() -> None:
    events = [build_event(i) for i in items("19c-events-k8s-io-v1-shop")]
    assert events
    assert all(e.involved is not None and e.involved.name for e in events)
    assert all(e.message for e in events)
    assert all(e.last_seen is not None for e in events)


def test_services_and_pdb() -> None:
    services = {s.meta.name: s for s in (build_service(i) for i in items("31-services-shop"))}
    db = services["db"]
    assert (db.type, db.cluster_ip, db.ports) == ("ClusterIP", "None", ("5432/TCP",))
    assert db.selector.matches({"app": "db"})
    assert not db.selector.matches({"app": "web"})
    node_port = build_service(
        {"metadata": {"name": "n"}, "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}}
    )
    assert node_port.ports == ("80:30080/TCP",)
    pdb = build_pdb(
        {
            "metadata": {"name": "p", "namespace": "shop"},
            "spec": {
                "minAvailable": "50%",
                "selector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]},
            },
            "status": {"disruptionsAllowed": 1},
        }
    )
    assert (pdb.min_available, pdb.max_unavailable, pdb.disruptions_allowed) == ("50%", "", 1)
    assert pdb.selector.matches({"app": "web"})
    assert not pdb.selector.matches({"app": "db"})


def test_build_record_dispatches_every_resource() -> None:
    for resource, kind in RESOURCE_KINDS.items():
        record: Any = build_record(resource, {"metadata": {"name": "x", "namespace": "ns"}})
        assert record.meta.kind == kind, resource
        assert record.meta.name == "x"
    with pytest.raises(ValueError, match="secrets"):
        build_record("secrets", {})


def test_resolve_workload() -> None:
    rs_owner = OwnerRef("ReplicaSet", "web-7db97596f6", "rs-uid", True)
    deployment = OwnerRef("Deployment", "web", "dep-uid", True)
    rs = build_workload(
        {
            "metadata": {
                "name": "web-7db97596f6",
                "namespace": "shop",
                "ownerReferences": [
                    {"kind": "Deployment", "name": "web", "uid": "dep-uid", "controller": True}
                ],
            }
        },
        kind="ReplicaSet",
    )
    bare = build_workload({"metadata": {"name": "solo-abc", "namespace": "shop"}}, kind="ReplicaSet")
    known = {rs.meta.key: rs, bare.meta.key: bare}
    assert resolve_workload(rs_owner, "shop", known) == deployment
    assert resolve_workload(rs_owner, "other", known) == rs_owner  # another namespace's RS is not this one
    assert (
        resolve_workload(OwnerRef("ReplicaSet", "solo-abc", "u", True), "shop", known, "abc").kind
        == "ReplicaSet"
    )  # type: ignore[union-attr]
    # unknown RS: infer the Deployment only when the pod-template-hash label matches the suffix
    assert resolve_workload(rs_owner, "shop", {}, "7db97596f6") == OwnerRef("Deployment", "web", "", True)
    assert resolve_workload(rs_owner, "shop", {}, "other") == rs_owner
    assert resolve_workload(rs_owner, "shop", {}) == rs_owner
    assert resolve_workload(OwnerRef("ReplicaSet", "-abc", "", True), "shop", {}, "abc") == OwnerRef(
        "ReplicaSet", "-abc", "", True
    )
    job = OwnerRef("Job", "report-29932960", "j", True)
    assert resolve_workload(job, "shop", known) == job
    assert resolve_workload(None, "shop", known) is None


def test_index_pods_by_workload() -> None:
    pods = {p.meta.key: p for p in (build_pod(i) for i in items("07-pods-shop"))}
    replicasets = {
        r.meta.key: r for r in (build_workload(i, kind="ReplicaSet") for i in items("38-replicasets-shop"))
    }
    index = index_pods_by_workload(pods, replicasets)
    assert index[ObjectKey("Deployment", "shop", "web")] == (
        ObjectKey("Pod", "shop", "web-7db97596f6-btbvz"),
        ObjectKey("Pod", "shop", "web-7db97596f6-jls8r"),
    )
    assert index[ObjectKey("Deployment", "shop", "worker")] == (
        ObjectKey("Pod", "shop", "worker-846bf84c45-bqb9j"),
    )
    assert index[ObjectKey("StatefulSet", "shop", "db")] == (ObjectKey("Pod", "shop", "db-0"),)
    assert index[ObjectKey("Job", "shop", "report-29932960")] == (
        ObjectKey("Pod", "shop", "report-29932960-9h2gc"),
    )
    assert all(
        key.name != "cart" for members in index.values() for key in members
    )  # a bare pod has no workload
    assert index_pods_by_workload(list(pods.values()), replicasets) == index


def test_terminating_pod_from_watch_stream() -> None:
    lines = (FIXTURES / "22-watch-pods-shop.jsonl").read_text(encoding="utf-8").splitlines()
    statuses = []
    for line in lines:
        event = json.loads(line)
        if event["type"] != "BOOKMARK":
            statuses.append((event["type"], build_pod(event["object"]).status_text))
    assert statuses[0] == ("ADDED", "Pending")
    assert ("MODIFIED", "Terminating") in statuses
    assert statuses[-1] == ("DELETED", "Terminating")
    # a BOOKMARK object has only metadata.resourceVersion; it must still build without raising
    bookmark = next(json.loads(x) for x in lines if json.loads(x)["type"] == "BOOKMARK")
    assert build_pod(bookmark["object"]).meta.name == ""
