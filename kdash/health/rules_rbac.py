"""RBAC rules: who may do what, read with get/list/watch only (kdash never changes RBAC).

Both rules put their finding on the binding: it is what grants, and what to change. They run only
while the RBAC kinds they read could be listed (a 403 on them is common and keeps them from
running, nothing else; `kdash check` names them).
"""

from __future__ import annotations

from collections.abc import Iterator

from kdash.health.crossindex import SYSTEM_NAMESPACES, CrossIndex
from kdash.health.registry import Hit, Rule, cluster_rule
from kdash.health.rules_cross import PODS, CrossHits
from kdash.model.findings import Severity
from kdash.model.meta import ObjectKey
from kdash.model.rbac import BindingRecord, PolicyRule, RoleRecord, Subject

WARN = Severity.WARNING
CLUSTER_ADMIN = "cluster-admin"
# the API server's own identities and kubeadm's admin group: binding them to cluster-admin is the
# installation, not a finding
_SYSTEM_PREFIXES = ("system:", "kubeadm:")


def _outside_system(s: Subject, binding_ns: str) -> bool:
    if s.kind == "ServiceAccount":
        return (s.namespace or binding_ns) != "kube-system"
    return not s.name.startswith(_SYSTEM_PREFIXES)


def _subject_text(s: Subject, binding_ns: str) -> str:
    if s.kind == "ServiceAccount":
        return f"ServiceAccount {s.namespace or binding_ns}/{s.name}"
    return f"{s.kind} {s.name}"


@cluster_rule(
    Rule(
        "rbac-cluster-admin-binding",
        WARN,
        "cluster",
        "security",
        "a ClusterRoleBinding grants `cluster-admin` (or a ClusterRole allowing every verb on every "
        "resource) to a subject outside kube-system (a service account of another namespace, or a "
        "user or group that is not one of the API server's own `system:` identities)",
        "cluster-admin can do anything to every object, Secrets and RBAC included: whoever holds "
        "that service account's token (any pod running as it) or that identity owns the cluster.",
        "Bind a role with only the verbs and resources needed (a Role in one namespace where "
        "possible), and keep cluster-admin for break-glass accounts.",
        polaris=("clusterrolebindingClusterAdmin",),
    ),
    reads=("clusterrolebindings",),
)
def rbac_cluster_admin_binding(ix: CrossIndex) -> CrossHits:
    roles = ix.snapshot.roles
    for b in ix.snapshot.bindings.values():
        if b.meta.kind != "ClusterRoleBinding" or b.role_kind != "ClusterRole":
            continue
        if b.role_name == CLUSTER_ADMIN:
            what = "cluster-admin"
        else:
            role = roles.get(ObjectKey("ClusterRole", "", b.role_name))
            if role is None or not any(_everything(r) for r in role.rules):
                continue
            what = f"every verb on every resource (ClusterRole {b.role_name})"
        outside = [_subject_text(s, "") for s in b.subjects if _outside_system(s, "")]
        if outside:
            yield b.meta.key, Hit(f"grants {what} to {', '.join(outside)}")


def _everything(rule: PolicyRule) -> bool:
    return not rule.resource_names and all("*" in x for x in (rule.api_groups, rule.resources, rule.verbs))


_EXEC = ("pods/exec", "pods/attach")


def dangerous_grants(rule: PolicyRule) -> list[str]:
    """What in one policy rule lets a pod's token take over more than its own work: `*` verbs,
    pods/exec or pods/attach, reading Secrets. Rules limited to resourceNames are left out."""
    if rule.resource_names:
        return []
    verbs, resources = set(rule.verbs), set(rule.resources)
    every = "*" in verbs
    core = not rule.api_groups or "" in rule.api_groups or "*" in rule.api_groups
    out: list[str] = []
    if every:
        out.append(f"every verb on {', '.join(sorted(resources)) or 'nothing'}")
    if core:
        for sub in _EXEC:
            if (sub in resources or "*" in resources or "pods/*" in resources) and (
                every or verbs & {"create", "get"}
            ):
                out.append(sub)
        if ("secrets" in resources or "*" in resources) and (every or verbs & {"get", "list", "watch"}):
            out.append(f"secrets {'/'.join(sorted(verbs & {'get', 'list', 'watch'}) or ['*'])}")
    return out


