# ruff: noqa: E501  (the case table keeps one case per line)
"""The cross-object rules (kdash/health/rules_cross.py, rules_cross_workloads.py): each fires, and
has near-misses that must not. Every case is evaluated twice: as manifests (no kind states: every
rule runs) and as a live cluster with every kind it reads listed, which must agree.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from kdash.health import HealthConfig, evaluate
from kdash.health.cross import not_run
from kdash.health.rules_cross import credential_keys
from kdash.model.build.network import Backend, IngressPath, IngressRecord
from kdash.model.cluster import ConfigMapRecord, NetworkPolicyRecord, PdbRecord, ServiceRecord
from kdash.model.meta import LabelSelector, SelectorRequirement
from kdash.model.snapshot import SyncPhase

from .factories import (
    ALL_KINDS,
    NOW,
    READY,
    container,
    hpa,
    live_states,
    meta,
    pdb,
    pod,
    snapshot,
    template,
    workload,
)

WEB_LABELS = {"app.kubernetes.io/name": "web"}
EXEC = replace(READY, handler="exec", detail="exec cat /ready", signature="exec|cat /ready")


def svc(
    name: str = "web", match: dict[str, str] | None = None, namespace: str = "shop", **kw: Any
) -> ServiceRecord:
    kw.setdefault("cluster_ip", "10.96.0.7")
    kw.setdefault("port_numbers", (80,))
    kw.setdefault("port_names", ("http",))
    selector = LabelSelector(WEB_LABELS if match is None else match)
    return ServiceRecord(meta("Service", name, namespace), selector=selector, **kw)


def ing(*backends: Backend, default: Backend | None = None) -> IngressRecord:
    paths = tuple(IngressPath("shop.example.com", f"/{i}", "Prefix", b) for i, b in enumerate(backends))
    return IngressRecord(meta("Ingress", "shop"), paths=paths, default_backend=default)


def netpol(match: dict[str, str] | None = None, namespace: str = "shop") -> NetworkPolicyRecord:
    return NetworkPolicyRecord(meta("NetworkPolicy", "p", namespace), LabelSelector(match or {}))


def budget(**kw: Any) -> PdbRecord:
    return replace(pdb(), **kw)


def cm(*keys: str) -> ConfigMapRecord:
    return ConfigMapRecord(meta("ConfigMap", "settings"), keys=keys)


def sts(service: str = "db", **kw: Any) -> Any:
    tpl = template(labels={"app.kubernetes.io/name": "db"})
    return workload("StatefulSet", "db", template=tpl, service_name=service, **kw)


NO_READY = template(container(readiness=None))
DB_SVC = svc("db", {"app.kubernetes.io/name": "db"}, cluster_ip="None")

# fmt: off
CROSS_CASES: list[tuple[str, str, list[Any], int]] = [
    ('service-selects-nothing', 'typo in the selector', [workload(), svc(match={'app.kubernetes.io/name': 'wbe'})], 1),
    ('service-selects-nothing', 'the pods are in another namespace', [workload(), svc(namespace='pay')], 1),
    ('service-selects-nothing', 'matchExpressions nothing satisfies', [workload(), replace(svc(), selector=LabelSelector(match_expressions=(SelectorRequirement('tier', 'In', ('db',)),)))], 1),
    ('service-selects-nothing', 'selects the template', [workload(), svc()], 0),
    ('service-selects-nothing', 'scaled to zero still has a template', [workload(desired=0, ready=0, available=0), svc()], 0),
    ('service-selects-nothing', 'selects a bare pod', [pod('web', None), svc()], 0),
    ('service-selects-nothing', 'no selector (endpoints by hand)', [svc(match={})], 0),
    ('service-selects-nothing', 'ExternalName', [svc(match={'a': 'b'}, type='ExternalName')], 0),
    ('ingress-backend-missing', 'no such Service', [workload(), svc(), ing(Backend('api', 80))], 1),
    ('ingress-backend-missing', 'no such port number', [workload(), svc(), ing(Backend('web', 8080))], 1),
    ('ingress-backend-missing', 'no such port name', [workload(), svc(), ing(Backend('web', None, 'https'))], 1),
    ('ingress-backend-missing', 'default backend missing', [workload(), svc(), ing(default=Backend('gone', 80))], 1),
    ('ingress-backend-missing', 'two paths to one missing Service: one finding', [ing(Backend('api', 80), Backend('api', 80))], 1),
    ('ingress-backend-missing', 'port number exists', [workload(), svc(), ing(Backend('web', 80))], 0),
    ('ingress-backend-missing', 'port name exists', [workload(), svc(), ing(Backend('web', None, 'http'))], 0),
    ('ingress-backend-missing', 'resource backend', [ing(Backend(resource='StorageBucket/static'))], 0),
    ('probes-no-service', 'httpGet probes, no Service', [workload()], 1),
    ('probes-no-service', 'DaemonSet too', [workload('DaemonSet')], 1),
    ('probes-no-service', 'a Service selects it', [workload(), svc()], 0),
    ('probes-no-service', 'exec probes only', [workload(template=template(container(readiness=EXEC, liveness=None)))], 0),
    ('probes-no-service', 'a Job', [workload('Job', name='batch', job_complete=True)], 0),
    ('service-no-readiness', 'behind a Service, no readinessProbe', [workload(template=NO_READY), svc()], 1),
    ('service-no-readiness', 'two Services: one finding', [workload(template=NO_READY), svc(), svc('web-lb')], 1),
    ('service-no-readiness', 'has a readinessProbe', [workload(), svc()], 0),
    ('service-no-readiness', 'no Service', [workload(template=NO_READY)], 0),
    ('service-no-readiness', 'one container of two has one', [workload(template=template(container(), container('side', readiness=None))), svc()], 0),
    ('service-no-readiness', 'a Job behind a Service', [workload('Job', template=template(container(readiness=None), restart_policy='Never')), svc()], 0),
    ('hpa-replicas-applied', 'manifest sets replicas, HPA targets it', [workload(replicas_applied=True), hpa()], 1),
    ('hpa-replicas-applied', 'StatefulSet too', [workload('StatefulSet', 'web', replicas_applied=True), replace(hpa(), target_kind='StatefulSet')], 1),
    ('hpa-replicas-applied', 'replicas left out', [workload(replicas_applied=False), hpa()], 0),
    ('hpa-replicas-applied', 'replicas set, no HPA', [workload(replicas_applied=True)], 0),
    ('hpa-replicas-applied', 'the HPA targets another', [workload(replicas_applied=True), hpa(target='api')], 0),
    ('pdb-blocks-drain', 'maxUnavailable 0', [workload(), budget(max_unavailable='0')], 1),
    ('pdb-blocks-drain', 'maxUnavailable 0%', [workload(), budget(max_unavailable='0%')], 1),
    ('pdb-blocks-drain', 'minAvailable 100%', [workload(), budget(max_unavailable='', min_available='100%')], 1),
    ('pdb-blocks-drain', 'minAvailable = replicas', [workload(), budget(max_unavailable='', min_available='3')], 1),
    ('pdb-blocks-drain', "minAvailable = the HPA's minReplicas", [workload(), hpa(), budget(max_unavailable='', min_available='2')], 1),
    ('pdb-blocks-drain', 'live: 0 allowed with every pod healthy', [workload(), budget(has_status=True, disruptions_allowed=0, expected_pods=3, current_healthy=3)], 1),
    ('pdb-blocks-drain', 'maxUnavailable 1', [workload(), budget()], 0),
    ('pdb-blocks-drain', 'minAvailable below the replicas', [workload(), budget(max_unavailable='', min_available='2')], 0),
    ('pdb-blocks-drain', 'minAvailable 50%', [workload(), budget(max_unavailable='', min_available='50%')], 0),
    ('pdb-blocks-drain', 'live: 0 allowed during a rollout (a pod unhealthy)', [workload(), budget(has_status=True, disruptions_allowed=0, expected_pods=3, current_healthy=2)], 0),
    ('pdb-blocks-drain', 'manifest: no status, 0 read as unknown', [workload(), budget(disruptions_allowed=0)], 0),
    ('pdb-selects-nothing', 'selector matches nothing', [workload(), pdb('api', {'app.kubernetes.io/name': 'api'})], 1),
    ('pdb-selects-nothing', 'empty namespace', [pdb()], 1),
    ('pdb-selects-nothing', 'matches the template', [workload(), pdb()], 0),
    ('pdb-selects-nothing', 'matches a bare pod', [pod('web', None), pdb()], 0),
    ('statefulset-service-missing', 'no serviceName', [sts(''), DB_SVC], 1),
    ('statefulset-service-missing', 'names no Service', [sts('db-headless'), DB_SVC], 1),
    ('statefulset-service-missing', 'Service is not headless', [sts(), replace(DB_SVC, cluster_ip='10.96.0.9')], 1),
    ('statefulset-service-missing', 'Service selects other pods', [sts(), replace(DB_SVC, selector=LabelSelector(WEB_LABELS))], 1),
    ('statefulset-service-missing', 'headless Service selecting its pods', [sts(), DB_SVC], 0),
    ('statefulset-service-missing', 'a Deployment has no serviceName', [workload(), svc()], 0),
    ('netpol-missing', 'namespace without a policy', [workload()], 1),
    ('netpol-missing', 'one finding per long-running workload', [workload(), workload('StatefulSet', 'db')], 2),
    ('netpol-missing', 'a policy in the namespace', [workload(), netpol()], 0),
    ('netpol-missing', 'a policy in another namespace only', [workload(), netpol(namespace='pay')], 1),
    ('netpol-missing', 'kube-system', [workload(meta=meta('Deployment', 'coredns', 'kube-system'))], 0),
    ('netpol-missing', 'a Job', [workload('Job', name='batch', job_complete=True)], 0),
    ('netpol-selects-nothing', 'podSelector matches nothing', [workload(), netpol({'app.kubernetes.io/name': 'gateway'})], 1),
    ('netpol-selects-nothing', 'matches the template', [workload(), netpol(WEB_LABELS)], 0),
    ('netpol-selects-nothing', 'empty podSelector (every pod)', [netpol()], 0),
    ('selector-template-mismatch', 'selector the template does not carry', [workload(selector=LabelSelector({'app': 'web'}))], 1),
    ('selector-template-mismatch', 'no selector', [workload(selector=LabelSelector())], 1),
    ('selector-template-mismatch', 'StatefulSet too', [workload('StatefulSet', 'db', selector=LabelSelector({'app': 'db'}))], 1),
    ('selector-template-mismatch', 'selector a subset of the labels', [workload(template=template(labels={**WEB_LABELS, 'tier': 'fe'}))], 0),
    ('selector-template-mismatch', 'a Job (the API generates its selector)', [workload('Job', name='batch', selector=LabelSelector(), job_complete=True)], 0),
    ('configmap-credential-keys', 'DB_PASSWORD', [cm('DB_HOST', 'DB_PASSWORD')], 1),
    ('configmap-credential-keys', 'api-token and apiKey: one finding', [cm('api-token', 'apiKey')], 1),
    ('configmap-credential-keys', 'a private key file', [cm('tls.key', 'tls.crt')], 1),
    ('configmap-credential-keys', 'pointers to credentials', [cm('PASSWORD_FILE', 'secret-name', 'token_ttl', 'TOKEN_URL')], 0),
    ('configmap-credential-keys', 'a CA bundle and settings', [cm('ca.crt', 'nginx.conf', 'LOG_LEVEL')], 0),
]
# fmt: on


def _found(rule: str, records: list[Any], **snap: Any) -> list[str]:
    report = evaluate(snapshot(*records, **snap), HealthConfig(only=frozenset({rule})), now=NOW)
    return [f.message for f in report.findings if f.rule == rule]


@pytest.mark.parametrize(
    ("rule", "case", "records", "expected"), CROSS_CASES, ids=[f"{c[0]}: {c[1]}" for c in CROSS_CASES]
)
def test_cross_rule(rule: str, case: str, records: list[Any], expected: int) -> None:
    manifests = _found(rule, records, states={})
    assert len(manifests) == expected, manifests
    assert _found(rule, records, states=live_states(ALL_KINDS)) == manifests  # live agrees


def test_findings_sit_on_the_object_to_fix_and_it_is_scored() -> None:
    report = evaluate(
        snapshot(workload(), svc("gone", {"app": "gone"}), netpol(WEB_LABELS), states={}), now=NOW
    )
    (finding,) = report.findings_for(svc("gone").meta.key)
    assert (finding.rule, finding.kind, finding.name) == ("service-selects-nothing", "Service", "gone")
    assert finding.message == "selector app=gone matches no pod in shop"
    score = report.score_for(svc("gone").meta.key)
    assert score is not None and score.score == 90.0  # one warning
    assert report.score_for(netpol().meta.key) is None  # nothing found on it: not one more 100 in the mean


def test_behind_a_service_a_missing_readiness_probe_is_one_finding() -> None:
    """service-no-readiness says what probe-readiness-missing says, more strongly: one cause, one
    cost. Once it is ignored, the per-container warning is back."""
    web = workload(template=NO_READY)
    report = evaluate(snapshot(web, svc(), states={}), now=NOW)
    rules = [f.rule for f in report.findings_for(web.meta.key)]
    assert "service-no-readiness" in rules and "probe-readiness-missing" not in rules
    alone = evaluate(snapshot(web, states={}), now=NOW)
    assert "probe-readiness-missing" in [f.rule for f in alone.findings_for(web.meta.key)]
    quiet = replace(
        web, meta=meta("Deployment", "web", annotations={"kdash.io/ignore": "service-no-readiness"})
    )
    found = {
        f.rule: f.ignored
        for f in evaluate(snapshot(quiet, svc(), states={}), now=NOW).findings_for(quiet.meta.key)
    }
    assert found["service-no-readiness"] is True and found["probe-readiness-missing"] is False


def test_exemption_annotations_silence_a_cross_finding() -> None:
    quiet = replace(
        svc(match={"app": "x"}),
        meta=meta("Service", "web", annotations={"kube-score/ignore": "service-targets-pod"}),
    )
    report = evaluate(snapshot(quiet, states={}), now=NOW)
    (finding,) = report.findings
    assert finding.rule == "service-selects-nothing" and finding.ignored
    assert report.score == 100.0


def test_a_kind_not_readable_keeps_its_rules_from_running_and_says_so() -> None:
    records = [workload(), netpol({"app.kubernetes.io/name": "gateway"})]
    forbidden = live_states(ALL_KINDS, networkpolicies=SyncPhase.FORBIDDEN)
    assert _found("netpol-missing", records, states=forbidden) == []
    assert _found("netpol-selects-nothing", records, states=forbidden) == []
    assert _found("service-selects-nothing", [workload(), svc(match={"a": "b"})], states=forbidden) != []
    why = dict(not_run(forbidden))
    assert why["netpol-missing"] == "networkpolicies forbidden"
    assert "service-selects-nothing" not in why
    syncing = live_states(ALL_KINDS, networkpolicies=SyncPhase.SYNCING)
    assert _found("netpol-missing", records, states=syncing) == []  # no "has none" before the list came
    assert (
        dict(not_run(live_states()))["ingress-backend-missing"]
        == "ingresses not watched, services not watched"
    )
    assert (
        dict(not_run(live_states(ALL_KINDS, pods=SyncPhase.FORBIDDEN)))["configmap-credential-keys"]
        == "pods forbidden"
    )
    assert not_run({}) == ()  # manifests: every rule runs


def test_namespace_scoped_check_leaves_out_cluster_scoped_objects() -> None:
    from kdash.model.rbac import BindingRecord, Subject

    crb = BindingRecord(
        meta("ClusterRoleBinding", "ci", ""), "ClusterRole", "cluster-admin", (Subject("User", "ci"),)
    )
    whole = evaluate(snapshot(crb, states={}), now=NOW)
    assert [f.rule for f in whole.findings] == ["rbac-cluster-admin-binding"]
    one_ns = replace(snapshot(crb, states={}), namespace="shop")
    assert evaluate(one_ns, now=NOW).findings == ()


def test_credential_key_names() -> None:
    assert credential_keys(("DB_PASSWORD", "db.passwd", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "api_key", "id_rsa-key.pem")) == [
        "DB_PASSWORD", "db.passwd", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "api_key", "id_rsa-key.pem"
    ]  # fmt: skip
    assert (
        credential_keys(("PASSWORD_FILE", "vault-token-path", "secretName", "keys", "monkey", "ca.crt")) == []
    )
