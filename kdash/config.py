"""The user's settings (`config.toml`) and remembered state (`state.json`), both optional.

Settings are read once at start; command-line flags override them. State (the last namespace per
context, favourite namespaces) is written by the UI from a worker thread, so a slow disk never
blocks a keypress.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kdash.errors import ConfigError


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())
    return Path(base) / "kdash"


def state_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or str(Path("~/.local/state").expanduser())
    return Path(base) / "kdash" / "state.json"


@dataclass(frozen=True)
class KdashConfig:
    """Settings from config.toml; every field has a default so the file is optional."""

    namespace: str | None = None
    """Namespace to open when neither -n nor -A is given (default: the context's, else all)."""
    theme: str | None = None
    """A Textual theme name, e.g. "textual-dark", "nord", "gruvbox"."""
    log_buffer_lines: int = 10_000
    """Lines kept per log view; older lines are dropped and counted."""
    max_log_streams: int = 50
    """Concurrent container log streams before kdash stops opening more (and says so)."""
    health: Mapping[str, Any] = field(default_factory=dict)
    """The [health] table: disabled rules, thresholds, required annotations (see docs/health.md)."""
    service: Mapping[str, Any] = field(default_factory=dict)
    """The [service] table: page_size, poll_interval, backoff_initial, backoff_max, namespaces."""
    source: str = ""
    """The file these settings came from, for error messages."""


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> KdashConfig:
    """Read config.toml, or defaults when it does not exist; a broken file is a ConfigError."""
    path = path or config_dir(env) / "config.toml"
    if not path.is_file():
        return KdashConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}.") from None
    return _from_mapping(data, path)


def _from_mapping(data: Mapping[str, Any], path: Path) -> KdashConfig:
    def expect(key: str, kind: type | tuple[type, ...]) -> Any:
        value = data.get(key)
        if value is not None and not isinstance(value, kind):
            raise ConfigError(f"{path}: `{key}` has the wrong type ({type(value).__name__}).")
        return value

    namespace = expect("namespace", str)
    theme = expect("theme", str)
    buffer_lines = expect("log_buffer_lines", int)
    max_streams = expect("max_log_streams", int)
    health = expect("health", dict) or {}
    service = expect("service", dict) or {}
    if buffer_lines is not None and buffer_lines < 100:
        raise ConfigError(f"{path}: `log_buffer_lines` must be at least 100.")
    if max_streams is not None and max_streams < 1:
        raise ConfigError(f"{path}: `max_log_streams` must be at least 1.")
    return KdashConfig(
        namespace=namespace,
        theme=theme,
        log_buffer_lines=buffer_lines or 10_000,
        max_log_streams=max_streams or 50,
        health=health,
        service=service,
        source=str(path),
    )


def load_state(path: Path | None = None) -> dict[str, Any]:
    """Remembered UI state; a missing or corrupt file is simply an empty state."""
    path = path or state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(state: Mapping[str, Any], path: Path | None = None) -> None:
    """Write state atomically, so a crash mid-write never leaves a half file behind."""
    path = path or state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
