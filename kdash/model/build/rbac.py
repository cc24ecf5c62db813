"""Roles, ClusterRoles, RoleBindings and ClusterRoleBindings (kdash.model.rbac)."""

from __future__ import annotations

from kdash.model.build._json import d, istr, lst, s
from kdash.model.build.meta import build_meta
from kdash.model.rbac import BindingRecord, PolicyRule, RoleRecord, Subject


def _strs(x: object) -> tuple[str, ...]:
    return tuple(v for v in lst(x) if isinstance(v, str))


def _role(obj: object, kind: str) -> RoleRecord:
    raw = d(obj)
    rules = tuple(
        PolicyRule(
            _strs(r.get("apiGroups")),
            _strs(r.get("resources")),
            _strs(r.get("verbs")),
            _strs(r.get("resourceNames")),
        )
        for r in lst(raw.get("rules"))
        if isinstance(r, dict)
    )
    return RoleRecord(meta=build_meta(raw, kind), rules=rules)


def build_role(obj: object) -> RoleRecord:
    return _role(obj, "Role")


def build_cluster_role(obj: object) -> RoleRecord:
    """A ClusterRole; an aggregated one carries the rules the controller copied into it."""
    return _role(obj, "ClusterRole")


def _binding(obj: object, kind: str) -> BindingRecord:
    raw = d(obj)
    meta = build_meta(raw, kind)
    ref = d(raw.get("roleRef"))
    subjects = tuple(
        Subject(istr(x.get("kind")), s(x.get("name")), s(x.get("namespace")))
        for x in lst(raw.get("subjects"))
        if isinstance(x, dict)
    )
    return BindingRecord(
        meta=meta, role_kind=istr(ref.get("kind")), role_name=s(ref.get("name")), subjects=subjects
    )


def build_role_binding(obj: object) -> BindingRecord:
    return _binding(obj, "RoleBinding")


def build_cluster_role_binding(obj: object) -> BindingRecord:
    return _binding(obj, "ClusterRoleBinding")
