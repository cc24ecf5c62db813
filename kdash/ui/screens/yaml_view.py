"""Read-only YAML and describe views of any object, fetched on demand.

kdash keeps compact records, not raw objects (DESIGN §3), so the full object is fetched here with
the blocking `ClusterSource.fetch_object` in a thread worker. Secrets are refused before any request
is made. The text is searchable: `/` opens a search box, `n`/`N` jump between matching lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from kdash.errors import KdashError
from kdash.model.meta import ObjectKey
from kdash.model.source import ClusterSource
from kdash.model.timefmt import age
from kdash.ui.detail_format import BAD, DIM
from kdash.ui.format import clean
from kdash.ui.screens.type_ahead import ForwardsTypeAhead
from kdash.ui.widgets.detail_yaml import SECRET_REFUSAL, describe, find_matches, highlight_yaml, to_yaml

Mode = Literal["yaml", "describe"]
MATCH_STYLE = "black on yellow"
CURRENT_STYLE = "black on bright_cyan"


class ObjectLoaded(Message):
    """The fetch worker finished: `text` to show, or `error` in words."""

    def __init__(self, text: Text | None, error: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.error = error


class ObjectYamlScreen(ForwardsTypeAhead, Screen[None]):
    """The full object as YAML (`mode="yaml"`) or as a kubectl-describe-like page."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="drill-back"),
        Binding("slash", "search", "Search", id="drill-search"),
        Binding("n", "next_match", "Next match", id="drill-next-match"),
        Binding("N", "previous_match", "Previous match", id="drill-previous-match"),
        Binding("r", "reload", "Reload", id="drill-reload"),
        Binding("t", "toggle_mode", "YAML/describe", id="drill-toggle-mode"),
    ]

    DEFAULT_CSS = """
    ObjectYamlScreen > #yaml-title { height: 1; padding: 0 1; background: $panel; }
    ObjectYamlScreen > #yaml-scroll { height: 1fr; }
    ObjectYamlScreen #yaml-body { width: auto; padding: 0 1; }
    ObjectYamlScreen > #yaml-search { dock: bottom; display: none; }
    ObjectYamlScreen > #yaml-search.-visible { display: block; }
    """

    def __init__(
        self,
        source: ClusterSource,
        key: ObjectKey,
        mode: Mode = "yaml",
        *,
        fetch: Callable[[Mode], Text] | None = None,
    ) -> None:
        super().__init__()
        self.source = source
        self.key = key
        self.mode: Mode = mode
        # BLOCKING page builder used instead of `fetch_object` (run in the worker): a kind list's
        # row fetches its exact resource, a Secret its metadata only (kdash/ui/resource_pages.py)
        self.fetch = fetch
        self.text: Text | None = None
        self.error: str | None = None
        self.query_text = ""
        self.matches: list[int] = []
        self.current = -1

    def compose(self) -> ComposeResult:
        yield Static(id="yaml-title")
        with ScrollableContainer(id="yaml-scroll"):
            yield Static(Text("loading…", style=DIM), id="yaml-body")
        yield Input(placeholder="search (enter: find, esc: close)", id="yaml-search")
        yield Footer()

    def on_mount(self) -> None:
        self._title()
        self.query_one("#yaml-scroll", ScrollableContainer).focus()
        self.action_reload()

    # -- fetching ----------------------------------------------------------------------------------

    def action_reload(self) -> None:
        if self.key.kind == "Secret" and self.fetch is None:
            self._show(None, SECRET_REFUSAL)
            return
        self._fetch(self.mode)

    def action_toggle_mode(self) -> None:
        self.mode = "describe" if self.mode == "yaml" else "yaml"
        self._title()
        self.action_reload()

    @work(thread=True, exclusive=True, group="drill-fetch", exit_on_error=False)
    def _fetch(self, mode: Mode) -> None:
        """Blocking GET and formatting, both off the event loop."""
        try:
            if self.fetch is not None:
                self.post_message(ObjectLoaded(self.fetch(mode)))
                return
            obj = self.source.fetch_object(self.key)
            if mode == "yaml":
                text = highlight_yaml(to_yaml(obj))
            else:
                now = self.source.snapshot().taken_at
                events = [
                    (
                        e.type,
                        e.reason,
                        age(e.last_seen or e.first_seen or e.meta.created, now) if now else "",
                        e.message,
                    )
                    for e in self.source.snapshot().events_for(self.key)
                ]
                text = describe(obj, events)
        except KdashError as exc:
            self.post_message(ObjectLoaded(None, str(exc)))
        except Exception as exc:  # any failure is shown in words, the app keeps running
            self.post_message(ObjectLoaded(None, f"could not fetch {self.key}: {exc}"))
        else:
            self.post_message(ObjectLoaded(text))

    @on(ObjectLoaded)
    def _loaded(self, message: ObjectLoaded) -> None:
        self._show(message.text, message.error)

    def _show(self, text: Text | None, error: str | None) -> None:
        self.text, self.error = text, error
        body = self.query_one("#yaml-body", Static)
        if text is None:
            body.update(Text(clean(error or "nothing to show"), style=BAD))
        else:
            text.no_wrap = True
            self._apply_search()

    def _title(self) -> None:
        title = Text("YAML " if self.mode == "yaml" else "Describe ", style="bold")
        title.append(clean(self.key.kind), style=DIM)
        title.append(" ")
        title.append(clean(f"{self.key.namespace}/{self.key.name}" if self.key.namespace else self.key.name))
        title.append("  read-only", style=DIM)
        if self.query_text:
            found = f"{self.current + 1}/{len(self.matches)}" if self.matches else "no match"
            title.append(f"  /{clean(self.query_text)} {found}", style=DIM)
        self.query_one("#yaml-title", Static).update(title)

    # -- search ------------------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#yaml-search", Input)
        search.add_class("-visible")
        search.value = self.query_text
        search.focus()

    @on(Input.Submitted, "#yaml-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_text = event.value
        self.current = -1
        self._close_search()
        self._apply_search()
        self.action_next_match()

    def _close_search(self) -> None:
        search = self.query_one("#yaml-search", Input)
        search.remove_class("-visible")
        self.query_one("#yaml-scroll", ScrollableContainer).focus()

    def _apply_search(self) -> None:
        """Redraw the text with every match highlighted and the current one brighter."""
        if self.text is None:
            return
        lines = self.text.plain.split("\n")
        self.matches = find_matches(lines, self.query_text)
        shown = self.text.copy()
        if self.matches:
            starts = [0]
            for line in lines:
                starts.append(starts[-1] + len(line) + 1)
            needle = self.query_text.casefold()
            for n, index in enumerate(self.matches):
                folded = lines[index].casefold()
                pos = folded.find(needle)
                while pos >= 0 and len(folded) == len(lines[index]):
                    style = CURRENT_STYLE if n == self.current else MATCH_STYLE
                    shown.stylize(style, starts[index] + pos, starts[index] + pos + len(needle))
                    pos = folded.find(needle, pos + len(needle))
        self.query_one("#yaml-body", Static).update(shown)
        self._title()

    def _jump(self, step: int) -> None:
        if not self.matches:
            self._title()
            if self.query_text:
                self.notify(f"no match for {clean(self.query_text)!r}", severity="warning", markup=False)
            return
        if self.current < 0:
            self.current = 0 if step > 0 else len(self.matches) - 1
        else:
            self.current = (self.current + step) % len(self.matches)
        self._apply_search()
        scroll = self.query_one("#yaml-scroll", ScrollableContainer)
        scroll.scroll_to(y=max(0, self.matches[self.current] - 3), animate=False)

    def action_next_match(self) -> None:
        self._jump(1)

    def action_previous_match(self) -> None:
        self._jump(-1)

    def action_back(self) -> None:
        search = self.query_one("#yaml-search", Input)
        if search.has_class("-visible"):
            self._close_search()
            return
        self.dismiss()
