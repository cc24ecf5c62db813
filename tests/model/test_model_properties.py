"""No builder raises, whatever JSON-like value it is given.

Two generators: arbitrary JSON-like values (which mostly exercise the outer type checks), and real
API server objects with random subtrees replaced by arbitrary values, which reach deep into the
builders with almost-valid shapes: a null list, a string where an object belongs, a float
restartCount, a status entry of the wrong type.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kdash.model.build import (
    RESOURCE_KINDS,
    build_pod_spec,
    build_record,
    build_workload,
    index_pods_by_workload,
    restart_records,
    restarts_text,
)
from kdash.model.build.manifests import records_from_manifests
from kdash.model.timefmt import age

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 29, 18, 40, 14, tzinfo=UTC)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(
        ["", "True", "Always", "2026-11-29T18:36:00Z", "100m", "CrashLoopBackOff", "Pod", "1e999"]
    )
)
KEYS = st.sampled_from(
    [
        "metadata",
        "spec",
        "status",
        "name",
        "namespace",
        "kind",
        "containers",
        "initContainers",
        "containerStatuses",
        "initContainerStatuses",
        "state",
        "lastState",
        "waiting",
        "running",
        "terminated",
        "reason",
        "exitCode",
        "signal",
        "restartCount",
        "ready",
        "started",
        "conditions",
        "type",
        "labels",
        "annotations",
        "ownerReferences",
        "controller",
        "replicas",
        "readyReplicas",
        "metrics",
        "currentMetrics",
        "resource",
        "target",
        "current",
        "averageUtilization",
        "hard",
        "used",
        "limits",
        "requests",
        "resources",
        "involvedObject",
        "selector",
        "matchLabels",
        "matchExpressions",
        "ports",
        "template",
        "jobTemplate",
        "restartPolicy",
        "deletionTimestamp",
        "creationTimestamp",
        "finishedAt",
        "items",
        "readinessProbe",
        "httpGet",
        "port",
    ]
) | st.text(max_size=6)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=30,
)
json_objects = st.dictionaries(KEYS, json_values, max_size=6)


def load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def strip(obj: Any) -> Any:
    """Fixture objects without managedFields, so mutations land on fields builders read."""
    if isinstance(obj, dict):
        return {k: strip(v) for k, v in obj.items() if k != "managedFields"}
    if isinstance(obj, list):
        return [strip(v) for v in obj]
    return obj


REAL: dict[str, list[Any]] = {
    "pods": [
        strip(load(n)) for n in ("09-pod-crashloop", "09c-pod-cart-2containers", "09d-pod-pending-no-status")
    ],
    "deployments": [strip(load("10-deployment"))],
    "statefulsets": [strip(load("12-statefulset"))],
    "daemonsets": [strip(load("13-daemonset"))],
    "jobs": [strip(load("14-job"))],
    "cronjobs": [strip(load("15-cronjob"))],
    "replicasets": [strip(load("11-replicaset"))],
    "horizontalpodautoscalers": [strip(load("16-hpa-v2"))],
    "resourcequotas": [strip(load("17-resourcequota"))],
    "limitranges": [strip(load("18-limitrange"))],
    "namespaces": [strip(load("30-namespaces")["items"][0])],
    "nodes": [strip(load("20-node"))],
    "events": [strip(load("19-events-shop")["items"][0])],
    "services": [strip(load("31-services-shop")["items"][0])],
    "poddisruptionbudgets": [
        {
            "metadata": {"name": "p"},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"a": "b"}}},
            "status": {},
        }
    ],
    "ingresses": [strip(load("34-ingresses-shop")["items"][0])],
    "configmaps": [strip(load("47-configmaps-shop")["items"][0])],
    "networkpolicies": [
        {
            "metadata": {"name": "n"},
            "spec": {"podSelector": {"matchLabels": {"a": "b"}}, "policyTypes": ["Ingress"]},
        }
    ],
    "roles": [
        {"metadata": {"name": "r"}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}
    ],
    "clusterroles": [
        {"metadata": {"name": "c"}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}
    ],
    "rolebindings": [
        {
            "metadata": {"name": "b"},
            "roleRef": {"kind": "Role", "name": "r"},
            "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "shop"}],
        }
    ],
    "clusterrolebindings": [
        {
            "metadata": {"name": "cb"},
            "roleRef": {"kind": "ClusterRole", "name": "c"},
            "subjects": [{"kind": "Group", "name": "g"}],
        }
    ],
}
assert set(REAL) == set(RESOURCE_KINDS)


@st.composite
def mutated(draw: st.DrawFn, obj: Any, rate: int = 12) -> Any:
    """`obj` with about one node in `rate` replaced by an arbitrary JSON value."""
    if draw(st.integers(min_value=0, max_value=rate - 1)) == 0:
        return draw(json_values)
    if isinstance(obj, dict):
        return {k: draw(mutated(v, rate)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [draw(mutated(v, rate)) for v in obj]
    return obj


def exercise(resource: str, obj: object) -> None:
    record: Any = build_record(resource, obj)
    assert record.meta.kind == RESOURCE_KINDS[resource]
    age(record.meta.created, NOW)
    repr(record)
    hash(record.meta.key)
    if resource == "pods":
        restart_records(record)
        restarts_text(record, NOW)
        assert record.container_count >= 0
        assert record.ready_count >= 0
        assert isinstance(record.status_text, str)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(RESOURCE_KINDS)), json_values)
def test_builders_take_any_json_value(resource: str, value: object) -> None:
    exercise(resource, value)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(RESOURCE_KINDS)), json_objects)
def test_builders_take_any_json_object(resource: str, value: dict[str, Any]) -> None:
    exercise(resource, value)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_builders_take_mutated_real_objects(data: st.DataObject) -> None:
    resource = data.draw(st.sampled_from(sorted(REAL)))
    base = data.draw(st.sampled_from(REAL[resource]))
    exercise(resource, data.draw(mutated(base)))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_pods_with_mutated_statuses(data: st.DataObject) -> None:
    """Denser mutation of the part printPod reads."""
    base = data.draw(st.sampled_from(REAL["pods"]))
    pod = dict(base)
    pod["status"] = data.draw(mutated(base.get("status", {}), rate=4))
    pod["spec"] = data.draw(mutated(base.get("spec", {}), rate=8))
    exercise("pods", pod)


@settings(max_examples=100)
@given(json_values, json_values, json_values)
def test_pod_spec_takes_anything(spec: object, labels: object, annotations: object) -> None:
    build_pod_spec(spec, labels, annotations)


@settings(max_examples=100)
@given(json_values, st.one_of(st.none(), st.text(max_size=12)))
def test_workload_with_any_kind(value: object, kind: str | None) -> None:
    build_workload(value, kind=kind)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(json_values | json_objects, max_size=5), st.data())
def test_manifests_take_anything(docs: list[object], data: st.DataObject) -> None:
    docs = docs + [
        data.draw(mutated(base, rate=6))
        for base in data.draw(st.lists(st.sampled_from(REAL["pods"]), max_size=2))
    ]
    snapshot, problems = records_from_manifests(docs)
    assert all(isinstance(p, str) for p in problems)
    index_pods_by_workload(snapshot.pods, snapshot.replicasets)
