"""What config.toml may say, checked once when it is read.

A typo in a config file must stop kdash with one sentence that names the file, the key and the
nearest known key (as harlequin's config loader does), never be silently ignored: `namspace = "shop"`
that opens every namespace instead looks like a kdash bug. The `[health]` and `[service]` tables are
checked by the classes that use them (`HealthConfig`, `ServiceSettings`), so each table's keys are
listed once; `[keymap]`'s binding ids are checked by the UI (kdash/ui/keymap.py), the only place
that knows them, so `kdash check` does not load Textual to read its config.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from difflib import get_close_matches
from typing import Any

# A namespace name as the API server accepts it (RFC 1123 label): a typo such as "Shop" would
# otherwise surface later as an empty dashboard.
NAMESPACE_NAME = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


@dataclass(frozen=True, slots=True)
class Setting:
    """One top-level key: the type it takes, its lower bound and an example for the error."""

    kind: type
    example: str
    minimum: int | None = None


TOP_LEVEL: dict[str, Setting] = {
    "namespace": Setting(str, 'namespace = "shop"'),
    "theme": Setting(str, 'theme = "nord"'),
    "log_buffer_lines": Setting(int, "log_buffer_lines = 10000", minimum=100),
    "max_log_streams": Setting(int, "max_log_streams = 50", minimum=1),
    "health": Setting(dict, "[health]"),
    "service": Setting(dict, "[service]"),
    "keymap": Setting(dict, "[keymap]"),
    "alerts": Setting(dict, "[alerts]"),
    "journal": Setting(dict, "[journal]"),
}


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """The end of an "unknown X" sentence: the nearest known word, else the whole (short) list."""
    choices = sorted(set(known))
    match = get_close_matches(word, choices, n=1, cutoff=0.6)
    if match:
        return f"; did you mean {match[0]!r}?"
    return f"; known: {', '.join(choices)}."


def describe(value: Any) -> str:
    """A value as the user wrote it, short enough for one line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def table_keys() -> dict[str, set[str]]:
    """The keys of each table kdash knows, for "did you mean [service] page_size?" hints."""
    from kdash.alerts.config import AlertsConfig
    from kdash.health.config import HealthConfig
    from kdash.journal.settings import JournalSettings
    from kdash.k8s.settings import ServiceSettings

    return {
        "health": {f.name for f in fields(HealthConfig)} | {"disable"},
        "service": {f.name for f in fields(ServiceSettings)},
        "alerts": {f.name for f in fields(AlertsConfig)},
        "journal": {f.name for f in fields(JournalSettings)},
    }


def check_top_level(data: Mapping[str, Any]) -> None:
    """Raise ValueError (one sentence) for an unknown top-level key or a value of the wrong type."""
    for key, value in data.items():
        setting = TOP_LEVEL.get(key)
        if setting is None:
            raise ValueError(_unknown_top_level(key, value))
        if setting.kind is dict:
            if not isinstance(value, dict):
                raise ValueError(f"{key}: expected a table ({setting.example}), got {describe(value)}.")
            continue
        if setting.kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(
                    f"{key}: expected a whole number ({setting.example}), got {describe(value)}."
                )
            if setting.minimum is not None and value < setting.minimum:
                raise ValueError(f"{key}: must be at least {setting.minimum}, got {value}.")
            continue
        if not isinstance(value, str) or not value:
            raise ValueError(f"{key}: expected a name in quotes ({setting.example}), got {describe(value)}.")
    namespace = data.get("namespace")
    if isinstance(namespace, str) and not NAMESPACE_NAME.fullmatch(namespace):
        raise ValueError(
            f"namespace: {describe(namespace)} is not a namespace name (lowercase letters, digits and '-')."
        )


def _unknown_top_level(key: str, value: Any) -> str:
    if isinstance(value, dict):  # a [table] header
        tables = [k for k, s in TOP_LEVEL.items() if s.kind is dict]
        match = get_close_matches(key, tables, n=1)
        hint = f"did you mean [{match[0]}]?" if match else f"known: {', '.join(f'[{t}]' for t in tables)}."
        return f"unknown table [{key}]; {hint}"
    for table, keys in table_keys().items():
        if key.replace("-", "_") in keys:  # written above its table: `page_size = 500` for [service]
            return f"unknown setting {key!r}; did you mean {key!r} under [{table}]?"
    return f"unknown setting {key!r}{did_you_mean(key, TOP_LEVEL)}"


def check_keymap_table(table: Mapping[str, Any]) -> dict[str, str]:
    """`[keymap]` as binding id -> Textual key list ("v" or "v,ctrl+l"); a list of keys is joined.

    Only the shape is checked here; whether the ids and key names exist is the UI's question.
    """
    keymap: dict[str, str] = {}
    for binding_id, value in table.items():
        keys = [value] if isinstance(value, str) else value
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k.strip() for k in keys):
            raise ValueError(
                f"keymap.{binding_id}: expected a key in quotes or a list of keys "
                f'(e.g. {binding_id} = "v"), got {describe(value)}.'
            )
        keymap[binding_id] = ",".join(k.strip() for k in keys)
    return keymap
