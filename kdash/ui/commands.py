"""Running `:` commands, and the same commands in Textual's command palette (ctrl+p)."""

from __future__ import annotations

from functools import partial
from typing import Protocol, cast

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from kdash.model.feeds import ApiResource, Discovery
from kdash.ui.command_list import (
    COMMANDS,
    DASHBOARD_KINDS,
    PANE_COMMANDS,
    WORKLOAD_FILTERS,
    CommandSpec,
    completions,
    resolve,
)
from kdash.ui.format import clean
from kdash.ui.kinds import kind_names, not_found, ranked, resolve_kind
from kdash.ui.toaster import Toaster


class CommandHost(Toaster, Protocol):
    """What a `:` command may ask of the app (KdashApp is one): no command reaches into a screen."""

    def exit(self, result: int | None = ...) -> None: ...
    def action_help(self) -> None: ...
    def action_pick_namespace(self) -> None: ...
    def set_namespace(self, namespace: str | None) -> None: ...
    def switch_context(self, context: str) -> None: ...
    def namespace_names(self) -> list[str]: ...
    def contexts(self) -> list[str]: ...
    def show_pods(self) -> None: ...
    def show_events(self) -> None: ...
    def show_alerts(self) -> None: ...
    def focus_pane(self, pane_id: str, filter_text: str | None) -> None: ...
    def discovery(self) -> Discovery | None: ...
    def open_kind(self, resource: ApiResource) -> None: ...
    def show_aliases(self) -> None: ...
    def show_fleet(self) -> None: ...


def _kind_command(discovery: Discovery | None, word: str) -> CommandSpec | ApiResource | None:
    """What a word names among the discovered kinds: a dashboard command for the kinds the
    dashboard shows itself (unless the word is group-qualified), else the resource to list."""
    if discovery is None:
        return None
    found = resolve_kind(word, discovery)
    if found is None:  # a prefix, as the bar suggests it: `:certif` lists certificates
        names = [n for n in completions(word, [], [], kind_names(discovery)) if resolve(n) is None]
        found = resolve_kind(names[0], discovery) if names else None
        if found is None:
            return None
        word = names[0]
    dashboard = None if "." in word else DASHBOARD_KINDS.get((found.group, found.resource))
    return resolve(dashboard) if dashboard else found


def run_command(app: CommandHost, line: str) -> None:
    """Do what a `:` command line says; unknown commands and kinds are reported, never guessed."""
    word, _, arg = line.strip().lstrip(":").strip().partition(" ")
    arg = arg.strip()
    spec: CommandSpec | ApiResource | None = resolve(word)
    discovery: Discovery | None = None
    if spec is None and word:
        discovery = app.discovery()
        exact = resolve_kind(word, discovery) if discovery is not None else None
        if exact is None:  # a command's prefix, as the bar suggests it: `:dep` runs `:deploy`
            found = [c for c in completions(word, [], []) if resolve(c) is not None]
            spec = resolve(found[0]) if found else None
        if spec is None:
            spec = _kind_command(discovery, word)
    if isinstance(spec, ApiResource):
        if spec.listable:
            app.open_kind(spec)
        else:
            verbs = ", ".join(sorted(spec.verbs)) or "nothing"
            app.notify(f"{spec.qualified} cannot be listed (the server allows {verbs})", markup=False)
        return
    if spec is None:
        words = not_found(word, discovery) if word else f"unknown command: {line.strip()}"
        app.notify(words, severity="warning", markup=False)
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
    elif name == "alerts":
        app.show_alerts()
    elif name == "aliases":
        app.show_aliases()
    elif name == "fleet":
        app.show_fleet()
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
        discovery = app.discovery()
        for res in ranked(discovery) if discovery is not None else ():
            if res.listable and (res.group, res.resource) not in DASHBOARD_KINDS:
                shown = clean(res.qualified)
                short = f" ({', '.join(clean(n) for n in res.short_names)})" if res.short_names else ""
                words = f"list {clean(res.kind)} objects{short}"
                entries.append((f"kdash: :{shown}", words, res.qualified))
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
