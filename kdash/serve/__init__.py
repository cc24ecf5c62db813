"""`kdash serve`: the dashboard in a browser, one kdash process per browser tab (textual-serve).

Only the argument parser lives here, so `kdash --help` imports neither aiohttp nor textual-serve;
the command is `kdash.serve.command.run`, the web server `kdash.serve.server`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

TOKEN_ENV = "KDASH_SERVE_TOKEN"  # a token kept out of `ps` (the command line is world-readable)
DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 3  # each session is a whole kdash (its own watches): a few, not dozens


def add_parser(sub: Any, add_target_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `kdash serve`; `add_target_options` adds the shared --kubeconfig/--context/-n/-A/--demo."""
    parser = sub.add_parser(
        "serve",
        help="serve the dashboard to a web browser (one kdash per browser tab)",
        description=(
            "Run the dashboard in a web browser: each browser tab gets its own kdash process, started "
            "with the cluster options given here. Listens on 127.0.0.1 unless --host says otherwise; "
            "any other address needs a token (--token or --generate-token) that every request must "
            "carry. With --demo one simulated cluster is shared by every tab."
        ),
        epilog=(
            "exit codes: 0 stopped by Ctrl-C or SIGTERM; 2 a usage error (a non-loopback --host without "
            f"a token, a short token, a port in use) or a kubeconfig that cannot be read. ${TOKEN_ENV} "
            "sets the token without showing it to `ps`."
        ),
    )
    add_target_options(parser)
    group = parser.add_argument_group("serve")
    group.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1; any non-loopback address requires a token)",
    )
    group.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}; 0 picks a free one)"
    )
    tokens = group.add_mutually_exclusive_group()  # both at once: which one counts would be a guess
    tokens.add_argument(
        "--token",
        default=os.environ.get(TOKEN_ENV) or None,
        help=f"secret every request must carry (?token=, then a cookie); default ${TOKEN_ENV}",
    )
    tokens.add_argument(
        "--generate-token",
        action="store_true",
        help="make a random token and print the address with it once, at start",
    )
    group.add_argument(
        "--max-sessions",
        type=int,
        default=DEFAULT_MAX_SESSIONS,
        metavar="N",
        help=f"browser sessions open at once; more are refused with a page saying so (default: {DEFAULT_MAX_SESSIONS})",
    )
