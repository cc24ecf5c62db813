"""The cross-object and RBAC rules through `kdash check`: live on the simulated demo (each rule has
a case there), with the RBAC kinds forbidden (they stop, nothing else does), and on manifests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kdash.cli import main
from kdash.health import RULES
from kdash.sim import start_sim

CLUSTER_RULES = {r.id for r in RULES.values() if r.scope == "cluster"}
RBAC = {"rbac-cluster-admin-binding", "rbac-workload-dangerous-grant"}


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], str]:
    rc = main(["check", *argv, "-o", "json"])
    out, err = capsys.readouterr()
    return rc, json.loads(out), err


def found(doc: dict[str, Any]) -> dict[str, set[tuple[str, str, str]]]:
    out: dict[str, set[tuple[str, str, str]]] = {}
    for f in doc["findings"]:
        out.setdefault(f["rule"], set()).add((f["kind"], f["namespace"], f["name"]))
    return out


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    with start_sim("demo") as cluster:
        yield cluster


def test_demo_shows_every_cross_object_and_rbac_rule(sim: Any, capsys: pytest.CaptureFixture[str]) -> None:
    rc, doc, _ = check(capsys, "--kubeconfig", str(sim.kubeconfig_path), "-A")
    assert rc == 1 and doc["complete"] is True
    got = found(doc)
    assert CLUSTER_RULES - set(got) == set()
    assert got["service-selects-nothing"] == {("Service", "shop", "legacy-search")}
    assert got["ingress-backend-missing"] == {("Ingress", "shop", "search")}
    assert got["service-no-readiness"] == {("Deployment", "shop", "frontend")}
    assert got["hpa-replicas-applied"] == {("Deployment", "payments", "api")}  # from last-applied
    assert got["pdb-blocks-drain"] == {("PodDisruptionBudget", "shop", "web-pdb")}
    assert got["pdb-selects-nothing"] == {("PodDisruptionBudget", "shop", "search-pdb")}
    assert got["statefulset-service-missing"] == {("StatefulSet", "payments", "postgres")}
    assert got["netpol-selects-nothing"] == {("NetworkPolicy", "shop", "allow-metrics-gateway")}
    assert ("Deployment", "shop", "web") not in got["netpol-missing"]  # shop has policies
    assert ("Deployment", "payments", "api") in got["netpol-missing"]
    assert got["configmap-credential-keys"] == {("ConfigMap", "payments", "ledger-env")}
    assert got["rbac-cluster-admin-binding"] == {("ClusterRoleBinding", "", "ci-deployer-admin")}
    assert got["rbac-workload-dangerous-grant"] == {("RoleBinding", "shop", "debug-default")}
    creds = next(f for f in doc["findings"] if f["rule"] == "configmap-credential-keys")
    assert "LEDGER_DB_PASSWORD" in creds["message"] and "hunter2" not in json.dumps(
        doc
    )  # names, never values
    scored = {(o["kind"], o["namespace"], o["name"]) for o in doc["objects"]}
    assert ("ClusterRoleBinding", "", "ci-deployer-admin") in scored


def test_forbidden_rbac_kinds_stop_the_rbac_rules_only(capsys: pytest.CaptureFixture[str]) -> None:
    faults = "forbid=roles+clusterroles+rolebindings+clusterrolebindings+configmaps"
    with start_sim("demo", faults=faults) as sim:
        rc, doc, err = check(capsys, "--kubeconfig", str(sim.kubeconfig_path), "-A")
    assert doc["complete"] is True  # a 403 on RBAC does not make the report incomplete
    assert rc == 1  # the demo's errors, as with a full read
    got = set(found(doc))
    assert not got & (RBAC | {"configmap-credential-keys"})
    assert {"service-selects-nothing", "netpol-missing", "pdb-blocks-drain"} <= got
    assert "kdash: clusterrolebindings not checked (forbidden)" in err


MANIFESTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 8080, name: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
      - {name: w, image: acme/worker:1.0, livenessProbe: {httpGet: {path: /healthz, port: 9000}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: shop}
spec:
  selector: {matchLabels: {app: broken}}
  template:
    metadata: {labels: {app: brokn}}
    spec: {containers: [{name: c, image: nginx:1.27}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 6
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: search, namespace: shop}
spec:
  selector: {app: serch}
  ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 8080}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: old, namespace: shop}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: retired}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres:16, readinessProbe: {tcpSocket: {port: 5432}}}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: data}
spec:
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: gateway, namespace: shop}
spec:
  podSelector: {matchLabels: {app: gateway}}
  policyTypes: [Ingress]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {DB_HOST: db.data, DB_PASSWORD: hunter2}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: ci, namespace: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: debug, namespace: shop}
rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: debug, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: debug}
subjects: [{kind: ServiceAccount, name: default, namespace: shop}]
"""


def test_manifests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(MANIFESTS)
    rc, doc, err = check(capsys, "-f", str(path))
    assert rc == 1 and doc["complete"] is True, err
    assert "unknown kind" not in err
    got = found(doc)
    assert got["selector-template-mismatch"] == {("Deployment", "shop", "broken")}
    assert got["hpa-replicas-applied"] == {("Deployment", "shop", "web")}
    assert got["service-selects-nothing"] == {("Service", "shop", "search")}
    assert got["ingress-backend-missing"] == {("Ingress", "shop", "shop")}
    assert got["pdb-blocks-drain"] == {("PodDisruptionBudget", "shop", "web")}  # 2 >= the HPA's 2
    assert got["pdb-selects-nothing"] == {("PodDisruptionBudget", "shop", "old")}
    assert got["statefulset-service-missing"] == {("StatefulSet", "data", "db")}  # not headless
    assert got["netpol-selects-nothing"] == {("NetworkPolicy", "shop", "gateway")}
    assert got["netpol-missing"] == {("StatefulSet", "data", "db")}  # shop has a policy
    assert got["service-no-readiness"] == {("Deployment", "shop", "web")}
    assert got["probes-no-service"] == {("Deployment", "shop", "worker")}
    assert CLUSTER_RULES | {"selector-template-mismatch"} <= set(got)
    assert got["configmap-credential-keys"] == {("ConfigMap", "shop", "settings")}
    assert got["rbac-cluster-admin-binding"] == {("ClusterRoleBinding", "", "ci-admin")}
    assert got["rbac-workload-dangerous-grant"] == {("RoleBinding", "shop", "debug")}
    messages = {f["rule"]: f["message"] for f in doc["findings"]}
    assert messages["ingress-backend-missing"] in (
        "shop.example.com/ routes to port 8080 of Service web, which has no such port",
        "shop.example.com/api routes to Service api, which does not exist",
    )
    assert len([f for f in doc["findings"] if f["rule"] == "ingress-backend-missing"]) == 2
