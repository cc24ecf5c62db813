"""metrics-server's API on the simulator, through the real kubernetes client (and kubectl top).

The demo serves metrics.k8s.io/v1beta1: discovery, pod and node lists and gets, Tables; watches are
refused. A hand-stepped engine (`SimCluster.step`) moves the sample clock deterministically: the
creeping container passes 80 % and 90 % of its memory limit, is OOMKilled and creeps again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import kubernetes
import pytest

from kdash.model.quantity import parse_quantity
from kdash.sim import SimCluster, start_sim
from kdash.sim.metrics_model import CREEP_SECONDS, cpu_text, memory_text, window_text
from tests.sim.conftest import FROZEN, client_for

GROUP, VERSION = "metrics.k8s.io", "v1beta1"
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
WINDOW_RE = r"^\d+(\.\d+)?s$"


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    """A still demo (no engine) on a frozen clock: every list shows sample 0."""
    path = tmp_path_factory.mktemp("metrics") / "kubeconfig"
    with start_sim("demo", kubeconfig_path=path, now=lambda: FROZEN) as handle:
        yield handle


@pytest.fixture(scope="module")
def custom(sim: SimCluster) -> Any:
    return kubernetes.client.CustomObjectsApi(client_for(sim))


def _raw(sim: SimCluster, path: str, accept: str = "application/json", query: Any = None) -> tuple[int, Any]:
    """GET through the client's own HTTP stack: (status, decoded JSON or the text body)."""
    api = client_for(sim)
    method, url, headers, body, post = api.param_serialize(
        "GET", path, query_params=query or [], header_params={"Accept": accept}, auth_settings=["BearerToken"]
    )
    resp = api.call_api(method, url, header_params=headers, body=body, post_params=post)
    resp.read()
    try:
        return resp.status, json.loads(resp.data)
    except ValueError:
        return resp.status, resp.data.decode()


def _metrics_pods(custom: Any, namespace: str | None = None, **kw: Any) -> Any:
    if namespace is None:
        return custom.list_cluster_custom_object(GROUP, VERSION, "pods", **kw)
    return custom.list_namespaced_custom_object(GROUP, VERSION, namespace, "pods", **kw)


def _measurable(pod: dict[str, Any]) -> bool:
    running = [cs for cs in pod["status"].get("containerStatuses") or [] if "running" in cs.get("state", {})]
    return pod["status"].get("phase") == "Running" and bool(running)


def _requests(sim: SimCluster, namespace: str, pod: str) -> dict[str, dict[str, str]]:
    obj = sim.get("pods", namespace, pod)
    assert obj is not None
    return {c["name"]: c.get("resources") or {} for c in obj["spec"]["containers"]}


# ---- discovery ---------------------------------------------------------------------------------


def test_aggregated_discovery_lists_the_group(sim: SimCluster) -> None:
    _, doc = _raw(sim, "/apis", AGGREGATED)
    item = next(i for i in doc["items"] if i["metadata"]["name"] == GROUP)
    (version,) = item["versions"]
    assert version["version"] == VERSION and version["freshness"] == "Current"
    by_name = {r["resource"]: r for r in version["resources"]}
    assert by_name["pods"]["scope"] == "Namespaced" and by_name["nodes"]["scope"] == "Cluster"
    assert by_name["pods"]["responseKind"] == {"group": GROUP, "version": VERSION, "kind": "PodMetrics"}
    assert all(r["verbs"] == ["get", "list"] for r in by_name.values())  # no watch


