"""Which alerts the `--on-alert` hook already ran for, kept across starts.

The alert engine's first look at a cluster opens every alert that is already true. Without a
memory, each start of `kdash` or `kdash watch --on-alert` (a systemd unit, a pod that restarts)
would page again for every crash loop it paged for before. This file remembers, per context and
alert id, the state the hook last ran for ("open" or "resolved"): an alert is news when its state
differs. Entries older than `keep` are forgotten, so a condition still open after a week is sent
once more as a reminder, and the file stays small (`cap` entries, newest kept).

The file is `$XDG_STATE_HOME/kdash/hooks-sent.json`, replaced atomically on each change. Several
kdash processes may share it (a `kdash watch` unit and a dashboard): each change is made under a
sibling lock file and merges what the others wrote since, newest entry per alert winning.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

if sys.platform != "win32":
    import fcntl

from kdash.alerts.model import Alert

log = logging.getLogger("kdash.notify")
_LOCK_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)

KEEP_SECONDS = 7 * 24 * 3600.0
CAP = 5000


def sent_path(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_STATE_HOME/kdash/hooks-sent.json` (default `~/.local/state/kdash/hooks-sent.json`)."""
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or str(Path("~/.local/state").expanduser())
    return Path(base) / "kdash" / "hooks-sent.json"


def state_of(alert: Alert) -> str:
    return "open" if alert.open else "resolved"


class SentLog:
    """The hook's memory of what it ran for; thread-safe (submit and the worker both use it)."""

    def __init__(
        self,
        path: Path,
        *,
        keep: float = KEEP_SECONDS,
        cap: int = CAP,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.keep = keep
        self.cap = cap
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[str, float]] = self._load()

    @staticmethod
    def key(alert: Alert) -> str:
        """Alerts are told apart by context and id."""
        return f"{alert.context}\x00{alert.id}"

    def is_news(self, alert: Alert) -> bool:
        """Whether the hook has not run for this alert in this state (within `keep`)."""
        with self._lock:
            last = self._entries.get(self.key(alert))
        return last is None or last[0] != state_of(alert) or last[1] < self._clock() - self.keep

    def record(self, alert: Alert) -> None:
        """The hook ran for `alert` in its state: remember it, and write the file (with what
        other processes wrote meanwhile)."""
        now = self._clock()
        with self._lock, self._locked():
            entries = self._merged(self._load())
            entries.pop(self.key(alert), None)  # re-inserted last: dicts keep insertion order
            entries[self.key(alert)] = (state_of(alert), now)
            stale = now - self.keep
            for key in [k for k, (_, at) in entries.items() if at < stale]:
                del entries[key]
            while len(entries) > self.cap:
                del entries[next(iter(entries))]
            self._entries = entries
            self._write(json.dumps({k: [s, at] for k, (s, at) in entries.items()}, separators=(",", ":")))

    def _merged(self, disk: dict[str, tuple[str, float]]) -> dict[str, tuple[str, float]]:
        """This process's entries and the file's, the newer of each alert's two, oldest first."""
        both = dict(self._entries)
        for key, entry in disk.items():
            if key not in both or entry[1] > both[key][1]:
                both[key] = entry
        return dict(sorted(both.items(), key=lambda kv: kv[1][1]))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The file's cross-process lock (a sibling `.lock` file, never removed, opened as the
        crash journal opens its own: no symlink followed, not inherited by child processes).
        Without one (a directory that cannot be written) the change goes ahead: at worst a
        repeated run."""
        fd = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path.with_name(self.path.name + ".lock"), _LOCK_FLAGS, 0o600)
            if sys.platform != "win32":
                fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            log.warning("cannot lock the alert hook's memory %s: %s", self.path, exc)
        try:
            yield
        finally:
            if fd is not None:
                os.close(fd)  # closing releases the lock

    def _load(self) -> dict[str, tuple[str, float]]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:  # unreadable or torn: start afresh, at worst a repeat
            log.warning("ignoring the alert hook's memory %s: %s", self.path, exc)
            return {}
        out: dict[str, tuple[str, float]] = {}
        if isinstance(raw, dict):
            for key, value in raw.items():
                if (
                    isinstance(value, list)
                    and len(value) == 2
                    and value[0] in ("open", "resolved")
                    and isinstance(value[1], int | float)
                ):
                    out[str(key)] = (value[0], float(value[1]))
        return dict(sorted(out.items(), key=lambda kv: kv[1][1]))  # oldest first, as `record` keeps them

    def _write(self, data: str) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            tmp.write_text(data, encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:  # a memory that cannot be written costs a repeat, nothing more
            log.warning("cannot write the alert hook's memory %s: %s", self.path, exc)
            tmp.unlink(missing_ok=True)
