"""Health rules and scoring: cluster records in, findings and scores out (pure; no I/O, no clock).

The Health pane, the colouring of every pane and `kdash check` all call `evaluate()`. Rule
metadata is in `RULES`; the score formula is in `kdash.health.scoring` and docs/health.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kdash.health import (
    rules_cross,
    rules_cross_workloads,
    rules_object,
    rules_rbac,
    rules_reliability,
    rules_runtime,
    rules_scaling,
    rules_security,
    rules_spec,
    rules_usage,
)
from kdash.health.config import DEFAULT_REQUIRED_ANNOTATIONS, HealthConfig, check_rule_ids, split_ids
from kdash.health.context import CrashLogs
from kdash.health.evaluate import HealthReport, evaluate
from kdash.health.registry import RULES as _RULES
from kdash.health.registry import Rule
from kdash.health.scoring import PENALTY, grade_for

_ = (
    rules_spec,
    rules_object,
    rules_runtime,
    rules_scaling,
    rules_usage,
    rules_security,
    rules_reliability,
    rules_cross,
    rules_cross_workloads,
    rules_rbac,
)  # registrations

CATEGORIES = ("probes", "images", "resources", "metadata", "lifecycle", "workloads", "runtime", "usage",
              "autoscaling", "quotas", "security", "networking")  # fmt: skip
RULES: Mapping[str, Rule] = MappingProxyType(
    {r.id: r for r in sorted(_RULES.values(), key=lambda r: CATEGORIES.index(r.category))}
)  # id -> metadata, in documentation order

__all__ = [
    "CATEGORIES",
    "CrashLogs",
    "DEFAULT_REQUIRED_ANNOTATIONS",
    "PENALTY",
    "RULES",
    "HealthConfig",
    "HealthReport",
    "Rule",
    "check_rule_ids",
    "evaluate",
    "grade_for",
    "split_ids",
]
