"""The user's settings (`config.toml`) and remembered state (`state.json`), both optional.

Settings are read once at start and checked as they are read (kdash/config_schema.py): a typo or a
wrong type stops kdash with one sentence naming the file, the key and the nearest known key.
Command-line flags override the settings. State (the last namespace per context, favourite
namespaces) is written by the UI from a worker thread, so a slow disk never blocks a keypress.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kdash.alerts.config import AlertsConfig
from kdash.config_schema import check_keymap_table, check_top_level
from kdash.errors import ConfigError
from kdash.journal.settings import JournalSettings


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
    keymap: Mapping[str, str] = field(default_factory=dict)
    """The [keymap] table: binding id -> keys ("v" or "v,ctrl+l"), applied with App.set_keymap."""
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    """The [alerts] table, checked: which alerts fire, thresholds, bell/notify, the hook command."""
    journal: JournalSettings = field(default_factory=JournalSettings)
    """The [journal] table, checked: enabled, max_bytes, tail_lines of the crash journal."""
    source: str = ""
    """The file these settings came from, for error messages."""


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> KdashConfig:
    """Read and check config.toml, or defaults when it does not exist; any problem is a ConfigError."""
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
    try:
        check_top_level(data)
        keymap = check_keymap_table(data.get("keymap", {}))
        _check_tables(data, str(path))
        alerts = AlertsConfig.from_mapping(data.get("alerts", {}))
        journal = JournalSettings.from_mapping(data.get("journal", {}))
    except ValueError as exc:
        raise ConfigError(_sentence(f"{path}: {exc}")) from None
    return KdashConfig(
        namespace=data.get("namespace"),
        theme=data.get("theme"),
        log_buffer_lines=data.get("log_buffer_lines", 10_000),
        max_log_streams=data.get("max_log_streams", 50),
        health=data.get("health", {}),
        service=data.get("service", {}),
        keymap=keymap,
        alerts=alerts,
        journal=journal,
        source=str(path),
    )


def _check_tables(data: Mapping[str, Any], source: str) -> None:
    """[health] and [service] through the classes that use them, so `kdash check` and the TUI
    refuse the same files, before either touches a cluster."""
    from kdash.health.config import HealthConfig
    from kdash.k8s.settings import ServiceSettings

    HealthConfig.from_mapping(data.get("health", {}))  # ValueError
    ServiceSettings.from_mapping(data.get("service", {}), source)  # ConfigError, already a sentence


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?")) else text + "."


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
