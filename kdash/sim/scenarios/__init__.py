"""Built-in scenarios (``demo``, ``big``, ``empty``) and YAML manifest files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kdash.sim.logs import Line, LogKey

JSON = dict[str, Any]


class ScenarioError(ValueError):
    """A scenario that cannot be loaded; the message is one sentence for the user."""


@dataclass
class Scenario:
    """Initial objects (full dicts with kind/apiVersion) and scripted container logs."""

    objects: list[JSON] = field(default_factory=list)
    #: (namespace, pod, container) -> (current lines, previous instance lines or None)
    logs: dict[LogKey, tuple[list[Line], list[Line] | None]] = field(default_factory=dict)
    metrics: bool = False


def build_scenario(name: str, *, pods: int, now: datetime) -> Scenario:
    """Build ``demo``, ``big``, ``empty`` or load a YAML file path."""
    if name == "empty":
        from kdash.sim.scenarios.builders import base_cluster

        return Scenario(objects=base_cluster(now, ["default", "kube-system"], nodes=1))
    if name == "demo":
        from kdash.sim.scenarios.demo import build_demo

        return build_demo(now)
    if name == "big":
        from kdash.sim.scenarios.big import build_big

        return build_big(now, pods)
    from kdash.sim.scenarios.loader import load_file

    path = Path(name)
    if not path.exists():
        raise ScenarioError(f"scenario {name!r} is neither demo, big, empty nor an existing file")
    return load_file(path, now)
