"""The real kubernetes client against the demo scenario: list, paginate, get, watch, logs, auth."""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import kubernetes
import pytest
import yaml
from kubernetes.client.exceptions import ApiException

from kdash.sim import SimCluster


def _raw(core: Any, method: str, *args: Any, **kw: Any) -> Any:
    resp = getattr(core, method)(*args, _preload_content=False, **kw)
    return json.loads(resp.data)


def test_kubeconfig_shape(demo: SimCluster) -> None:
    text = demo.kubeconfig_path.read_text()
    assert "certificate-authority-data" in text
    assert "current-context: kdash-sim" in text
    assert demo.url.startswith("https://127.0.0.1:")
    assert demo.context == "kdash-sim"


def test_list_all_pods_matches_reference_shape(core: Any) -> None:
    doc = _raw(core, "list_pod_for_all_namespaces")
    assert doc["kind"] == "PodList"
    assert doc["apiVersion"] == "v1"
    assert int(doc["metadata"]["resourceVersion"]) > 1
    item = doc["items"][0]
    assert "kind" not in item  # list items carry no kind, like the real server
    assert {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"} <= item["metadata"].keys()
    keys = [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in doc["items"]]
    assert keys == sorted(keys)
    models = core.list_namespaced_pod("shop")
    assert any(p.metadata.name == "toolbox" for p in models.items)


def test_pagination_with_continue(core: Any) -> None:
    everything = [p["metadata"]["name"] for p in _raw(core, "list_namespaced_pod", "shop")["items"]]
    seen: list[str] = []
    token = None
    while True:
        page = _raw(core, "list_namespaced_pod", "shop", limit=4, _continue=token)
        seen += [p["metadata"]["name"] for p in page["items"]]
        token = page["metadata"].get("continue")
        if not token:
            break
        assert page["metadata"]["remainingItemCount"] == len(everything) - len(seen)
    assert seen == everything


def test_continue_expires_with_history(demo: SimCluster, core: Any) -> None:
    page = _raw(core, "list_pod_for_all_namespaces", limit=2)
    demo.expire_history()
    demo.apply(
        {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "bump", "namespace": "default"}}
    )
    demo.expire_history()
    with pytest.raises(ApiException) as exc:
        core.list_pod_for_all_namespaces(limit=2, _continue=page["metadata"]["continue"])
    assert exc.value.status == 410
    body = json.loads(exc.value.body)
    assert body["reason"] == "Expired"
    assert body["message"].startswith("The provided continue parameter is too old")
    assert body["metadata"]["continue"]


def test_list_exact_old_rv_is_410(core: Any) -> None:
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_pod("shop", resource_version="1", resource_version_match="Exact")
    assert exc.value.status == 410
    assert json.loads(exc.value.body)["message"] == "The resourceVersion for the provided list is too old."


def test_selectors(core: Any) -> None:
    web = _raw(core, "list_namespaced_pod", "shop", label_selector="app=web")["items"]
    assert len(web) == 3
    notweb = _raw(core, "list_namespaced_pod", "shop", label_selector="app notin (web,cart),!run")["items"]
    assert all(p["metadata"]["labels"].get("app") not in ("web", "cart") for p in notweb)
    assert all("run" not in p["metadata"]["labels"] for p in notweb)
    pending = _raw(core, "list_pod_for_all_namespaces", field_selector="status.phase=Pending")["items"]
    assert {p["metadata"]["namespace"] for p in pending} == {"payments"}
    on_node2 = _raw(core, "list_pod_for_all_namespaces", field_selector="spec.nodeName=node-2")["items"]
    assert on_node2
    assert all(p["spec"]["nodeName"] == "node-2" for p in on_node2)
    ev = _raw(core, "list_namespaced_event", "shop", field_selector="involvedObject.kind=Deployment")["items"]
    assert [e["reason"] for e in ev] == ["ScalingReplicaSet"]
    named = _raw(core, "list_namespace", field_selector="metadata.name=shop")["items"]
    assert [n["metadata"]["name"] for n in named] == ["shop"]


