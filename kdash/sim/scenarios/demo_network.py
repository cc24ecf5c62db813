"""The demo's networking: Services (with EndpointSlices and Endpoints that follow pod readiness),
Ingresses (one of them routing to a Service that does not exist), an IngressClass and NetworkPolicies.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kdash.sim.scenarios.builders import meta, uid_for
from kdash.sim.scenarios.endpoints import endpoint_objects, slice_name

JSON = dict[str, Any]
D = timedelta(days=1)

#: namespace, name, type, cluster IP, ports (name, port, targetPort, protocol), selector
_SERVICES: list[tuple[str, str, str, str, list[tuple[str, int, int | str, str]], dict[str, str] | None]] = [
    ("default", "kubernetes", "ClusterIP", "10.96.0.1", [("https", 443, 6443, "TCP")], None),
    (
        "kube-system",
        "kube-dns",
        "ClusterIP",
        "10.96.0.10",
        [("dns", 53, 53, "UDP"), ("dns-tcp", 53, 53, "TCP"), ("metrics", 9153, 9153, "TCP")],
        {"k8s-app": "kube-dns"},
    ),
    ("shop", "web", "ClusterIP", "10.96.10.1", [("http", 80, 80, "TCP")], {"app": "web"}),
    ("shop", "cart", "ClusterIP", "10.96.10.2", [("http", 8080, 8080, "TCP")], {"app": "cart"}),
    ("shop", "checkout", "ClusterIP", "10.96.10.3", [("http", 8080, "http", "TCP")], {"app": "checkout"}),
    ("shop", "frontend", "LoadBalancer", "10.96.10.4", [("http", 80, 8080, "TCP")], {"app": "frontend"}),
    ("shop", "recommender", "ClusterIP", "10.96.10.5", [("http", 8080, 8080, "TCP")], {"app": "recommender"}),
    ("shop", "redis", "ClusterIP", "None", [("redis", 6379, 6379, "TCP")], {"app": "redis"}),
    ("shop", "legacy-search", "ClusterIP", "10.96.10.7", [("http", 80, 8080, "TCP")], {"app": "search"}),
    ("payments", "api", "ClusterIP", "10.96.20.1", [("http", 8080, 8080, "TCP")], {"app": "api"}),
    ("payments", "ledger", "ClusterIP", "10.96.20.2", [("http", 8080, 8080, "TCP")], {"app": "ledger"}),
    ("payments", "postgres", "ClusterIP", "None", [("pg", 5432, 5432, "TCP")], {"app": "postgres"}),
    (
        "monitoring",
        "prometheus",
        "ClusterIP",
        "10.96.30.1",
        [("web", 9090, 9090, "TCP")],
        {"app": "prometheus"},
    ),
]
#: The API server's own address, behind default/kubernetes.
APISERVER = "10.0.0.10"


def service(
    ns: str,
    name: str,
    svc_type: str,
    ip: str,
    ports: list[tuple[str, int, int | str, str]],
    selector: dict[str, str] | None,
    now: datetime,
) -> JSON:
    spec: JSON = {"ports": []}
    for i, (pname, port, target, proto) in enumerate(ports):
        entry: JSON = {"name": pname, "protocol": proto, "port": port, "targetPort": target}
        if svc_type in ("NodePort", "LoadBalancer"):
            entry["nodePort"] = 31080 + i
        spec["ports"].append(entry)
    if selector:
        spec["selector"] = selector
    spec.update(
        {
            "clusterIP": ip,
            "clusterIPs": [ip],
            "type": svc_type,
            "sessionAffinity": "None",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "internalTrafficPolicy": "Cluster",
        }
    )
    status: JSON = {"loadBalancer": {}}
    if svc_type == "LoadBalancer":
        spec["externalTrafficPolicy"] = "Cluster"
        spec["allocateLoadBalancerNodePorts"] = True
        status = {"loadBalancer": {"ingress": [{"ip": "203.0.113.20", "ipMode": "VIP"}]}}
    labels = {"component": "apiserver", "provider": "kubernetes"} if name == "kubernetes" else None
    return {
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": meta(
            "Service", ns, name, now, 30 * D if ns in ("default", "kube-system") else 20 * D, labels=labels
        ),
        "spec": spec,
        "status": status,
    }


def _apiserver_endpoints(svc: JSON) -> list[JSON]:
    """default/kubernetes: selector-less, its endpoints written by the API server itself."""
    m = svc["metadata"]
    created = m["creationTimestamp"]
    eslice = {
        "kind": "EndpointSlice",
        "apiVersion": "discovery.k8s.io/v1",
        "metadata": {
            "name": "kubernetes",
            "namespace": "default",
            "uid": uid_for("EndpointSlice/default/kubernetes"),
            "generation": 1,
            "creationTimestamp": created,
            "labels": {"kubernetes.io/service-name": "kubernetes"},
        },
        "addressType": "IPv4",
        "endpoints": [{"addresses": [APISERVER], "conditions": {"ready": True}}],
        "ports": [{"name": "https", "protocol": "TCP", "port": 6443}],
    }
    endpoints = {
        "kind": "Endpoints",
        "apiVersion": "v1",
        "metadata": {
            "name": "kubernetes",
            "namespace": "default",
            "uid": uid_for("Endpoints/default/kubernetes"),
            "creationTimestamp": created,
            "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"},
        },
        "subsets": [
            {"addresses": [{"ip": APISERVER}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}
        ],
    }
    return [eslice, endpoints]


def services(objs: list[JSON], now: datetime) -> list[JSON]:
    """Every Service of the demo with its EndpointSlice and Endpoints, computed from the pods in
    ``objs`` exactly as the engine's controller will keep computing them."""
    pods_by_ns: dict[str, list[JSON]] = {}
    for o in objs:
        if o["kind"] == "Pod":
            pods_by_ns.setdefault(o["metadata"]["namespace"], []).append(o)
    out: list[JSON] = []
    for ns, name, svc_type, ip, ports, selector in _SERVICES:
        svc = service(ns, name, svc_type, ip, ports, selector, now)
        out.append(svc)
        if selector is None:
            out += _apiserver_endpoints(svc)
            continue
        out += endpoint_objects(svc, pods_by_ns.get(ns, []), svc["metadata"]["creationTimestamp"])
    return out


