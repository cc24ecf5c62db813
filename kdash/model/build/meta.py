"""Object metadata, owner references and label selectors."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from types import MappingProxyType

from kdash.model.build._json import d, i, istr, lst, remember, s, shared_str_map, str_map, t
from kdash.model.meta import EMPTY, LabelSelector, Meta, OwnerRef, SelectorRequirement

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_intern = sys.intern


def _annotations(x: object) -> Mapping[str, str]:
    """Annotations without last-applied-configuration, which often weighs more than the rest of the object."""
    if not isinstance(x, dict) or not x:
        return EMPTY
    out = {k: v for k, v in x.items() if k != LAST_APPLIED and isinstance(k, str) and isinstance(v, str)}
    return MappingProxyType(out) if out else EMPTY


# The pods of one ReplicaSet (Job, DaemonSet ...) carry the same owner references: share them.
_OWNERS: dict[tuple[tuple[str, str, str, bool], ...], tuple[OwnerRef, ...]] = {}


def _owners(x: object) -> tuple[OwnerRef, ...]:
    refs = lst(x)
    if not refs:
        return ()
    key = tuple(
        (s(ref.get("kind")), s(ref.get("name")), s(ref.get("uid")), ref.get("controller") is True)
        for ref in refs
        if isinstance(ref, dict)
    )
    found = _OWNERS.get(key)
    if found is None:
        found = tuple(OwnerRef(_intern(kind), name, uid, ctl) for kind, name, uid, ctl in key)
        remember(_OWNERS, key, found)
    return found


def build_meta(obj: object, kind: str) -> Meta:
    """The metadata kdash keeps. `kind` comes from the caller: list items from a real API server carry none.

    managedFields and the last-applied-configuration annotation are dropped here, at parse time.
    """
    md = d(d(obj).get("metadata"))
    return Meta(
        kind=_intern(kind) if isinstance(kind, str) else "",
        namespace=istr(md.get("namespace")),
        name=s(md.get("name")),
        uid=s(md.get("uid")),
        resource_version=s(md.get("resourceVersion")),
        created=t(md.get("creationTimestamp")),
        deleting=md.get("deletionTimestamp") is not None,
        labels=shared_str_map(md.get("labels")),
        annotations=_annotations(md.get("annotations")),
        owners=_owners(md.get("ownerReferences")),
        generation=i(md.get("generation")),
    )


def build_selector(x: object) -> LabelSelector:
    """A metav1.LabelSelector (matchLabels + matchExpressions)."""
    sel = d(x)
    if not sel:
        return LabelSelector()
    exprs: list[SelectorRequirement] = []
    for e in lst(sel.get("matchExpressions")):
        if isinstance(e, dict):
            values = tuple(v for v in lst(e.get("values")) if isinstance(v, str))
            exprs.append(SelectorRequirement(s(e.get("key")), s(e.get("operator")), values))
    return LabelSelector(str_map(sel.get("matchLabels")), tuple(exprs))