def test_get_and_404(core: Any) -> None:
    pod = core.read_namespaced_pod("toolbox", "shop")
    assert pod.spec.containers[0].security_context.privileged is True
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_pod("does-not-exist", "shop")
    assert exc.value.status == 404
    assert json.loads(exc.value.body) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'pods "does-not-exist" not found',
        "reason": "NotFound",
        "details": {"name": "does-not-exist", "kind": "pods"},
        "code": 404,
    }


def test_other_groups(api: Any) -> None:
    apps = kubernetes.client.AppsV1Api(api)
    deps = apps.list_deployment_for_all_namespaces()
    assert {d.metadata.name for d in deps.items} >= {"web", "cart", "checkout"}
    hpa = kubernetes.client.AutoscalingV2Api(api).list_horizontal_pod_autoscaler_for_all_namespaces()
    assert len(hpa.items) == 3
    assert kubernetes.client.BatchV1Api(api).list_cron_job_for_all_namespaces().items
    assert kubernetes.client.PolicyV1Api(api).list_pod_disruption_budget_for_all_namespaces().items


@pytest.mark.parametrize("header", ["Bearer wrong", None])
def test_unauthorized(demo: SimCluster, header: str | None) -> None:
    ca = base64.b64decode(
        yaml.safe_load(demo.kubeconfig_path.read_text())["clusters"][0]["cluster"][
            "certificate-authority-data"
        ]
    )
    ctx = ssl.create_default_context(cadata=ca.decode())
    req = urllib.request.Request(f"{demo.url}/api/v1/namespaces/shop/pods")
    if header:
        req.add_header("Authorization", header)
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(req, context=ctx, timeout=10)
    assert exc.value.code == 401
    assert json.loads(exc.value.read()) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }


def _watch_events(core: Any, out: list[dict[str, Any]], **kw: Any) -> None:
    w = kubernetes.watch.Watch()
    for ev in w.stream(core.list_namespaced_pod, "shop", **kw):
        obj = ev["object"]
        name = obj["metadata"].get("name") if isinstance(obj, dict) else obj.metadata.name
        out.append({"type": ev["type"], "name": name})


def test_watch_added_modified_deleted_bookmark(demo: SimCluster, core: Any) -> None:
    demo.state.bookmark_interval = 0.3
    rv = core.list_namespaced_pod("shop").metadata.resource_version
    events: list[dict[str, Any]] = []
    t = threading.Thread(
        target=_watch_events,
        args=(core, events),
        kwargs={"resource_version": rv, "allow_watch_bookmarks": True, "timeout_seconds": 2},
    )
    t.start()
    time.sleep(0.3)
    pod = demo.get("pods", "shop", "toolbox")
    assert pod is not None
    pod["metadata"] = {"name": "watched", "namespace": "shop", "labels": {"run": "watched"}}
    demo.apply(pod)
    demo.patch_status("pods", "shop", "watched", {"phase": "Succeeded"})
    demo.delete("pods", "shop", "watched")
    t.join(timeout=10)
    assert not t.is_alive()
    types = [e["type"] for e in events if e["name"] == "watched"]
    assert types == ["ADDED", "MODIFIED", "DELETED"]
    assert any(e["type"] == "BOOKMARK" for e in events)


def test_watch_from_zero_sends_current_state(demo: SimCluster, core: Any) -> None:
    resp = core.list_namespaced_pod(
        "shop", watch=True, resource_version="0", timeout_seconds=1, _preload_content=False
    )
    lines = [json.loads(line) for line in resp.data.splitlines() if line]
    assert {ev["type"] for ev in lines} == {"ADDED"}
    assert len(lines) == len(demo.list("pods", "shop"))
    assert lines[0]["object"]["kind"] == "Pod"


def test_watch_410_error_event(core: Any) -> None:
    resp = core.list_namespaced_pod(
        "shop", watch=True, resource_version="1", timeout_seconds=2, _preload_content=False
    )
    assert resp.status == 200
    (line,) = [json.loads(x) for x in resp.data.splitlines() if x]
    assert line["type"] == "ERROR"
    assert line["object"]["code"] == 410
    assert line["object"]["reason"] == "Expired"
    assert line["object"]["message"].startswith("too old resource version: 1 (")
    w = kubernetes.watch.Watch()
    with pytest.raises(ApiException) as exc:
        for _ in w.stream(core.list_namespaced_pod, "shop", resource_version="1"):
            pass
    assert exc.value.status == 410


