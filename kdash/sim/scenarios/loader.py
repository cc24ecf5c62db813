"""Loading a scenario from a YAML file of manifests (multi-document, ``List`` kinds, status kept)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from kdash.sim.registry import Registry
from kdash.sim.resources import ResourceType
from kdash.sim.scenarios.base import Scenario, ScenarioError
from kdash.sim.scenarios.builders import base_cluster

JSON = dict[str, Any]


def _flatten(doc: Any, out: list[JSON]) -> None:
    if doc is None:
        return
    if not isinstance(doc, dict):
        raise ScenarioError("every YAML document must be a mapping (a Kubernetes object or a List)")
    if doc.get("kind") == "List" or str(doc.get("kind", "")).endswith("List") and "items" in doc:
        for item in doc.get("items") or []:
            _flatten(item, out)
        return
    out.append(doc)


def load_file(path: Path, now: datetime) -> Scenario:
    """Objects from ``path``; namespaces they use (and default/kube-system) are created if missing."""
    try:
        docs = list(yaml.safe_load_all(path.read_text("utf-8")))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read scenario file {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"scenario file {path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    objs: list[JSON] = []
    for doc in docs:
        _flatten(doc, objs)
    types = Registry()  # the file's CustomResourceDefinitions make their kinds loadable too
    for obj in objs:
        if obj.get("kind") == "CustomResourceDefinition":
            types.add_crd(obj)
    kinds: list[ResourceType] = []
    for obj in objs:
        kind = obj.get("kind")
        try:
            rt = types.for_object(obj) if isinstance(kind, str) and kind else None
        except KeyError:
            rt = None
        if rt is None or rt.kind != kind:
            raise ScenarioError(f"scenario file {path}: kind {kind!r} is not served by the simulator")
        if not (obj.get("metadata") or {}).get("name"):
            raise ScenarioError(f"scenario file {path}: a {kind} has no metadata.name")
        obj.setdefault("apiVersion", rt.api_version)
        kinds.append(rt)
    have = {o["metadata"]["name"] for o in objs if o["kind"] == "Namespace"}
    wanted = {"default", "kube-system"} | {
        str(o["metadata"].get("namespace") or "default")
        for o, rt in zip(objs, kinds, strict=True)
        if rt.namespaced
    }
    base = base_cluster(now, sorted(wanted - have), nodes=0 if any(o["kind"] == "Node" for o in objs) else 1)
    return Scenario(objects=base + objs)
