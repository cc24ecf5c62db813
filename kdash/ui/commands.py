"""Running `:` commands, and the same commands in Textual's command palette (ctrl+p)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from kdash.ui.keymap import COMMANDS, PANE_COMMANDS, WORKLOAD_FILTERS, completions, resolve

if TYPE_CHECKING:
    from kdash.ui.app import KdashApp


def run_command(app: KdashApp, line: str) -> None:
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
            app.set_namespace(None if arg in {"all", "*", "-A"} else arg)
    elif name == "ctx":
        if not arg:
            app.notify("contexts: " + ", ".join(app.source.contexts()), markup=False)
        else:
            app.switch_context(arg)
    elif name == "pods":
        _show_pods(app)
    elif name == "events":
        from kdash.ui.screens.events import EventsScreen

        _to_dashboard(app)
        app.push_screen(EventsScreen(app.source, app.clock))
    elif name in WORKLOAD_FILTERS or name == "workloads":
        kind = WORKLOAD_FILTERS.get(name)
        _focus_pane(app, "workloads", rf"^\S* {kind}\b" if kind else "")
    elif name in PANE_COMMANDS:
        _focus_pane(app, PANE_COMMANDS[name], None)


def _to_dashboard(app: KdashApp) -> None:
    while len(app.screen_stack) > 1:
        app.pop_screen()


def _focus_pane(app: KdashApp, pane_id: str, filter_text: str | None) -> None:
    from kdash.ui.widgets.pane import Pane

    _to_dashboard(app)
    dashboard = app.dashboard
    dashboard.minimize()
    dashboard._activate(pane_id)
    pane = dashboard.query_one(f"#{pane_id}")
    if filter_text is not None and isinstance(pane, Pane):
        pane.apply_filter(filter_text)


def _show_pods(app: KdashApp) -> None:
    from kdash.ui.screens.pods_list import PodListScreen

    namespace = app.namespace

    def keys(snapshot: Any) -> list[Any]:
        return sorted(k for k in snapshot.pods if namespace is None or k.namespace == namespace)

    _to_dashboard(app)
    title = f"Pods in {namespace}" if namespace else "Pods in all namespaces"
    app.push_screen(
        PodListScreen(
            app.source,
            title,
            keys,
            app.clock,
            show_namespace=namespace is None,
            health_config=app.health_config,
        )
    )


class KdashCommands(Provider):
    """The `:` commands in the palette, plus one entry per namespace and context."""

    def _entries(self) -> list[tuple[str, str, str]]:
        app: Any = self.app
        entries = [(f"kdash: :{spec.name}", spec.help, spec.name) for spec in COMMANDS if not spec.takes_arg]
        entries.append(("kdash: :ns all", "show all namespaces", "ns all"))
        for name in app.namespace_names():
            entries.append((f"kdash: :ns {name}", f"switch to namespace {name}", f"ns {name}"))
        for name in app.source.contexts():
            entries.append((f"kdash: :ctx {name}", f"switch to context {name}", f"ctx {name}"))
        return entries

    def _run(self, line: str) -> None:
        app: Any = self.app
        run_command(app, line)

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
