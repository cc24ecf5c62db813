"""Built-in scenarios (``demo``, ``big``, ``empty``) and YAML manifest files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kdash.sim.scenarios.base import Scenario, ScenarioError
from kdash.sim.scenarios.big import build_big
from kdash.sim.scenarios.builders import base_cluster
from kdash.sim.scenarios.demo import build_demo
from kdash.sim.scenarios.loader import load_file

__all__ = ["Scenario", "ScenarioError", "build_scenario"]


def build_scenario(name: str, *, pods: int, now: datetime) -> Scenario:
    """Build ``demo``, ``big``, ``empty`` or load a YAML file path."""
    if name == "empty":
        return Scenario(objects=base_cluster(now, ["default", "kube-system"], nodes=1))
    if name == "demo":
        return build_demo(now)
    if name == "big":
        return build_big(now, pods)
    path = Path(name)
    if not path.exists():
        raise ScenarioError(f"scenario {name!r} is neither demo, big, empty nor an existing file")
    return load_file(path, now)
