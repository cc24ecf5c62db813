"""The terminal emulator the harness reads the dashboard from: pyte, reduced to what a reader needs.

`TextTerminal.feed(bytes)` parses the app's output; `lines()` is the screen as text, one character
per column (a wide character's second cell is a space, so columns line up across rows, which
pyte's own `display` does not guarantee). Only rows pyte marked dirty are rebuilt.
Colours and attributes are dropped (SGR is a no-op): the harness reads text, and SGR handling is
a good part of pyte's cost. Device queries (DA, DSR/CPR) are answered through `reply`, as a real
terminal would answer them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyte


class _TextScreen(pyte.Screen):
    def __init__(self, columns: int, lines: int, reply: Callable[[bytes], None] | None) -> None:
        super().__init__(columns, lines)
        self._reply = reply

    def select_graphic_rendition(self, *attrs: Any, **kwargs: Any) -> None:
        """Text only: keep the default attributes."""

    def write_process_input(self, data: str) -> None:
        if self._reply is not None:
            self._reply(data.encode())


class TextTerminal:
    """A `columns` × `rows` screen fed with raw terminal output."""

    def __init__(self, columns: int, rows: int, reply: Callable[[bytes], None] | None = None) -> None:
        self.columns, self.rows = columns, rows
        self._screen = _TextScreen(columns, rows, reply)
        self._stream = pyte.ByteStream(self._screen)
        self._lines = [" " * columns for _ in range(rows)]
        self.bytes_fed = 0

    def feed(self, data: bytes) -> set[int]:
        """Parse `data`; returns the rows it changed."""
        self._stream.feed(data)
        self.bytes_fed += len(data)
        dirty = {y for y in self._screen.dirty if 0 <= y < self.rows}
        self._screen.dirty.clear()
        buffer = self._screen.buffer
        for y in dirty:
            row = buffer[y]
            self._lines[y] = "".join((row[x].data or " ")[0] for x in range(self.columns))
        return dirty

    def lines(self) -> list[str]:
        return list(self._lines)
