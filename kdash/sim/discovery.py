"""Discovery documents under the discovery faults: a server without aggregated discovery, and group
versions whose APIService is unavailable (``broken-discovery=metrics.k8s.io/v1beta1``).

A broken group version stays listed in ``/apis`` (its APIService is registered), carries
``"freshness": "Stale"`` and no resources in aggregated discovery, and answers 503 at
``/apis/<group>/<version>`` and below, as a real server does while the backing service is down.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kdash.sim import resources
from kdash.sim.faults import Faults
from kdash.sim.registry import Registry, version_priority

JSON = dict[str, Any]
#: The version a broken group that is not otherwise served is listed with.
DEFAULT_VERSION = "v1beta1"


def is_broken(faults: Faults, group: str, version: str) -> bool:
    return bool(group) and (
        group in faults.broken_discovery or f"{group}/{version}" in faults.broken_discovery
    )


def _broken_versions(faults: Faults, served: dict[str, list[str]]) -> dict[str, list[str]]:
    """group -> its broken versions (a bare group: all of its served ones, or DEFAULT_VERSION)."""
    out: dict[str, list[str]] = {}
    for item in sorted(faults.broken_discovery):
        group, _, version = item.partition("/")
        versions = [version] if version else served.get(group) or [DEFAULT_VERSION]
        for v in versions:
            if v not in out.setdefault(group, []):
                out[group].append(v)
    return out


def aggregated_groups(types: Registry, faults: Faults, extra: Sequence[JSON] = ()) -> JSON:
    """``/apis`` in aggregated form; `extra` are groups of aggregated API servers (metrics.k8s.io),
    listed after the built-in and CRD groups as their low APIService priority puts them."""
    doc = types.aggregated_groups()
    if extra:
        doc = {**doc, "items": [*doc["items"], *extra]}
    if not faults.broken_discovery:
        return doc
    served = {i["metadata"]["name"]: [v["version"] for v in i["versions"]] for i in doc["items"]}
    broken = _broken_versions(faults, served)
    items = []
    for item in doc["items"]:
        name = item["metadata"]["name"]
        gone = broken.pop(name, [])
        versions = [v for v in item["versions"] if v["version"] not in gone]
        versions += [{"version": v, "freshness": "Stale"} for v in gone]
        versions.sort(key=lambda v: version_priority(v["version"]), reverse=True)
        items.append({**item, "versions": versions})
    for name, gone in broken.items():  # an APIService of a group nothing else serves
        items.append(
            {"metadata": {"name": name}, "versions": [{"version": v, "freshness": "Stale"} for v in gone]}
        )
    return {**doc, "items": items}


def _legacy_groups(types: Registry, faults: Faults, extra: Sequence[JSON]) -> dict[str, list[str]]:
    doc = aggregated_groups(types, faults, extra)
    return {i["metadata"]["name"]: [v["version"] for v in i["versions"]] for i in doc["items"]}


def api_group_list(types: Registry, faults: Faults, extra: Sequence[JSON] = ()) -> JSON:
    if not faults.broken_discovery:
        if extra:
            return resources.api_group_list_doc(aggregated_groups(types, faults, extra))
        return types.api_group_list_doc()
    groups = []
    for name, versions in _legacy_groups(types, faults, extra).items():
        gvs = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
        groups.append({"name": name, "versions": gvs, "preferredVersion": gvs[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(types: Registry, faults: Faults, group: str, extra: Sequence[JSON] = ()) -> JSON | None:
    versions = _legacy_groups(types, faults, extra).get(group) if faults.broken_discovery else None
    if versions is None:
        if extra:
            return resources.api_group_doc(group, aggregated_groups(types, faults, extra))
        return types.api_group_doc(group)
    gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": gvs,
        "preferredVersion": gvs[0],
    }


def resource_list(types: Registry, group: str, version: str, extra: Sequence[JSON] = ()) -> JSON | None:
    """``/apis/<group>/<version>`` as an APIResourceList (the extra groups' too)."""
    for item in extra:
        if item["metadata"]["name"] == group:
            return resources.resource_list_doc(group, version, {"items": [item]})
    return types.resource_list_doc(group, version)
