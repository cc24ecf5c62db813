"""Desktop notifications for new alerts (`--notify`): an OSC escape where the terminal shows one,
else `notify-send`.

- OSC 9 (`ESC ] 9 ; text BEL`): iTerm2, WezTerm, ghostty (and kitty, Windows Terminal partly).
- OSC 777 (`ESC ] 777 ; notify ; title ; body BEL`): urxvt (with its notify extension), foot,
  VTE terminals that carry the notify patch (GNOME Terminal and Ptyxis on Fedora and others).
- Inside tmux the sequence is wrapped for passthrough (`ESC P tmux ; … ESC \\`), which tmux 3.3+
  forwards only with `set -g allow-passthrough on`; tmux hides the outer terminal, so detection
  reads LC_TERMINAL (iTerm2 sets it) or `KDASH_NOTIFY=osc9|osc777|notify-send|off`.
- `notify-send` (libnotify) when it is on PATH, run in a thread with a timeout, one at a time.

Every string is untrusted (a pod name can hold ESC, BEL, bidi controls or `;`), so each is cleaned
of escapes and control characters before it goes into the sequence or the argv: a hostile name must
not end the OSC string early and inject its own. Nothing here blocks the event loop.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Callable, Mapping
from typing import Literal

from kdash.model.logtext import clean

Method = Literal["osc9", "osc777", "notify-send", "off"]
METHODS: tuple[Method, ...] = ("osc9", "osc777", "notify-send", "off")
MAX_TITLE = 80
MAX_BODY = 240
NOTIFY_SEND_TIMEOUT = 5.0
OSC9_PROGRAMS = frozenset({"iTerm.app", "WezTerm", "ghostty"})


def detect(env: Mapping[str, str], which: Callable[[str], str | None] = shutil.which) -> tuple[Method, bool]:
    """(how to notify, whether to wrap for tmux) from the environment."""
    tmux = bool(env.get("TMUX"))
    forced = env.get("KDASH_NOTIFY", "").strip().lower()
    if forced in METHODS:
        return forced, tmux
    program, term = env.get("TERM_PROGRAM", ""), env.get("TERM", "")
    if program in OSC9_PROGRAMS or env.get("LC_TERMINAL") == "iTerm2" or "ghostty" in term:
        return "osc9", tmux
    if term.startswith(("rxvt", "foot")) or env.get("VTE_VERSION"):
        return "osc777", tmux
    if which("notify-send"):
        return "notify-send", False
    return "off", False


def safe_text(value: object, limit: int) -> str:
    """One line with no escape sequence, control or invisible character, at most `limit` long."""
    text = " ".join(clean(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def osc_sequence(method: Method, title: str, body: str, *, tmux: bool = False) -> str:
    """The escape sequence that shows `title`/`body` (both cleaned here); "" for other methods."""
    title, body = safe_text(title, MAX_TITLE), safe_text(body, MAX_BODY)
    if method == "osc9":
        # "kdash: " first: a text starting with digits and ";" reads as a ConEmu sub-command (9;4 progress)
        seq = f"\x1b]9;kdash: {title}: {body}\x07"
    elif method == "osc777":
        seq = f"\x1b]777;notify;kdash: {title.replace(';', ',')};{body}\x07"  # ";" ends the title field
    else:
        return ""
    if tmux:
        seq = "\x1bPtmux;" + seq.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return seq


def notify_send_argv(title: str, body: str, *, urgent: bool = False) -> list[str]:
    """notify-send's argv (no shell): options first, then `--`, so a name starting with "-" is no
    option; the body is escaped because notification servers read it as markup (<b>, <a href>)."""
    body = safe_text(body, MAX_BODY).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return [
        "notify-send",
        "--app-name=kdash",
        f"--urgency={'critical' if urgent else 'normal'}",
        "--",
        f"kdash: {safe_text(title, MAX_TITLE)}",
        body,
    ]


class DesktopNotifier:
    """Sends one notification at a time; `write` puts an OSC sequence on the terminal (the app's
    driver), `on_error` hears, once per failure, why notify-send did not work."""

    def __init__(
        self,
        method: Method,
        *,
        tmux: bool = False,
        write: Callable[[str], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        program: str = "notify-send",
    ) -> None:
        self.method = method
        self.program = program
        self.tmux = tmux
        self._write = write
        self._on_error = on_error
        self._busy = threading.Lock()
        self.sent = 0
        self.skipped = 0  # notify-send still running from the last one: not queued, counted

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        *,
        write: Callable[[str], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> DesktopNotifier:
        method, tmux = detect(env)
        return cls(method, tmux=tmux, write=write, on_error=on_error)

    def describe(self) -> str:
        how = {"osc9": "OSC 9", "osc777": "OSC 777", "notify-send": "notify-send", "off": "no method found"}
        return how[self.method] + (" through tmux passthrough" if self.tmux else "")

    def send(self, title: str, body: str, *, urgent: bool = False) -> None:
        if self.method in ("osc9", "osc777"):
            if self._write is not None:
                self._write(osc_sequence(self.method, title, body, tmux=self.tmux))
                self.sent += 1
        elif self.method == "notify-send":
            if not self._busy.acquire(blocking=False):
                self.skipped += 1
                return
            argv = [self.program, *notify_send_argv(title, body, urgent=urgent)[1:]]
            threading.Thread(target=self._run, args=(argv,), name="kdash-notify", daemon=True).start()

    def _run(self, argv: list[str]) -> None:
        try:
            done = subprocess.run(argv, capture_output=True, timeout=NOTIFY_SEND_TIMEOUT, check=False)
            if done.returncode != 0:
                err = done.stderr.decode("utf-8", "replace").strip().splitlines()
                self._fail(f"notify-send failed (exit {done.returncode}){': ' + err[-1] if err else ''}")
            else:
                self.sent += 1
        except subprocess.TimeoutExpired:
            self._fail(f"notify-send did not finish within {NOTIFY_SEND_TIMEOUT:g} s")
        except OSError as exc:
            self._fail(f"notify-send could not run: {exc.strerror or exc}")
        finally:
            self._busy.release()

    def _fail(self, words: str) -> None:
        if self._on_error is not None:
            self._on_error(safe_text(words, MAX_BODY))
