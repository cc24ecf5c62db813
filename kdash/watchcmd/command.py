"""`kdash watch`: run the cluster service and the alert engine headless and print what changes.

Start-up is strict, running is forgiving: at start the cluster must answer (GET /version, then
every list), or kdash exits 2 with one sentence; once running, a lost connection is one stderr line,
the service reconnects on its own (informer back-off plus the reachability probe) and a second line
says when it is back; alerts stay as they were meanwhile. Ctrl-C and SIGTERM end it cleanly (exit 0).

The loop runs on the main thread: it takes the change sets the service published since the last
round (drained before the snapshot is read, so none is skipped), feeds them to the engine with the
wall clock, prints the alerts that opened and resolved and hands them to the hook runner. Between
rounds it sleeps until the next publish, the engine's next due time (a pod Pending for 4 of 5
minutes) or a second, whichever comes first.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections import deque
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TextIO

from kdash import headless
from kdash.alerts.engine import AlertEngine
from kdash.alerts.model import AlertDelta
from kdash.config import KdashConfig
from kdash.errors import ConnectionFailed, KdashError
from kdash.k8s.redact import redact
from kdash.model.logtext import clean
from kdash.model.snapshot import SyncPhase
from kdash.model.source import ChangeSet
from kdash.notify.hooks import hook_command, start_hooks
from kdash.watchcmd.render import json_line, status_line, text_line

TICK = 1.0  # seconds between engine updates when nothing is published


class Printer(headless.Printer):
    """Alert lines to stdout, kdash's own news (connection, hook failures) to stderr."""

    def __init__(self, out: TextIO, err: TextIO, *, output: str, colour: str) -> None:
        super().__init__(out, err)
        self.output = output
        self.colour = output == "text" and headless.colour_wanted(out, colour)
        self.err_colour = headless.colour_wanted(err, colour)

    def alerts(self, delta: AlertDelta) -> None:
        self.lines(
            [
                json_line(a) if self.output == "json" else text_line(a, colour=self.colour)
                for a in (*delta.opened, *delta.resolved)
            ]
        )

    def news(self, text: str) -> None:
        self.note(status_line(redact(text), colour=self.err_colour))


def run(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Watch until stopped; the exit code (0 stopped, 2 could not start)."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    printer = Printer(out, err, output=getattr(args, "output", "text"), colour=getattr(args, "color", "auto"))
    stop, wake = threading.Event(), threading.Event()
    try:
        with headless.stopped_by_signals(stop, wake):
            config = headless.load_config(args)
            return _watch(args, config, printer, stop, wake)
    except KdashError as exc:
        printer.news(str(exc))
        return exc.exit_code


def _watch(
    args: argparse.Namespace,
    config: KdashConfig,
    printer: Printer,
    stop: threading.Event,
    wake: threading.Event,
) -> int:
    service = headless.connect(args, config)
    target = service.target
    pending: deque[ChangeSet] = deque()

    def on_change(changes: ChangeSet) -> None:
        pending.append(changes)
        wake.set()

    with ExitStack() as stack:
        stack.callback(service.stop)
        stack.callback(service.subscribe(on_change))
        _journal_crashes(service, target, config, stack)
        service.start()
        if not headless.synced(service, stop):
            if stop.is_set():
                return 0
            reason = service.connection_error() or "the cluster did not answer in time"
            raise ConnectionFailed(f"Could not read the cluster: {clean(reason).rstrip('.')}.")
        _report_unreadable(service.snapshot().states, printer)
        command = hook_command(getattr(args, "on_alert", None), config.alerts.command)
        hooks = start_hooks(replace(config.alerts, command=command), printer.news)
        if hooks is not None:
            stack.callback(hooks.close)
        engine = AlertEngine(config.alerts)
        _loop(service, engine, pending, wake, stop, printer, hooks.submit if hooks else None)
        if not printer.broken:
            count = engine.open_count
            printer.news(f"watch stopped; {count} alert{'' if count == 1 else 's'} open")
    return 0


def _loop(
    service: Any,
    engine: AlertEngine,
    pending: deque[ChangeSet],
    wake: threading.Event,
    stop: threading.Event,
    printer: Printer,
    submit: Callable[[AlertDelta], None] | None,
) -> None:
    lost: str | None = None
    while not stop.is_set() and not printer.broken:
        wake.clear()
        batch = [pending.popleft() for _ in range(len(pending))]  # before the snapshot: none skipped
        now = datetime.now(UTC)
        delta = engine.update(service.snapshot(), batch, now)
        if delta.opened or delta.resolved:
            printer.alerts(delta)
            if submit is not None:
                submit(delta)
        problem = service.connection_error()
        if problem and lost is None:
            printer.news(f"connection lost: {problem}; retrying (alerts as last seen)")
        elif problem is None and lost is not None:
            printer.news("connection regained")
        lost = problem
        due = engine.next_due()
        wait = TICK if due is None else min(TICK, max(0.05, (due - now).total_seconds()))
        wake.wait(wait)


def _report_unreadable(states: Any, printer: Printer) -> None:
    """Kinds the alert conditions need but cannot read (RBAC): said once, the rest is watched."""
    for kind, state in sorted(states.items()):
        if state.phase is SyncPhase.FORBIDDEN:
            printer.news(f"{kind} not watched (forbidden): {state.message}")


def _journal_crashes(service: Any, target: Any, config: KdashConfig, stack: ExitStack) -> None:
    """Crashes seen while watching go to the crash journal too (`kdash crashes`), as in the TUI."""
    from kdash.crashes import crash_recorder
    from kdash.k8s.crash import CrashCapture

    record = crash_recorder(config, lambda: str(service.target.context))
    if record is None:
        return
    capture = CrashCapture(service, target, on_capture=record)
    stack.callback(capture.stop)
