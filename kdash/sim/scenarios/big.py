"""The ``big`` scenario: N realistic pods in deployments of 5, 50 deployments per namespace."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from kdash.sim.scenarios.base import Scenario
from kdash.sim.scenarios.builders import base_cluster, container, crash_loop
from kdash.sim.scenarios.workloads import IpPool, deployment

PODS_PER_DEPLOYMENT = 5
DEPLOYMENTS_PER_NAMESPACE = 50
NODE_COUNT = 20


def build_big(now: datetime, pods: int) -> Scenario:
    """About ``pods`` pods (~5 KB of JSON each), their ReplicaSets and Deployments."""
    deployments = max(1, math.ceil(pods / PODS_PER_DEPLOYMENT))
    namespaces = [f"team-{i:03d}" for i in range(math.ceil(deployments / DEPLOYMENTS_PER_NAMESPACE))]
    nodes = [f"node-{i + 1}" for i in range(NODE_COUNT)]
    objs = base_cluster(now, ["default", "kube-system", *namespaces], nodes=NODE_COUNT)
    ips = IpPool()
    remaining = pods
    for d in range(deployments):
        ns = namespaces[d // DEPLOYMENTS_PER_NAMESPACE]
        replicas = min(PODS_PER_DEPLOYMENT, remaining)
        remaining -= replicas
        name = f"svc-{d % DEPLOYMENTS_PER_NAMESPACE:02d}"
        containers = [
            container(
                "app",
                f"registry.example.com/{ns}/{name}:1.{d % 7}.{d % 13}",
                env={"LOG_LEVEL": "info", "SERVICE": name, "NAMESPACE": ns},
            ),
            container(
                "proxy", "envoyproxy/envoy:v1.31.2", port=15001, cpu=("50m", "200m"), memory=("64Mi", "128Mi")
            ),
        ]

        def hook(i: int, p: dict[str, Any], d: int = d) -> None:
            if d % 97 == 3 and i == 0:
                crash_loop(p, "app", now=now, restarts=3 + d % 5, reason="Error", exit_code=1)

        objs += deployment(
            ns,
            name,
            containers,
            now=now,
            age=timedelta(days=1 + d % 20),
            replicas=replicas,
            ips=ips,
            nodes=nodes,
            hook=hook,
        )
    return Scenario(objects=objs)
