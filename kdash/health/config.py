"""Health settings: which rules run and their thresholds (the `[health]` table of config.toml)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from difflib import get_close_matches
from typing import Any

from kdash.health.rule import RULES  # full once the package (and so every rule module) has loaded

# Each inner tuple is a group of alternatives (case-insensitive shell patterns on annotation keys):
# an object must carry at least one key of every group.
DEFAULT_REQUIRED_ANNOTATIONS: tuple[tuple[str, ...], ...] = (
    ("description", "*/description"),
    ("owner", "*/owner", "team", "*/team", "contact", "*/contact", "*/maintainer"),
)


@dataclass(frozen=True, slots=True)
class HealthConfig:
    """Rule selection and thresholds. `only`, when set, runs just those rules (and can switch on a
    rule that is off by default); `disabled` always wins."""

    disabled: frozenset[str] = frozenset()
    only: frozenset[str] | None = None
    restarts_threshold: int = 5
    pending_minutes: float = 5
    not_ready_minutes: float = 5
    quota_warn: float = 80
    quota_error: float = 95
    # usage rules (metrics.k8s.io): percent of a container's limit, and right-sizing
    usage_memory_warn: float = 80
    usage_memory_error: float = 90
    usage_cpu_limit: float = 95
    rightsizing_minutes: float = 30  # usage history needed before requests are judged
    rightsizing_factor: float = 3  # a request at least this many times the p95 is oversized
    rightsizing_headroom: float = 1.2  # suggested request = p95 x this, rounded up
    required_annotations: tuple[tuple[str, ...], ...] = DEFAULT_REQUIRED_ANNOTATIONS
    show_ignored: bool = False

    def __post_init__(self) -> None:
        _validate(self)

    def is_enabled(self, rule_id: str, default_enabled: bool = True) -> bool:
        if rule_id in self.disabled:
            return False
        if self.only is not None:
            return rule_id in self.only
        return default_enabled

    @classmethod
    def from_mapping(cls, d: Mapping[str, Any]) -> HealthConfig:
        """Build from a config table; keys may use `-` or `_`. Raises ValueError naming the bad key."""
        names = {f.name for f in fields(cls)} | {"disable"}
        values: dict[str, Any] = {}
        for raw_key, value in d.items():
            key = str(raw_key).replace("-", "_")
            if key not in names:
                match = get_close_matches(key, names, n=1)
                hint = f"did you mean {match[0]!r}?" if match else f"known: {', '.join(sorted(names))}"
                raise ValueError(f"unknown setting {raw_key!r} in [health]; {hint}")
            values["disabled" if key == "disable" else key] = _coerce(key, value)
        for key in ("disabled", "only"):
            if values.get(key) is not None:
                check_rule_ids(values[key], f"health.{key}")
        return cls(**values)


def check_rule_ids(ids: Iterable[str], where: str) -> None:
    """Raise ValueError if any id is not a known rule (a typo would silently disable nothing)."""
    unknown = sorted(set(ids) - set(RULES))
    if unknown:
        near = [m for rule in unknown for m in get_close_matches(rule, RULES, n=1)]
        hint = f"did you mean {', '.join(near)}?" if near else "see docs/rules.md for the list"
        raise ValueError(f"{where}: unknown rule(s) {', '.join(unknown)}; {hint}")


def split_ids(value: str | Iterable[str]) -> frozenset[str]:
    """'a,b' or ['a', 'b,c'] -> {'a', 'b', 'c'}."""
    parts = [value] if isinstance(value, str) else list(value)
    return frozenset(p.strip() for part in parts for p in str(part).split(",") if p.strip())


_NUMBERS = frozenset(
    {
        "pending_minutes",
        "not_ready_minutes",
        "quota_warn",
        "quota_error",
        "usage_memory_warn",
        "usage_memory_error",
        "usage_cpu_limit",
        "rightsizing_minutes",
        "rightsizing_factor",
        "rightsizing_headroom",
    }
)


def _coerce(key: str, value: Any) -> Any:
    if key in ("disabled", "disable", "only"):
        if not isinstance(value, str | list | tuple):
            raise ValueError(f"health.{key}: expected a list of rule ids, got {value!r}")
        return split_ids(value)
    if key == "restarts_threshold":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"health.{key}: expected a whole number, got {value!r}")
        return value
    if key in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"health.{key}: expected a number, got {value!r}")
        return float(value)
    if key == "show_ignored":
        if not isinstance(value, bool):
            raise ValueError(f"health.{key}: expected true or false, got {value!r}")
        return value
    return _annotation_groups(value)


def _annotation_groups(value: Any) -> tuple[tuple[str, ...], ...]:
    """["owner", ["description", "*/description"]] -> (("owner",), ("description", "*/description"))."""
    if not isinstance(value, list | tuple):
        raise ValueError(f"health.required_annotations: expected a list, got {value!r}")
    groups: list[tuple[str, ...]] = []
    for group in value:
        alts = [group] if isinstance(group, str) else group
        if not isinstance(alts, list | tuple) or not alts or not all(isinstance(a, str) and a for a in alts):
            raise ValueError(
                f"health.required_annotations: each entry must be a key or a list of keys, got {group!r}"
            )
        groups.append(tuple(alts))
    return tuple(groups)


def _validate(cfg: HealthConfig) -> None:
    if cfg.restarts_threshold < 1:
        raise ValueError(f"health.restarts_threshold must be at least 1, got {cfg.restarts_threshold}")
    for name in ("pending_minutes", "not_ready_minutes"):
        if getattr(cfg, name) < 0:
            raise ValueError(f"health.{name} must not be negative, got {getattr(cfg, name)}")
    if not 0 < cfg.quota_warn <= 100 or not 0 < cfg.quota_error <= 100:
        raise ValueError("health.quota_warn and health.quota_error must be percentages in (0, 100]")
    if cfg.quota_warn > cfg.quota_error:
        raise ValueError(
            f"health.quota_warn ({cfg.quota_warn}) must not exceed health.quota_error ({cfg.quota_error})"
        )
    _validate_usage(cfg)


def _validate_usage(cfg: HealthConfig) -> None:
    for name in ("usage_memory_warn", "usage_memory_error", "usage_cpu_limit"):
        if not 0 < getattr(cfg, name) <= 100:
            raise ValueError(f"health.{name} must be a percentage in (0, 100], got {getattr(cfg, name)}")
    if cfg.usage_memory_warn > cfg.usage_memory_error:
        raise ValueError(
            f"health.usage_memory_warn ({cfg.usage_memory_warn}) must not exceed "
            f"health.usage_memory_error ({cfg.usage_memory_error})"
        )
    if cfg.rightsizing_minutes < 0:
        raise ValueError(f"health.rightsizing_minutes must not be negative, got {cfg.rightsizing_minutes}")
    if cfg.rightsizing_factor <= 1:
        raise ValueError(f"health.rightsizing_factor must be above 1, got {cfg.rightsizing_factor}")
    if cfg.rightsizing_headroom < 1:
        raise ValueError(f"health.rightsizing_headroom must be at least 1, got {cfg.rightsizing_headroom}")
