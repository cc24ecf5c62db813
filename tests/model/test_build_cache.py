"""The builders share identical sub-records between objects (container specs, states, statuses,
conditions, labels, owners). Sharing must never change a result: every record built through a
cache equals the one built afresh, and inputs that differ in anything a builder reads never share."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kdash.model.build import _json, build_container, build_pod, build_pod_spec, meta, owners, podspec
from kdash.model.build import pods as pods_mod

JSON = dict[str, Any]


@pytest.fixture(autouse=True)
def _empty_caches() -> None:
    for cache in (
        podspec._CONTAINER_CACHE,
        pods_mod._STATE_CACHE,
        pods_mod._STATUS_CACHE,
        _json._CONDITIONS,
        _json._STR_MAPS,
        meta._OWNERS,
        owners._INFERRED,
    ):
        cache.clear()


def _container(**extra: Any) -> JSON:
    c: JSON = {
        "name": "app",
        "image": "registry.example.com/app:1.0",
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http", "containerPort": 8080}],
        "resources": {"requests": {"cpu": "100m"}, "limits": {"memory": "128Mi"}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
        "livenessProbe": {"tcpSocket": {"port": 8080}},
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000},
        "terminationMessagePolicy": "File",
        "env": [{"name": "A", "value": "1"}],
        "volumeMounts": [{"name": "kube-api-access-abcde", "mountPath": "/var/run/secrets"}],
    }
    c.update(extra)
    return c


def _pod(name: str, container: JSON, **status: Any) -> JSON:
    return {
        "metadata": {
            "name": name,
            "namespace": "shop",
            "uid": f"uid-{name}",
            "labels": {"app": "web", "pod-template-hash": "5d4f8"},
            "ownerReferences": [
                {"kind": "ReplicaSet", "name": "web-5d4f8", "uid": "uid-rs", "controller": True}
            ],
        },
        "spec": {"containers": [container], "nodeName": f"node-{name}"},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}],
            "containerStatuses": [
                {
                    "name": "app",
                    "image": "registry.example.com/app:1.0",
                    "ready": True,
                    "restartCount": 0,
                    "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}},
                }
            ],
            **status,
        },
    }


def _fresh_container(x: JSON) -> Any:
    podspec._CONTAINER_CACHE.clear()
    return build_container(x)


def test_pods_of_one_template_share_container_specs() -> None:
    # volumeMounts are not read (real pods differ in the kube-api-access-xxxxx name); env is, and
    # is the same in every pod of a template
    a = build_pod(_pod("a", _container()))
    b = build_pod(_pod("b", _container(volumeMounts=[{"name": "kube-api-access-zzzzz"}])))
    assert a.spec.containers[0] is b.spec.containers[0]
    assert a.spec.containers == (_fresh_container(_container()),)
    assert a.spec.node_name == "node-a" and b.spec.node_name == "node-b"  # per-pod parts stay apart
    assert a.containers[0] is b.containers[0]
    assert a.conditions[0] is b.conditions[0]
    assert a.meta.labels is b.meta.labels and a.meta.owners is b.meta.owners
    assert a.workload is b.workload and a.workload is not None and a.workload.name == "web"


@pytest.mark.parametrize(
    "change",
    [
        {"name": "other"},
        {"image": "registry.example.com/app:2.0"},
        {"imagePullPolicy": "Always"},
        {"readinessProbe": {"httpGet": {"path": "/other", "port": 8080}}},
        {"livenessProbe": None},
        {"startupProbe": {"exec": {"command": ["true"]}}},
        {"resources": {"requests": {"cpu": "200m"}}},
        {"lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}}},
        {"terminationMessagePolicy": "FallbackToLogsOnError"},
        {"securityContext": {"runAsNonRoot": True, "runAsUser": 1001}},
        {"securityContext": {"privileged": True}},
        {"ports": [{"name": "http", "containerPort": 8081}]},
        {"restartPolicy": "Always"},
        {"env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]},
        {"env": [{"name": "B", "value": "1"}]},
        {"securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "readOnlyRootFilesystem": True}},
        {"securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "capabilities": {"drop": ["ALL"]}}},
        {"ports": [{"name": "http", "containerPort": 8080, "hostPort": 8080}]},
    ],
)
def test_a_difference_in_any_field_read_gives_its_own_spec(change: JSON) -> None:
    assert set(change) <= set(podspec._CONTAINER_FIELDS)
    base = build_pod_spec({"containers": [_container()]}).containers[0]
    changed_input = _container(**change)
    changed = build_pod_spec({"containers": [changed_input]}).containers[0]
    assert changed is not base
    assert changed == _fresh_container(changed_input)
    assert changed != base


def test_the_key_fields_are_all_that_build_container_reads() -> None:
    """Values of fields outside the key must not matter: a container holding only the key fields
    builds the same spec as the full one."""
    full = _container(startupProbe={"grpc": {"port": 9000}}, lifecycle={"preStop": {"sleep": {"seconds": 1}}})
    only_keys = {k: v for k, v in full.items() if k in podspec._CONTAINER_FIELDS}
    assert _fresh_container(full) == _fresh_container(only_keys)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ({"securityContext": {"privileged": True}}, {"securityContext": {"privileged": 1}}),
        ({"securityContext": {"runAsUser": 1}}, {"securityContext": {"runAsUser": True}}),
        ({"securityContext": {"runAsUser": 1000}}, {"securityContext": {"runAsUser": 1000.5}}),
        ({"ports": [{"containerPort": 1}]}, {"ports": [{"containerPort": True}]}),
        ({"resources": {"limits": {"cpu": 1}}}, {"resources": {"limits": {"cpu": True}}}),
    ],
)
def test_equal_but_differently_typed_values_never_share(left: JSON, right: JSON) -> None:
    """1 == True == 1.0 in Python; the cache key must still tell them apart."""
    a = build_pod_spec({"containers": [_container(**left)]}).containers[0]
    b = build_pod_spec({"containers": [_container(**right)]}).containers[0]
    assert a == _fresh_container(_container(**left))
    assert b == _fresh_container(_container(**right))
    assert a is not b


def test_same_template_hash_different_spec_is_not_shared() -> None:
    a = build_pod(_pod("a", _container()))
    b = build_pod(_pod("b", _container(image="registry.example.com/app:9.9")))
    assert a.meta.labels == b.meta.labels  # same pod-template-hash
    assert a.spec.containers[0].image != b.spec.containers[0].image


def test_uncacheable_containers_still_build() -> None:
    import datetime

    odd = _container(env=None, lifecycle={"preStop": {"when": datetime.datetime(2026, 1, 1)}})
    spec = build_pod_spec({"containers": [odd, "not a dict"]})
    assert [c.name for c in spec.containers] == ["app"]
    assert spec.containers[0].pre_stop is True
    assert podspec._CONTAINER_CACHE == {}


@pytest.mark.parametrize(
    "state",
    [
        {"running": {"startedAt": "2026-01-01T00:00:00Z"}},
        {"running": {}},
        {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}},
        {"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": "2026-01-01T00:01:00Z"}},
        {"terminated": {"exitCode": True}},
        {"terminated": {"signal": 9, "startedAt": "2026-01-01T00:00:00Z"}},
        {},
        {"unknownState": {}},
    ],
)
def test_shared_states_and_statuses_equal_fresh_ones(state: JSON) -> None:
    raw = {
        "name": "app",
        "image": "nginx",
        "ready": False,
        "restartCount": 2,
        "state": state,
        "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}},
    }
    first = pods_mod.build_container_status(copy.deepcopy(raw))
    second = pods_mod.build_container_status(copy.deepcopy(raw))
    pods_mod._STATE_CACHE.clear()
    pods_mod._STATUS_CACHE.clear()
    fresh = pods_mod.build_container_status(copy.deepcopy(raw))
    assert first is second
    assert first == fresh


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ({"restartCount": 1}, {"restartCount": True}),
        ({"started": True}, {"started": 1}),
        ({"ready": True}, {"ready": 1}),
        ({"state": {"terminated": {"exitCode": 1}}}, {"state": {"terminated": {"exitCode": True}}}),
        ({"state": {"terminated": {"exitCode": 0}}}, {"state": {"terminated": {"exitCode": 0.5}}}),
    ],
)
def test_statuses_with_differently_typed_values_never_share(left: JSON, right: JSON) -> None:
    base: JSON = {"name": "app", "image": "nginx", "state": {"running": {}}}
    a = pods_mod.build_container_status({**base, **left})
    b = pods_mod.build_container_status({**base, **right})
    pods_mod._STATE_CACHE.clear()
    pods_mod._STATUS_CACHE.clear()
    assert b == pods_mod.build_container_status({**base, **right})
    assert a is not b


def test_long_messages_are_built_but_not_remembered() -> None:
    message = "x" * 10_000
    status = pods_mod.build_container_status(
        {"name": "app", "state": {"terminated": {"message": message, "exitCode": 1}}}
    )
    assert status is not None and status.state.message == message
    conds = _json.conditions([{"type": "Ready", "status": "False", "message": message}])
    assert conds[0].message == message
    assert not any(message in str(k) for k in (*pods_mod._STATUS_CACHE, *_json._CONDITIONS))


def test_conditions_are_shared_and_equal_to_fresh_ones() -> None:
    raw = [
        {"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"},
        {"type": "PodScheduled", "status": None, "reason": 5},
        {"type": "", "status": "True"},
        {"type": "Initialized", "status": "True", "lastTransitionTime": 12},
    ]
    first = _json.conditions(copy.deepcopy(raw))
    second = _json.conditions(copy.deepcopy(raw))
    _json._CONDITIONS.clear()
    fresh = _json.conditions(copy.deepcopy(raw))
    assert first == second == fresh
    assert first[0] is second[0]
    assert [c.type for c in first] == ["Ready", "PodScheduled", "Initialized"]
    assert first[1].status == "Unknown" and first[1].reason == ""


@pytest.mark.parametrize(
    ("left", "right"),
    [({"a": "1"}, {"a": 1}), ({"a": 1}, {"a": True}), ({"a": "x", "b": "y"}, {"b": "y", "a": "x"})],
)
def test_shared_label_maps_match_plain_ones(left: JSON, right: JSON) -> None:
    assert _json.shared_str_map(left) == _json.str_map(left)
    assert _json.shared_str_map(right) == _json.str_map(right)
    assert _json.shared_str_map({"a": ["unhashable"]}) == {}


def test_owners_are_shared_only_when_equal() -> None:
    refs = [{"kind": "ReplicaSet", "name": "web-1", "uid": "u1", "controller": True}]
    a = meta.build_meta({"metadata": {"name": "a", "ownerReferences": refs}}, "Pod")
    b = meta.build_meta({"metadata": {"name": "b", "ownerReferences": copy.deepcopy(refs)}}, "Pod")
    c = meta.build_meta(
        {"metadata": {"name": "c", "ownerReferences": [{**refs[0], "controller": 1}, "junk"]}}, "Pod"
    )
    assert a.owners is b.owners
    assert c.owners != a.owners and c.owners[0].controller is False and len(c.owners) == 1
