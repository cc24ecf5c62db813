"""Fixtures for the cluster-service tests: a simulated API server (TLS + bearer token, real HTTP)
and small hand-written objects of every kind, so assertions do not depend on scenario contents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kdash.k8s.kubeconfig import load_target
from kdash.k8s.service import ClusterService
from kdash.k8s.settings import ServiceSettings
from kdash.sim import start_sim

JSON = dict[str, Any]

# Short timeouts so renewals, back-off and polling happen within a test's few seconds.
FAST = ServiceSettings(
    page_size=3,  # forces several pages even with a handful of objects
    watch_timeout_seconds=4.0,
    read_timeout_seconds=6.0,
    request_timeout_seconds=5.0,
    connect_timeout_seconds=2.0,
    backoff_initial=0.1,
    backoff_max=0.5,
    poll_interval=0.5,
    max_notify_hz=20.0,
    join_timeout=5.0,
)


def _meta(name: str, ns: str | None = "shop", **extra: Any) -> JSON:
    m: JSON = {"name": name, **extra}
    if ns is not None:
        m["namespace"] = ns
    return m


def _owner(kind: str, name: str, uid: str) -> JSON:
    api = "apps/v1" if kind in ("ReplicaSet", "Deployment", "StatefulSet", "DaemonSet") else "batch/v1"
    return {"apiVersion": api, "kind": kind, "name": name, "uid": uid, "controller": True}


def pod(
    name: str, ns: str = "shop", *, owner: JSON | None = None, restarts: int = 0, labels: JSON | None = None
) -> JSON:
    meta = _meta(name, ns, labels=labels or {"app": name})
    if owner:
        meta["ownerReferences"] = [owner]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], "nodeName": "node-1"},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {
                    "name": "app",
                    "image": "nginx:1.27",
                    "ready": True,
                    "restartCount": restarts,
                    "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}},
                }
            ],
        },
    }


def workload(kind: str, name: str, ns: str = "shop", **spec: Any) -> JSON:
    api = "batch/v1" if kind in ("Job", "CronJob") else "apps/v1"
    body: JSON = {"selector": {"matchLabels": {"app": name}}, "template": _template(name), **spec}
    if kind == "CronJob":
        body = {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": _template(name)}}}
    return {
        "apiVersion": api,
        "kind": kind,
        "metadata": _meta(name, ns, uid=f"uid-{kind}-{name}"),
        "spec": body,
        "status": {},
    }


def _template(app: str) -> JSON:
    return {
        "metadata": {"labels": {"app": app}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
    }


def cluster_objects() -> list[JSON]:
    """One or more objects of every kind kdash watches, in namespace "shop"."""
    dep = workload("Deployment", "web", replicas=2)
    rs = workload("ReplicaSet", "web-5d4f8", replicas=2)
    rs["metadata"]["ownerReferences"] = [_owner("Deployment", "web", "uid-Deployment-web")]
    rs["metadata"]["labels"] = {"app": "web", "pod-template-hash": "5d4f8"}
    rs_owner = _owner("ReplicaSet", "web-5d4f8", "uid-ReplicaSet-web-5d4f8")
    objs: list[JSON] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta("shop", None)},
        dep,
        rs,
        pod("web-5d4f8-a", owner=rs_owner, labels={"app": "web", "pod-template-hash": "5d4f8"}),
        pod("web-5d4f8-b", owner=rs_owner, restarts=3, labels={"app": "web", "pod-template-hash": "5d4f8"}),
        workload("StatefulSet", "db", replicas=1, serviceName="db"),
        pod("db-0", owner=_owner("StatefulSet", "db", "uid-StatefulSet-db")),
        workload("DaemonSet", "agent"),
        workload("Job", "migrate"),
        workload("CronJob", "report"),
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": _meta("web"),
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 1,
                "maxReplicas": 5,
            },
        },
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": _meta("quota"),
            "spec": {"hard": {"pods": "10"}},
            "status": {"hard": {"pods": "10"}, "used": {"pods": "3"}},
        },
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": _meta("limits"),
            "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}}]},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta("web"),
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], "clusterIP": "10.0.0.10"},
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": _meta("web"),
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}},
        },
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": _meta("web.1"),
            "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "web-5d4f8-a"},
            "type": "Warning",
            "reason": "BackOff",
            "message": "Back-off restarting failed container",
        },
    ]
    return objs


@pytest.fixture
def sim() -> Iterator[Any]:
    """An "empty" simulated cluster plus `cluster_objects()`."""
    handle = start_sim("empty")
    try:
        for obj in cluster_objects():
            handle.apply(obj)
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def make_service() -> Iterator[Callable[..., ClusterService]]:
    """Build services on a sim's kubeconfig; every one is stopped at teardown."""
    made: list[ClusterService] = []

    def make(
        sim: Any,
        namespace: str | None = None,
        settings: ServiceSettings = FAST,
        kubeconfig: str | None = None,
    ) -> ClusterService:
        target = load_target(kubeconfig=kubeconfig or str(sim.kubeconfig_path))
        svc = ClusterService(target, namespace, settings=settings)
        made.append(svc)
        return svc

    yield make
    for svc in made:
        svc.stop()


def write_kubeconfig(path: Path, contexts: dict[str, tuple[str, str, str | None]], current: str) -> Path:
    """A kubeconfig with named contexts: name -> (server, token, CA PEM path or None)."""
    doc: JSON = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": current,
        "clusters": [],
        "users": [],
        "contexts": [],
    }
    for name, (server, token, ca) in contexts.items():
        cluster: JSON = {"server": server}
        if ca:
            cluster["certificate-authority"] = ca
        else:
            cluster["insecure-skip-tls-verify"] = True
        doc["clusters"].append({"name": name, "cluster": cluster})
        doc["users"].append({"name": name, "user": {"token": token}})
        doc["contexts"].append({"name": name, "context": {"cluster": name, "user": name}})
    path.write_text(yaml.safe_dump(doc))
    return path


def sim_kubeconfig_entry(sim: Any) -> tuple[str, str, str | None]:
    """(server, token, CA file) of a sim, read from the kubeconfig it wrote."""
    doc = yaml.safe_load(Path(sim.kubeconfig_path).read_text())
    cluster = doc["clusters"][0]["cluster"]
    user = doc["users"][0]["user"]
    ca = cluster.get("certificate-authority")
    if ca is None and cluster.get("certificate-authority-data"):
        import base64

        ca_path = Path(sim.kubeconfig_path).with_suffix(".ca.pem")
        ca_path.write_bytes(base64.b64decode(cluster["certificate-authority-data"]))
        ca = str(ca_path)
    return cluster["server"], user["token"], ca