def test_label_selector_watch_turns_modify_into_delete(demo: SimCluster, core: Any) -> None:
    demo.apply(
        {
            "kind": "ConfigMap",
            "apiVersion": "v1",
            "metadata": {"name": "sel", "namespace": "shop", "labels": {"tier": "a"}},
        }
    )
    rv = str(demo.resource_version)
    demo.update("configmaps", "shop", "sel", lambda o: o["metadata"]["labels"].update(tier="b"))
    resp = core.list_namespaced_config_map(
        "shop",
        watch=True,
        resource_version=rv,
        label_selector="tier=a",
        timeout_seconds=1,
        _preload_content=False,
    )
    types = [json.loads(x)["type"] for x in resp.data.splitlines() if x]
    assert types == ["DELETED"]


def _log(core: Any, pod: str, **kw: Any) -> str:
    return str(core.read_namespaced_pod_log(pod, "shop", _preload_content=False, **kw).data.decode())


def _pod_name(demo: SimCluster, prefix: str, index: int = 0) -> str:
    names = sorted(
        p["metadata"]["name"] for p in demo.list("pods", "shop") if p["metadata"]["name"].startswith(prefix)
    )
    return names[index]


def test_logs(demo: SimCluster, core: Any) -> None:
    web = _pod_name(demo, "web-")
    text = _log(core, web, container="nginx", tail_lines=5)
    assert len(text.splitlines()) == 5
    assert "GET" in text
    stamped = _log(core, web, container="nginx", tail_lines=1, timestamps=True)
    assert stamped[:4].isdigit()
    assert stamped.split(" ", 1)[0].endswith("Z")
    assert len(_log(core, web, container="nginx", limit_bytes=10)) == 10
    assert _log(core, web, container="nginx", since_seconds=1) == ""
    hostile = _log(core, "toolbox")
    assert "\x1b]0;PWNED\x07" in hostile
    assert "[@click=app.quit]" in hostile
    assert max(len(x) for x in hostile.splitlines()) >= 1024 * 1024
    crash = _pod_name(demo, "checkout-")
    prev = _log(core, crash, previous=True)
    assert "OOMKilled" in prev.splitlines()[-1]


def test_log_errors(demo: SimCluster, core: Any) -> None:
    web = _pod_name(demo, "web-")
    cases = [
        (
            {"name": web},
            400,
            f"a container name must be specified for pod {web}, choose one of: [nginx log-shipper]",
        ),
        ({"name": web, "container": "nope"}, 400, f"container nope is not valid for pod {web}"),
        (
            {"name": web, "container": "nginx", "previous": True},
            400,
            f'previous terminated container "nginx" in pod "{web}" not found',
        ),
        ({"name": "does-not-exist"}, 404, 'pods "does-not-exist" not found'),
    ]
    for kw, code, message in cases:
        with pytest.raises(ApiException) as exc:
            core.read_namespaced_pod_log(namespace="shop", **kw)
        assert exc.value.status == code
        body = json.loads(exc.value.body)
        assert body["message"] == message
        assert body["reason"] == ("BadRequest" if code == 400 else "NotFound")


def test_follow_append_and_restart(demo: SimCluster, core: Any) -> None:
    cart = _pod_name(demo, "cart-", 1)
    got: list[str] = []

    def follow() -> None:
        resp = core.read_namespaced_pod_log(cart, "shop", follow=True, tail_lines=0, _preload_content=False)
        for chunk in resp.stream(1024):
            got.append(chunk.decode())

    t = threading.Thread(target=follow)
    t.start()
    time.sleep(0.3)
    demo.append_log("shop", cart, "cart", ["live line 1", "live line 2"])
    time.sleep(0.3)
    demo.restart_container("shop", cart, "cart", reason="OOMKilled", exit_code=137, message="oom")
    t.join(timeout=10)
    assert not t.is_alive()
    assert "".join(got) == "live line 1\nlive line 2\n"
    assert _log(core, cart, previous=True).splitlines()[-1] == "live line 2"
    pod = demo.get("pods", "shop", cart)
    assert pod is not None
    (cs,) = pod["status"]["containerStatuses"]
    assert cs["lastState"]["terminated"]["exitCode"] == 137
    assert cs["restartCount"] == 1
