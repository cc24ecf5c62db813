"""`?`: every binding of the screen the user was on, generated from the bindings themselves.

Generated (not hand-written) so help can never disagree with the keys: it lists what Textual's
`active_bindings` reports for that screen and its focused widget, grouped by where they live.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


@dataclass(frozen=True, slots=True)
class HelpEntry:
    group: str
    keys: str
    description: str


def _group(node: DOMNode) -> str:
    if isinstance(node, App):
        return "Global"
    if isinstance(node, Screen):
        return "This screen"
    return type(node).__name__.replace("Table", " table").replace("Pane", " pane").strip()


def entries_for(screen: Screen[object]) -> list[HelpEntry]:
    """One entry per binding (keys with the same description joined), in chain order, app last."""
    app = screen.app
    merged: dict[tuple[str, str], list[str]] = {}
    for key, active in screen.active_bindings.items():
        binding: Binding = active.binding
        ident = (_group(active.node), binding.description or binding.action)
        merged.setdefault(ident, [])
        display = app.get_key_display(Binding(key, binding.action, binding.description))
        if display not in merged[ident]:
            merged[ident].append(display)
    order = {"This screen": 1, "Global": 3}
    items = sorted(merged.items(), key=lambda kv: order.get(kv[0][0], 2))
    return [HelpEntry(group, " ".join(keys), words) for (group, words), keys in items]


def help_table(entries: list[HelpEntry]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    group = None
    for entry in entries:
        if entry.group != group:
            if group is not None:
                table.add_row("", "")
            group = entry.group
            table.add_row(Text(entry.group, style="bold underline"), "")
        table.add_row(Text(entry.keys), Text(entry.description))
    return table


class HelpScreen(ModalScreen[None]):
    """A modal listing the bindings; `esc`, `q` or `?` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close help", id="help-close"),
    ]

    def __init__(self, entries: list[HelpEntry], title: str = "Keys") -> None:
        super().__init__(id="help")
        self.entries = entries
        self.help_title = title

    @classmethod
    def for_screen(cls, screen: Screen[object]) -> HelpScreen:
        name = type(screen).__name__.removesuffix("Screen") or "Screen"
        return cls(entries_for(screen), f"Keys: {name}")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_table(self.entries), id="help-body")

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = Content(self.help_title)
        box.border_subtitle = Content("esc to close")
        box.focus()

    def action_close(self) -> None:
        self.dismiss(None)
