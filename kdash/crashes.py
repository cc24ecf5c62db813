"""`kdash crashes`: print the crash journal; and the two calls that connect the journal to kdash.

The journal (kdash/journal) is filled by the cluster layer's `CrashCapture` through a callback this
module builds (`crash_recorder`), so kdash/k8s never imports kdash/journal; the TUI gets the same
journal to read (`open_journal`). The command reads files only: no cluster is contacted, no
credentials are loaded (the current context's name is read from the kubeconfig), no Textual.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from kdash.errors import ConfigError

if TYPE_CHECKING:
    from kdash.config import KdashConfig
    from kdash.journal import CrashJournal, JournalEntry, JournalRead
    from kdash.model.pods import PodRecord

    Recorder = Callable[[PodRecord, str, int, tuple[str, ...]], None]


def open_journal(config: KdashConfig) -> CrashJournal | None:
    """The crash journal `config` asks for, under `$XDG_STATE_HOME/kdash/crashes`; None when
    `[journal] enabled = false`."""
    from kdash.journal import CrashJournal, journal_dir
    from kdash.k8s.redact import redact

    if not config.journal.enabled:
        return None
    return CrashJournal(journal_dir(), config.journal, redact=redact)


class CrashRecorders:
    """One process's way into the journal, shared by every capture that feeds it: the session's
    and each fleet member's. A crash two captures saw is written once (after `:fleet`, the
    session's context is also a fleet member, with a service and a capture of its own)."""

    REMEMBER = 4096  # crashes (context, pod, container, restart count) kept to tell repeats

    def __init__(self, journal: CrashJournal) -> None:
        self.journal = journal
        self._lock = threading.Lock()
        self._written: OrderedDict[tuple[str, str, str, str, int], None] = OrderedDict()

    def recorder(self, context: Callable[[], str]) -> Recorder:
        """`CrashCapture(on_capture=...)`: each captured crash appended to the journal of the
        context `context()` names at that moment (`:ctx` switches it)."""

        def record(pod: PodRecord, container: str, restarts: int, lines: tuple[str, ...]) -> None:
            name = context()
            key = (name, pod.meta.namespace, pod.meta.name, container, restarts)
            with self._lock:
                if key in self._written:
                    return
                self._written[key] = None
                if len(self._written) > self.REMEMBER:
                    self._written.popitem(last=False)
            self.journal.record_crash(name, pod, container, restarts, lines)

        return record


def crash_recorders(config: KdashConfig) -> CrashRecorders | None:
    """The recorders of this process's journal; None when `[journal] enabled = false`."""
    journal = open_journal(config)
    return None if journal is None else CrashRecorders(journal)


def crash_recorder(config: KdashConfig, context: Callable[[], str]) -> Recorder | None:
    """`CrashCapture(on_capture=...)` for a process with one capture (`kdash watch`)."""
    recorders = crash_recorders(config)
    return None if recorders is None else recorders.recorder(context)


# -- the command ----------------------------------------------------------------------------------


def add_parser(sub: Any) -> None:
    """Register `kdash crashes` on the main parser's subcommands.

    Options given before the subcommand (`kdash --context x crashes`) are kept: the copies here
    default to "not given" (argparse.SUPPRESS) rather than overwriting them.
    """
    unset: dict[str, Any] = {"default": argparse.SUPPRESS}
    parser = sub.add_parser(
        "crashes",
        help="print the crash journal (crashes kdash captured, kept after it exits)",
        description="Print the crashes kdash captured for a kubeconfig context, oldest first.",
    )
    parser.add_argument(
        "-o", "--output", choices=("text", "json"), default="text", help="json: one object a line"
    )
    parser.add_argument(
        "--context", metavar="NAME", help="context (default: the kubeconfig's current)", **unset
    )
    parser.add_argument(
        "--kubeconfig", metavar="PATH", help="kubeconfig to read the current context from", **unset
    )
    parser.add_argument("-n", "--namespace", metavar="NS", help="only crashes in this namespace", **unset)
    parser.add_argument(
        "-A", "--all-namespaces", action="store_true", help="every namespace (the default)", **unset
    )
    parser.add_argument("--all-contexts", action="store_true", help="the journals of every context")
    parser.add_argument(
        "--since", metavar="AGE|TIME", help="only crashes newer than 2h, 30m, 1d or an RFC 3339 time"
    )
    parser.add_argument("--config", metavar="PATH", help="config file (its [journal] table)", **unset)


