"""`kdash logs QUERY`: follow the matching containers until Ctrl-C (or, with --no-follow, until read).

The cluster service (pods only) supplies membership: the first full list decides who is followed at
start, then every publish may join or leave containers (`+ pod › container` / `- pod › container`
on stderr, as stern prints them). Lines go to stdout in the chosen format; kdash's own news (joins,
stream errors, the final count of lines and drops) goes to stderr, so `-o json | jq` sees only JSON.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from contextlib import ExitStack
from typing import Any, TextIO

from kdash import headless
from kdash.errors import ConnectionFailed, KdashError, UsageError
from kdash.k8s.logs import LogService
from kdash.k8s.redact import redact
from kdash.model.logtext import clean, strip_ansi
from kdash.model.source import LogTarget
from kdash.tail.follow import Item, Tail, on_change
from kdash.tail.output import Formatter
from kdash.tail.query import Query, parse_duration

RESOLVE_INTERVAL = 5.0  # re-check membership this often even without a publish
FLUSH_INTERVAL = 0.05


def run(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Tail until stopped or read; the exit code (0, or 2 for usage and start-up errors)."""
    printer = headless.Printer(stdout or sys.stdout, stderr or sys.stderr)
    stop, wake = threading.Event(), threading.Event()
    try:
        query, target = _parse(args)
        with headless.stopped_by_signals(stop, wake):
            config = headless.load_config(args)
            return _tail(args, config, query, target, printer, stop, wake)
    except KdashError as exc:
        printer.note(f"kdash: {redact(clean(exc))}")
        return exc.exit_code


def _parse(args: argparse.Namespace) -> tuple[Query, LogTarget]:
    query = Query.from_options(
        args.query,
        args.selector,
        args.container,
        previous=args.previous,
        include=args.include,
        exclude=args.exclude,
        exclude_pod=args.exclude_pod,
        exclude_container=args.exclude_container,
        container_state=args.container_state,
    )
    if args.tail < -1:
        raise UsageError(f"--tail: expected -1 (all) or a number of lines, got {args.tail}.")
    if args.max_log_requests < 1:
        raise UsageError(f"--max-log-requests: expected at least 1, got {args.max_log_requests}.")
    target = LogTarget(
        namespace=None,
        previous=args.previous,
        tail_lines=None if args.tail == -1 else args.tail,
        since_seconds=parse_duration(args.since),
        timestamps=True,  # always asked for: resuming needs them; printed only with -t
        follow=not (args.no_follow or args.previous),
    )
    return query, target


def _tail(
    args: argparse.Namespace,
    config: Any,
    query: Query,
    target: LogTarget,
    printer: headless.Printer,
    stop: threading.Event,
    wake: threading.Event,
) -> int:
    service = headless.connect(args, config, kinds=("pods",))
    with ExitStack() as stack:
        stack.callback(service.stop)
        service.start()
        if not headless.synced(service, stop):
            if stop.is_set():
                return 0
            reason = service.connection_error() or "the cluster did not answer in time"
            raise ConnectionFailed(f"Could not list pods: {clean(reason).rstrip('.')}.")
        logs = LogService(service.target, service)
        tail = Tail(logs, service, query, target, max_streams=args.max_log_requests)
        stack.callback(tail.stop)
        out = printer.out
        fmt = Formatter(
            args.output,
            colour=headless.colour_wanted(out, args.color),
            err_colour=headless.colour_wanted(printer.err, args.color),
            timestamps=args.timestamps,
            namespaces=service.snapshot().namespace is None,
        )
        follow = target.follow
        if follow:
            stack.callback(service.subscribe(on_change(tail, wake)))
        tail.reconcile()
        counts = _Counts()
        if tail.matched == 0:
            printer.note(
                f"kdash: {_nothing(args, service)}" + ("; waiting for one to start" if follow else "")
            )
        _warn_cap(tail, printer, counts)
        next_resolve = time.monotonic() + RESOLVE_INTERVAL
        while not stop.is_set() and not printer.broken:
            if follow and (tail.dirty.is_set() or time.monotonic() >= next_resolve):
                tail.reconcile()
                _warn_cap(tail, printer, counts)
                next_resolve = time.monotonic() + RESOLVE_INTERVAL
            done = not follow and tail.finished()  # read before taking: nothing can arrive after
            _print(tail.take(), fmt, query, printer, counts)
            if done:
                break
            wake.wait(FLUSH_INTERVAL)
            wake.clear()
        tail.stop()
        if not printer.broken:
            _print(tail.take(), fmt, query, printer, counts)
            dropped = tail.dropped
            printer.note(
                f"kdash: {counts.shown:,} line{'' if counts.shown == 1 else 's'}, {dropped:,} dropped"
                + (f", {counts.filtered:,} filtered out" if counts.filtered else "")
            )
    return 0


class _Counts:
    def __init__(self) -> None:
        self.shown = 0
        self.filtered = 0
        self.warned = 0  # the match count last warned about (the cap)


def _print(
    items: list[Item], fmt: Formatter, query: Query, printer: headless.Printer, counts: _Counts
) -> None:
    batch: list[str] = []
    for kind, member, payload in items:
        if kind != "line":
            printer.lines(batch)
            batch = []
            printer.note(fmt.event(kind, member, payload))
            continue
        if (query.include or query.exclude) and not query.wants_line(strip_ansi(payload.text)):
            counts.filtered += 1
            continue
        batch.append(fmt.line(member, payload))
        counts.shown += 1
    printer.lines(batch)


def _nothing(args: argparse.Namespace, service: Any) -> str:
    what = f"matching {args.query!r}" if args.query else ""
    if args.selector:
        what += f"{' and ' if what else ''}with labels {args.selector!r}"
    where = service.snapshot().namespace
    scope = f"in namespace {where}" if where else "in any namespace"
    kind = "container" if args.container or args.previous else "pod"
    return clean(f"no {kind} {what} {scope}".replace("  ", " "))


def _warn_cap(tail: Tail, printer: headless.Printer, counts: _Counts) -> None:
    """stern stops at --max-log-requests; kdash follows the first N (by name) and says so."""
    if tail.matched > tail.max_streams and counts.warned != tail.matched:
        counts.warned = tail.matched
        printer.note(
            f"kdash: following {tail.max_streams} of {tail.matched} containers (raise --max-log-requests)"
        )
