"""`kdash logs QUERY`: stern-style multi-pod log tailing for the shell (no Textual in this package).

Only the argument parser lives here, so `kdash --help` imports nothing of the cluster layer; the
command is `kdash.tail.command.run`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def add_parser(sub: Any, add_target_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `kdash logs`; `add_target_options` adds the shared --kubeconfig/--context/-n/-A/--demo."""
    parser = sub.add_parser(
        "logs",
        help="follow the logs of every pod matching a regex or selector (like stern)",
        description=(
            "Follow the logs of every container whose pod name matches QUERY (a regular expression, "
            "searched anywhere in the name) or whose pod matches -l. Pods that start are joined "
            "(+ pod › container on stderr) and pods that go are left (-). Ctrl-C stops and prints "
            "how many lines were shown and dropped."
        ),
        epilog="exit codes: 0 done or stopped; 2 a usage error or the cluster could not be read at start.",
    )
    parser.add_argument("query", nargs="?", metavar="QUERY", help="pod-name regex, e.g. web or '^api-'")
    add_target_options(parser)
    group = parser.add_argument_group("logs")
    add = group.add_argument
    add("-l", "--selector", metavar="SELECTOR", help="label selector, e.g. app=web,tier!=cache")
    add("-c", "--container", metavar="REGEX", help="only containers whose name matches (default: all)")
    add(
        "--exclude-pod",
        action="append",
        default=[],
        metavar="REGEX",
        help="leave out pods whose name matches (repeatable)",
    )
    add(
        "-E",
        "--exclude-container",
        action="append",
        default=[],
        metavar="REGEX",
        help="leave out containers whose name matches (repeatable)",
    )
    add(
        "--container-state",
        action="append",
        default=[],
        metavar="STATE",
        help="only containers now running, waiting or terminated (repeatable or comma-separated; "
        "default all: a crash-looping container is followed across its restarts)",
    )
    add(
        "-s",
        "--since",
        metavar="DURATION",
        default="48h",
        help="lines newer than this: 30s, 5m, 1h (default 48h)",
    )
    add("--tail", type=int, default=-1, metavar="N", help="the last N lines of each container (default: all)")
    add("-t", "--timestamps", action="store_true", help="print the kubelet's timestamp before each line")
    add("-p", "--previous", action="store_true", help="the previous (crashed) instance of each container")
    add(
        "-i",
        "--include",
        action="append",
        default=[],
        metavar="REGEX",
        help="only lines matching (repeatable)",
    )
    add(
        "-e",
        "--exclude",
        action="append",
        default=[],
        metavar="REGEX",
        help="drop lines matching (repeatable)",
    )
    add("--no-follow", action="store_true", help="print what is there and exit")
    add(
        "-o",
        "--output",
        choices=("default", "raw", "json"),
        default="default",
        help="default: pod container line; raw: the line only; json: one object a line",
    )
    add(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="auto: on a terminal, unless NO_COLOR",
    )
    add(
        "--max-log-requests",
        type=int,
        default=50,
        metavar="N",
        help="follow at most N containers (default 50)",
    )