def test_legacy_discovery_through_the_client(sim: SimCluster) -> None:
    api = client_for(sim)
    groups = {g.name: g for g in kubernetes.client.ApisApi(api).get_api_versions().groups}
    assert groups[GROUP].preferred_version.group_version == f"{GROUP}/{VERSION}"
    _, group = _raw(sim, f"/apis/{GROUP}")
    assert group["kind"] == "APIGroup" and group["versions"] == [
        {"groupVersion": f"{GROUP}/{VERSION}", "version": VERSION}
    ]
    _, resources = _raw(sim, f"/apis/{GROUP}/{VERSION}")
    assert resources["resources"] == [
        {
            "name": "nodes",
            "singularName": "",
            "namespaced": False,
            "kind": "NodeMetrics",
            "verbs": ["get", "list"],
        },
        {
            "name": "pods",
            "singularName": "",
            "namespaced": True,
            "kind": "PodMetrics",
            "verbs": ["get", "list"],
        },
    ]


# ---- pods --------------------------------------------------------------------------------------


def test_pod_metrics_list_has_metrics_servers_shape(sim: SimCluster, custom: Any) -> None:
    doc = _metrics_pods(custom)
    assert (doc["kind"], doc["apiVersion"], doc["metadata"]) == ("PodMetricsList", f"{GROUP}/{VERSION}", {})
    item = doc["items"][0]
    assert set(item) == {"metadata", "timestamp", "window", "containers"}
    assert set(item["metadata"]) == {"name", "namespace", "creationTimestamp", "labels"}
    assert item["timestamp"] == "2026-11-29T18:40:00Z"  # sample 0 of the frozen clock
    assert item["window"].startswith("15") and item["window"].endswith("s")
    for c in item["containers"]:
        assert set(c) == {"name", "usage"} and set(c["usage"]) == {"cpu", "memory"}
        parse_quantity(c["usage"]["cpu"])
        parse_quantity(c["usage"]["memory"])
    pod = sim.get("pods", item["metadata"]["namespace"], item["metadata"]["name"])
    assert pod is not None and item["metadata"]["labels"] == pod["metadata"]["labels"]


def test_only_running_pods_with_running_containers_have_metrics(sim: SimCluster, custom: Any) -> None:
    listed = [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in _metrics_pods(custom)["items"]]
    pods = sim.list("pods")
    want = [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in pods if _measurable(p)]
    assert listed == sorted(want)  # the pods list's order: namespace, then name
    names = {name for _, name in listed}
    assert not any(n.startswith(("checkout-", "recommender-", "fraud-model-", "ledger-")) for n in names)
    assert len(want) < len(pods)


def test_namespaced_and_selected_lists(custom: Any) -> None:
    system = _metrics_pods(custom, "kube-system")["items"]
    assert system and {i["metadata"]["namespace"] for i in system} == {"kube-system"}
    dns = _metrics_pods(custom, "kube-system", label_selector="k8s-app=kube-dns")["items"]
    assert len(dns) == 2 and all(i["metadata"]["name"].startswith("coredns-") for i in dns)
    everywhere = _metrics_pods(custom, label_selector="app in (web,redis)")["items"]
    assert {i["metadata"]["labels"]["app"] for i in everywhere} == {"web", "redis"}


def test_get_one_pods_metrics_and_the_not_found_answers(sim: SimCluster, custom: Any) -> None:
    item = _metrics_pods(custom, "shop")["items"][0]
    name = item["metadata"]["name"]
    one = custom.get_namespaced_custom_object(GROUP, VERSION, "shop", "pods", name)
    assert one == {"kind": "PodMetrics", "apiVersion": f"{GROUP}/{VERSION}", **item}
    checkout = next(p for p in sim.list("pods", "shop") if p["metadata"]["name"].startswith("checkout-"))
    code, body = _raw(sim, f"/apis/{GROUP}/{VERSION}/namespaces/shop/pods/{checkout['metadata']['name']}")
    assert (
        code == 404
        and body["message"] == f'podmetrics.metrics.k8s.io "shop/{checkout["metadata"]["name"]}" not found'
    )
    code, body = _raw(sim, f"/apis/{GROUP}/{VERSION}/namespaces/shop/pods/nope")
    assert code == 404 and body["message"] == 'pods "nope" not found'


