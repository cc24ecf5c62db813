"""Each fault of ``--faults`` observed through the real kubernetes client; audit and 405."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import kubernetes
import pytest
import urllib3
from kubernetes.client.exceptions import ApiException

from kdash.sim import SimCluster, start_sim
from kdash.sim.faults import FaultSpecError, parse_faults
from tests.sim.conftest import client_for


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    audit = tmp_path_factory.mktemp("audit") / "audit.jsonl"
    with start_sim("demo", audit_log=audit) as s:
        yield s


@pytest.fixture
def core(sim: SimCluster) -> Iterator[Any]:
    sim.set_faults(None)
    yield kubernetes.client.CoreV1Api(client_for(sim))
    sim.set_faults(None)


def test_forbid_kind_and_namespace(sim: SimCluster, core: Any) -> None:
    sim.set_faults("forbid=resourcequotas,forbid-ns=kube-system")
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_resource_quota("shop")
    assert exc.value.status == 403
    assert json.loads(exc.value.body) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'resourcequotas is forbidden: User "kdash-sim-user" cannot list resource "resourcequotas" '
        'in API group "" in the namespace "shop"',
        "reason": "Forbidden",
        "details": {"kind": "resourcequotas"},
        "code": 403,
    }
    with pytest.raises(ApiException) as exc:
        core.list_pod_for_all_namespaces()
    assert "at the cluster scope" in json.loads(exc.value.body)["message"]
    with pytest.raises(ApiException):
        core.list_namespaced_pod("kube-system")
    assert core.list_namespaced_pod("shop").items


def test_latency(core: Any, sim: SimCluster) -> None:
    sim.set_faults("latency=300ms")
    t = time.monotonic()
    core.list_namespace()
    assert time.monotonic() - t >= 0.3


def test_error_and_throttle_rates(core: Any, sim: SimCluster) -> None:
    sim.set_faults("error-rate=1")
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_pod("shop")
    assert exc.value.status == 500
    sim.set_faults("throttle-rate=1")
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_pod("shop")
    assert exc.value.status == 429
    assert exc.value.headers["Retry-After"] == "1"
    assert json.loads(exc.value.body)["reason"] == "TooManyRequests"


def test_drop_watch(core: Any, sim: SimCluster) -> None:
    """The server ends the watch itself, long before the 60 s the client asked for."""
    sim.set_faults("drop-watch-every=500ms")
    resp = core.list_namespaced_pod("shop", watch=True, timeout_seconds=60, _preload_content=False)
    body: list[bytes] = []
    reader = threading.Thread(target=lambda: body.append(resp.data), daemon=True)  # until the server closes
    reader.start()
    reader.join(timeout=20)  # a bounded wait for the close, not a measurement
    dropped = not reader.is_alive()
    if not dropped:
        resp.close()
    assert dropped, "the watch stayed open: drop-watch-every did not close it"
    assert body and b'"ADDED"' in body[0]  # events flowed before the drop


def test_gone_every(core: Any, sim: SimCluster) -> None:
    rv = core.list_namespaced_pod("shop").metadata.resource_version
    sim.set_faults("gone-every=500ms")
    resp = core.list_namespaced_pod(
        "shop", watch=True, resource_version=rv, timeout_seconds=10, _preload_content=False
    )
    events = [json.loads(x) for x in resp.data.splitlines() if x]
    assert events[-1]["type"] == "ERROR"
    assert events[-1]["object"]["code"] == 410
    with pytest.raises(ApiException) as exc:
        for _ in kubernetes.watch.Watch().stream(core.list_namespaced_pod, "shop", resource_version=rv):
            pass
    assert exc.value.status == 410


def test_go_down_and_back_on_same_port(core: Any, sim: SimCluster) -> None:
    url = sim.url
    sim.go_down(1.0)
    with pytest.raises(urllib3.exceptions.MaxRetryError):
        core.list_namespace(_request_timeout=2)
    time.sleep(1.5)
    assert sim.url == url
    assert core.list_namespace().items


def test_down_fault_spec(core: Any, sim: SimCluster) -> None:
    sim.set_faults("down=1s@0.2s")
    time.sleep(0.5)
    with pytest.raises(urllib3.exceptions.MaxRetryError):
        core.list_namespace(_request_timeout=2)
    time.sleep(1.5)
    assert core.list_namespace().items


def test_mutations_are_refused_and_audited(core: Any, sim: SimCluster) -> None:
    sim.clear_audit()
    with pytest.raises(ApiException) as exc:
        core.delete_namespaced_pod("toolbox", "shop")
    assert exc.value.status == 405
    assert json.loads(exc.value.body)["reason"] == "MethodNotAllowed"
    core.list_namespaced_pod("shop", label_selector="app=web")
    audit = sim.audit
    assert [a["verb"] for a in audit] == ["delete", "list"]
    assert audit[0] == audit[0] | {
        "method": "DELETE",
        "path": "/api/v1/namespaces/shop/pods/toolbox",
        "status": 405,
    }
    assert audit[1]["query"] == "labelSelector=app%3Dweb"
    assert sim.get("pods", "shop", "toolbox") is not None


def test_bad_fault_specs() -> None:
    for spec in ["bogus=1", "latency=fast", "error-rate=2", "forbid=widgets"]:
        with pytest.raises(FaultSpecError):
            parse_faults(spec)
    f = parse_faults("forbid=pods,events,forbid-ns=a+b,down=10s@30s")
    assert f.forbid == {"pods", "events"}
    assert f.forbid_ns == {"a", "b"}
    assert (f.down_for, f.down_at) == (10.0, 30.0)


def _raw_get(sim: SimCluster, path: str) -> tuple[int, dict[str, str], bytes]:
    """One GET with no client-side retries (the kubernetes client's urllib3 would retry a 429)."""
    import base64
    import ssl
    import urllib.error
    import urllib.request

    import yaml

    doc = yaml.safe_load(sim.kubeconfig_path.read_text())
    ca = base64.b64decode(doc["clusters"][0]["cluster"]["certificate-authority-data"]).decode()
    req = urllib.request.Request(f"{sim.url}{path}", headers={"Authorization": f"Bearer {sim.token}"})
    try:
        with urllib.request.urlopen(req, context=ssl.create_default_context(cadata=ca), timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_retry_after_fault_sends_the_given_header(sim: SimCluster, core: Any) -> None:
    sim.set_faults("throttle-rate=1,retry-after=1e12")
    status, headers, body = _raw_get(sim, "/api/v1/namespaces/shop/pods")
    assert status == 429
    assert headers["Retry-After"] == "1e12"
    assert json.loads(body)["reason"] == "TooManyRequests"


def test_watch_from_a_future_resource_version_waits_silently(sim: SimCluster, core: Any) -> None:
    """Like a real kube-apiserver's watch cache (api-concepts, "Unavailable resource versions"): a
    watch from a resourceVersion the server has not reached is accepted (HTTP 200) and stays
    silent, bookmarks included, until the server's own resourceVersion passes it."""
    future = sim.resource_version + 1000
    sim.state.bookmark_interval = 0.3
    threading.Timer(0.5, lambda: sim.apply(_toolbox_copy(sim, "while-waiting"))).start()
    resp = core.list_namespaced_pod(
        "shop",
        watch=True,
        resource_version=str(future),
        allow_watch_bookmarks=True,
        timeout_seconds=2,
        _preload_content=False,
    )
    assert resp.status == 200
    assert [x for x in resp.data.splitlines() if x] == []
    sim.delete("pods", "shop", "while-waiting")


def test_list_from_a_future_resource_version_is_504_too_large(sim: SimCluster, core: Any) -> None:
    """After a short wait a real server answers 504 Timeout with the ResourceVersionTooLarge cause
    and Retry-After: 1 (k8s.io/apiserver storage.NewTooLargeResourceVersionError)."""
    sim.state.too_large_wait = 0.2
    current = sim.resource_version
    future = current + 1000
    status, headers, body = _raw_get(sim, f"/api/v1/namespaces/shop/pods?resourceVersion={future}")
    assert status == 504
    assert headers["Retry-After"] == "1"
    assert json.loads(body) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f"Timeout: Too large resource version: {future}, current: {current}",
        "reason": "Timeout",
        "details": {
            "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
            "retryAfterSeconds": 1,
        },
        "code": 504,
    }
    status, _, _ = _raw_get(
        sim, f"/api/v1/namespaces/shop/pods?resourceVersion={future}&resourceVersionMatch=Exact"
    )
    assert status == 504
    status, _, _ = _raw_get(sim, f"/api/v1/namespaces/shop/pods?resourceVersion={current}")
    assert status == 200


def test_audit_records_the_user_agent(sim: SimCluster, core: Any) -> None:
    sim.clear_audit()
    core.list_namespaced_pod("shop")
    assert sim.audit[-1]["user_agent"].startswith("OpenAPI-Generator/")


def test_go_down_until_recover(core: Any, sim: SimCluster) -> None:
    sim.go_down(None)
    time.sleep(0.3)
    with pytest.raises(urllib3.exceptions.MaxRetryError):
        core.list_namespace(_request_timeout=2)
    sim.recover()
    assert core.list_namespace().items


def _toolbox_copy(sim: SimCluster, name: str) -> dict[str, Any]:
    pod = sim.get("pods", "shop", "toolbox")
    assert pod is not None
    pod["metadata"] = {"name": name, "namespace": "shop", "labels": {"run": name}}
    return pod


def test_restart_into_a_fresh_world_lowers_the_resource_version() -> None:
    with start_sim("empty") as fresh_sim:
        core = kubernetes.client.CoreV1Api(client_for(fresh_sim))
        for i in range(5):
            fresh_sim.apply(_named_pod(f"old-{i}"))
        before = int(core.list_namespaced_pod("default").metadata.resource_version)
        fresh_sim.restart_fresh([_named_pod("new-0")], down_for=0.3)
        listed = core.list_namespaced_pod("default")
        assert [p.metadata.name for p in listed.items] == ["new-0"]
        assert int(listed.metadata.resource_version) < before
        assert fresh_sim.resource_version < before


def _named_pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "nginx"}]},
        "status": {"phase": "Running"},
    }