_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def parse_since(value: str, now: datetime) -> datetime:
    """`2h`, `1h30m`, `3d`, `90s` ago, or an RFC 3339 time; ConfigError (one sentence) otherwise."""
    from kdash.model.timefmt import parse_time

    match = _DURATION.fullmatch(value.strip())
    if match and any(match.groups()):
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return now - timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    parsed = parse_time(value.strip())
    if parsed is None:
        raise ConfigError(
            f"--since: {value!r} is neither an age (30m, 2h, 1d) nor a time (2026-11-29T12:00:00Z)."
        )
    return parsed


def run(args: argparse.Namespace, out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    """Print the journal; 0 when it was read (empty included), 2 on bad options (ConfigError)."""
    from pathlib import Path

    from kdash.config import load_config
    from kdash.journal import CrashJournal, JournalSettings, journal_dir
    from kdash.k8s.redact import redact

    out = out or sys.stdout
    err = err or sys.stderr
    config_path = getattr(args, "config", None)
    config = load_config(Path(config_path) if config_path else None)
    since = parse_since(args.since, datetime.now(UTC)) if args.since else None
    namespace = getattr(args, "namespace", None)
    if getattr(args, "all_namespaces", False):
        namespace = None
    # A journal turned off is still read: what it holds stays the user's to see.
    journal = CrashJournal(journal_dir(), JournalSettings(max_bytes=config.journal.max_bytes), redact=redact)
    if args.all_contexts:
        read, where = journal.read_all(since=since, namespace=namespace), "every context"
    else:
        context = getattr(args, "context", None) or _current_context(args)
        read, where = (
            journal.recent(context, limit=None, since=since, namespace=namespace),
            f"context {context!r}",
        )
    if not config.journal.enabled:
        err.write(f"kdash: the crash journal is turned off ([journal] enabled = false in {config.source}).\n")
    _report(read, where, args.output, out, err, show_context=args.all_contexts)
    return 0


def _current_context(args: argparse.Namespace) -> str:
    from kdash.k8s.kubeconfig import current_context

    return current_context(getattr(args, "kubeconfig", None))


def _report(
    read: JournalRead, where: str, output: str, out: IO[str], err: IO[str], *, show_context: bool
) -> None:
    from kdash.model.logtext import clean

    location = clean(str(read.path))
    if read.error:
        err.write(f"kdash: {clean(read.error)}.\n")
    if read.skipped:
        err.write(
            f"kdash: skipped {read.skipped} unreadable line{'s' * (read.skipped != 1)} in {location}.\n"
        )
    if output == "json":
        for entry in read.entries:
            out.write(json.dumps(entry.to_json(), ensure_ascii=True, separators=(",", ":")) + "\n")
        if not read.entries:
            err.write(f"kdash: the crash journal of {clean(where)} is empty ({location}).\n")
        return
    if not read.entries:
        out.write(f"The crash journal of {clean(where)} is empty ({location}).\n")
        return
    out.write(f"Crash journal of {clean(where)} ({location}), oldest first:\n")
    for entry in read.entries:
        out.write("\n" + "\n".join(entry_lines(entry, show_context=show_context)) + "\n")
    n = len(read.entries)
    out.write(f"\n{n} crash{'es' * (n != 1)}.\n")


def entry_lines(entry: JournalEntry, *, show_context: bool = False) -> Sequence[str]:
    """One crash as text lines: a heading, the message, the log tail (indented); terminal-safe."""
    from kdash.model.logtext import clean

    head = [entry.time.strftime("%Y-%m-%d %H:%M:%SZ"), f"{entry.namespace}/{entry.pod}", entry.container]
    if show_context:
        head.insert(1, f"[{entry.context}]")
    head.append(f"restart {entry.restarts}")
    how = entry.reason or "terminated"
    if entry.exit_code is not None:
        how += f", exit code {entry.exit_code}"
    if entry.signal:
        how += f", signal {entry.signal}"
    head.append(how)
    if entry.owner_key is not None:
        head.append(f"({entry.owner_kind} {entry.owner_name})")
    lines = ["  ".join(clean(part) for part in head)]
    lines.extend(f"    message: {clean(line)}" for line in entry.message.splitlines() if line.strip())
    lines.extend(f"    | {clean(line)}" for line in entry.log_tail)
    return lines
