"""The `Scenario` type and its error, apart from the package so the scenario builders can import
them without importing the package that dispatches to those builders."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    #: Serve metrics.k8s.io (kdash.sim.metrics); the two below shape what it reports.
    metrics: bool = False
    #: The container whose memory creeps to its limit until the engine OOMKills it.
    creep: LogKey | None = None
    #: (namespace, deployment) pairs whose pods use about a tenth of their requests.
    wasteful: frozenset[tuple[str, str]] = frozenset()
    #: The containers the behaviour engine gives live logs; None lets it pick running ones itself.
    live_logs: frozenset[LogKey] | None = None
