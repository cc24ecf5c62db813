"""The `[journal]` table of config.toml, and where the journal lives.

Checked when config.toml is read (kdash/config.py), so a typo stops kdash with one sentence, as for
the other tables. The journal is state, not configuration: it lives under `$XDG_STATE_HOME/kdash/`
(default `~/.local/state/kdash/`), next to state.json.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from difflib import get_close_matches
from pathlib import Path
from typing import Any

MIN_MAX_BYTES = 16_384
MAX_TAIL_LINES = 1000
ENTRY_BYTES = 16_384  # one entry's cap (JSON bytes); at most a quarter of max_bytes


@dataclass(frozen=True)
class JournalSettings:
    """How much the journal keeps; `enabled = false` writes and shows nothing."""

    enabled: bool = True
    max_bytes: int = 4 * 1024 * 1024
    """Size cap of one context's file; past it the oldest entries are dropped (to ~3/4 of it)."""
    tail_lines: int = 50
    """Previous-log lines kept per crash (each line cut at 1000 characters)."""

    @property
    def entry_bytes(self) -> int:
        """One entry's byte cap: the oldest log lines go first when an entry is bigger."""
        return min(ENTRY_BYTES, self.max_bytes // 4)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> JournalSettings:
        """The `[journal]` table; raises ValueError (one sentence) for an unknown key or bad value."""
        known = [f.name for f in fields(cls)]
        values = {str(key).replace("-", "_"): value for key, value in values.items()}  # max-bytes too
        for key, value in values.items():
            if key not in known:
                match = get_close_matches(key, known, n=1)
                hint = f"; did you mean {match[0]!r}?" if match else f"; known: {', '.join(known)}."
                raise ValueError(f"journal: unknown setting {key!r}{hint}")
            if key == "enabled":
                if not isinstance(value, bool):
                    raise ValueError(f"journal.enabled: expected true or false, got {value!r}.")
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"journal.{key}: expected a whole number, got {value!r}.")
        settings = cls(**dict(values))
        if settings.max_bytes < MIN_MAX_BYTES:
            raise ValueError(
                f"journal.max_bytes: must be at least {MIN_MAX_BYTES}, got {settings.max_bytes}."
            )
        if not 0 <= settings.tail_lines <= MAX_TAIL_LINES:
            raise ValueError(
                f"journal.tail_lines: must be between 0 and {MAX_TAIL_LINES}, got {settings.tail_lines}."
            )
        return settings


def journal_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_STATE_HOME/kdash/crashes` (default `~/.local/state/kdash/crashes`)."""
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or str(Path("~/.local/state").expanduser())
    return Path(base) / "kdash" / "crashes"
