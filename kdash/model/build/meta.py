"""Object metadata, owner references and label selectors."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from types import MappingProxyType

from kdash.model.build._json import NO_DICT, d, i, lst, remember, s, shared_str_map, str_map
from kdash.model.build._records import new_meta, new_owner_ref
from kdash.model.meta import EMPTY, LabelSelector, Meta, OwnerRef, SelectorRequirement
from kdash.model.timefmt import parse_time

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
        found = tuple(new_owner_ref(_intern(kind), name, uid, ctl) for kind, name, uid, ctl in key)
        remember(_OWNERS, key, found)
    return found


def build_meta(obj: object, kind: str) -> Meta:
    """The metadata kdash keeps. `kind` comes from the caller: list items from a real API server carry none.

    managedFields and the last-applied-configuration annotation are dropped here, at parse time.
    Read with the checks of `_json` written out (`s`, `istr`, `t`): it runs once per object listed.
    """
    md = obj.get("metadata") if isinstance(obj, dict) else None
    if not isinstance(md, dict):
        md = NO_DICT
    get = md.get
    namespace, name, uid, version = get("namespace"), get("name"), get("uid"), get("resourceVersion")
    created = get("creationTimestamp")
    return new_meta(
        kind=_intern(kind) if isinstance(kind, str) else "",
        namespace=_intern(namespace) if isinstance(namespace, str) else "",
        name=name if isinstance(name, str) else "",
        uid=uid if isinstance(uid, str) else "",
        resource_version=version if isinstance(version, str) else "",
        created=None if created is None else parse_time(created),
        deleting=get("deletionTimestamp") is not None,
        labels=shared_str_map(get("labels")),
        annotations=_annotations(get("annotations")),
        owners=_owners(get("ownerReferences")),
        generation=i(get("generation")),
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