def _role_of(ix: CrossIndex, b: BindingRecord) -> RoleRecord | None:
    ns = b.meta.namespace if b.role_kind == "Role" else ""
    return ix.snapshot.roles.get(ObjectKey(b.role_kind, ns, b.role_name))


def _accounts(ix: CrossIndex) -> dict[tuple[str, str], list[ObjectKey]]:
    """(namespace, service account) -> the ordinary workloads (outside the system namespaces) and
    bare pods running as it; the account is "default" when the template names none."""
    out: dict[tuple[str, str], list[ObjectKey]] = {}
    for t in ix.targets:
        ns = t.key.namespace
        if ns not in SYSTEM_NAMESPACES:
            out.setdefault((ns, t.template.service_account or "default"), []).append(t.key)
    return out


def _bound(
    s: Subject, binding_ns: str, accounts: dict[tuple[str, str], list[ObjectKey]]
) -> Iterator[tuple[str, str]]:
    """The service accounts in use that a subject stands for (a group of all service accounts, or
    of one namespace's, included)."""
    if s.kind == "ServiceAccount":
        account = (s.namespace or binding_ns, s.name)
        if account in accounts:
            yield account
    elif s.kind == "User" and s.name.startswith("system:serviceaccount:"):
        parts = s.name.split(":")
        if len(parts) == 4 and (parts[2], parts[3]) in accounts:
            yield (parts[2], parts[3])
    elif s.kind == "Group" and s.name == "system:serviceaccounts":
        yield from accounts
    elif s.kind == "Group" and s.name.startswith("system:serviceaccounts:"):
        ns = s.name.split(":", 2)[2]
        yield from (a for a in accounts if a[0] == ns)


@cluster_rule(
    Rule(
        "rbac-workload-dangerous-grant",
        WARN,
        "cluster",
        "security",
        "a RoleBinding or ClusterRoleBinding gives a service account that ordinary workloads run as "
        "(outside kube-system) `*` verbs, pods/exec, pods/attach, or get/list/watch on Secrets",
        "Every pod running as that account carries its token: whoever gets code running in one of "
        "them can exec into other pods or read every Secret the role reaches, and move on from there.",
        "Give the workload its own service account with only what it calls (often nothing: then "
        "also `automountServiceAccountToken: false`), and keep exec and Secret reads for people.",
        polaris=(
            "clusterrolebindingPodExecAttach",
            "rolebindingClusterRolePodExecAttach",
            "rolebindingRolePodExecAttach",
        ),
    ),
    reads=("roles", "clusterroles", "rolebindings", "clusterrolebindings", *PODS),
)
def rbac_workload_dangerous_grant(ix: CrossIndex) -> CrossHits:
    accounts = _accounts(ix)
    if not accounts:
        return
    for b in ix.snapshot.bindings.values():
        role = _role_of(ix, b)
        if role is None:
            continue
        grants = list(dict.fromkeys(g for r in role.rules for g in dangerous_grants(r)))
        if not grants:
            continue
        ns = b.meta.namespace
        used = sorted({a for s in b.subjects for a in _bound(s, ns, accounts)})
        if not used:
            continue
        ans, name = used[0]
        runs = accounts[(ans, name)]
        first = runs[0]
        others = sum(len(accounts[a]) for a in used) - 1
        more = f" (and {others} more)" if others else ""
        yield (
            b.meta.key,
            Hit(
                f"grants {', '.join(grants)} (through {b.role_kind} {b.role_name}) to service account "
                f"{ans}/{name}, which {first.kind} {first.name} runs as{more}"
            ),
        )
