"""A one-line Input that is edited with keys handed to it while something else has the focus.

Keys typed in one burst (tmux send-keys, a paste, a fast typist) are queued for whatever had the
focus when each one was read. A prompt or filter that takes the focus the moment it opens splits
such a burst over two queues, which Textual runs in either order: `/cart` filtered on `rt`,
`:deploy` lost letters. kdash's prompts therefore never move the focus: their owner hands every key
to `feed()` in the order typed. A click still focuses the field, and then it edits as any Input.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip
from textual.suggester import Suggester
from textual.widgets import Input


class Fed(Enum):
    """What a key handed to `FedInput.feed()` did."""

    EDITED = "edited"  # the text or the cursor changed
    SUBMITTED = "submitted"  # enter
    CANCELLED = "cancelled"  # escape
    NOT_MINE = "not-mine"  # a key for someone else (arrows in a list, ctrl+s, …)


class FedInput(Input):
    """An Input edited through `feed()`, drawing a steady cursor while it has no focus."""

    EDIT_KEYS: ClassVar[dict[str, Callable[[Input], None]]] = {
        "backspace": Input.action_delete_left,
        "delete": Input.action_delete_right,
        "ctrl+d": Input.action_delete_right,
        "left": Input.action_cursor_left,
        "right": Input.action_cursor_right,
        "ctrl+left": Input.action_cursor_left_word,
        "ctrl+right": Input.action_cursor_right_word,
        "home": Input.action_home,
        "ctrl+a": Input.action_home,
        "end": Input.action_end,
        "ctrl+e": Input.action_end,
        "ctrl+w": Input.action_delete_left_word,
        "ctrl+u": Input.action_delete_left_all,
        "ctrl+k": Input.action_delete_right_all,
    }

    def __init__(
        self,
        *,
        placeholder: str = "",
        id: str | None = None,  # noqa: A002 - Textual's own spelling
        classes: str | None = None,
        suggester: Suggester | None = None,
    ) -> None:
        # select_on_focus off: a click must not select (and the next key replace) the typed text
        super().__init__(
            placeholder=placeholder, suggester=suggester, select_on_focus=False, id=id, classes=classes
        )

    def feed(self, event: events.Key) -> Fed:
        """Apply one key, as the focused Input would have."""
        if event.key == "enter":
            return Fed.SUBMITTED
        if event.key == "escape":
            return Fed.CANCELLED
        edit = self.EDIT_KEYS.get(event.key)
        if edit is not None:
            edit(self)
            return Fed.EDITED
        if event.is_printable and event.character:
            if self.selection.is_empty:
                self.insert_text_at_cursor(event.character)
            else:
                self.replace(event.character, *self.selection)
            return Fed.EDITED
        return Fed.NOT_MINE

    def render_line(self, y: int) -> Strip:
        """Input draws its cursor only when focused; this field is typed into without focus."""
        strip = super().render_line(y)
        if y != 0 or self.has_focus or not self.display:
            return strip
        x = cell_len(self.value[: self.cursor_position]) - int(self.scroll_x)
        if not 0 <= x < strip.cell_length:
            return strip
        cursor = self.get_component_rich_style("input--cursor")
        left, mid, right = strip.divide([x, x + 1, strip.cell_length])
        mid = Strip([Segment(t, (s or Style()) + cursor, c) for t, s, c in mid])
        return Strip.join([left, mid, right])
