"""The ``demo`` scenario: a few namespaces whose workloads show every pane and most health rules.

Deterministic for a given ``now``: names and uids derive from fixed seeds, times from ``now``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from kdash.sim.scenarios import demo_logs as text
from kdash.sim.scenarios.base import Scenario
from kdash.sim.scenarios.builders import (
    base_cluster,
    container,
    crash_loop,
    meta,
    pod,
    refresh_conditions,
    set_waiting,
    ts,
)
from kdash.sim.scenarios.demo_config import configmaps, rbac, secrets, service_accounts
from kdash.sim.scenarios.demo_crds import custom_resources
from kdash.sim.scenarios.demo_network import ingresses, network_policies, services
from kdash.sim.scenarios.demo_storage import add_volume, claims, mount_claim, storage_classes, volumes
from kdash.sim.scenarios.policy import event, hpa, hpa_multi, limitrange, quota
from kdash.sim.scenarios.workloads import IpPool, cronjob, daemonset, deployment, job, statefulset

JSON = dict[str, Any]
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
NAMESPACES = ["default", "kube-system", "shop", "payments", "batch", "monitoring"]
NODES = ["node-1", "node-2", "node-3"]
D, H, M = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


def _first(objs: list[JSON], kind: str) -> JSON:
    return next(o for o in objs if o["kind"] == kind)


def _pods(objs: list[JSON]) -> list[JSON]:
    return [o for o in objs if o["kind"] == "Pod"]


def build_demo(now: datetime) -> Scenario:
    sc = Scenario(metrics=True)
    objs = sc.objects
    objs += base_cluster(now, NAMESPACES, nodes=3)
    ips = IpPool()

    def dep(ns: str, name: str, cs: list[JSON], **kw: Any) -> list[JSON]:
        out = deployment(ns, name, cs, now=now, ips=ips, nodes=NODES, **kw)
        objs.extend(out)
        return out

    # ---- shop ----------------------------------------------------------------------
    web = dep(
        "shop",
        "web",
        [
            container("nginx", "nginx:1.25", port=80),
            container("log-shipper", "fluent/fluent-bit:3.1", port=2020, cpu=("50m", "100m")),
        ],
        age=3 * D,
        replicas=3,
    )
    _config_volume(web, "web-config", "nginx", "/etc/nginx/conf.d")
    for i, p in enumerate(_pods(web)):
        n = p["metadata"]["name"]
        sc.logs[("shop", n, "nginx")] = (text.access_log(now, 60, seed=i), None)

    def cart_hook(i: int, p: JSON) -> None:
        if i == 1:
            crash_loop(
                p,
                "cart",
                now=now,
                restarts=7,
                reason="Error",
                exit_code=1,
                message="fatal: cannot connect to redis",
                last_finished=2 * M,
            )
            refresh_conditions(p, now, 2 * D)

    cart_c = container("cart", "registry:5000/app", env={"LOG_FORMAT": "json"})
    cart_c["envFrom"] = [{"configMapRef": {"name": "cart-env"}}]
    cart = dep(
        "shop",
        "cart",
        [cart_c],
        age=2 * D,
        replicas=2,
        hook=cart_hook,
    )
    for i, p in enumerate(_pods(cart)):
        key = ("shop", p["metadata"]["name"], "cart")
        sc.logs[key] = (text.json_log(now), text.json_crash(now)) if i == 1 else (text.json_log(now), None)

    def checkout_hook(i: int, p: JSON) -> None:
        crash_loop(
            p,
            "checkout",
            now=now,
            restarts=4 + i,
            reason="OOMKilled",
            exit_code=137,
            last_finished=90 * M // 60,
        )
        refresh_conditions(p, now, D)

    checkout = dep(
        "shop",
        "checkout",
        [container("checkout", "acme/checkout:2.4.1", memory=("256Mi", "512Mi"))],
        age=D,
        replicas=2,
        hook=checkout_hook,
        progress_deadline_exceeded=True,
    )
    for p in _pods(checkout):
        sc.logs[("shop", p["metadata"]["name"], "checkout")] = (
            text.java_trace(now, oom=False)[:4],
            text.java_trace(now, oom=True),
        )

    dep(
        "shop",
        "frontend",
        [container("frontend", "acme/frontend:latest", probes=False, resources=False)],
        age=5 * D,
        replicas=4,
    )

    def pull_hook(_i: int, p: JSON) -> None:
        set_waiting(
            p,
            "recommender",
            "ImagePullBackOff",
            'Back-off pulling image "ghcr.io/acme/recommender@sha256:'
            '3f1c8e2a9b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e"',
        )
        p["status"]["containerStatuses"][0]["imageID"] = ""
        p["status"]["containerStatuses"][0].pop("containerID", None)
        refresh_conditions(p, now, 30 * M)

    rec_image = (
        "ghcr.io/acme/recommender@sha256:3f1c8e2a9b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e"
    )
    rec = dep(
        "shop", "recommender", [container("recommender", rec_image)], age=30 * M, replicas=1, hook=pull_hook
    )

    objs.extend(
        statefulset(
            "shop",
            "redis",
            [container("redis", "redis:7.2", port=6379)],
            now=now,
            age=10 * D,
            replicas=2,
            ips=ips,
            nodes=NODES,
            storage="1Gi",
        )
    )
    toolbox = pod(
        "shop",
        "toolbox",
        [
            container(
                "toolbox",
                "busybox",
                port=None,
                probes=False,
                resources=False,
                privileged=True,
                command=["sh", "-c", "sleep infinity"],
            )
        ],
        now=now,
        age=6 * H,
        labels={"run": "toolbox"},
        node_name="node-2",
        ip=ips.next(),
    )
    objs.append(toolbox)
    sc.logs[("shop", "toolbox", "toolbox")] = (text.hostile(now), None)

    objs.append(hpa("shop", "frontend", now, min_r=2, max_r=4, current=4, util=(95, 70), limited=True))
    objs.append(hpa_multi("shop", "web", now, min_r=2, max_r=3, current=3))
    objs.append(
        quota(
            "shop",
            "shop-quota",
            now,
            {
                "pods": ("19", "20"),
                "requests.cpu": ("3", "8"),
                "requests.memory": ("6Gi", "16Gi"),
                "limits.cpu": ("7", "16"),
                "limits.memory": ("12Gi", "32Gi"),
            },
        )
    )
    objs.append(limitrange("shop", now))
    objs.append(_pdb("shop", "web-pdb", "web", now, allowed=1))
    # left over from the search service that was retired: it protects nothing (pdb-selects-nothing)
    search_pdb = _pdb("shop", "search-pdb", "search", now, allowed=0)
    search_pdb["spec"]["minAvailable"] = 1
    search_pdb["status"].update(currentHealthy=0, desiredHealthy=1, expectedPods=0)
    objs.append(search_pdb)

    # ---- payments ----------------------------------------------------------------------
    api_c = container("api", "acme/payments-api:1.9.0", env={"LOG_FORMAT": "json"})
    api_c["env"] += [
        {
            "name": "RATE_LIMIT",
            "valueFrom": {"configMapKeyRef": {"name": "api-settings", "key": "rate-limit"}},
        },
        {
            "name": "DB_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "api-db-credentials", "key": "password"}},
        },
    ]
    api = dep("payments", "api", [api_c], age=7 * D, replicas=2)
    _service_account(api, "payments-api")
    _applied_with_replicas(_first(api, "Deployment"))  # and an HPA scales it: hpa-replicas-applied
    for p in _pods(api):
        sc.logs[("payments", p["metadata"]["name"], "api")] = (text.json_log(now, 50, "payments-api"), None)
    objs.append(hpa("payments", "api", now, min_r=2, max_r=6, current=2, util=None, limited=False))

    def init_hook(_i: int, p: JSON) -> None:
        st = p["status"]
        st["initContainerStatuses"][1]["state"] = {"running": {"startedAt": ts(now, 5 * M)}}
        st["initContainerStatuses"][1]["started"] = True
        st["phase"] = "Pending"
        for cs in st["containerStatuses"]:
            set_waiting(p, cs["name"], "PodInitializing")
        refresh_conditions(p, now, 6 * M)

    inits = [
        container(
            "wait-db",
            "busybox:1.36",
            port=None,
            probes=False,
            command=["sh", "-c", "until nc -z db 5432; do sleep 2; done"],
        ),
        container("migrate", "acme/ledger-migrate:3.0", port=None, probes=False),
    ]
    dep(
        "payments",
        "ledger",
        [container("ledger", "acme/ledger:3.0")],
        age=6 * M,
        replicas=1,
        init=inits,
        hook=init_hook,
    )

    def pending_hook(_i: int, p: JSON) -> None:
        p["spec"].pop("nodeName", None)
        p["status"] = {"phase": "Pending", "qosClass": "Burstable"}
        refresh_conditions(p, now, 20 * M)

    fraud = dep(
        "payments",
        "fraud-model",
        [container("model", "acme/fraud-model:0.7", cpu=("16", "16"), memory=("64Gi", "64Gi"))],
        age=20 * M,
        replicas=1,
        hook=pending_hook,
    )
    objs.extend(
        statefulset(
            "payments",
            "postgres",
            [container("postgres", "postgres:16", port=5432)],
            now=now,
            age=20 * D,
            replicas=1,
            ips=ips,
            nodes=NODES,
            storage="20Gi",
            storage_class="fast",
        )
    )
    # its serviceName names a headless Service that was renamed since (statefulset-service-missing)
    _first([o for o in objs if o["metadata"].get("name") == "postgres"], "StatefulSet")["spec"][
        "serviceName"
    ] = "postgres-headless"
    objs.append(
        quota(
            "payments",
            "payments-quota",
            now,
            {"pods": ("8", "20"), "requests.cpu": ("3400m", "4"), "requests.memory": ("5Gi", "8Gi")},
        )
    )

    # ---- batch ---------------------------------------------------------------------------
    jc = [container("report", "acme/reports:5.2", port=None, probes=False)]
    objs.extend(
        job(
            "batch",
            "nightly-report",
            jc,
            now=now,
            age=9 * H,
            ips=ips,
            outcome="Failed",
            message="report: upstream returned 503",
        )
    )
    objs.extend(job("batch", "import-catalog", jc, now=now, age=4 * H, ips=ips, outcome="Complete"))
    cleanup = cronjob("batch", "cleanup", "0 * * * *", jc, now=now, age=12 * D)
    failed = job(
        "batch",
        "cleanup-29170080",
        jc,
        now=now,
        age=35 * M,
        ips=ips,
        outcome="Failed",
        owner=cleanup,
        backoff_limit=1,
    )
    cleanup["status"] = {"lastScheduleTime": ts(now, 35 * M)}
    backup = cronjob("batch", "backup", "*/30 * * * *", jc, now=now, age=12 * D)
    ok = job("batch", "backup-29170110", jc, now=now, age=5 * M, ips=ips, outcome="Complete", owner=backup)
    backup["status"] = {"lastScheduleTime": ts(now, 5 * M), "lastSuccessfulTime": ts(now, 4 * M)}
    objs += [cleanup, *failed, backup, *ok]

    # ---- monitoring / kube-system -------------------------------------------------------
    objs.extend(
        daemonset(
            "monitoring",
            "node-exporter",
            [container("node-exporter", "prom/node-exporter:v1.8.2", port=9100)],
            now=now,
            age=30 * D,
            ips=ips,
            nodes=NODES,
        )
    )
    prometheus = dep(
        "monitoring",
        "prometheus",
        [container("prometheus", "prom/prometheus:v2.54.1", port=9090)],
        age=30 * D,
        replicas=1,
    )
    _config_volume(prometheus, "prometheus-config", "prometheus", "/etc/prometheus")
    mount_claim(prometheus, "prometheus-data", "prometheus", "/prometheus")
    objs.extend(
        daemonset(
            "kube-system",
            "kube-proxy",
            [
                container(
                    "kube-proxy",
                    "registry.k8s.io/kube-proxy:v1.36.2",
                    port=None,
                    probes=False,
                    privileged=True,
                )
            ],
            now=now,
            age=30 * D,
            ips=ips,
            nodes=NODES,
        )
    )
    coredns = dep(
        "kube-system",
        "coredns",
        [container("coredns", "registry.k8s.io/coredns/coredns:v1.11.3", port=8181)],
        age=30 * D,
        replicas=2,
        extra_labels={"k8s-app": "kube-dns"},
    )
    _config_volume(coredns, "coredns", "coredns", "/etc/coredns")
    # metrics.k8s.io: prometheus leaks memory toward its limit (OOMKilled every few minutes once
    # the engine runs), and coredns requests ten times what it uses
    sc.creep = ("monitoring", _pods(prometheus)[0]["metadata"]["name"], "prometheus")
    sc.wasteful = frozenset({("kube-system", "coredns")})

    # ---- networking, storage, configuration, custom resources, nodes ---------------------
    objs += services(objs, now)
    objs += ingresses(now) + network_policies(now)
    objs += storage_classes(now) + claims(now)
    objs += volumes(objs, now)
    objs += configmaps(NAMESPACES, now) + secrets(now) + service_accounts(NAMESPACES, now) + rbac(now)
    objs += custom_resources(now)
    _pressure(next(o for o in objs if o["kind"] == "Node" and o["metadata"]["name"] == "node-3"))

    # ---- events --------------------------------------------------------------------------
    cart_bad = _pods(cart)[1]["metadata"]["name"]
    oom_pod = _pods(checkout)[0]["metadata"]["name"]
    rec_pod = _pods(rec)[0]["metadata"]["name"]
    fraud_pod = _pods(fraud)[0]["metadata"]["name"]
    objs.extend(
        [
            event(
                "shop",
                "Pod",
                cart_bad,
                "Warning",
                "BackOff",
                f"Back-off restarting failed container cart in pod {cart_bad}_shop(uid)",
                now,
                count=31,
                first=2 * H,
                field="spec.containers{cart}",
            ),
            event(
                "shop",
                "Pod",
                oom_pod,
                "Warning",
                "OOMKilling",
                "Memory cgroup out of memory: Killed process 4242 "
                "(java) total-vm:2097152kB, anon-rss:524288kB",
                now,
                count=4,
                first=5 * H,
                source="kernel-monitor",
            ),
            event(
                "shop",
                "Pod",
                rec_pod,
                "Warning",
                "Failed",
                f'Failed to pull image "{rec_image}": not found',
                now,
                count=12,
                first=29 * M,
                field="spec.containers{recommender}",
            ),
            event(
                "shop",
                "Pod",
                rec_pod,
                "Normal",
                "BackOff",
                f'Back-off pulling image "{rec_image}"',
                now,
                count=40,
                first=29 * M,
                field="spec.containers{recommender}",
            ),
            event(
                "payments",
                "Pod",
                fraud_pod,
                "Warning",
                "FailedScheduling",
                "0/3 nodes are available: 3 Insufficient "
                "cpu, 3 Insufficient memory. preemption: 0/3 nodes are available: "
                "3 No preemption victims found.",
                now,
                count=5,
                first=20 * M,
                source="default-scheduler",
            ),
            event(
                "shop",
                "Deployment",
                "web",
                "Normal",
                "ScalingReplicaSet",
                f"Scaled up replica set {_first(web, 'ReplicaSet')['metadata']['name']} from 0 to 3",
                now,
                count=1,
                first=50 * M,
                source="deployment-controller",
            ),
            event(
                "shop",
                "Pod",
                _pods(web)[0]["metadata"]["name"],
                "Normal",
                "Pulled",
                'Container image "nginx:1.25" already present on machine',
                now,
                count=1,
                first=40 * M,
            ),
            event(
                "batch",
                "Job",
                "nightly-report",
                "Warning",
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
                now,
                count=1,
                first=8 * H,
                source="job-controller",
            ),
        ]
    )
    return sc


def _pdb(ns: str, name: str, app: str, now: datetime, *, allowed: int) -> JSON:
    return {
        "kind": "PodDisruptionBudget",
        "apiVersion": "policy/v1",
        "metadata": meta("PodDisruptionBudget", ns, name, now, 20 * D),
        "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": app}}},
        "status": {
            "observedGeneration": 1,
            "disruptionsAllowed": allowed,
            "currentHealthy": 3,
            "desiredHealthy": 2,
            "expectedPods": 3,
        },
    }


def _applied_with_replicas(deployment: JSON) -> None:
    """What `kubectl apply` of a manifest with `replicas:` leaves: the last-applied annotation."""
    m = deployment["metadata"]
    applied = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": m["name"], "namespace": m["namespace"]},
        "spec": {"replicas": deployment["spec"]["replicas"], "selector": deployment["spec"]["selector"]},
    }
    m.setdefault("annotations", {})[LAST_APPLIED] = json.dumps(applied, separators=(",", ":"))


def _config_volume(workload: list[JSON], name: str, container_name: str, path: str) -> None:
    """Mount ConfigMap ``name`` (read-only) into ``container_name`` of every pod of the workload."""
    add_volume(
        workload,
        {"name": name, "configMap": {"name": name, "defaultMode": 420}},
        container_name,
        {"name": name, "mountPath": path, "readOnly": True},
    )


def _service_account(workload: list[JSON], account: str) -> None:
    """Run the workload's pods (and its template) as ``account``."""
    for obj in workload:
        if obj["kind"] == "Pod":
            obj["spec"] = {**obj["spec"], "serviceAccountName": account, "serviceAccount": account}
        elif obj["kind"] in ("Deployment", "ReplicaSet"):
            obj["spec"]["template"]["spec"]["serviceAccountName"] = account


def _pressure(node: JSON) -> None:
    """node-3 runs short of memory: MemoryPressure and the taint the node controller adds for it."""
    for cond in node["status"]["conditions"]:
        if cond["type"] == "MemoryPressure":
            cond.update(
                status="True",
                reason="KubeletHasInsufficientMemory",
                message="kubelet has insufficient memory available",
                lastTransitionTime=cond["lastHeartbeatTime"],
            )
    node["spec"]["taints"] = [
        {
            "key": "node.kubernetes.io/memory-pressure",
            "effect": "NoSchedule",
            "timeAdded": node["status"]["conditions"][0]["lastTransitionTime"],
        }
    ]