def test_ordinary_containers_use_less_than_they_request(sim: SimCluster, custom: Any) -> None:
    creep = sim.state.metrics.creep if sim.state.metrics else None
    checked = 0
    for item in _metrics_pods(custom)["items"]:
        ns, name = item["metadata"]["namespace"], item["metadata"]["name"]
        specs = _requests(sim, ns, name)
        for c in item["containers"]:
            req = specs[c["name"]].get("requests") or {}
            if (ns, name, c["name"]) == creep or not req:
                continue
            assert parse_quantity(c["usage"]["cpu"]) < parse_quantity(req["cpu"])
            assert parse_quantity(c["usage"]["memory"]) < parse_quantity(req["memory"])
            checked += 1
    assert checked > 10


def test_wasteful_deployment_uses_a_tenth_of_its_requests(sim: SimCluster, custom: Any) -> None:
    for item in _metrics_pods(custom, "kube-system", label_selector="app=coredns")["items"]:
        (c,) = item["containers"]
        req = _requests(sim, "kube-system", item["metadata"]["name"])["coredns"]["requests"]
        for resource in ("cpu", "memory"):
            ratio = parse_quantity(req[resource]) / parse_quantity(c["usage"][resource])
            assert 8 < ratio < 12, (resource, ratio)


# ---- nodes -------------------------------------------------------------------------------------


def test_node_metrics_are_their_pods_plus_overhead(sim: SimCluster, custom: Any) -> None:
    doc = custom.list_cluster_custom_object(GROUP, VERSION, "nodes")
    assert doc["kind"] == "NodeMetricsList" and [i["metadata"]["name"] for i in doc["items"]] == [
        "node-1",
        "node-2",
        "node-3",
    ]
    pods = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in sim.list("pods")}
    summed: dict[str, list[Any]] = {}
    for item in _metrics_pods(custom)["items"]:
        node = pods[(item["metadata"]["namespace"], item["metadata"]["name"])]["spec"]["nodeName"]
        acc = summed.setdefault(node, [0, 0])
        for c in item["containers"]:
            acc[0] += parse_quantity(c["usage"]["cpu"])
            acc[1] += parse_quantity(c["usage"]["memory"])
    for item in doc["items"]:
        assert set(item) == {"metadata", "timestamp", "window", "usage"}
        assert item["metadata"]["labels"]["kubernetes.io/hostname"] == item["metadata"]["name"]
        cpu, mem = (parse_quantity(item["usage"][r]) for r in ("cpu", "memory"))
        pods_cpu, pods_mem = summed[item["metadata"]["name"]]
        assert pods_cpu + parse_quantity("150m") <= cpu <= pods_cpu + parse_quantity("400m")
        assert mem >= pods_mem + parse_quantity("600Mi")
    node3 = custom.get_cluster_custom_object(GROUP, VERSION, "nodes", "node-3")
    assert parse_quantity(node3["usage"]["memory"]) >= parse_quantity("32Gi") * 90 / 100  # MemoryPressure
    code, body = _raw(sim, f"/apis/{GROUP}/{VERSION}/nodes/node-9")
    assert code == 404 and body["message"] == 'nodes "node-9" not found'


# ---- refusals and absence ----------------------------------------------------------------------


def test_watch_is_refused_like_metrics_server(sim: SimCluster) -> None:
    for path, kind in (
        (f"/apis/{GROUP}/{VERSION}/pods", "pods"),
        (f"/apis/{GROUP}/{VERSION}/nodes", "nodes"),
    ):
        code, body = _raw(sim, path, query=[("watch", "true")])
        assert code == 405
        assert body["reason"] == "MethodNotAllowed" and body["kind"] == "Status"
        assert body["message"] == f'watch is not supported on resources of kind "{kind}.metrics.k8s.io"'
        assert body["details"] == {"group": GROUP, "kind": kind}


