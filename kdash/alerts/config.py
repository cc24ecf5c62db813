"""Alert settings: which conditions fire and their thresholds (the `[alerts]` table of config.toml).

Checked once when the file is read (kdash/config.py calls `AlertsConfig.from_mapping`), so a typo
such as `pending_minute = 5` stops kdash with one sentence naming the key and the nearest known one,
never silently keeps the default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from difflib import get_close_matches
from typing import Any

# Every condition the engine knows, in the order the Alerts screen explains them.
CONDITIONS: tuple[str, ...] = (
    "CrashLoopBackOff",
    "OOMKilled",
    "RestartJump",
    "ImagePull",
    "PodPending",
    "PodUnready",
    "RolloutStuck",
    "HpaAtMax",
    "QuotaNearLimit",
    "NodeNotReady",
)


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    """Thresholds (minutes, counts, percent) and switches; every field has a default."""

    disable: frozenset[str] = frozenset()
    """Conditions that never fire (names as in CONDITIONS)."""
    restart_jump: int = 3
    """RestartJump: this many restarts of one container ..."""
    restart_window_minutes: float = 10
    """... within this many minutes."""
    pending_minutes: float = 5
    """PodPending: Pending this long after creation."""
    unready_minutes: float = 5
    """PodUnready: Running but not Ready this long."""
    crashloop_clear_minutes: float = 5
    """CrashLoopBackOff resolves once the container has run this long without crashing: between
    back-offs a crash-looping container runs (even Ready) for seconds, which is not a recovery."""
    hpa_max_minutes: float = 10
    """HpaAtMax: at maxReplicas this long (ScalingLimited/TooManyReplicas fires at once)."""
    quota_percent: float = 95
    """QuotaNearLimit: a resource used at or above this percentage of its hard limit."""
    resolved_keep: int = 100
    """Recently resolved alerts kept for the Alerts screen (oldest dropped first) ..."""
    resolved_minutes: float = 60
    """... and for at most this long."""
    bell: bool = False
    """Ring the terminal bell on each new error alert (also `kdash --bell`)."""
    notify: bool = False
    """Desktop notification for each new alert (OSC 9 / OSC 777, else notify-send; also `--notify`)."""
    command: str = ""
    """Run this command for each opened or resolved alert, the alert as JSON on stdin (`--on-alert`)."""
    command_timeout: float = 10
    """Seconds before a hook command is killed."""
    command_max_per_minute: int = 30
    """Hook runs per minute at most; alerts beyond are counted and reported, not run."""

    def __post_init__(self) -> None:
        unknown = sorted(set(self.disable) - set(CONDITIONS))
        if unknown:
            near = [m for c in unknown for m in get_close_matches(c, CONDITIONS, n=1)]
            hint = f"did you mean {', '.join(near)}?" if near else f"known: {', '.join(CONDITIONS)}."
            raise ValueError(f"alerts.disable: unknown condition(s) {', '.join(unknown)}; {hint}")

    def enabled(self, condition: str) -> bool:
        return condition not in self.disable

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any]) -> AlertsConfig:
        """Build from the `[alerts]` table; keys may use `-` or `_`. Raises ValueError (one sentence)."""
        names = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for raw_key, value in table.items():
            key = str(raw_key).replace("-", "_")
            if key not in names:
                match = get_close_matches(key, names, n=1)
                hint = f"did you mean {match[0]!r}?" if match else f"known: {', '.join(sorted(names))}."
                raise ValueError(f"unknown setting {raw_key!r} in [alerts]; {hint}")
            values[key] = _coerce(key, value, str(names[key].type))
        return cls(**values)


def _coerce(key: str, value: Any, kind: str) -> Any:
    """`value` checked against the field's declared type ("int", "float", "bool", "str", ...)."""
    where = f"alerts.{key}"
    if key == "disable":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
            raise ValueError(f'{where}: expected a list of condition names (disable = ["PodUnready"]).')
        return frozenset(p.strip() for v in items for p in v.split(",") if p.strip())
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{where}: expected true or false, got {_describe(value)}.")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise ValueError(
                f'{where}: expected a command in quotes ({key} = "..."), got {_describe(value)}.'
            )
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: expected a number, got {_describe(value)}.")
    if kind == "int" and not isinstance(value, int):
        raise ValueError(f"{where}: expected a whole number, got {_describe(value)}.")
    if key == "quota_percent" and not 0 < value <= 100:
        raise ValueError(f"{where}: expected a percentage above 0 and at most 100, got {value}.")
    if kind == "int" and value < 1:
        raise ValueError(f"{where}: must be at least 1, got {value}.")
    if value < 0 or (key == "command_timeout" and value == 0):
        raise ValueError(f"{where}: must be above 0, got {value}.")
    return value


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
