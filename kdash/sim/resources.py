"""The resource kinds the simulator serves, and the discovery documents describing them.

Everything is derived from aggregated discovery documents captured from a real kube-apiserver
(``data/aggregated-*.json``, already filtered to the served kinds), so verbs, short names,
categories and scope are exactly what kubectl expects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources as _res
from typing import Any

JSON = dict[str, Any]

#: Subresources advertised in discovery; the rest of the real server's list is not served.
_SUBRESOURCES = {"status", "log"}


@dataclass(frozen=True, slots=True)
class PrinterColumn:
    """One of a CRD version's ``additionalPrinterColumns``."""

    name: str
    type: str
    json_path: str
    priority: int = 0
    format: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One served resource (plural name) in one group/version."""

    plural: str
    kind: str
    group: str
    version: str
    namespaced: bool
    singular: str
    short_names: tuple[str, ...]
    #: Defined by a CustomResourceDefinition in the store (then ``columns`` are its printer columns).
    crd: bool = False
    columns: tuple[PrinterColumn, ...] = ()
    categories: tuple[str, ...] = ()
    #: Served by an aggregated API server (metrics.k8s.io), not the store: its plural may repeat a
    #: built-in one ("pods"), so it is keyed like a CRD.
    aggregated: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> str:
        """The store's name for it: the plural for built-in kinds, ``plural.group`` for CRDs (a CRD
        may reuse a built-in plural in its own group)."""
        return f"{self.plural}.{self.group}" if self.crd or self.aggregated else self.plural

    @property
    def list_kind(self) -> str:
        return self.kind + "List"


def _load(name: str) -> JSON:
    data: JSON = json.loads(_res.files("kdash.sim").joinpath("data", name).read_text("utf-8"))
    return data


@cache
def aggregated_core() -> JSON:
    """Aggregated discovery document for ``/api``."""
    return _strip_subresources(_load("aggregated-api.json"))


@cache
def aggregated_groups() -> JSON:
    """Aggregated discovery document for ``/apis``."""
    return _strip_subresources(_load("aggregated-apis.json"))


def _strip_subresources(doc: JSON) -> JSON:
    for item in doc["items"]:
        for ver in item["versions"]:
            for res in ver["resources"]:
                subs = [s for s in res.get("subresources") or [] if s["subresource"] in _SUBRESOURCES]
                if subs:
                    res["subresources"] = subs
                else:
                    res.pop("subresources", None)
    return doc


@cache
def version_info() -> JSON:
    return _load("version.json")


@cache
def resource_types() -> dict[str, ResourceType]:
    """All served resources keyed by plural name (plurals are unique among served kinds)."""
    out: dict[str, ResourceType] = {}
    for doc, is_core in ((aggregated_core(), True), (aggregated_groups(), False)):
        for item in doc["items"]:
            group = "" if is_core else item["metadata"]["name"]
            for ver in item["versions"]:
                for res in ver["resources"]:
                    out[res["resource"]] = ResourceType(
                        plural=res["resource"],
                        kind=res["responseKind"]["kind"],
                        group=group,
                        version=ver["version"],
                        namespaced=res["scope"] == "Namespaced",
                        singular=res.get("singularResource", ""),
                        short_names=tuple(res.get("shortNames") or ()),
                        categories=tuple(res.get("categories") or ()),
                    )
    return out


@cache
def by_kind() -> dict[str, ResourceType]:
    """Served resources keyed by Kind (e.g. ``Pod``), for loading manifests."""
    return {rt.kind: rt for rt in resource_types().values()}


def lookup(kind_or_plural: str) -> ResourceType:
    """Resolve a plural, singular, short name or Kind; raise KeyError when not served."""
    types = resource_types()
    if kind_or_plural in types:
        return types[kind_or_plural]
    low = kind_or_plural.lower()
    for rt in types.values():
        if low in (rt.singular, rt.kind.lower()) or low in rt.short_names:
            return rt
    raise KeyError(f"unknown resource kind {kind_or_plural!r}")


def find(group: str, version: str, plural: str) -> ResourceType | None:
    rt = resource_types().get(plural)
    if rt is None or rt.group != group or rt.version != version:
        return None
    return rt


def group_versions(groups_doc: JSON | None = None) -> dict[str, list[str]]:
    """Served API groups (excluding core) and their versions, preferred first."""
    out: dict[str, list[str]] = {}
    for item in (groups_doc or aggregated_groups())["items"]:
        out[item["metadata"]["name"]] = [v["version"] for v in item["versions"]]
    return out


def api_versions_doc(server_address: str) -> JSON:
    """``GET /api``."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def api_group_list_doc(groups_doc: JSON | None = None) -> JSON:
    """``GET /apis`` (legacy, non-aggregated form)."""
    groups = []
    for name, versions in group_versions(groups_doc).items():
        gvs = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
        groups.append({"name": name, "versions": gvs, "preferredVersion": gvs[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group_doc(group: str, groups_doc: JSON | None = None) -> JSON | None:
    """``GET /apis/<group>``."""
    versions = group_versions(groups_doc).get(group)
    if versions is None:
        return None
    gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": gvs,
        "preferredVersion": gvs[0],
    }


def resource_list_doc(group: str, version: str, groups_doc: JSON | None = None) -> JSON | None:
    """``GET /api/v1`` or ``/apis/<group>/<version>`` as an APIResourceList."""
    doc = aggregated_core() if group == "" else (groups_doc or aggregated_groups())
    for item in doc["items"]:
        if group and item["metadata"]["name"] != group:
            continue
        for ver in item["versions"]:
            if ver["version"] != version:
                continue
            resources: list[JSON] = []
            for res in ver["resources"]:
                entry: JSON = {
                    "name": res["resource"],
                    "singularName": res.get("singularResource", ""),
                    "namespaced": res["scope"] == "Namespaced",
                    "kind": res["responseKind"]["kind"],
                    "verbs": res["verbs"],
                }
                if res.get("shortNames"):
                    entry["shortNames"] = res["shortNames"]
                if res.get("categories"):
                    entry["categories"] = res["categories"]
                resources.append(entry)
                for sub in res.get("subresources") or []:
                    resources.append(
                        {
                            "name": f"{res['resource']}/{sub['subresource']}",
                            "singularName": "",
                            "namespaced": res["scope"] == "Namespaced",
                            "kind": sub["responseKind"]["kind"],
                            "verbs": sub["verbs"],
                        }
                    )
            resources.sort(key=lambda r: r["name"])
            gv = f"{group}/{version}" if group else version
            return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}
    return None
