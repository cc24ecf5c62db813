"""What the headless commands (`kdash watch`, `kdash logs`) share about the terminal they print to.

When to colour (a terminal, NO_COLOR unset: no-color.org), how Ctrl-C and SIGTERM end them (an
event the main loop waits on, never a KeyboardInterrupt in the middle of a write), and a printer
that writes whole lines from several threads and notices when stdout's reader went away
(`kdash logs web | head`); and how they reach the cluster (`connect`: the TUI's settings).
Stdlib only at import: the cluster layer is imported when `connect` runs.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import argparse

    from kdash.config import KdashConfig

DIM, RESET = "\x1b[2m", "\x1b[0m"


def colour_wanted(stream: TextIO, choice: str = "auto", env: Mapping[str, str] | None = None) -> bool:
    """`always`/`never` as given; `auto`: a terminal, and NO_COLOR unset or empty."""
    if choice != "auto":
        return choice == "always"
    environ = os.environ if env is None else env
    if environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


@contextmanager
def stopped_by_signals(*events: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set `events` (a second Ctrl-C interrupts for real). Only on the main
    thread (a test may call a command from another); the previous handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGINT and all(e.is_set() for e in events[:1]):
            raise KeyboardInterrupt
        for event in events:
            event.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class Printer:
    """Whole lines to stdout (the command's output) and stderr (kdash's own news), flushed, from
    any thread. A broken stdout pipe sets `broken` (the command then ends quietly)."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out, self.err = out, err
        self._lock = threading.Lock()
        self.broken = False

    def lines(self, lines: list[str]) -> None:
        if lines:
            self._write(self.out, "".join(f"{line}\n" for line in lines))

    def line(self, line: str) -> None:
        self._write(self.out, line + "\n")

    def note(self, line: str) -> None:
        self._write(self.err, line + "\n")

    def _write(self, stream: TextIO, text: str) -> None:
        with self._lock:
            if self.broken and stream is self.out:
                return
            try:
                stream.write(text)
                stream.flush()
            except BrokenPipeError:
                if stream is self.out:
                    self.broken = True
                    _silence(stream)
            except (OSError, ValueError):
                pass  # a closed stderr must not end the command


def _silence(stream: TextIO) -> None:
    """After EPIPE, point the descriptor at /dev/null so the interpreter's final flush of the
    buffered rest cannot raise again (the recipe of the Python docs on SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def load_config(args: argparse.Namespace) -> KdashConfig:
    """config.toml (`--config` or the XDG default), checked; ConfigError is one sentence."""
    from pathlib import Path

    from kdash.config import load_config as load

    path = getattr(args, "config", None)
    return load(Path(path) if path else None)


def connect(args: argparse.Namespace, config: KdashConfig, kinds: tuple[str, ...] | None = None) -> Any:
    """A `ClusterService` (not started) for the target flags, after GET /version answered.

    The namespace rule and the `[service]` settings are the TUI's and `kdash check`'s: -A beats -n
    beats the config file beats the context. Raises ConfigError (kubeconfig) or ConnectionFailed
    (unreachable, credentials refused), each one sentence.
    """
    from dataclasses import replace

    from kdash.k8s.kubeconfig import load_target
    from kdash.k8s.probe import probe
    from kdash.k8s.service import ClusterService
    from kdash.k8s.settings import ServiceSettings

    target = load_target(kubeconfig=getattr(args, "kubeconfig", None), context=getattr(args, "context", None))
    probe(target, timeout=10.0)
    namespace: str | None = None
    if not getattr(args, "all_namespaces", False):
        namespace = getattr(args, "namespace", None) or config.namespace or target.namespace
    extra = (config.namespace,) if config.namespace else ()
    settings = ServiceSettings.from_mapping(config.service, config.source or "config", namespaces=extra)
    if kinds is not None:
        settings = replace(settings, kinds=kinds)
    return ClusterService(target, namespace=namespace, settings=settings)


SYNC_TIMEOUT = 30.0


def synced(service: Any, stop: threading.Event, timeout: float = SYNC_TIMEOUT) -> bool:
    """Wait for the first lists, in short steps so Ctrl-C still works; False when the server is
    unreachable, the wait timed out or `stop` was set."""
    deadline = time.monotonic() + timeout
    while not stop.is_set() and time.monotonic() < deadline:
        if service.wait_until_synced(timeout=0.2):
            return service.connection_error() is None
    return False
