"""The demo's configuration objects: ConfigMaps (referenced by workloads through volumes, envFrom and
env valueFrom, and one referenced by nothing), Secrets (with data in the store, so a client that
asks for more than metadata is visible in the audit log), ServiceAccounts and a little RBAC."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

from kdash.sim.scenarios.builders import meta

JSON = dict[str, Any]
D = timedelta(days=1)
#: A fake CA bundle, like the one kube-root-ca.crt carries in every namespace.
CA_PEM = (
    "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrZGFzaC1z\n"
    "aW0tY2FAMTcwMDAwMDAwMDAeFw0yNjAxMDEwMDAwMDBaFw0zNjAxMDEwMDAwMDBa\n-----END CERTIFICATE-----\n"
)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def configmap(ns: str, name: str, data: dict[str, str], now: datetime, age: timedelta, **extra: Any) -> JSON:
    return {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": meta("ConfigMap", ns, name, now, age, **extra),
        "data": data,
    }


def configmaps(namespaces: list[str], now: datetime) -> list[JSON]:
    desc = (
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
        "such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across "
        "distributions of Kubernetes clusters."
    )
    out = [
        configmap(
            ns,
            "kube-root-ca.crt",
            {"ca.crt": CA_PEM},
            now,
            30 * D,
            annotations={"kubernetes.io/description": desc},
        )
        for ns in namespaces
    ]
    out += [
        configmap(
            "shop",
            "web-config",
            {
                "default.conf": "server {\n  listen 80;\n  location / { root /usr/share/nginx/html; }\n"
                "  location /healthz { return 200; }\n}\n",
                "gzip.conf": "gzip on;\ngzip_types text/css application/javascript;\n",
            },
            now,
            3 * D,
            labels={"app": "web"},
        ),
        configmap(
            "shop",
            "cart-env",
            {"REDIS_URL": "redis://redis-0.redis:6379/0", "CART_TTL": "3600", "LOG_LEVEL": "info"},
            now,
            2 * D,
            labels={"app": "cart"},
        ),
        configmap(
            "shop",
            "legacy-flags",
            {"new-checkout": "false", "dark-mode": "true"},
            now,
            200 * D,
            annotations={"owner": "team-storefront"},
        ),
        configmap(
            "payments",
            "api-settings",
            {"rate-limit": "200", "currency": "EUR"},
            now,
            7 * D,
            labels={"app": "api"},
        ),
        configmap(  # a credential where a Secret belongs (configmap-credential-keys)
            "payments",
            "ledger-env",
            {"LEDGER_DB_HOST": "postgres-0.postgres", "LEDGER_DB_PASSWORD": "hunter2", "LOG_LEVEL": "info"},
            now,
            6 * D,
            labels={"app": "ledger"},
        ),
        configmap(
            "monitoring",
            "prometheus-config",
            {"prometheus.yml": "global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: node\n"},
            now,
            30 * D,
            labels={"app": "prometheus"},
        ),
        configmap(
            "kube-system",
            "coredns",
            {
                "Corefile": ".:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n"
                "    forward . /etc/resolv.conf\n    cache 30\n}\n"
            },
            now,
            30 * D,
        ),
    ]
    return out


def secret(
    ns: str, name: str, stype: str, data: dict[str, str], now: datetime, age: timedelta, **extra: Any
) -> JSON:
    return {
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": meta("Secret", ns, name, now, age, **extra),
        "data": {k: _b64(v) for k, v in data.items()},
        "type": stype,
    }


#: Secret values in the store; none of them may ever reach kdash (tests look for them).
SECRET_VALUES = ("s3cr3t-db-pa55word", "-----BEGIN PRIVATE KEY-----demo", "ci-token-d0-not-leak")


def secrets(now: datetime) -> list[JSON]:
    def tls(ns: str, name: str, cert: str, age: timedelta) -> JSON:
        return secret(
            ns,
            name,
            "kubernetes.io/tls",
            {"tls.crt": CA_PEM, "tls.key": SECRET_VALUES[1]},
            now,
            age,
            labels={"controller.cert-manager.io/fao": "true"},
            annotations={
                "cert-manager.io/certificate-name": cert,
                "cert-manager.io/issuer-kind": "ClusterIssuer",
                "cert-manager.io/issuer-name": "letsencrypt-prod",
                "cert-manager.io/common-name": "",
            },
        )

    return [
        tls("shop", "web-tls", "web-tls", 20 * D),
        tls("payments", "payments-tls", "api-tls", 7 * D),
        secret(
            "payments",
            "api-db-credentials",
            "Opaque",
            {"username": "payments", "password": SECRET_VALUES[0]},
            now,
            7 * D,
            labels={"app": "api"},
            annotations={"owner": "team-payments"},
        ),
        secret(
            "shop",
            "registry-pull",
            "kubernetes.io/dockerconfigjson",
            {".dockerconfigjson": '{"auths":{"registry:5000":{"auth":"ZGVtbzpkZW1v"}}}'},
            now,
            30 * D,
        ),
        secret(
            "kube-system",
            "legacy-ci-token",
            "kubernetes.io/service-account-token",
            {"token": SECRET_VALUES[2], "namespace": "kube-system", "ca.crt": CA_PEM},
            now,
            300 * D,
            annotations={"kubernetes.io/service-account.name": "legacy-ci"},
        ),
    ]


def service_accounts(namespaces: list[str], now: datetime) -> list[JSON]:
    out: list[JSON] = [
        {
            "kind": "ServiceAccount",
            "apiVersion": "v1",
            "metadata": meta("ServiceAccount", ns, "default", now, 30 * D),
        }
        for ns in namespaces
    ]
    out += [
        {
            "kind": "ServiceAccount",
            "apiVersion": "v1",
            "metadata": meta("ServiceAccount", "payments", "payments-api", now, 7 * D),
        },
        {
            "kind": "ServiceAccount",
            "apiVersion": "v1",
            "metadata": meta("ServiceAccount", "kube-system", "legacy-ci", now, 300 * D),
            "secrets": [{"name": "legacy-ci-token"}],
        },
        {  # bound to cluster-admin (rbac()): a CI pipeline's deploy account
            "kind": "ServiceAccount",
            "apiVersion": "v1",
            "metadata": meta("ServiceAccount", "batch", "ci-deployer", now, 90 * D),
        },
    ]
    return out


def _cluster_role_binding(name: str, role: str, subjects: list[JSON], now: datetime, age: timedelta) -> JSON:
    return {
        "kind": "ClusterRoleBinding",
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": meta("ClusterRoleBinding", None, name, now, age),
        "subjects": subjects,
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
    }


def rbac(now: datetime) -> list[JSON]:
    """A pod reader for jane and shop's default account, a read-everything role for the sre group;
    the installation's cluster-admin binding (system:masters), one to a CI service account outside
    kube-system (rbac-cluster-admin-binding) and a debugging Role with exec and Secret reads bound to
    the account shop's workloads run as (rbac-workload-dangerous-grant)."""
    rules = [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}]
    group = "rbac.authorization.k8s.io"
    extra = [
        {
            "kind": "ClusterRole",
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": meta(
                "ClusterRole",
                None,
                "cluster-admin",
                now,
                30 * D,
                labels={"kubernetes.io/bootstrapping": "rbac-defaults"},
            ),
            "rules": [
                {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                {"nonResourceURLs": ["*"], "verbs": ["*"]},
            ],
        },
        _cluster_role_binding(
            "cluster-admin",
            "cluster-admin",
            [{"kind": "Group", "apiGroup": group, "name": "system:masters"}],
            now,
            30 * D,
        ),
        _cluster_role_binding(
            "ci-deployer-admin",
            "cluster-admin",
            [{"kind": "ServiceAccount", "name": "ci-deployer", "namespace": "batch"}],
            now,
            90 * D,
        ),
        {
            "kind": "Role",
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": meta("Role", "shop", "debugger", now, 15 * D),
            "rules": [
                {"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]},
                {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]},
            ],
        },
        {
            "kind": "RoleBinding",
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": meta("RoleBinding", "shop", "debug-default", now, 15 * D),
            "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "shop"}],
            "roleRef": {"apiGroup": group, "kind": "Role", "name": "debugger"},
        },
    ]
    return [
        {
            "kind": "Role",
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": meta("Role", "shop", "pod-reader", now, 20 * D),
            "rules": rules,
        },
        {
            "kind": "RoleBinding",
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": meta("RoleBinding", "shop", "read-pods", now, 20 * D),
            "subjects": [
                {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "jane"},
                {"kind": "ServiceAccount", "name": "default", "namespace": "shop"},
            ],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
        },
        {
            "kind": "ClusterRole",
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": meta("ClusterRole", None, "dashboard-viewer", now, 30 * D),
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]}],
        },
        {
            "kind": "ClusterRoleBinding",
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "metadata": meta("ClusterRoleBinding", None, "dashboard-viewer", now, 30 * D),
            "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "sre"}],
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "dashboard-viewer",
            },
        },
    ] + extra
