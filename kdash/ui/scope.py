"""The namespace in view, and what the user asked kdash to remember about it per context.

`-n` wins, then `-A`, then the namespace remembered for the context, then the source's own. Every
change is remembered for the context (with the context itself) and written in a worker thread, so
a slow disk never holds a key.
"""

from __future__ import annotations

from typing import Any

from textual.app import App

from kdash.ui.prefs import Preferences
from kdash.ui.session import LiveSession


class NamespaceScope:
    """The namespace shown (None: all), the names to offer, favourites (slots 1-9)."""

    def __init__(
        self,
        session: LiveSession,
        host: App[Any],
        prefs: Preferences | None,
        *,
        start: str | None = None,
        all_namespaces: bool = False,
    ) -> None:
        self.session = session
        self.prefs = prefs
        self._host = host
        self.namespace = self._initial(start, all_namespaces)

    def _initial(self, start: str | None, all_namespaces: bool) -> str | None:
        if start is not None or all_namespaces:
            return start
        context = self._context()
        if self.prefs is not None and self.prefs.has_namespace(context):
            return self.prefs.last_namespace(context)
        return self.session.source.snapshot().namespace

    def _context(self) -> str:
        return self.session.source.snapshot().context

    def apply(self) -> None:
        """On mount: point the source at the namespace chosen before it started."""
        if self.session.source.snapshot().namespace != self.namespace:
            self.session.source.set_namespace(self.namespace)

    def set(self, namespace: str | None) -> None:
        self.namespace = namespace
        self.session.set_namespace(namespace)
        if self.prefs is not None:
            self.prefs.remember_namespace(self._context(), namespace)
            self._save()

    def switch_context(self, context: str) -> None:
        """Follow `context` with the namespace remembered for it; raises ConfigError when unknown."""
        self.session.switch_context(context)
        if self.prefs is not None:
            if self.prefs.has_namespace(context):
                self.namespace = self.prefs.last_namespace(context)
                self.session.source.set_namespace(self.namespace)
            self.prefs.remember_namespace(context, self.namespace)  # also records the last context
            self._save()

    def _save(self) -> None:
        prefs = self.prefs
        if prefs is not None:
            self._host.run_worker(prefs.save, thread=True, exit_on_error=False, group="prefs")

    def names(self) -> list[str]:
        names = {key.name for key in self.session.source.snapshot().namespaces}
        return sorted(names | set(self.session.namespace_counts))

    def favourites(self) -> list[str]:
        return [] if self.prefs is None else self.prefs.favourites(self._context())

    def toggle_favourite(self, namespace: str) -> list[str]:
        """The picker's ctrl+f: add or remove a favourite; returns the favourites now."""
        if self.prefs is None:
            self._host.notify(
                "favourites are not remembered in this session", severity="warning", markup=False
            )
            return []
        self.prefs.toggle_favourite(self._context(), namespace)
        self._save()
        return self.favourites()

    def cycled(self, step: int) -> str | None:
        """The namespace `step` places along [all, a, b, …] from the one shown."""
        ring: list[str | None] = [None, *self.names()]
        index = ring.index(self.namespace) if self.namespace in ring else 0
        return ring[(index + step) % len(ring)]
