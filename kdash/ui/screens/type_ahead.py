"""Modal prompts that get every key typed after the key that opened them, in the order typed.

A person (or tmux, or a paste) types `:deploy⏎` in one burst. The keys reach the prompt by two
paths: those read before it was on screen went to the dashboard's focused widget and bubble up to
the dashboard, which hands them to `type_ahead()`; later ones come to this screen directly. Textual
runs the two paths in either order, so the direct keys are held until the dashboard reports the
first path drained (`drained()`, when a marker it sent down that path behind the keys arrives),
and the prompt's input never takes the focus (a FedInput), so no third path opens.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from textual import events
from textual.message import Message
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")
DRAIN_TIMEOUT = 2.0  # seconds; if the dashboard's marker were ever lost, the prompt still comes alive


class TypeAheadDrained(Message):
    """Sent down the path the keys typed before `prompt` opened travel, behind them."""

    def __init__(self, prompt: TypeAheadModal[Any]) -> None:
        super().__init__()
        self.prompt = prompt


class TypeAheadModal(ModalScreen[ResultT]):
    """A modal prompt that applies keys through `_apply()` in the order they were typed."""

    AUTO_FOCUS: ClassVar[str | None] = ""  # no focus on mount: keys come to the screen itself

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's own name
        super().__init__(id=id)
        self._early: list[events.Key] = []  # first path, before the prompt was ready
        self._held: list[events.Key] = []  # direct, before the first path drained
        self._ready = False
        self._drained = True  # until `expect_type_ahead()`: opened by a binding, nothing in flight

    def expect_type_ahead(self) -> None:
        """Keys typed before this prompt opened are on their way (call right after the push)."""
        self._drained = False

    async def type_ahead(self, event: events.Key) -> None:
        """A key typed before this prompt was on screen (handed on by the dashboard)."""
        if self._ready:
            await self._handle(event)
        else:
            self._early.append(event)

    async def drained(self) -> None:
        """Every key typed before this prompt opened has been handed to `type_ahead()`."""
        self._drained = True
        if self._ready:
            await self._replay()

    async def replay_type_ahead(self) -> None:
        """Call at the end of on_mount: applies what was typed ahead, in order."""
        self._ready = True
        await self._replay()
        if not self._drained:  # a safety net only: the marker comes back within a few frames
            self.set_timer(DRAIN_TIMEOUT, self.drained)

    async def _replay(self) -> None:
        while self._early:
            await self._handle(self._early.pop(0))
        while self._drained and self._held:
            await self._handle(self._held.pop(0))

    async def on_key(self, event: events.Key) -> None:
        """Every key that comes to this screen: held until the first path drained, then applied."""
        event.stop()
        event.prevent_default()
        if self._ready and self._drained and not self._held:
            await self._handle(event)
        else:
            self._held.append(event)

    async def _handle(self, event: events.Key) -> None:
        if self.app.screen is not self:
            # dismissed by an earlier key (`:pods⏎:no⏎` in one burst): the rest was typed for
            # whatever comes next, so it goes back to the app, behind the dismissal's callback
            self.app.call_next(self.app.post_message, events.Key(event.key, event.character))
            return
        if self._apply(event):
            return
        # not the prompt's text: this screen's own binding for it (↑/↓ in a list, ctrl+f, …)
        active = self.active_bindings.get(event.key)
        if active is not None and active.enabled:
            await self.app.run_action(active.binding.action, active.node)

    def _apply(self, event: events.Key) -> bool:
        """Apply one key to the prompt; False when the key is not the prompt's."""
        raise NotImplementedError


class ForwardsTypeAhead:
    """Mixed into every screen a prompt may open over (`:` and `n` are app bindings): the keys typed
    right after the opening key were already handed to this screen's focused widget, so when they
    bubble up here they go on to the prompt, as the dashboard's do, instead of being lost."""

    app: Any
    active_bindings: Any
    #: Actions whose prompt gets the keys typed after them.
    PROMPT_ACTIONS: ClassVar[frozenset[str]] = frozenset({"command_bar", "pick_namespace"})

    async def _on_key(self, event: events.Key) -> None:
        """The opening key is acted on here, as it bubbles up in the order typed: left to the app's
        binding it would be handled only after the keys typed next had already gone by.

        Named `_on_key` so it does not shadow a list screen's `on_key` (FilterKeys): Textual calls
        each class's handler along the MRO until one prevents the default."""
        top = self.app.screen
        if top is not self:
            if isinstance(top, TypeAheadModal):
                event.stop()
                event.prevent_default()
                await top.type_ahead(event)
            return
        active = self.active_bindings.get(event.key)
        if active is not None and active.enabled and active.binding.action in self.PROMPT_ACTIONS:
            event.stop()
            event.prevent_default()
            await self.app.run_action(active.binding.action, active.node)

    async def on_type_ahead_drained(self, message: TypeAheadDrained) -> None:
        message.stop()
        await message.prompt.drained()


def announce_prompt(prompt: TypeAheadModal[Any], below: Any) -> None:
    """Right after `prompt` was pushed over `below`: the keys typed before it opened are in
    `below`'s focused widget's queue; a marker sent down the same path says when they have all
    reached the prompt (see the module docstring)."""
    prompt.expect_type_ahead()
    origin = below.focused or below
    if not origin.post_message(TypeAheadDrained(prompt)):
        prompt.app.call_later(prompt.drained)
