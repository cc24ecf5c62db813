"""The kinds one simulator serves: the built-in ones plus those its CustomResourceDefinitions add.

Each store owns a `Registry`. Putting a CustomResourceDefinition into the store registers its
group, served versions and plural (with the CRD's short names, categories, scope and
``additionalPrinterColumns``); deleting it unregisters them. Discovery documents and request routing
read the registry, so a CRD appears in ``/apis`` and is served (get, list, watch, Table) the moment
it is stored, as on a real server once the CRD is established.
"""

from __future__ import annotations

import re
from typing import Any

from kdash.sim import resources
from kdash.sim.resources import PrinterColumn, ResourceType

JSON = dict[str, Any]
CRD_PLURAL = "customresourcedefinitions"
#: The verbs a real apiextensions-apiserver lists for a custom resource, in its order.
CRD_VERBS = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"]
_KUBE_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(version: str) -> tuple[int, int, int, str]:
    """Sort key (highest first) of Kubernetes' version priority: GA, then beta, then alpha, each by
    major then minor number; versions that are not Kubernetes-like come last."""
    m = _KUBE_VERSION.match(version)
    if m is None:
        return (0, 0, 0, version)
    level = {"alpha": 1, "beta": 2}.get(m.group(2) or "", 3)
    return (level, int(m.group(1)), int(m.group(3) or 0), "")


def _columns(version: JSON) -> tuple[PrinterColumn, ...]:
    cols = []
    for col in version.get("additionalPrinterColumns") or []:
        if not isinstance(col, dict) or not col.get("name") or not col.get("jsonPath"):
            continue
        cols.append(
            PrinterColumn(
                name=str(col["name"]),
                type=str(col.get("type") or "string"),
                json_path=str(col["jsonPath"]),
                priority=int(col.get("priority") or 0),
                format=str(col.get("format") or ""),
                description=str(col.get("description") or ""),
            )
        )
    return tuple(cols)


