# ruff: noqa: E501  (the case table keeps one case per line)
"""The RBAC rules (kdash/health/rules_rbac.py): each fires and has near-misses, as manifests and as a
live cluster; a forbidden RBAC kind stops them and nothing else."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from kdash.health import HealthConfig, evaluate
from kdash.health.cross import not_run, rules_reading
from kdash.health.rules_rbac import dangerous_grants
from kdash.model.rbac import BindingRecord, PolicyRule, RoleRecord, Subject
from kdash.model.snapshot import SyncPhase

from .factories import ALL_KINDS, NOW, live_states, meta, snapshot, template, workload


def role(name: str = "debug", *rules: PolicyRule, namespace: str = "shop") -> RoleRecord:
    kind = "ClusterRole" if not namespace else "Role"
    return RoleRecord(meta(kind, name, namespace), rules or (PolicyRule(("",), ("pods/exec",), ("create",)),))


def bind(
    role_name: str = "debug", *subjects: Subject, cluster: bool = False, role_kind: str = ""
) -> BindingRecord:
    kind, ns = ("ClusterRoleBinding", "") if cluster else ("RoleBinding", "shop")
    return BindingRecord(
        meta(kind, f"b-{role_name}", ns),
        role_kind or ("ClusterRole" if cluster else "Role"),
        role_name,
        subjects or (Subject("ServiceAccount", "default", "shop"),),
    )


SA = Subject("ServiceAccount", "default", "shop")
ADMIN = RoleRecord(meta("ClusterRole", "cluster-admin", ""), (PolicyRule(("*",), ("*",), ("*",)),))
SECRETS = PolicyRule(("",), ("secrets",), ("get", "list"))
WEB = workload()  # runs as shop/default (no serviceAccountName)

# fmt: off
RBAC_CASES: list[tuple[str, str, list[Any], int]] = [
    ('rbac-cluster-admin-binding', 'a service account of another namespace', [ADMIN, bind('cluster-admin', Subject('ServiceAccount', 'ci', 'batch'), cluster=True)], 1),
    ('rbac-cluster-admin-binding', 'a user', [bind('cluster-admin', Subject('User', 'alice'), cluster=True)], 1),
    ('rbac-cluster-admin-binding', 'the role need not be listed', [bind('cluster-admin', Subject('Group', 'devs'), cluster=True)], 1),
    ('rbac-cluster-admin-binding', 'system:masters (the installation)', [ADMIN, bind('cluster-admin', Subject('Group', 'system:masters'), cluster=True)], 0),
    ('rbac-cluster-admin-binding', "kubeadm's admin group", [bind('cluster-admin', Subject('Group', 'kubeadm:cluster-admins'), cluster=True)], 0),
    ('rbac-cluster-admin-binding', 'a service account in kube-system', [bind('cluster-admin', Subject('ServiceAccount', 'clusterrole-aggregation-controller', 'kube-system'), cluster=True)], 0),
    ('rbac-cluster-admin-binding', 'another ClusterRole', [bind('view', Subject('User', 'alice'), cluster=True)], 0),
    ('rbac-cluster-admin-binding', 'a ClusterRole allowing everything', [replace(ADMIN, meta=meta('ClusterRole', 'god-mode', '')), bind('god-mode', Subject('User', 'alice'), cluster=True)], 1),
    ('rbac-cluster-admin-binding', 'a wildcard limited to resourceNames', [RoleRecord(meta('ClusterRole', 'odd', ''), (PolicyRule(('*',), ('*',), ('*',), ('x',)),)), bind('odd', Subject('User', 'alice'), cluster=True)], 0),
    ('rbac-cluster-admin-binding', 'a RoleBinding to cluster-admin (one namespace)', [bind('cluster-admin', Subject('User', 'alice'), role_kind='ClusterRole')], 0),
    ('rbac-workload-dangerous-grant', 'pods/exec to the account web runs as', [WEB, role(), bind()], 1),
    ('rbac-workload-dangerous-grant', 'pods/attach', [WEB, role('debug', PolicyRule(('',), ('pods/attach',), ('get',))), bind()], 1),
    ('rbac-workload-dangerous-grant', 'secrets get/list', [WEB, role('debug', SECRETS), bind()], 1),
    ('rbac-workload-dangerous-grant', '* verbs on configmaps', [WEB, role('debug', PolicyRule(('',), ('configmaps',), ('*',))), bind()], 1),
    ('rbac-workload-dangerous-grant', 'cluster-admin through a ClusterRoleBinding', [WEB, ADMIN, bind('cluster-admin', SA, cluster=True)], 1),
    ('rbac-workload-dangerous-grant', 'a ClusterRole through a RoleBinding', [WEB, replace(ADMIN, meta=meta('ClusterRole', 'edit', '')), bind('edit', role_kind='ClusterRole')], 1),
    ('rbac-workload-dangerous-grant', 'every service account (group)', [WEB, ADMIN, bind('cluster-admin', Subject('Group', 'system:serviceaccounts'), cluster=True)], 1),
    ('rbac-workload-dangerous-grant', "one namespace's service accounts (group)", [WEB, role(), bind('debug', Subject('Group', 'system:serviceaccounts:shop'))], 1),
    ('rbac-workload-dangerous-grant', 'the account named as a user', [WEB, role(), bind('debug', Subject('User', 'system:serviceaccount:shop:default'))], 1),
    ('rbac-workload-dangerous-grant', 'named account the workload uses', [workload(template=template(service_account='api')), role(), bind('debug', Subject('ServiceAccount', 'api', 'shop'))], 1),
    ('rbac-workload-dangerous-grant', 'an account no workload uses', [WEB, role(), bind('debug', Subject('ServiceAccount', 'ci', 'shop'))], 0),
    ('rbac-workload-dangerous-grant', 'read-only pods', [WEB, role('debug', PolicyRule(('',), ('pods', 'pods/log'), ('get', 'list', 'watch'))), bind()], 0),
    ('rbac-workload-dangerous-grant', 'one named Secret', [WEB, role('debug', replace(SECRETS, resource_names=('web-tls',))), bind()], 0),
    ('rbac-workload-dangerous-grant', 'secrets of another API group', [WEB, role('debug', PolicyRule(('example.com',), ('secrets',), ('get',))), bind()], 0),
    ('rbac-workload-dangerous-grant', 'the role does not exist', [WEB, bind('gone')], 0),
    ('rbac-workload-dangerous-grant', 'the workload is in kube-system', [workload(meta=meta('Deployment', 'coredns', 'kube-system')), ADMIN, bind('cluster-admin', Subject('ServiceAccount', 'default', 'kube-system'), cluster=True)], 0),
    ('rbac-workload-dangerous-grant', 'a human user', [WEB, role(), bind('debug', Subject('User', 'alice'))], 0),
]
# fmt: on


def _found(rule: str, records: list[Any], **snap: Any) -> list[str]:
    report = evaluate(snapshot(*records, **snap), HealthConfig(only=frozenset({rule})), now=NOW)
    return [f.message for f in report.findings if f.rule == rule]


@pytest.mark.parametrize(
    ("rule", "case", "records", "expected"), RBAC_CASES, ids=[f"{c[0]}: {c[1]}" for c in RBAC_CASES]
)
def test_rbac_rule(rule: str, case: str, records: list[Any], expected: int) -> None:
    manifests = _found(rule, records, states={})
    assert len(manifests) == expected, manifests
    assert _found(rule, records, states=live_states(ALL_KINDS)) == manifests


def test_the_finding_is_on_the_binding_and_names_the_way_in() -> None:
    report = evaluate(snapshot(WEB, role("debug", SECRETS), bind(), states={}), now=NOW)
    (finding,) = [f for f in report.findings if f.rule == "rbac-workload-dangerous-grant"]
    assert (finding.kind, finding.namespace, finding.name) == ("RoleBinding", "shop", "b-debug")
    assert finding.message == (
        "grants secrets get/list (through Role debug) to service account shop/default, which Deployment web runs as"
    )
    assert report.score_for(bind().meta.key) is not None


def test_forbidden_rbac_kinds_stop_only_the_rbac_rules() -> None:
    records = [
        WEB,
        ADMIN,
        bind("cluster-admin", Subject("User", "alice"), cluster=True),
        bind("cluster-admin", SA, cluster=True),
    ]
    states = live_states(ALL_KINDS, clusterrolebindings=SyncPhase.FORBIDDEN)
    report = evaluate(snapshot(*records, states=states), now=NOW)
    assert not {f.rule for f in report.findings} & {
        "rbac-cluster-admin-binding",
        "rbac-workload-dangerous-grant",
    }
    assert "netpol-missing" in {f.rule for f in report.findings}  # the rest still runs
    assert dict(not_run(states)) == {
        "rbac-cluster-admin-binding": "clusterrolebindings forbidden",
        "rbac-workload-dangerous-grant": "clusterrolebindings forbidden",
    }
    assert rules_reading("clusterrolebindings") == (
        "rbac-cluster-admin-binding",
        "rbac-workload-dangerous-grant",
    )
    assert rules_reading("nodes") == ()
    allowed = evaluate(snapshot(*records, states=live_states(ALL_KINDS)), now=NOW)
    assert {"rbac-cluster-admin-binding", "rbac-workload-dangerous-grant"} <= {
        f.rule for f in allowed.findings
    }


def test_dangerous_grants() -> None:
    assert dangerous_grants(PolicyRule(("*",), ("*",), ("*",))) == [
        "every verb on *",
        "pods/exec",
        "pods/attach",
        "secrets *",
    ]
    assert dangerous_grants(PolicyRule((), ("pods/*",), ("create",))) == ["pods/exec", "pods/attach"]
    assert dangerous_grants(PolicyRule(("",), ("secrets",), ("watch",))) == ["secrets watch"]
    assert dangerous_grants(PolicyRule(("apps",), ("deployments",), ("get", "patch"))) == []
