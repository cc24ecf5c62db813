"""Keys at terminal speed: events handed to the driver back to back, as its input thread does when
tmux send-keys, a paste or key repeat delivers them, with no pause for the app to catch up.

`Pilot.press` waits for the app to go idle after every key, which hides every race between a key
and the focus change, screen push or message the previous key caused.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterable
from typing import Any

from textual import events
from textual.geometry import Size
from textual.keys import _character_to_key, _get_unicode_name_from_key

# key name -> the character a terminal sends with it ("slash" -> "/"; Pilot leaves some out)
_CHARACTERS = {_character_to_key(c): c for c in string.printable if c.isprintable()}


def key_event(key: str) -> events.Key:
    """The event the driver makes for `key` (a key name such as "tab", or one character)."""
    if len(key) == 1:
        return events.Key(key if key.isalnum() else _character_to_key(key), key)
    char = _CHARACTERS.get(key)
    if char is None:
        try:
            char = unicodedata.lookup(_get_unicode_name_from_key(key))
        except KeyError:
            char = None
    return events.Key(key, char)


def burst(app: Any, keys: Iterable[str]) -> None:
    """Hand every key to the app's driver at once; the app processes them in its own time."""
    driver = app._driver
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        driver.send_message(event)


def resize_event(app: Any, width: int, height: int) -> None:
    """A terminal resize, queued by the driver behind the keys before it (no wait for the relayout)."""
    size = Size(width, height)
    app._driver._size = size
    app._driver.send_message(events.Resize(size, size))
