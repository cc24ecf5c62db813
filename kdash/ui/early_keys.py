"""Type-ahead across start-up: keys that arrive before the dashboard has mounted are held, then
replayed in order.

A person types `kdash` and Tab Tab at once; the terminal delivers the Tabs as soon as Textual reads
stdin, which is before the dashboard has composed and picked Workloads as its first pane. Handled
then, they move the focus of a screen that is about to reset it (or of no screen at all), so they
are lost. Holding them until the dashboard says it is ready keeps what the person typed.

Keys typed before Textual put the terminal in raw mode went through the tty's cooked-mode input
translation (ICRNL): their Enter arrives as a line feed, which Textual reads as ctrl+j. Such a key
is held as the Enter it was (`kdash` then `:pods⏎` left the command bar open with "pods" in it).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events

HOLD_AT_MOST = 3.0  # seconds: a start-up that never says ready still gets its keys (and q, ctrl+c)
NEVER_HELD = frozenset({"ctrl+c"})  # quitting is never delayed


class EarlyKeys:
    """Holds key events until `release()`; afterwards passes everything through."""

    def __init__(self) -> None:
        self.ready = False
        self._held: list[events.Key] = []

    def hold(self, event: events.Event) -> bool:
        """True when `event` was taken (a key before ready); the caller then drops it."""
        if self.ready or not isinstance(event, events.Key) or event.key in NEVER_HELD:
            return False
        if event.key == "ctrl+j":  # an Enter typed before raw mode (see the module docstring)
            self._held.append(events.Key("enter", "\r"))
        else:
            self._held.append(events.Key(event.key, event.character))
        return True

    def release(self, post: Callable[[events.Key], object]) -> int:
        """Stop holding and post what was held, oldest first; returns how many keys."""
        if self.ready:
            return 0
        self.ready = True
        held, self._held = self._held, []
        for key in held:
            post(key)
        return len(held)
