"""How `kdash --fleet` / `--contexts a,b` start: which contexts, their services, the app's source.

As for one cluster (kdash/cli.py), the services start listing before Textual is imported. No
context is probed first: an unreachable one (or one whose credentials fail) must not stop kdash,
its row says why. Only the kubeconfig's context names are read up front (no credentials, no exec
plugin); each entry is loaded on its member's own thread (kdash/k8s/fleet.py).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from kdash.errors import ConfigError

if TYPE_CHECKING:
    from kdash.crashes import CrashRecorders


def wanted(args: argparse.Namespace) -> bool:
    """Whether the command line asks for the fleet (`--fleet` or `--contexts`)."""
    return bool(getattr(args, "fleet", False) or getattr(args, "contexts", None))


def parse_contexts(text: str | None) -> list[str]:
    """`a,b, c` -> ["a", "b", "c"] (duplicates dropped); ConfigError for an empty list."""
    if text is None:
        return []
    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if not names:
        raise ConfigError(
            "--contexts needs context names, separated by commas (e.g. --contexts prod,staging)."
        )
    return names


def choose(args: argparse.Namespace, kubeconfig: str | None) -> tuple[list[str], list[str], str]:
    """(members, every context, the one to open first): `--contexts` as given (each must be in
    the kubeconfig), else all; first opened: `--context`, else the current context if a member."""
    from kdash.k8s.fleet import kubeconfig_contexts

    every, current = kubeconfig_contexts(kubeconfig)
    if not every:
        raise ConfigError("The kubeconfig defines no contexts.")
    members = parse_contexts(getattr(args, "contexts", None)) or every
    unknown = [n for n in members if n not in every]
    if unknown:
        raise ConfigError(
            f'Context "{unknown[0]}" is not in the kubeconfig. Available contexts: {", ".join(every)}.'
        )
    first = getattr(args, "context", None) or current
    if first not in members:
        first = members[0]
    return members, every, first


def start(
    args: argparse.Namespace,
    settings: Any,
    stack: ExitStack,
    *,
    kubeconfig: str | None,
    namespace: Callable[[Any], str | None],
    on_service: Callable[[str, Any], Callable[[], None]] | None = None,
) -> tuple[Any, Any, Any]:
    """The fleet's source (listing already), a log service over it, and the fleet; `stack` stops them."""
    from kdash.k8s.fleet import Fleet, check_plugin
    from kdash.k8s.fleet_source import FleetSource
    from kdash.k8s.kubeconfig import load_target
    from kdash.k8s.logs import LogService

    members, every, first = choose(args, kubeconfig)
    try:  # the context opened first, as for one cluster (its failure is its row's, not fatal)
        check_plugin(kubeconfig, first)
        preloaded = [load_target(kubeconfig=kubeconfig, context=first)]
    except ConfigError:
        preloaded = []
    fleet = Fleet(
        kubeconfig,
        members,
        settings=settings,
        namespace=namespace,
        all_contexts=every,
        targets=preloaded,
        on_service=on_service,
    )
    source = FleetSource(fleet, first)
    stack.callback(source.stop)
    source.start()
    logs = None
    if preloaded:  # it follows the source's active context (`FleetSource.target`) after a switch
        logs = LogService(preloaded[0], source)
        stack.callback(logs.stop_all)
    return source, logs, fleet


def factory(
    paths: Sequence[str], settings: Any, on_service: Callable[[str, Any], Callable[[], None]] | None = None
) -> Callable[[], Any]:
    """For `:fleet` in a one-cluster session: a fleet of every context of its kubeconfig files."""
    kubeconfig = os.pathsep.join(paths) or None

    def build() -> Any:
        from kdash.k8s.fleet import Fleet, kubeconfig_contexts

        every, _current = kubeconfig_contexts(kubeconfig)
        if not every:
            raise ConfigError("The kubeconfig defines no contexts.")
        return Fleet(kubeconfig, every, settings=settings, all_contexts=every, on_service=on_service)

    return build


def crash_captures(recorders: CrashRecorders | None) -> Callable[[str, Any], Callable[[], None]]:
    """`Fleet(on_service=...)`: every member's service gets a crash capture, as one cluster's
    does (the previous logs of each restart, on the restart record and into the journal under
    the member's context); it stops with that service."""

    def start(context: str, service: Any) -> Callable[[], None]:
        from kdash.k8s.crash import CrashCapture

        record = None if recorders is None else recorders.recorder(lambda: context)
        capture = CrashCapture(service, service.target, on_capture=record)
        return capture.stop

    return start
