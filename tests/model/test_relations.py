"""The joins behind the typed screens, on captures from a real kube-apiserver (tests/model/fixtures)
and on hostile objects: missing fields, wrong types, nulls. None of them may raise."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kdash.model.build import build_pod, build_service
from kdash.model.build.network import build_endpoint_slice, build_ingress, service_ports
from kdash.model.build.nodes import build_node_detail
from kdash.model.build.storage import (
    build_claim,
    build_configmap,
    build_volume,
    claim_template_names,
    configmap_uses,
    pod_spec_of,
)
from kdash.model.meta import ObjectKey
from kdash.model.relations import (
    bound_volume,
    check_backends,
    claim_mounts,
    condition_bad,
    configmap_users,
    ingress_routes,
    node_allocation,
    ordered_conditions,
    pod_resources,
    pods_on_node,
    selected_pods,
    service_endpoints,
    statefulset_claims,
)

FIXTURES = Path(__file__).parent / "fixtures"


def items(name: str) -> list[dict[str, Any]]:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return list(data["items"]) if "items" in data else [data]


def pods() -> dict[ObjectKey, Any]:
    records = [build_pod(p) for p in items("07-pods-shop")]
    return {p.meta.key: p for p in records}


def test_node_allocated_resources_match_kubectl_describe_node() -> None:
    """node-1 of the capture runs the 8 shop pods: kubectl describe node prints cpu 550m (6%) /
    2400m (30%), memory 576Mi (1%) / 2Gi (6%) against 8 cores and 32Gi; 8 of 110 pods."""
    node = build_node_detail(items("20-node")[0])
    on_node = pods_on_node(pods().values(), "node-1")
    assert len(on_node) == 8
    alloc = {a.resource: a for a in node_allocation(on_node, node.allocatable, node.capacity)}
    cpu, memory, count = alloc["cpu"], alloc["memory"], alloc["pods"]
    assert (cpu.requests, cpu.request_percent, cpu.limits, cpu.limit_percent) == (
        Decimal("0.55"),
        6,
        Decimal("2.4"),
        30,
    )
    assert (memory.requests, memory.request_percent) == (576 * 2**20, 1)
    assert (memory.limits, memory.limit_percent) == (2 * 2**30, 6)
    assert (count.requests, count.allocatable, count.request_percent) == (8, 110, 7)
    assert "ephemeral-storage" in alloc  # allocatable lists it: shown with 0 requested
    assert pods_on_node(pods().values(), "node-2") == []


def test_terminated_pods_hold_no_resources_and_sidecars_add_up() -> None:
    pod = build_pod(items("09c-pod-cart-2containers")[0])
    assert pod_resources(pod)["cpu"] == Decimal("0.1")
    done = build_pod({**items("09b-pod-running")[0], "status": {"phase": "Succeeded"}})
    alloc = {a.resource: a for a in node_allocation([done], {"cpu": "1", "pods": "10"})}
    assert alloc["cpu"].requests == 0 and alloc["pods"].requests == 0
    # an init container bigger than the app counts; a sidecar (restartPolicy Always) adds to both
    raw = {
        "metadata": {"name": "p", "namespace": "x"},
        "spec": {
            "initContainers": [
                {"name": "side", "restartPolicy": "Always", "resources": {"requests": {"cpu": "100m"}}},
                {"name": "big", "resources": {"requests": {"cpu": "2", "memory": "1Gi"}}},
            ],
            "containers": [{"name": "app", "resources": {"requests": {"cpu": "500m", "memory": "2Gi"}}}],
        },
    }
    effective = pod_resources(build_pod(raw))
    assert effective["cpu"] == Decimal("2.1")  # big (2) while the sidecar (0.1) runs
    assert effective["memory"] == 2 * 2**30  # the app's 2Gi beats the init's 1Gi


def test_node_conditions_taints_and_info() -> None:
    node = build_node_detail(items("20-node")[0])
    assert [c.condition.type for c in node.conditions] == [
        "Ready",
        "MemoryPressure",
        "DiskPressure",
        "PIDPressure",
    ]
    assert not any(condition_bad(c.condition) for c in node.conditions)
    assert node.info.kubelet_version == "v1.36.2" and node.info.container_runtime == "containerd://1.7.0"
    assert ("InternalIP", "127.0.0.1") in node.addresses and node.allocatable["pods"] == "110"
    lost = build_node_detail(items("x01-node-notready")[0])
    assert all(condition_bad(c.condition) for c in lost.conditions)  # Unknown is bad, pressure or not
    assert [t.text for t in lost.taints] == ["node.kubernetes.io/unreachable:NoSchedule"]
    assert lost.conditions[0].heartbeat is not None
    shuffled = ordered_conditions([c.condition for c in reversed(node.conditions)])
    assert shuffled[0].type == "Ready"


def test_service_endpoints_say_who_gets_traffic_and_why_not() -> None:
    """The capture's web slice lists both web pods not ready (they were not when it was taken): each
    comes with its pod and the pod's own reason; db's slice has `endpoints: null`."""
    slices = [build_endpoint_slice(x) for x in items("33-endpointslices-shop")]
    by_service = {s.service: s for s in slices}
    assert by_service["db"].endpoints == ()
    records = pods()
    rows = service_endpoints([by_service["web"]], records)
    assert [(r.address, r.ready, r.target.name if r.target else "") for r in rows] == [
        ("10.244.0.11", False, "web-7db97596f6-btbvz"),
        ("10.244.0.12", False, "web-7db97596f6-jls8r"),
    ]
    crashing = rows[1]
    assert crashing.pod is not None and "CrashLoopBackOff" in crashing.why
    services = {s.meta.name: s for s in (build_service(x) for x in items("31-services-shop"))}
    assert [p.meta.name for p in selected_pods(services["web"], records.values())] == [
        "web-7db97596f6-btbvz",
        "web-7db97596f6-jls8r",
    ]
    # db-0 matches the db selector but no slice lists it (Pending, no IP): listed, marked so
    db_rows = service_endpoints([by_service["db"]], records, selected_pods(services["db"], records.values()))
    assert [(r.target.name if r.target else "", r.in_slice) for r in db_rows] == [("db-0", False)]
    assert db_rows[0].why.startswith("no IP yet: Pending")


def test_readiness_probe_failing_is_the_reason_given() -> None:
    raw = items("09b-pod-running")[0]
    raw["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"path": "/ready", "port": 80}}
    raw["status"]["containerStatuses"][0]["ready"] = False
    pod = build_pod(raw)
    slice_raw = {
        "metadata": {"name": "s", "namespace": "shop", "labels": {"kubernetes.io/service-name": "web"}},
        "endpoints": [
            {
                "addresses": ["10.0.0.1"],
                "conditions": {"ready": False},
                "targetRef": {"kind": "Pod", "name": pod.meta.name},
            },
            {"addresses": ["10.0.0.2"], "conditions": {}},  # conditions left out: ready
        ],
    }
    rows = service_endpoints([build_endpoint_slice(slice_raw)], {pod.meta.key: pod})
    assert [(r.address, r.ready) for r in rows] == [("10.0.0.2", True), ("10.0.0.1", False)]
    assert "readiness probe failing (GET /ready :80)" in rows[1].why


def test_ingress_backends_flag_missing_services_and_ports() -> None:
    ingress = build_ingress(items("34-ingresses-shop")[0])
    services = {x["metadata"]["name"]: service_ports(x) for x in items("31-services-shop")}
    assert [(c.host, c.path, c.backend.service, c.problem) for c in check_backends(ingress, services)] == [
        ("shop.example.local", "/", "web", "")
    ]
    raw = items("34-ingresses-shop")[0]
    raw["spec"]["rules"][0]["http"]["paths"] += [
        {"path": "/search", "backend": {"service": {"name": "search", "port": {"number": 80}}}},
        {"path": "/alt", "backend": {"service": {"name": "web", "port": {"number": 8080}}}},
        {"path": "/named", "backend": {"service": {"name": "web", "port": {"name": "http"}}}},
    ]
    raw["spec"]["defaultBackend"] = {"service": {"name": "db", "port": {"name": "nope"}}}
    raw["spec"]["tls"] = [{"hosts": ["shop.example.local"], "secretName": "web-tls"}]
    ingress = build_ingress(raw)
    assert [c.problem for c in check_backends(ingress, services)] == [
        "",
        "service search does not exist",
        "service web has no port 8080",
        "",
        "service db has no port named nope",
    ]
    assert [c.problem for c in check_backends(ingress, None)] == [""] * 5  # services not known yet
    assert ingress.tls[0].secret == "web-tls"
    routes = ingress_routes([ingress], ObjectKey("Service", "shop", "web"))
    assert [(i.meta.name, text) for i, text in routes] == [
        ("web", "shop.example.local/, shop.example.local/alt, shop.example.local/named")
    ]
    assert ingress_routes([ingress], ObjectKey("Service", "other", "web")) == []


def test_claim_bound_volume_and_mounting_pods() -> None:
    claim = build_claim(items("35-pvcs-shop")[0])
    volumes = [build_volume(x) for x in items("36-pvs")]
    volume = bound_volume(claim, volumes)
    assert volume is not None and volume.meta.name == "pv-db-0"
    assert (volume.capacity, volume.access_modes, volume.reclaim_policy, volume.phase) == (
        "1Gi",
        ("ReadWriteOnce",),
        "Retain",
        "Bound",
    )
    assert volume.source == "hostPath /var/lib/fake-pv/db-0"
    assert claim_mounts(claim.meta.key, items("07-pods-shop")) == [(ObjectKey("Pod", "shop", "db-0"), "data")]
    # without a volumeName the PV whose claimRef names the claim is the one
    assert bound_volume(build_claim({**items("35-pvcs-shop")[0], "spec": {}}), volumes) is volume


def test_statefulset_claims_by_template_and_ordinal() -> None:
    sts = items("12-statefulset")[0]
    templates = claim_template_names(sts)
    assert templates == ("data",)
    claims = [build_claim(x) for x in items("35-pvcs-shop")]
    leftover = build_claim({"metadata": {"name": "data-db-3", "namespace": "shop"}})
    found = statefulset_claims("db", templates, 2, [*claims, leftover])
    assert [(c.name, c.claim is not None, c.extra) for c in found] == [
        ("data-db-0", True, False),
        ("data-db-1", False, False),
        ("data-db-3", True, True),
    ]


def test_configmap_users_and_keys() -> None:
    cm = build_configmap(items("47-configmaps-shop")[0])
    assert [(k.name, k.binary) for k in cm.keys] == [("ca.crt", False)] and cm.keys[0].size > 1000
    binary = build_configmap({"metadata": {"name": "b"}, "binaryData": {"blob": "AAEC"}, "data": {"é": "ü"}})
    assert [(k.name, k.size, k.binary) for k in binary.keys] == [("blob", 3, True), ("é", 2, False)]
    deploy = items("10-deployment")[0]
    template = deploy["spec"]["template"]["spec"]
    template["volumes"] = [
        {"name": "conf", "configMap": {"name": "web-config"}},
        {
            "name": "all",
            "projected": {"sources": [{"configMap": {"name": "web-config"}}, {"secret": {"name": "s"}}]},
        },
    ]
    template["containers"][0]["envFrom"] = [{"configMapRef": {"name": "web-config"}}]
    template["containers"][0]["volumeMounts"] = [{"name": "conf", "mountPath": "/etc/nginx/conf.d"}]
    template["containers"][0]["env"] = [
        {"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "web-config", "key": "level"}}}
    ]
    cron = {
        "metadata": {"name": "report", "namespace": "shop"},
        "spec": {
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [
                                {"name": "r", "envFrom": [{"configMapRef": {"name": "web-config"}}]}
                            ]
                        }
                    }
                }
            }
        },
    }
    owned_pod = items("09b-pod-running")[0]
    owned_pod["spec"]["volumes"] = [{"name": "c", "configMap": {"name": "web-config"}}]
    users = configmap_users(
        ObjectKey("ConfigMap", "shop", "web-config"),
        [
            ("Deployment", deploy),
            ("CronJob", cron),
            ("Pod", owned_pod),
            ("Deployment", items("10b-deployment-busybox-notag")[0]),
        ],
    )
    assert users == [
        (ObjectKey("CronJob", "shop", "report"), ("envFrom in r",)),
        (
            ObjectKey("Deployment", "shop", "web"),
            (
                "volume conf at nginx:/etc/nginx/conf.d",
                "projected volume all",
                "envFrom in nginx",
                "env LEVEL in nginx",
            ),
        ),
    ]


HOSTILE: list[Any] = [
    None,
    [],
    "text",
    42,
    {},
    {"metadata": None, "spec": None, "status": None},
    {"metadata": {"name": 5, "labels": []}, "spec": [], "status": "x"},
    {
        "metadata": {"name": "x", "namespace": "n"},
        "spec": {
            "taints": [None, {"key": 1}],
            "rules": [None, {"http": {"paths": [None, {"backend": {"service": "web"}}]}}],
            "volumes": "x",
            "template": {
                "spec": {
                    "volumes": [None, {"configMap": []}],
                    "containers": [{"env": [None, {"valueFrom": 3}]}],
                }
            },
            "volumeClaimTemplates": [None, {"metadata": []}],
            "ports": [None, {"port": "eighty"}],
            "defaultBackend": {"resource": []},
            "tls": [{"hosts": "h"}],
        },
        "status": {"conditions": [None, {"type": 3}], "addresses": "x", "capacity": [], "loadBalancer": []},
        "endpoints": [None, {"addresses": [None, 3], "conditions": [], "targetRef": "pod"}],
        "ports": "x",
        "data": {"k": 3},
        "binaryData": {"k": "!!!not base64"},
    },
]


@pytest.mark.parametrize("obj", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_objects_never_raise(obj: Any) -> None:
    node = build_node_detail(obj)
    node_allocation([], node.allocatable, node.capacity)
    eslice = build_endpoint_slice(obj)
    service_endpoints([eslice], {}, [])
    ingress = build_ingress(obj)
    check_backends(ingress, {"web": service_ports(obj)})
    ingress_routes([ingress], ObjectKey("Service", "n", "web"))
    claim = build_claim(obj)
    bound_volume(claim, [build_volume(obj)])
    claim_mounts(claim.meta.key, [obj] if isinstance(obj, dict) else [])
    statefulset_claims("x", claim_template_names(obj), 2, [claim])
    build_configmap(obj)
    for kind in ("Pod", "Deployment", "CronJob", "Service"):
        configmap_uses(pod_spec_of(kind, obj), "x")
    configmap_users(ObjectKey("ConfigMap", "n", "x"), [("Deployment", obj)] if isinstance(obj, dict) else [])
