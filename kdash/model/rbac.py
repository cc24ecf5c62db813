"""Roles, ClusterRoles and their bindings, as the RBAC rules read them (read only, never changed)."""

from __future__ import annotations

from dataclasses import dataclass

from kdash.model.meta import Meta


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """One rule of a Role or ClusterRole; `*` in any field means every value."""

    api_groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RoleRecord:
    """A Role (namespaced) or ClusterRole (namespace ""); `meta.kind` tells them apart."""

    meta: Meta
    rules: tuple[PolicyRule, ...] = ()


@dataclass(frozen=True, slots=True)
class Subject:
    """Who a binding grants to: kind is ServiceAccount, User or Group; namespace for ServiceAccounts."""

    kind: str
    name: str
    namespace: str = ""


@dataclass(frozen=True, slots=True)
class BindingRecord:
    """A RoleBinding or ClusterRoleBinding (`meta.kind`); `role_kind` is Role or ClusterRole."""

    meta: Meta
    role_kind: str = ""
    role_name: str = ""
    subjects: tuple[Subject, ...] = ()