def test_absent_group_is_404_everywhere() -> None:
    with start_sim("demo", faults="metrics=off", tls=False) as off:
        _, groups = _raw(off, "/apis")
        assert GROUP not in {g["name"] for g in groups["groups"]}
        _, agg = _raw(off, "/apis", AGGREGATED)
        assert GROUP not in {i["metadata"]["name"] for i in agg["items"]}
        for path in (f"/apis/{GROUP}", f"/apis/{GROUP}/{VERSION}", f"/apis/{GROUP}/{VERSION}/pods"):
            code, body = _raw(off, path)
            assert (code, body) == (404, "404 page not found\n"), path
        off.set_faults("metrics=on")  # the same cluster once metrics-server is installed
        assert _raw(off, f"/apis/{GROUP}/{VERSION}/pods")[0] == 200


def test_forbidden_metrics_answer_403(sim: SimCluster) -> None:
    sim.set_faults("forbid=pods.metrics.k8s.io")
    try:
        code, body = _raw(sim, f"/apis/{GROUP}/{VERSION}/pods")
        assert code == 403
        assert body["message"] == (
            'pods.metrics.k8s.io is forbidden: User "kdash-sim-user" cannot list resource "pods" '
            'in API group "metrics.k8s.io" at the cluster scope'
        )
        assert _raw(sim, "/api/v1/pods")[0] == 200  # the core kind of the same plural is not
        assert _raw(sim, f"/apis/{GROUP}/{VERSION}/nodes")[0] == 200
    finally:
        sim.set_faults(None)


def test_table_for_kubectl_get(sim: SimCluster) -> None:
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io"
    _, table = _raw(sim, f"/apis/{GROUP}/{VERSION}/namespaces/kube-system/pods", accept)
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "cpu", "memory", "Window"]
    row = table["rows"][0]
    assert row["object"]["kind"] == "PartialObjectMetadata" and len(row["cells"]) == 4


# ---- the clock: samples, the creeping container, determinism ------------------------------------


@pytest.fixture
def stepped(tmp_path: Path) -> Iterator[SimCluster]:
    with start_sim("demo", kubeconfig_path=tmp_path / "kubeconfig", now=lambda: FROZEN, tls=False) as handle:
        yield handle


def _creeping(sim: SimCluster) -> tuple[float | None, dict[str, Any]]:
    """(memory / limit of the creeping container, or None when it has no metrics; its status)."""
    assert sim.state.metrics is not None and sim.state.metrics.creep is not None
    ns, pod, container = sim.state.metrics.creep
    obj = sim.get("pods", ns, pod)
    assert obj is not None
    status = next(cs for cs in obj["status"]["containerStatuses"] if cs["name"] == container)
    limit = parse_quantity(_requests(sim, ns, pod)[container]["limits"]["memory"])
    code, item = _raw(sim, f"/apis/{GROUP}/{VERSION}/namespaces/{ns}/pods/{pod}")
    if code == 404:
        return None, status
    (c,) = [c for c in item["containers"] if c["name"] == container]
    return float(parse_quantity(c["usage"]["memory"]) / limit), status


def test_creeping_container_passes_80_then_90_percent_then_is_oomkilled(stepped: SimCluster) -> None:
    seen: list[float] = []
    killed_at = None
    while killed_at is None and stepped.step(15) < 2 * CREEP_SECONDS:
        share, status = _creeping(stepped)
        if status["restartCount"] == 1:
            killed_at = len(seen)
        else:
            assert share is not None
            seen.append(share)
    assert killed_at is not None, seen
    assert seen == sorted(seen) and seen[-1] < 1.0  # it climbs, and is killed before it reaches 100 %
    first_80 = next(i for i, s in enumerate(seen) if s >= 0.8)
    first_90 = next(i for i, s in enumerate(seen) if s >= 0.9)
    assert 0 < first_80 < first_90 < len(seen) - 1  # warning first, then error, then the kill
    term = status["lastState"]["terminated"]
    assert (term["reason"], term["exitCode"]) == ("OOMKilled", 137)
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert _creeping(stepped)[0] is None  # no metrics while it waits for its restart
    events = [e for e in stepped.list("events", "monitoring") if e["reason"] == "OOMKilling"]
    assert events and events[0]["type"] == "Warning"
    share = None
    for _ in range(4):  # the 10 s back-off, then a fresh instance creeps again from half its limit
        stepped.step(15)
        share, status = _creeping(stepped)
        if share is not None:
            break
    assert share is not None and 0.5 <= share < 0.6
    assert "running" in status["state"] and status["restartCount"] == 1
    assert stepped.engine is not None and stepped.engine.errors == {}


