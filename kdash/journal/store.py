"""The journal on disk: one JSON-lines file per kubeconfig context, bounded, shared by processes.

Several kdash processes (two terminals on the same cluster) may append at once, so every change
happens under an advisory lock file (`flock`), each entry is one `write` to a file opened with
`O_APPEND`, and the size cap is kept by rewriting the newest entries into a temporary file that is
renamed over the old one (readers see the old file or the new one, never half of one). Readers take
no lock and tolerate anything: a torn last line, a foreign file, bytes that are not UTF-8, entries
of the wrong shape. They are skipped and counted, never raised.

File names come from the context name, made safe (`safe_filename`) plus a hash of the exact name,
so `../../etc` or two contexts that differ only in a slash cannot leave the directory or collide.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from kdash.journal.entry import JournalEntry, entry_from_json, entry_from_pod
from kdash.journal.scrub import Redact, encode, redact_lines, scrub_entry, scrub_name
from kdash.journal.settings import JournalSettings
from kdash.model.logtext import safe_filename
from kdash.model.pods import PodRecord

if sys.platform != "win32":
    import fcntl

log = logging.getLogger("kdash.journal")

SUFFIX = ".jsonl"
MAX_LINE_BYTES = 1 << 20  # a longer line is not one kdash wrote: skipped unread
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def context_filename(context: str) -> str:
    """A file name for `context` that stays inside the journal directory whatever the name holds."""
    digest = hashlib.sha256(context.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{safe_filename(context, limit=60, fallback='context')}-{digest}{SUFFIX}"


@dataclass(frozen=True)
class JournalRead:
    """What a read found: entries oldest first, how many lines were skipped, and where."""

    entries: tuple[JournalEntry, ...]
    skipped: int
    path: Path
    error: str = ""


def parse_lines(data: bytes, context: str | None = None) -> tuple[list[JournalEntry], int]:
    """The entries in `data` (JSON lines) and the count of lines that are not entries (of `context`)."""
    entries: list[JournalEntry] = []
    skipped = 0
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            skipped += 1
            continue
        try:
            entry = entry_from_json(json.loads(raw.decode("utf-8", "replace")))
        except (ValueError, RecursionError):  # JSONDecodeError and BadEntry are ValueErrors
            skipped += 1
            continue
        if context is not None and entry.context != context:
            skipped += 1  # a file copied from elsewhere: not this context's crashes
            continue
        entries.append(entry)
    return entries, skipped


class CrashJournal:
    """The per-context crash journal in `directory`; thread-safe, and safe across processes.

    `redact` masks credentials in every string written and read (pass kdash.k8s.redact.redact).
    File I/O: call from a worker or service thread, never from the UI's event loop.
    """

    def __init__(self, directory: Path, settings: JournalSettings | None = None, *, redact: Redact) -> None:
        self.directory = directory
        self.settings = settings or JournalSettings()
        self._redact = redact
        self._lock = threading.Lock()
        self.written = 0
        self.last_error = ""

    def context_name(self, context: str) -> str:
        """`context` as entries carry it (cleaned, redacted): the file is named after this."""
        return scrub_name(context, self._redact)

    def path_for(self, context: str) -> Path:
        return self.directory / context_filename(self.context_name(context))

    # -- writing -----------------------------------------------------------------------------------

    def record_crash(
        self,
        context: str,
        pod: PodRecord,
        container: str,
        restarts: int,
        lines: Sequence[str],
        *,
        now: datetime | None = None,
    ) -> JournalEntry | None:
        """Append the crash kdash just captured; the written entry, or None (disabled or failed)."""
        entry = entry_from_pod(pod, container, restarts, lines, context=context, now=now or datetime.now(UTC))
        return self.append(entry)

    def append(self, entry: JournalEntry) -> JournalEntry | None:
        """Scrub and append `entry`, then keep the file under its cap; None when nothing was written.

        A disk error is logged and kept in `last_error`; it never reaches the caller (a crash
        capture must not fail because the journal cannot be written).
        """
        if not self.settings.enabled:
            return None
        safe = scrub_entry(
            entry, self._redact, tail_lines=self.settings.tail_lines, max_bytes=self.settings.entry_bytes
        )
        path = self.path_for(entry.context)
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            with self._lock, self._locked(path):
                size = self._append_line(path, encode(safe))
                if size > self.settings.max_bytes:
                    self._compact(path)
        except OSError as exc:
            self.last_error = f"cannot write the crash journal {path}: {exc.strerror or exc}"
            log.warning("%s", self.last_error)
            return None
        self.written += 1
        return safe

    @contextmanager
    def _locked(self, path: Path) -> Iterator[None]:
        """The cross-process lock of one journal file (a sibling `.lock` file, never removed)."""
        fd = os.open(
            path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT | _O_NOFOLLOW | _O_CLOEXEC, 0o600
        )
        try:
            if sys.platform != "win32":
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    @staticmethod
    def _append_line(path: Path, line: bytes) -> int:
        """One write with O_APPEND; a torn line left by a killed writer is ended first. The new size."""
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | _O_NOFOLLOW | _O_CLOEXEC, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
            return os.fstat(fd).st_size
        finally:
            os.close(fd)

    def _compact(self, path: Path) -> None:
        """Keep the newest entries that fit in 3/4 of the cap (so the next appends do not rewrite
        again at once), written to a temporary file and renamed over the journal. Caller holds the lock."""
        data, error = self._read_bytes(path)
        if error:
            raise OSError(error)
        budget = self.settings.max_bytes * 3 // 4
        kept: list[bytes] = []
        total = 0
        for raw in reversed(data.split(b"\n")):
            if not raw.strip():
                continue
            try:
                entry_from_json(json.loads(raw))
            except (ValueError, RecursionError):
                continue  # torn or foreign lines are not carried over
            if total + len(raw) + 1 > budget:
                break
            kept.append(raw)
            total += len(raw) + 1
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _O_NOFOLLOW | _O_CLOEXEC, 0o600)
        try:
            os.write(fd, b"".join(raw + b"\n" for raw in reversed(kept)))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        log.info("crash journal %s compacted to %d entries", path.name, len(kept))

    # -- reading -----------------------------------------------------------------------------------

    def read(self, context: str) -> JournalRead:
        """Every entry of `context`, oldest first; never raises."""
        path = self.path_for(context)
        data, error = self._read_bytes(path)
        entries, skipped = parse_lines(data, self.context_name(context))
        return JournalRead(tuple(self._redacted(e) for e in entries), skipped, path, error)

    def recent(
        self,
        context: str,
        *,
        limit: int | None = 200,
        since: datetime | None = None,
        namespace: str | None = None,
    ) -> JournalRead:
        """The newest `limit` entries of `context` (oldest first), after `since`, in `namespace`."""
        return _select(self.read(context), limit=limit, since=since, namespace=namespace)

    def read_all(
        self, *, limit: int | None = None, since: datetime | None = None, namespace: str | None = None
    ) -> JournalRead:
        """The entries of every context's file, oldest first (by capture time)."""
        entries: list[JournalEntry] = []
        skipped = 0
        errors: list[str] = []
        for path in self.files():
            data, error = self._read_bytes(path)
            found, bad = parse_lines(data)
            entries.extend(self._redacted(e) for e in found)
            skipped += bad
            if error:
                errors.append(error)
        entries.sort(key=lambda e: e.time)
        read = JournalRead(tuple(entries), skipped, self.directory, "; ".join(errors))
        return _select(read, limit=limit, since=since, namespace=namespace)

    def files(self) -> list[Path]:
        """The journal files present (one per context that has had a crash)."""
        try:
            return sorted(p for p in self.directory.iterdir() if p.name.endswith(SUFFIX) and p.is_file())
        except OSError:
            return []

    def _read_bytes(self, path: Path) -> tuple[bytes, str]:
        """The file's newest bytes (at most twice the cap: a foreign giant is not read whole)."""
        limit = max(2 * self.settings.max_bytes, 1 << 20)
        try:
            with open(path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size <= limit:
                    return handle.read(), ""
                handle.seek(size - limit)
                data = handle.read()
                return data[data.find(b"\n") + 1 :], ""  # the first line is cut: not an entry
        except FileNotFoundError:
            return b"", ""
        except OSError as exc:
            return b"", f"cannot read the crash journal {path}: {exc.strerror or exc}"

    def _redacted(self, entry: JournalEntry) -> JournalEntry:
        """Mask credentials again on the way out: the file may not have been written by this kdash."""
        r = self._redact
        return replace(
            entry,
            pod=r(entry.pod),
            container=r(entry.container),
            owner_kind=r(entry.owner_kind),
            owner_name=r(entry.owner_name),
            reason=r(entry.reason),
            image=r(entry.image),
            node=r(entry.node),
            message=redact_lines(entry.message, r),
            log_tail=tuple(r(line) for line in entry.log_tail),
        )


def _select(
    read: JournalRead, *, limit: int | None, since: datetime | None, namespace: str | None
) -> JournalRead:
    entries = [
        e
        for e in read.entries
        if (since is None or e.time >= since) and (namespace is None or e.namespace == namespace)
    ]
    if limit is not None:
        entries = entries[-limit:] if limit > 0 else []
    return replace(read, entries=tuple(entries))
