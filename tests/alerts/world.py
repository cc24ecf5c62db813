"""A small mutable cluster for alert tests: raw API objects in, snapshots and change sets out.

Objects are written as the API server sends them and turned into records by kdash's own builders
(`kdash.model.build`), so the engine sees exactly what it sees live. Time is a manual clock.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from kdash.model.build import build_hpa, build_node, build_pod, build_quota, build_workload
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.source import ChangeSet

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NS = "shop"
JSON = dict[str, Any]


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def pod_json(
    name: str, *, created: datetime = T0, phase: str = "Running", ns: str = NS, **container: Any
) -> JSON:
    """A pod with one container `app`; `container` overrides its containerStatus fields."""
    status: JSON = {"name": "app", "image": "shop/app:1.0", "ready": True, "restartCount": 0}
    status["state"] = {"running": {"startedAt": stamp(created)}}
    status.update(container)
    ready = "True" if status.get("ready") else "False"
    return {
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": f"uid-{name}",
            "creationTimestamp": stamp(created),
        },
        "spec": {
            "containers": [
                {"name": "app", "image": "shop/app:1.0", "resources": {"limits": {"memory": "128Mi"}}}
            ]
        },
        "status": {
            "phase": phase,
            "startTime": stamp(created),
            "conditions": [{"type": "Ready", "status": ready, "lastTransitionTime": stamp(created)}],
            "containerStatuses": [status],
        },
    }


def crash_looping(restarts: int, *, reason: str = "Error", code: int = 1, message: str = "") -> JSON:
    """containerStatus fields of a container waiting in CrashLoopBackOff after `restarts` restarts."""
    term: JSON = {"exitCode": code, "reason": reason, "finishedAt": stamp(T0)}
    if message:
        term["message"] = message
    return {
        "ready": False,
        "restartCount": restarts,
        "state": {
            "waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container"}
        },
        "lastState": {"terminated": term},
    }


def running_again(restarts: int, started: datetime, *, ready: bool = False, last: JSON | None = None) -> JSON:
    fields: JSON = {
        "ready": ready,
        "restartCount": restarts,
        "state": {"running": {"startedAt": stamp(started)}},
    }
    if last is not None:
        fields["lastState"] = {"terminated": last}
    return fields


def node_json(name: str, ready: str = "True", message: str = "") -> JSON:
    return {
        "metadata": {"name": name, "uid": f"uid-{name}"},
        "status": {
            "conditions": [
                {
                    "type": "Ready",
                    "status": ready,
                    "reason": "KubeletReady",
                    "message": message,
                    "lastTransitionTime": stamp(T0),
                }
            ]
        },
    }


def quota_json(name: str, used: str, hard: str, resource: str = "requests.cpu") -> JSON:
    return {
        "metadata": {"name": name, "namespace": NS, "uid": f"uid-{name}"},
        "spec": {"hard": {resource: hard}},
        "status": {"hard": {resource: hard}, "used": {resource: used}},
    }


def deployment_json(name: str, *, stuck: bool = False) -> JSON:
    cond = (
        {
            "type": "Progressing",
            "status": "False",
            "reason": "ProgressDeadlineExceeded",
            "message": f'ReplicaSet "{name}-7f9" has timed out progressing.',
        }
        if stuck
        else {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}
    )
    return {
        "metadata": {"name": name, "namespace": NS, "uid": f"uid-{name}", "generation": 1},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": name}},
            "template": {"spec": {"containers": []}},
        },
        "status": {
            "replicas": 3,
            "readyReplicas": 1,
            "availableReplicas": 1,
            "observedGeneration": 1,
            "conditions": [cond],
        },
    }


def hpa_json(
    name: str, current: int, maximum: int = 5, *, limited: bool = False, last_scale: datetime | None = None
) -> JSON:
    conds: list[JSON] = [{"type": "ScalingActive", "status": "True", "reason": "ValidMetricFound"}]
    if limited:
        conds.append({"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas"})
    status: JSON = {"currentReplicas": current, "desiredReplicas": current, "conditions": conds}
    if last_scale is not None:
        status["lastScaleTime"] = stamp(last_scale)
    return {
        "metadata": {"name": name, "namespace": NS, "uid": f"uid-{name}"},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": name},
            "minReplicas": 1,
            "maxReplicas": maximum,
        },
        "status": status,
    }


BUILDERS = {
    "Pod": ("pods", build_pod),
    "Node": ("nodes", build_node),
    "ResourceQuota": ("quotas", build_quota),
    "HorizontalPodAutoscaler": ("hpas", build_hpa),
    "Deployment": ("workloads", lambda o: build_workload(o, kind="Deployment")),
}


class World:
    """Raw objects by key; `publish()` gives the snapshot and the change set since the last one."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now
        self.objects: dict[ObjectKey, JSON] = {}
        self.generation = 0
        self._added: set[ObjectKey] = set()
        self._modified: set[ObjectKey] = set()
        self._deleted: set[ObjectKey] = set()
        self.namespace: str | None = None
        self._scope_changed = False

    def put(self, kind: str, obj: JSON) -> ObjectKey:
        meta = obj["metadata"]
        key = ObjectKey(kind, meta.get("namespace", ""), meta["name"])
        (self._modified if key in self.objects else self._added).add(key)
        self._deleted.discard(key)
        self.objects[key] = copy.deepcopy(obj)
        return key

    def delete(self, key: ObjectKey) -> None:
        if self.objects.pop(key, None) is not None:
            self._deleted.add(key)
            self._added.discard(key)
            self._modified.discard(key)

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def switch_namespace(self, namespace: str | None) -> None:
        self.namespace = namespace
        self._scope_changed = True

    def snapshot(self) -> ClusterSnapshot:
        maps: dict[str, dict[ObjectKey, Any]] = {name: {} for name, _ in BUILDERS.values()}
        for key, obj in self.objects.items():
            if self.namespace is not None and key.namespace not in ("", self.namespace):
                continue
            name, build = BUILDERS[key.kind]
            maps[name][key] = build(obj)
        return ClusterSnapshot(
            generation=self.generation, context="test", namespace=self.namespace, taken_at=self.now, **maps
        )  # type: ignore[arg-type]

    def publish(self) -> tuple[ClusterSnapshot, ChangeSet]:
        self.generation += 1
        changes = ChangeSet(
            self.generation,
            frozenset(self._added),
            frozenset(self._modified),
            frozenset(self._deleted),
            scope_changed=self._scope_changed,
        )
        self._added, self._modified, self._deleted = set(), set(), set()
        self._scope_changed = False
        return self.snapshot(), changes
