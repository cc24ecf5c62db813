"""Remembered UI choices: the last namespace of each context and its favourite namespaces (1-9).

The app receives a `Preferences` (or None to remember nothing). Reads are from memory; `save()` does
the file write and is called by the app from a thread worker, so a slow disk never blocks a key.
The file format is the `ui` section of kdash's state.json (kdash.config load_state/save_state).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kdash.config import load_state, save_state

ALL = "*"  # how "all namespaces" is remembered (None does not survive JSON keys well)
MAX_FAVOURITES = 9


class Preferences:
    """In-memory state with an explicit, thread-safe `save()`."""

    def __init__(
        self,
        state: Mapping[str, Any] | None = None,
        writer: Callable[[Mapping[str, Any]], None] | None = None,
    ) -> None:
        self._state: dict[str, Any] = dict(state or {})
        self._writer = writer
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path | None = None) -> Preferences:
        """From kdash's state file (missing or corrupt: empty), writing back to the same file."""
        return cls(load_state(path), lambda state: save_state(state, path))

    def _contexts(self) -> dict[str, Any]:
        ui = self._state.setdefault("ui", {})
        if not isinstance(ui, dict):
            ui = self._state["ui"] = {}
        contexts = ui.setdefault("contexts", {})
        if not isinstance(contexts, dict):
            contexts = ui["contexts"] = {}
        return contexts

    def _context(self, context: str) -> dict[str, Any]:
        contexts = self._contexts()
        entry = contexts.setdefault(context, {})
        if not isinstance(entry, dict):
            entry = contexts[context] = {}
        return entry

    def has_namespace(self, context: str) -> bool:
        with self._lock:
            return isinstance(self._context(context).get("namespace"), str)

    def last_namespace(self, context: str) -> str | None:
        """The namespace last shown for `context`; None for all namespaces or nothing remembered."""
        with self._lock:
            value = self._context(context).get("namespace")
        return value if isinstance(value, str) and value != ALL else None

    def remember_namespace(self, context: str, namespace: str | None) -> None:
        with self._lock:
            self._context(context)["namespace"] = namespace if namespace is not None else ALL
            self._state["ui"]["last_context"] = context

    def last_context(self) -> str | None:
        """The context shown last (so `kdash` without --context can reopen it, if the CLI wants)."""
        with self._lock:
            ui = self._state.get("ui")
            value = ui.get("last_context") if isinstance(ui, dict) else None
        return value if isinstance(value, str) else None

    def favourites(self, context: str) -> list[str]:
        """Favourite namespaces of `context`, in slot order (key 1 is the first)."""
        with self._lock:
            value = self._context(context).get("favourites")
        if not isinstance(value, list):
            return []
        return [v for v in value if isinstance(v, str)][:MAX_FAVOURITES]

    def set_favourites(self, context: str, namespaces: list[str]) -> None:
        with self._lock:
            self._context(context)["favourites"] = list(dict.fromkeys(namespaces))[:MAX_FAVOURITES]

    def toggle_favourite(self, context: str, namespace: str) -> bool:
        """Add `namespace` to the favourites (next free slot) or remove it; returns whether it is one."""
        favourites = self.favourites(context)
        if namespace in favourites:
            favourites.remove(namespace)
            self.set_favourites(context, favourites)
            return False
        if len(favourites) >= MAX_FAVOURITES:
            favourites.pop(0)
        favourites.append(namespace)
        self.set_favourites(context, favourites)
        return True

    def save(self) -> None:
        """Write the state (blocking: call from a worker thread)."""
        if self._writer is None:
            return
        with self._lock:
            snapshot = copy.deepcopy(self._state)
        self._writer(snapshot)
