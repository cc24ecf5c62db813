"""Cross-object rules: what only shows when objects are read together (kdash sees the whole
cluster, or the whole manifest set of `kdash check -f`).

Each runs once per evaluation over the snapshot (kdash.health.cross) and puts its finding on one
object: the Service, Ingress, PDB, NetworkPolicy or ConfigMap that is wrong, or the workload to
fix. "Selects nothing" means: matches no workload's pod template (scaled to zero or not) and no pod
that no known workload stands for, so a Deployment at 0 replicas still counts as selected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kdash.health.context import LONG_RUNNING_KINDS, Target
from kdash.health.crossindex import SYSTEM_NAMESPACES, CrossIndex, target_labels
from kdash.health.registry import Hit, Rule, cluster_rule
from kdash.model.autoscaling import HpaRecord
from kdash.model.build.network import Backend
from kdash.model.cluster import ServiceRecord
from kdash.model.findings import Severity
from kdash.model.meta import LabelSelector, ObjectKey

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
CrossHits = Iterator[tuple[ObjectKey, Hit]]

PODS = ("pods", "deployments", "statefulsets", "daemonsets", "jobs", "cronjobs")  # pods and templates
_NETWORK_PROBES = frozenset({"httpGet", "tcpSocket", "grpc"})


def selector_text(sel: LabelSelector) -> str:
    """`app=web,tier in (a,b)`: how kubectl prints a selector."""
    parts = [f"{k}={v}" for k, v in sel.match_labels.items()]
    for req in sel.match_expressions:
        if req.operator in ("In", "NotIn"):
            parts.append(f"{req.key} {req.operator.lower()} ({','.join(req.values)})")
        else:
            parts.append(req.key if req.operator == "Exists" else f"!{req.key}")
    return ",".join(parts) or "<everything>"


def name_of(key: ObjectKey) -> str:
    return f"{key.kind} {key.namespace}/{key.name}" if key.namespace else f"{key.kind} {key.name}"


def _services_by_ns(ix: CrossIndex) -> dict[str, list[ServiceRecord]]:
    out: dict[str, list[ServiceRecord]] = {}
    for svc in ix.snapshot.services.values():
        if not svc.selector.empty and svc.type != "ExternalName":
            out.setdefault(svc.meta.namespace, []).append(svc)
    return out


def hpas_by_target(ix: CrossIndex) -> dict[ObjectKey, list[HpaRecord]]:
    out: dict[ObjectKey, list[HpaRecord]] = {}
    for hpa in ix.snapshot.hpas.values():
        out.setdefault(ObjectKey(hpa.target_kind, hpa.meta.namespace, hpa.target_name), []).append(hpa)
    return out


@cluster_rule(
    Rule(
        "service-selects-nothing",
        WARN,
        "cluster",
        "networking",
        "a Service's selector matches no pod and no workload's pod template in its namespace",
        "Traffic sent to the Service goes nowhere: it has no endpoints, so clients time out or get "
        "connection refused. Usually a typo in the selector or a label changed on one side only.",
        "Make `spec.selector` equal to labels the pod template sets, e.g. `selector: {app: web}` "
        "with `template.metadata.labels: {app: web}` (Services without a selector are left alone).",
        kube_score=("service-targets-pod",),
    ),
    reads=("services", *PODS),
)
def service_selects_nothing(ix: CrossIndex) -> CrossHits:
    for svc in ix.snapshot.services.values():
        if svc.selector.empty or svc.type == "ExternalName":
            continue
        if not ix.selects_any(svc.selector, svc.meta.namespace):
            yield (
                svc.meta.key,
                Hit(f"selector {selector_text(svc.selector)} matches no pod in {svc.meta.namespace}"),
            )


def _backends(paths: tuple[tuple[str, Backend], ...]) -> Iterator[tuple[str, Backend]]:
    seen: set[tuple[str, str]] = set()
    for where, b in paths:
        if b.resource or not b.service or (b.service, b.port_text) in seen:
            continue
        seen.add((b.service, b.port_text))
        yield where, b


@cluster_rule(
    Rule(
        "ingress-backend-missing",
        ERR,
        "cluster",
        "networking",
        "an Ingress routes to a Service that does not exist in its namespace, or to a port the Service "
        "does not have",
        "The ingress controller answers 503 for that path: the route is live but leads nowhere.",
        "Point `backend.service.name` and `port.number`/`port.name` at a Service and one of its "
        "`spec.ports`, or create the Service.",
        kube_score=("ingress-targets-service",),
    ),
    reads=("ingresses", "services"),
)
def ingress_backend_missing(ix: CrossIndex) -> CrossHits:
    services = ix.snapshot.services
    for ing in ix.snapshot.ingresses.values():
        ns = ing.meta.namespace
        routes = [(f"{p.host or '*'}{p.path or '/'}", p.backend) for p in ing.paths]
        if ing.default_backend is not None:
            routes.append(("the default backend", ing.default_backend))
        for where, b in _backends(tuple(routes)):
            svc = services.get(ObjectKey("Service", ns, b.service))
            if svc is None:
                yield ing.meta.key, Hit(f"{where} routes to Service {b.service}, which does not exist")
            elif b.port_number is not None and b.port_number not in svc.port_numbers:
                yield (
                    ing.meta.key,
                    Hit(
                        f"{where} routes to port {b.port_number} of Service {b.service}, which has no such port"
                    ),
                )
            elif b.port_name and b.port_name not in svc.port_names:
                yield (
                    ing.meta.key,
                    Hit(
                        f"{where} routes to port '{b.port_name}' of Service {b.service}, which has no port of that name"
                    ),
                )


def _serving(t: Target) -> bool:
    return any(
        (p is not None and p.handler in _NETWORK_PROBES)
        for c in t.template.containers
        for p in (c.readiness, c.liveness)
    )


def _long_running_workload(t: Target) -> bool:
    return t.workload is not None and t.workload.kind in LONG_RUNNING_KINDS


@cluster_rule(
    Rule(
        "probes-no-service",
        INFO,
        "cluster",
        "networking",
        "a Deployment, StatefulSet or DaemonSet probes a port over the network (httpGet, tcpSocket, "
        "grpc) but no Service selects its pods",
        "A network probe says the pods serve something; with no Service in front, only clients that "
        "know pod IPs reach it, and those change on every restart. Often a Service whose selector "
        "drifted from the template's labels.",
        "Add a Service selecting the template's labels, or, if nothing should reach the pods, say so "
        "with `kdash.io/ignore: probes-no-service`.",
    ),
    reads=("services", *PODS),
)
def probes_no_service(ix: CrossIndex) -> CrossHits:
    by_ns = _services_by_ns(ix)
    for t in ix.targets:
        if not _long_running_workload(t) or not _serving(t):
            continue
        labels = target_labels(t)
        if not any(svc.selector.matches(labels) for svc in by_ns.get(t.key.namespace, ())):
            yield t.key, Hit(f"{name_of(t.key)} has network probes but no Service selects its pods")


@cluster_rule(
    Rule(
        "service-no-readiness",
        ERR,
        "cluster",
        "probes",
        "a Service selects the pods of a long-running workload none of whose containers has a readinessProbe",
        "The Service sends traffic to each pod as soon as its containers start, before the "
        "application can answer, and keeps sending it to a pod that has stopped serving: requests "
        "fail on every rollout and every hang.",
        "Add a readinessProbe to the serving container: "
        "`readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 5}`.",
    ),
    reads=("services", *PODS),
)
def service_no_readiness(ix: CrossIndex) -> CrossHits:
    behind: dict[ObjectKey, list[str]] = {}
    targets: dict[ObjectKey, Target] = {}
    for svc in ix.snapshot.services.values():
        if svc.selector.empty or svc.type == "ExternalName":
            continue
        for t in ix.selected_targets(svc.selector, svc.meta.namespace):
            if (
                t.long_running
                and t.template.containers
                and all(c.readiness is None for c in t.template.containers)
            ):
                behind.setdefault(t.key, []).append(svc.meta.name)
                targets[t.key] = t
    for key, names in behind.items():
        shown = ", ".join(sorted(names))
        yield (
            key,
            Hit(f"Service {shown} sends traffic to {name_of(key)}, whose containers have no readinessProbe"),
        )


@cluster_rule(
    Rule(
        "hpa-replicas-applied",
        WARN,
        "cluster",
        "autoscaling",
        "a Deployment or StatefulSet targeted by an HPA sets `spec.replicas` in what is applied (the "
        "manifest; live: the last-applied-configuration or a server-side apply owning spec.replicas)",
        "Every apply resets the replica count to the manifest's number and the HPA scales it back: "
        "pods are killed and recreated on each deploy, and a scaled-up workload drops to the "
        "manifest's count under load.",
        "Remove `spec.replicas` from the manifest (the HPA's minReplicas takes its place). For an "
        "object already applied with it, remove it from the manifest and apply once more.",
        kube_score=("deployment-targeted-by-hpa-does-not-have-replicas-configured",),
    ),
    reads=("horizontalpodautoscalers", "deployments", "statefulsets"),
)
def hpa_replicas_applied(ix: CrossIndex) -> CrossHits:
    workloads = ix.snapshot.workloads
    for key, hpas in hpas_by_target(ix).items():
        wl = workloads.get(key)
        if wl is not None and wl.kind in ("Deployment", "StatefulSet") and wl.replicas_applied:
            names = ", ".join(sorted(h.meta.name for h in hpas))
            yield key, Hit(f"{name_of(key)} sets spec.replicas ({wl.desired}) and is scaled by HPA {names}")


@cluster_rule(
    Rule(
        "netpol-missing",
        INFO,
        "cluster",
        "networking",
        "a long-running workload's namespace has no NetworkPolicy (kube-system, kube-public and "
        "kube-node-lease are left out)",
        "Without a policy every pod accepts connections from every pod in the cluster: one "
        "compromised pod can reach all of them.",
        "Start with a default-deny policy for the namespace "
        "(`spec: {podSelector: {}, policyTypes: [Ingress]}`) and allow what each workload needs.",
        kube_score=("pod-networkpolicy",),
    ),
    reads=("networkpolicies", *PODS),
)
def netpol_missing(ix: CrossIndex) -> CrossHits:
    covered = {p.meta.namespace for p in ix.snapshot.netpols.values()}
    for t in ix.targets:
        ns = t.key.namespace
        if ns in covered or ns in SYSTEM_NAMESPACES or not t.long_running:
            continue
        yield (
            t.key,
            Hit(f"namespace {ns} has no NetworkPolicy: {name_of(t.key)} accepts traffic from any pod"),
        )


@cluster_rule(
    Rule(
        "netpol-selects-nothing",
        WARN,
        "cluster",
        "networking",
        "a NetworkPolicy's podSelector (not the empty one, which means every pod) matches no pod and "
        "no workload's pod template in its namespace",
        "The policy protects nothing, while it reads as if it did: the pods it was written for accept "
        "any traffic.",
        "Make `spec.podSelector` match the labels of the pods it is meant for.",
        kube_score=("networkpolicy-targets-pod",),
    ),
    reads=("networkpolicies", *PODS),
)
def netpol_selects_nothing(ix: CrossIndex) -> CrossHits:
    for pol in ix.snapshot.netpols.values():
        if pol.pod_selector.empty:
            continue
        if not ix.selects_any(pol.pod_selector, pol.meta.namespace):
            yield (
                pol.meta.key,
                Hit(f"podSelector {selector_text(pol.pod_selector)} matches no pod in {pol.meta.namespace}"),
            )


_CREDENTIAL = re.compile(
    r"password|passwd|passphrase|secret|token|apikey|privatekey|accesskey|credential|pwd"
)
# key names that point at a credential rather than hold one: SECRET_NAME, TOKEN_FILE, password_path
_POINTER = re.compile(
    r"(file|path|dir|name|names|ref|url|uri|ttl|expiry|expiration|length|len|enabled|timeout|"
    r"header|endpoint|type|mode|policy|source|key_?id)$"
)


def credential_keys(keys: tuple[str, ...]) -> list[str]:
    """The key names that look like credentials (DB_PASSWORD, api-token, tls.key), by name alone."""
    out = []
    for key in keys:
        lowered = key.lower()
        flat = re.sub(r"[^a-z0-9]", "", lowered)
        if lowered.endswith((".key", "-key.pem", "_key.pem")) or (
            _CREDENTIAL.search(flat) and not _POINTER.search(re.sub(r"[^a-z0-9_]", "_", lowered).rstrip("_"))
        ):
            out.append(key)
    return out


@cluster_rule(
    Rule(
        "configmap-credential-keys",
        WARN,
        "cluster",
        "security",
        "a ConfigMap has keys named like credentials (`*PASSWORD*`, `*TOKEN*`, `*SECRET*`, API and "
        "private keys); only key names are read, never values",
        "ConfigMaps are not secret: anyone who may read them (many roles, `kubectl describe`, "
        "every tool that dumps a namespace) reads the credential in clear text.",
        "Move the value into a Secret and reference it with `secretKeyRef` or a Secret volume.",
    ),
    reads=("configmaps",),
)
def configmap_credential_keys(ix: CrossIndex) -> CrossHits:
    for cm in ix.snapshot.configmaps.values():
        found = credential_keys(cm.keys)
        if found:
            shown = ", ".join(found[:5]) + (f" (and {len(found) - 5} more)" if len(found) > 5 else "")
            yield cm.meta.key, Hit(f"keys named like credentials: {shown}")
