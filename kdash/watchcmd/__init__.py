"""`kdash watch`: alerts as they open and resolve, headless (a terminal, a tmux pane, a systemd unit).

Only the argument parser lives here, so `kdash --help` costs no cluster imports; the command itself
is `kdash.watchcmd.command.run`. No Textual anywhere in this package.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

EXIT_CODES = (
    "exit codes: 0 stopped by Ctrl-C or SIGTERM; 2 a usage or config error, or the cluster could "
    "not be read at start (unreachable, credentials refused, no kubeconfig). Once running, a lost "
    "connection is reported on stderr and retried until it comes back."
)


def add_parser(sub: Any, add_target_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `kdash watch`; `add_target_options` adds the shared --kubeconfig/--context/-n/-A/--demo."""
    parser = sub.add_parser(
        "watch",
        help="print alerts as they open and resolve (headless)",
        description=(
            "Watch the cluster and print each alert when it opens and when it resolves: crash loops, "
            "OOM kills, restart jumps, image pull failures, pods Pending or unready too long, stuck "
            "rollouts, HPAs at their maximum, quotas nearly used up, nodes NotReady. Thresholds and "
            "switches come from [alerts] in config.toml. Alerts open at start are printed first."
        ),
        epilog=EXIT_CODES,
    )
    add_target_options(parser)
    group = parser.add_argument_group("watch")
    group.add_argument(
        "-o",
        "--output",
        choices=("text", "json"),
        default="text",
        help="text: one line per alert; json: one JSON object per line (the hook's JSON)",
    )
    group.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (auto: on a terminal unless NO_COLOR is set)",
    )
    add_hook_option(group, inherit=True)


def add_hook_option(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, *, inherit: bool = False
) -> None:
    """`--on-alert CMD`, on `kdash` and on `kdash watch` (there `kdash --on-alert X watch` works too)."""
    unset: dict[str, Any] = {"default": argparse.SUPPRESS} if inherit else {"default": None}
    parser.add_argument(
        "--on-alert",
        metavar="CMD",
        help=(
            "run CMD (with /bin/sh) for each alert that opens or resolves, the alert as JSON on stdin; "
            "overrides [alerts] command; '' turns it off"
        ),
        **unset,
    )
