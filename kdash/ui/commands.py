"""Running `:` commands, and the same commands in Textual's command palette (ctrl+p)."""

from __future__ import annotations

from functools import partial
from typing import Protocol, cast

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape
from textual.notifications import SeverityLevel

from kdash.ui.command_list import COMMANDS, PANE_COMMANDS, WORKLOAD_FILTERS, completions, resolve
from kdash.ui.format import clean


class CommandHost(Protocol):
    """What a `:` command may ask of the app (KdashApp is one): no command reaches into a screen."""

    def notify(
        self,
        message: str,
        *,
        title: str = ...,
        severity: SeverityLevel = ...,
        timeout: float | None = ...,
        markup: bool = ...,
    ) -> None: ...
    def exit(self, result: int | None = ...) -> None: ...
    def action_help(self) -> None: ...
    def action_pick_namespace(self) -> None: ...
    def set_namespace(self, namespace: str | None) -> None: ...
    def switch_context(self, context: str) -> None: ...
    def namespace_names(self) -> list[str]: ...
    def contexts(self) -> list[str]: ...
    def show_pods(self) -> None: ...
    def show_events(self) -> None: ...
    def focus_pane(self, pane_id: str, filter_text: str | None) -> None: ...


def run_command(app: CommandHost, line: str) -> None:
    """Do what a `:` command line says; unknown commands are reported, never guessed."""
    word, _, arg = line.strip().lstrip(":").strip().partition(" ")
    arg = arg.strip()
    spec = resolve(word)
    if spec is None and word:  # a prefix, as the bar suggests it: `:dep` runs `:deploy`
        found = [c for c in completions(word, [], []) if resolve(c) is not None]
        spec = resolve(found[0]) if found else None
    if spec is None:
        app.notify(f"unknown command: {line.strip()}", severity="warning", markup=False)
        return
    name = spec.name
    if name == "q":
        app.exit(0)
    elif name == "help":
        app.action_help()
    elif name == "ns":
        if not arg:
            app.action_pick_namespace()
        else:
            app.set_namespace(None if arg in {"all", "*", "-A"} else _named(arg, app.namespace_names()))
    elif name == "ctx":
        if not arg:
            app.notify("contexts: " + ", ".join(app.contexts()), markup=False)
        else:
            app.switch_context(_named(arg, app.contexts()))
    elif name == "pods":
        app.show_pods()
    elif name == "events":
        app.show_events()
    elif name in WORKLOAD_FILTERS or name == "workloads":
        kind = WORKLOAD_FILTERS.get(name)
        app.focus_pane("workloads", rf"^\S* {kind}\b" if kind else "")
    elif name in PANE_COMMANDS:
        app.focus_pane(PANE_COMMANDS[name], None)


def _named(arg: str, names: list[str]) -> str:
    """The real name the user means: the bar completes names cleaned of control characters."""
    if arg in names:
        return arg
    return next((name for name in names if clean(name) == arg), arg)


class KdashCommands(Provider):
    """The `:` commands in the palette, plus one entry per namespace and context."""

    @property
    def host(self) -> CommandHost:
        return cast(CommandHost, self.app)  # the provider is registered by KdashApp only

    def _entries(self) -> list[tuple[str, str, str]]:
        app = self.host
        entries = [(f"kdash: :{spec.name}", spec.help, spec.name) for spec in COMMANDS if not spec.takes_arg]
        entries.append(("kdash: :ns all", "show all namespaces", "ns all"))
        for name in app.namespace_names():  # shown cleaned, run with the real name
            shown = clean(name)
            entries.append((f"kdash: :ns {shown}", f"switch to namespace {shown}", f"ns {name}"))
        for name in app.contexts():
            shown = clean(name)
            entries.append((f"kdash: :ctx {shown}", f"switch to context {shown}", f"ctx {name}"))
        return entries

    def _run(self, line: str) -> None:
        run_command(self.host, line)

    async def discover(self) -> Hits:
        for title, help_text, line in self._entries():
            yield DiscoveryHit(Text(title), partial(self._run, line), help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, line in self._entries():
            score = matcher.match(title)
            if score > 0:
                # Text, not the matcher's markup highlight: context names are untrusted strings
                yield Hit(score, Text(title), partial(self._run, line), help=escape(help_text))