def crd_types(crd: JSON) -> list[ResourceType]:
    """The served versions of ``crd`` as resource types, preferred version first."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group, plural, kind = (
        str(spec.get("group") or ""),
        str(names.get("plural") or ""),
        str(names.get("kind") or ""),
    )
    if not (group and plural and kind):
        return []
    served = [
        v
        for v in spec.get("versions") or []
        if isinstance(v, dict) and v.get("served", True) and v.get("name")
    ]
    served.sort(key=lambda v: version_priority(str(v["name"])), reverse=True)
    return [
        ResourceType(
            plural=plural,
            kind=kind,
            group=group,
            version=str(v["name"]),
            namespaced=spec.get("scope", "Namespaced") == "Namespaced",
            singular=str(names.get("singular") or kind.lower()),
            short_names=tuple(names.get("shortNames") or ()),
            crd=True,
            columns=_columns(v),
            categories=tuple(names.get("categories") or ()),
        )
        for v in served
    ]


def _has_status(crd: JSON, version: str) -> bool:
    for v in (crd.get("spec") or {}).get("versions") or []:
        if isinstance(v, dict) and v.get("name") == version:
            return "status" in (v.get("subresources") or {})
    return False


def _discovery_entry(rt: ResourceType, status: bool) -> JSON:
    kind = {"group": rt.group, "version": rt.version, "kind": rt.kind}
    entry: JSON = {
        "resource": rt.plural,
        "responseKind": kind,
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular,
        "verbs": list(CRD_VERBS),
    }
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    if rt.categories:
        entry["categories"] = list(rt.categories)
    if status:
        entry["subresources"] = [
            {"subresource": "status", "responseKind": kind, "verbs": ["get", "patch", "update"]}
        ]
    return entry


class Registry:
    """Built-in resource types plus the CRD-defined ones of one store."""

    def __init__(self) -> None:
        #: CRD name -> (its served versions' types, preferred first; which versions have /status).
        self._crds: dict[str, tuple[list[ResourceType], set[str]]] = {}
        self._groups_doc: JSON | None = None

    # ---- CRDs --------------------------------------------------------------------------

    def add_crd(self, crd: JSON) -> None:
        name = str((crd.get("metadata") or {}).get("name") or "")
        types = crd_types(crd)
        builtin = {(rt.group, rt.plural) for rt in resources.resource_types().values()}
        if not types or (types[0].group, types[0].plural) in builtin:
            self._crds.pop(name, None)  # a CRD may not shadow a built-in resource
        else:
            self._crds[name] = (types, {rt.version for rt in types if _has_status(crd, rt.version)})
        self._groups_doc = None

    def remove_crd(self, name: str) -> ResourceType | None:
        """Forget the CRD ``name``; returns its preferred type (whose objects are now orphans)."""
        gone = self._crds.pop(name, None)
        self._groups_doc = None
        return gone[0][0] if gone else None

    def custom_types(self) -> list[ResourceType]:
        """The preferred version of every registered CRD."""
        return [types[0] for types, _ in self._crds.values()]

    # ---- resolving ---------------------------------------------------------------------

    def find(self, group: str, version: str, plural: str) -> ResourceType | None:
        """The type served at ``/apis/<group>/<version>/<plural>`` (None when nothing is)."""
        rt = resources.find(group, version, plural)
        if rt is not None:
            return rt
        for types, _ in self._crds.values():
            for t in types:
                if t.plural == plural and t.group == group and t.version == version:
                    return t
        return None

    def lookup(self, kind_or_plural: str) -> ResourceType:
        """A plural, singular, short name, Kind or ``plural.group``; KeyError when not served."""
        try:
            return resources.lookup(kind_or_plural)
        except KeyError:
            pass
        low = kind_or_plural.lower()
        for rt in self.custom_types():
            names = (rt.plural, rt.singular, rt.kind.lower(), f"{rt.plural}.{rt.group}", *rt.short_names)
            if kind_or_plural in names or low in names:
                return rt
        raise KeyError(f"unknown resource kind {kind_or_plural!r}")

    def for_object(self, obj: JSON) -> ResourceType:
        """The type a full object (with kind and apiVersion) is stored as."""
        kind = str(obj.get("kind", ""))
        if self._crds:
            api_version = str(obj.get("apiVersion") or "")
            group = api_version.split("/", 1)[0] if "/" in api_version else ""
            for rt in self.custom_types():
                if rt.kind == kind and rt.group == group:
                    return rt
        return resources.by_kind().get(kind) or self.lookup(kind)

    # ---- discovery ---------------------------------------------------------------------

    def aggregated_groups(self) -> JSON:
        """``/apis`` in aggregated form: the built-in groups, then the CRDs' (merged by group)."""
        if self._groups_doc is not None:
            return self._groups_doc
        base = resources.aggregated_groups()
        if not self._crds:
            self._groups_doc = base
            return base
        items: list[JSON] = [
            {**item, "versions": [{**v, "resources": list(v["resources"])} for v in item["versions"]]}
            for item in base["items"]
        ]
        by_group = {item["metadata"]["name"]: item for item in items}
        for name in sorted(self._crds, key=lambda n: (self._crds[n][0][0].group, n)):
            types, status = self._crds[name]
            item = by_group.get(types[0].group)
            if item is None:
                item = by_group[types[0].group] = {"metadata": {"name": types[0].group}, "versions": []}
                items.append(item)
            for rt in types:
                ver = next((v for v in item["versions"] if v["version"] == rt.version), None)
                if ver is None:
                    ver = {"version": rt.version, "resources": [], "freshness": "Current"}
                    item["versions"].append(ver)
                ver["resources"].append(_discovery_entry(rt, rt.version in status))
                ver["resources"].sort(key=lambda r: r["resource"])
            item["versions"].sort(key=lambda v: version_priority(v["version"]), reverse=True)
        self._groups_doc = {**base, "items": items}
        return self._groups_doc

    def api_group_list_doc(self) -> JSON:
        return resources.api_group_list_doc(self.aggregated_groups())

    def api_group_doc(self, group: str) -> JSON | None:
        return resources.api_group_doc(group, self.aggregated_groups())

    def resource_list_doc(self, group: str, version: str) -> JSON | None:
        return resources.resource_list_doc(group, version, self.aggregated_groups())
