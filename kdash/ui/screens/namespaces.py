"""The namespace picker (`n`): fuzzy search, row counts and CPU/memory use per namespace (the sum of
its pods' metrics, as `kubectl top pods` would add them up), favourites for keys 1-9."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kdash.model.usage import Usage, total
from kdash.ui.format import MUTED_STYLE, clean
from kdash.ui.render.usage import format_cpu, format_memory
from kdash.ui.screens.type_ahead import TypeAheadModal
from kdash.ui.widgets.fed_input import Fed, FedInput

ALL_ID = "\x00all"  # option id of "all namespaces" (cannot clash with a DNS-label name)
NAME_PAD = 22  # names are padded to the longest up to this, so counts and usage line up
WIDE = 72  # the box's width when it shows usage (the stylesheet's 60 otherwise)


def usage_figures(used: Usage | None) -> Text:
    """ "   350m  1.2Gi", right-aligned; blank for a namespace without measured pods."""
    if used is None:
        return Text(" " * 15, end="")
    return Text(f"{format_cpu(used.cpu_m):>6}  {format_memory(used.memory):>7}", end="")


def rank(names: list[str], query: str) -> list[str]:
    """Fuzzy order: names matching `query` best first (all names, alphabetically, when empty)."""
    if not query:
        return names
    matcher = Matcher(query)
    scored = [(matcher.match(name), name) for name in names]
    return [name for score, name in sorted(scored, key=lambda s: -s[0]) if score > 0]


class NamespacePicker(TypeAheadModal[str | None]):
    """Dismisses with a namespace name, "" for all namespaces, or None when cancelled.

    `toggle_favourite` (ctrl+f on a name) adds or removes a favourite and returns the favourites now.
    `usage` is CPU and memory per namespace (kdash.ui.render.usage_rows.namespace_usage); None
    without metrics (then no figures: the screen below says "metrics unavailable").
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker-cancel"),
        Binding("down", "move(1)", "Down", show=False, id="picker-down"),
        Binding("up", "move(-1)", "Up", show=False, id="picker-up"),
        Binding("ctrl+f", "favourite", "Favourite", id="picker-favourite"),
    ]

    def __init__(
        self,
        names: list[str],
        counts: Mapping[str, int],
        favourites: list[str],
        current: str | None,
        *,
        toggle_favourite: Callable[[str], list[str]] | None = None,
        usage: Mapping[str, Usage] | None = None,
    ) -> None:
        super().__init__(id="namespace-picker")
        self.names = names
        self.counts = dict(counts)
        self.favourites = list(favourites)
        self.current = current
        self.toggle_favourite = toggle_favourite
        self.usage = dict(usage) if usage is not None else None
        widest = max((cell_len(clean(n)) for n in names), default=0)
        widest = max(widest, len("all namespaces"))
        self._pad = min(widest, NAME_PAD) if self.usage is not None else 0
        self._count_width = len(f"{sum(self.counts.values()):,}")

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(Content("type to filter · enter: switch · ctrl+f: favourite (keys 1-9)"),
                         id="picker-title")  # fmt: skip
            yield FedInput(placeholder="namespace…", id="picker-input")
            yield OptionList(id="picker-list")

    async def on_mount(self) -> None:
        box = self.query_one("#picker-box")
        box.border_title = "Namespaces"
        if self.usage is not None:
            box.styles.width = WIDE
            box.border_subtitle = "pods · cpu · memory"
        self._fill("")
        await self.replay_type_ahead()  # the input never takes the focus (type_ahead.py)

    def _apply(self, event: events.Key) -> bool:
        field = self.query_one(FedInput)
        fed = field.feed(event)
        if fed is Fed.SUBMITTED:
            self._fill(field.value.strip())
            self._choose()
        elif fed is Fed.CANCELLED:
            self.dismiss(None)
        return fed is not Fed.NOT_MINE

    def _label(self, name: str) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        slot = self.favourites.index(name) + 1 if name in self.favourites else None
        text.append(f"{slot} " if slot else "  ", style="bold")
        text.append("● " if name == self.current else "  ")
        shown = clean(name)
        text.append(shown)
        self._figures(text, self._pad - cell_len(shown), self.counts.get(name), self._usage_of(name))
        return text

    def _usage_of(self, name: str | None) -> Usage | None:
        """A namespace's usage; None for all namespaces: the sum of all."""
        if self.usage is None:
            return None
        if name is None:
            return total(self.usage.values())
        return self.usage.get(name)

    def _figures(self, text: Text, pad: int, count: int | None, used: Usage | None) -> None:
        """The count (and with metrics the usage), after `pad` spaces that line them up."""
        if self.usage is None:
            if count is not None:
                text.append(f"  {count:,}", style=MUTED_STYLE)
            return
        text.append(" " * max(0, pad))
        shown = f"{count:,}" if count is not None else ""
        text.append(f"  {shown:>{self._count_width}}", style=MUTED_STYLE)
        text.append("  ")
        text.append_text(usage_figures(used))

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted_option.id if options.highlighted_option is not None else None
        options.clear_options()
        entries: list[Option] = []
        if not query or "all".startswith(query.lower()):
            label = Text(f"  {'● ' if self.current is None else '  '}all namespaces", end="")
            pad = self._pad - len("all namespaces")
            self._figures(label, pad, sum(self.counts.values()), self._usage_of(None))
            entries.append(Option(label, id=ALL_ID))
        ordered = rank(self.names, query)
        if not query:  # favourites first, in slot order
            ordered = [n for n in self.favourites if n in ordered] + [
                n for n in ordered if n not in self.favourites
            ]
        entries.extend(Option(self._label(name), id=name) for name in ordered)
        options.add_options(entries)
        if not entries:
            return
        ids = [e.id for e in entries]
        want = highlighted if highlighted in ids else (self.current if query == "" else None)
        options.highlighted = ids.index(want) if want in ids else 0

    @on(Input.Changed, "#picker-input")
    def _query_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value.strip())

    @on(Input.Submitted, "#picker-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose()

    def _choose(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        if option is None:
            return
        self.dismiss("" if option.id == ALL_ID else option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_favourite(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        if option is None or option.id in (None, ALL_ID):
            return
        if self.toggle_favourite is not None:
            self.favourites = list(self.toggle_favourite(option.id))
        self._fill(self.query_one(Input).value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