def test_samples_advance_every_15_simulated_seconds_and_repeat(stepped: SimCluster) -> None:
    custom = kubernetes.client.CustomObjectsApi(client_for(stepped))
    first = _metrics_pods(custom, "shop")
    assert _metrics_pods(custom, "shop") == first  # the same sample until the next one
    stepped.step(14)
    assert _metrics_pods(custom, "shop")["items"][0]["timestamp"] == first["items"][0]["timestamp"]
    stepped.step(1)
    later = _metrics_pods(custom, "shop")
    stamp = datetime.fromisoformat(later["items"][0]["timestamp"])
    assert stamp - datetime.fromisoformat(first["items"][0]["timestamp"]) == timedelta(seconds=15)
    assert later["items"][0]["containers"] != first["items"][0]["containers"]  # new noise, new load


def test_same_clock_same_metrics() -> None:
    def run() -> Any:
        with start_sim("demo", now=lambda: FROZEN, tls=False) as handle:
            handle.step(45)
            return kubernetes.client.CustomObjectsApi(client_for(handle)).list_cluster_custom_object(
                GROUP, VERSION, "pods"
            )

    first, second = run(), run()
    for doc in (first, second):
        for item in doc["items"]:
            item["metadata"].pop("creationTimestamp")  # "now", as metrics-server writes it
    assert first == second


def test_quantity_texts_are_canonical() -> None:
    assert [cpu_text(m) for m in (0, 9.227134, 250, 2000, 0.5)] == ["0", "9227134n", "250m", "2", "500u"]
    assert [memory_text(b) for b in (0, 13197312, 128 * 2**20, 1000)] == ["0", "12888Ki", "128Mi", "1000"]
    assert [window_text(s) for s in (15, 15.029, 15.1)] == ["15s", "15.029s", "15.1s"]


# ---- kubectl top -------------------------------------------------------------------------------


def _kubectl(sim: SimCluster, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(tmp), "KUBECACHEDIR": str(tmp / "cache")}
    return subprocess.run(
        ["kubectl", "--kubeconfig", str(sim.kubeconfig_path), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kubectl_top(sim: SimCluster, custom: Any, tmp_path: Path) -> None:
    pods = _kubectl(sim, tmp_path, "top", "pods", "-A")
    assert pods.returncode == 0, pods.stderr
    lines = pods.stdout.splitlines()
    assert lines[0].split() == ["NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert len(lines) - 1 == len(_metrics_pods(custom)["items"])
    nodes = _kubectl(sim, tmp_path, "top", "nodes")
    assert nodes.returncode == 0, nodes.stderr
    assert nodes.stdout.split()[:5] == ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
    node3 = next(line.split() for line in nodes.stdout.splitlines() if line.startswith("node-3"))
    assert int(node3[4].rstrip("%")) >= 90
    containers = _kubectl(sim, tmp_path, "top", "pod", "--containers", "-n", "shop", "-l", "app=web")
    assert containers.returncode == 0, containers.stderr
    assert {line.split()[1] for line in containers.stdout.splitlines()[1:]} == {"nginx", "log-shipper"}
    table = _kubectl(sim, tmp_path, "get", "pods.metrics.k8s.io", "-n", "kube-system")
    assert table.returncode == 0 and table.stdout.split()[:4] == ["NAME", "CPU", "MEMORY", "WINDOW"]
