"""The `:` command bar (k9s habit): one line at the bottom with completion from the command list,
the discovered kinds (`:svc`, `:certificates.cert-manager.io`), the namespaces and the contexts. `tab` accepts the first completion; `enter` runs; `esc` cancels.
Keys are applied in the order typed, however fast (see kdash/ui/screens/type_ahead.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.suggester import Suggester
from textual.widgets import Input, Static

from kdash.ui.command_list import completions
from kdash.ui.format import clean
from kdash.ui.screens.type_ahead import TypeAheadModal
from kdash.ui.widgets.fed_input import Fed, FedInput


class CommandSuggester(Suggester):
    """Suggests the first completion of what has been typed so far."""

    def __init__(self, namespaces: list[str], contexts: list[str], kinds: Sequence[str] = ()) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.namespaces = namespaces
        self.contexts = contexts
        self.kinds = kinds

    async def get_suggestion(self, value: str) -> str | None:
        found = completions(value, self.namespaces, self.contexts, self.kinds)
        return clean(found[0]) if found else None  # names are shown cleaned; run_command maps back


class CommandBar(TypeAheadModal[str | None]):
    """Dismisses with the command line typed (without the colon), or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="command-cancel"),
        # not priority: a priority binding runs when the key is read, before the keys typed ahead of it
        Binding("tab", "complete", "Complete", id="command-complete"),
    ]

    def __init__(self, namespaces: list[str], contexts: list[str], kinds: Sequence[str] = ()) -> None:
        super().__init__(id="command-bar")
        self.namespaces = namespaces
        self.contexts = contexts
        self.kinds = kinds  # the discovered kinds' names (kdash.ui.kinds.kind_names)

    def compose(self) -> ComposeResult:
        with Vertical(id="command-box"):
            yield Static(Content(""), id="command-hints")
            yield FedInput(
                placeholder="pods deploy svc no cm crd … aliases events ns NAME ctx NAME q",
                suggester=CommandSuggester(self.namespaces, self.contexts, self.kinds),
                id="command-input",
            )

    async def on_mount(self) -> None:
        self._hint("")
        await self.replay_type_ahead()  # the input never takes the focus: keys come to this screen

    def _apply(self, event: events.Key) -> bool:
        field = self.query_one(FedInput)
        if event.key == "tab":
            self.action_complete()
            return True
        fed = field.feed(event)
        if fed is Fed.SUBMITTED:
            self.dismiss(field.value.strip().lstrip(":").strip() or None)
        elif fed is Fed.CANCELLED:
            self.dismiss(None)
        return fed is not Fed.NOT_MINE

    def _hint(self, value: str) -> None:
        found = completions(value, self.namespaces, self.contexts, self.kinds)[:8]
        self.query_one("#command-hints", Static).update(Content("  ".join(f":{clean(c)}" for c in found)))

    @on(Input.Changed, "#command-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._hint(event.value)

    @on(Input.Submitted, "#command-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip().lstrip(":").strip() or None)

    def action_complete(self) -> None:
        field = self.query_one(FedInput)
        found = completions(field.value, self.namespaces, self.contexts, self.kinds)
        if found:
            field.value = clean(found[0]) + (" " if found[0] in {"ns", "ctx"} else "")
            field.cursor_position = len(field.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