def _rule(host: str, service_name: str, port: int, path: str = "/") -> JSON:
    backend = {"service": {"name": service_name, "port": {"number": port}}}
    return {"host": host, "http": {"paths": [{"path": path, "pathType": "Prefix", "backend": backend}]}}


def ingresses(now: datetime) -> list[JSON]:
    """shop/shop (TLS, web and cart), shop/search (its Service ``search`` does not exist, no
    address yet) and payments/payments; plus the ``nginx`` IngressClass they name."""
    lb = {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}
    shop_rule = _rule("shop.example.com", "web", 80)
    shop_rule["http"]["paths"].append(
        {
            "path": "/api/cart",
            "pathType": "Prefix",
            "backend": {"service": {"name": "cart", "port": {"name": "http"}}},
        }
    )
    ing = [
        (
            "shop",
            "shop",
            {
                "ingressClassName": "nginx",
                "tls": [{"hosts": ["shop.example.com"], "secretName": "web-tls"}],
                "rules": [shop_rule],
            },
            lb,
            {"cert-manager.io/cluster-issuer": "letsencrypt-prod"},
        ),
        (
            "shop",
            "search",
            {"ingressClassName": "nginx", "rules": [_rule("search.example.com", "search", 8080)]},
            {"loadBalancer": {}},
            None,
        ),
        (
            "payments",
            "payments",
            {
                "ingressClassName": "nginx",
                "tls": [{"hosts": ["pay.example.com"], "secretName": "payments-tls"}],
                "rules": [_rule("pay.example.com", "api", 8080, "/v1")],
            },
            lb,
            {"nginx.ingress.kubernetes.io/ssl-redirect": "true"},
        ),
    ]
    out: list[JSON] = [
        {
            "kind": "Ingress",
            "apiVersion": "networking.k8s.io/v1",
            "metadata": meta(
                "Ingress", ns, name, now, 20 * D if name != "search" else 2 * D, annotations=ann
            ),
            "spec": spec,
            "status": status,
        }
        for ns, name, spec, status, ann in ing
    ]
    out.append(
        {
            "kind": "IngressClass",
            "apiVersion": "networking.k8s.io/v1",
            "metadata": meta(
                "IngressClass",
                None,
                "nginx",
                now,
                30 * D,
                labels={
                    "app.kubernetes.io/name": "ingress-nginx",
                    "app.kubernetes.io/component": "controller",
                },
                annotations={"ingressclass.kubernetes.io/is-default-class": "true"},
            ),
            "spec": {"controller": "k8s.io/ingress-nginx"},
        }
    )
    return out


def network_policies(now: datetime) -> list[JSON]:
    """shop: deny all ingress by default, then let the ingress controller reach web; and one policy
    for pods that do not exist (netpol-selects-nothing). The other namespaces have none."""
    return [
        {
            "kind": "NetworkPolicy",
            "apiVersion": "networking.k8s.io/v1",
            "metadata": meta("NetworkPolicy", "shop", "default-deny-ingress", now, 20 * D),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
        },
        {
            "kind": "NetworkPolicy",
            "apiVersion": "networking.k8s.io/v1",
            "metadata": meta("NetworkPolicy", "shop", "allow-web", now, 20 * D),
            "spec": {
                "podSelector": {"matchLabels": {"app": "web"}},
                "ingress": [
                    {
                        "from": [
                            {
                                "namespaceSelector": {
                                    "matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}
                                }
                            }
                        ],
                        "ports": [{"protocol": "TCP", "port": 80}],
                    }
                ],
                "policyTypes": ["Ingress"],
            },
        },
        {  # written for a metrics gateway that was never deployed: it selects no pod
            "kind": "NetworkPolicy",
            "apiVersion": "networking.k8s.io/v1",
            "metadata": meta("NetworkPolicy", "shop", "allow-metrics-gateway", now, 9 * D),
            "spec": {
                "podSelector": {"matchLabels": {"app": "metrics-gateway"}},
                "ingress": [{"ports": [{"protocol": "TCP", "port": 9102}]}],
                "policyTypes": ["Ingress"],
            },
        },
    ]


__all__ = ["ingresses", "network_policies", "service", "services", "slice_name"]
