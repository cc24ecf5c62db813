"""The one-line `/` filter of a list, typed while the list keeps the focus.

The list's owner (a dashboard pane, the log tail) hands it every key in the order typed (see
kdash/ui/widgets/fed_input.py for why the focus never moves). Hidden, it is not focusable at all:
Tab and a pane switch must never land in an invisible input that swallows `q` and `?`.
"""

from __future__ import annotations

from kdash.ui.widgets.fed_input import Fed, FedInput

__all__ = ["Fed", "InlineFilter"]


class InlineFilter(FedInput):
    """A FedInput hidden until `open()`."""

    def __init__(self, *, placeholder: str, classes: str | None = None) -> None:
        super().__init__(placeholder=placeholder, classes=classes)
        self.display = False

    def allow_focus(self) -> bool:
        """Hidden until `/`: never on the focus chain, never focused by Tab or a pane switch."""
        return bool(self.display) and super().allow_focus()

    @property
    def is_open(self) -> bool:
        return bool(self.display)

    def open(self, text: str) -> None:
        """Show the line with `text`, cursor at the end; the focus stays where it is."""
        self.value = text
        self.cursor_position = len(text)
        self.display = True

    def close(self) -> None:
        self.display = False
