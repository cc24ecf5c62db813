"""Modal prompts that keep the keys typed before they were on screen.

A person (or tmux, or a paste) types `:deploy` in one burst; the keys after `:` reach the dashboard
before the prompt has mounted, and would run there (`d` = describe). The dashboard forwards them to
`type_ahead()`, which applies them at once or holds them until the prompt's input is mounted.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")


class TypeAheadModal(ModalScreen[ResultT]):
    """A modal prompt that replays keys typed before it mounted, in order, through `_apply()`."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's own name
        super().__init__(id=id)
        self._early: list[events.Key] = []

    def type_ahead(self, event: events.Key) -> None:
        """Keys typed right after the key that opened this prompt (see DashboardScreen)."""
        if self.is_mounted:
            self._apply(event)
        else:
            self._early.append(event)

    def replay_type_ahead(self) -> None:
        """Call from on_mount, once the input is focused."""
        early, self._early = self._early, []
        for event in early:
            self._apply(event)

    def _apply(self, event: events.Key) -> None:
        raise NotImplementedError
