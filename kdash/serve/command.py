"""`kdash serve`: check the settings, build the command each browser tab runs, serve until stopped.

Each tab runs `python -m kdash` with the cluster options given to `kdash serve` (for --demo the CLI
has already started one simulated cluster in this process and put its kubeconfig in `args`, so
every tab shares it). The kubeconfig and context are read once here, so a typo stops `kdash serve`
with one sentence instead of ending every tab's session. The token is printed at most once, in the
start-up line, and only when it was generated; it is never logged or handed to the app processes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import signal
import socket
import sys
from typing import TextIO

from kdash.errors import UsageError
from kdash.k8s.kubeconfig import load_target
from kdash.serve.security import check_settings, new_token
from kdash.serve.server import KdashServer


def child_argv(args: argparse.Namespace) -> list[str]:
    """`python -m kdash` plus the options that choose what the dashboard shows (paths made absolute:
    the app processes must not depend on the directory the server was started in)."""
    argv = [sys.executable, "-m", "kdash"]
    for flag, name in (("--kubeconfig", "kubeconfig"), ("--config", "config"), ("--log-file", "log_file")):
        if value := getattr(args, name, None):
            argv += [flag, os.pathsep.join(os.path.abspath(p) for p in str(value).split(os.pathsep))]
    if context := getattr(args, "context", None):
        argv += ["--context", context]
    if getattr(args, "all_namespaces", False):
        argv.append("-A")
    elif namespace := getattr(args, "namespace", None):
        argv += ["-n", namespace]
    return argv


def address(host: str, port: int) -> str:
    """The URL to print: an unspecified bind address (0.0.0.0, ::) is shown as this machine's name."""
    name = socket.gethostname() if host in ("", "0.0.0.0", "::") else host
    return f"http://[{name}]:{port}/" if ":" in name else f"http://{name}:{port}/"


def run(args: argparse.Namespace, stdout: TextIO | None = None) -> int:
    """Serve until SIGINT or SIGTERM; 0 then, a KdashError (exit 2) for what stops it at start."""
    out = stdout or sys.stdout
    generated = bool(getattr(args, "generate_token", False))
    token = new_token() if generated else args.token
    check_settings(args.host, token, args.max_sessions)
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}.")
    load_target(kubeconfig=getattr(args, "kubeconfig", None), context=getattr(args, "context", None))
    command = shlex.join(child_argv(args))
    server = KdashServer(
        command,
        host=args.host,
        port=args.port,
        token=token,
        max_sessions=args.max_sessions,
        title="kdash",
    )
    return asyncio.run(_serve(server, out, token if generated else None))


async def _serve(server: KdashServer, out: TextIO, show_token: str | None) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (RuntimeError, ValueError, NotImplementedError):  # not the main thread
            pass
    try:
        port = await server.start()
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {server.host}:{server.port}: {os.strerror(exc.errno).lower() if exc.errno else exc}."
        ) from None
    try:
        url = address(server.host, port)
        if show_token is not None:
            where = f"open {url}?token={show_token} (the token is shown only this once)"
        elif server.token is not None:
            where = f"open {url}?token=<your token>"
        else:
            where = f"open {url}"
        limit = f"up to {server.max_sessions} browser session(s)"
        print(f"kdash serve: {where}; {limit}; Ctrl-C stops.", file=out, flush=True)
        print(f"kdash serve: each session runs: {server.command}", file=out, flush=True)
        await stop.wait()
    finally:
        await server.stop()
    return 0
