"""`--on-alert CMD` / `[alerts] command`: run a command for each opened or resolved alert.

Like a git hook, CMD is run by the shell (`/bin/sh -c CMD`), so pipes, redirections and `$VARS`
work. It gets the alert as one JSON object on stdin (`Alert.to_json()`, one line, then a newline)
and a few plain values in the environment: KDASH_ALERT_STATE (open/resolved), KDASH_ALERT_ID,
KDASH_ALERT_CONDITION, KDASH_ALERT_SEVERITY and KDASH_CONTEXT. Its stdout is discarded; the end of
its stderr is quoted when it fails.

An alert the hook already ran for in the same state, by this process or an earlier one, is not
run again (`kdash.notify.sent`): restarting `kdash watch --on-alert` does not page again for the
crash loops it paged for before.

The caller never waits: `submit` puts the alerts on a bounded queue and one worker thread runs them
in order, at most one run a second and `max_per_minute` a minute. A burst beyond what the queue
holds (a minute's worth) is dropped and the number reported, rather than replayed for an hour.
Each run has a timeout, after which its whole process group (the shell and whatever it started) is
killed. Every failure (exit code not 0, timeout, command not found, cannot start) is reported once
through `on_failure` (a toast in the TUI, a stderr line in `kdash watch`) and never stops anything.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import IO

from kdash.alerts.config import AlertsConfig
from kdash.alerts.model import Alert, AlertDelta
from kdash.model.logtext import clean
from kdash.notify.sent import SentLog, sent_path, state_of

log = logging.getLogger("kdash.notify")

OnFailure = Callable[[str], None]

#: Seconds between two runs at least (bursts are spread out, not fired at once).
MIN_INTERVAL = 1.0
#: Seconds a process group gets between SIGTERM and SIGKILL after its timeout.
KILL_GRACE = 1.0
#: Alerts whose last submitted state is kept in memory (beyond it, the memory file decides).
SUBMITTED_CAP = 10_000
#: Bytes of the hook's stderr kept to quote in a failure report.
STDERR_TAIL = 2048


def hook_command(on_alert: str | None, configured: str) -> str:
    """The command to run: `--on-alert` beats `[alerts] command`; "" means no hook."""
    return (on_alert if on_alert is not None else configured).strip()


def start_hooks(config: AlertsConfig, on_failure: OnFailure) -> HookRunner | None:
    """The runner `config` asks for (`command`, `command_timeout`, `command_max_per_minute`), its
    worker started; None when no command is set (`--on-alert` is already applied to `command`)."""
    command = config.command.strip()
    if not command:
        return None
    return HookRunner(
        command,
        on_failure=on_failure,
        timeout=config.command_timeout,
        max_per_minute=config.command_max_per_minute,
        sent=SentLog(sent_path()),
    )


def alert_json(alert: Alert) -> str:
    """The alert as one compact JSON object; ASCII only (`\\u` escapes), so no control, C1 or bidi
    character of a message reaches a terminal that shows it (`kdash watch -o json` prints this too)."""
    return json.dumps(alert.to_json(), separators=(",", ":"))


def describe(alert: Alert) -> str:
    """`OPEN CrashLoopBackOff Pod/shop/cart-1/app`: which alert a report is about (cleaned)."""
    state = "OPEN" if alert.open else "RESOLVED"
    where = f"{alert.key}/{alert.container}" if alert.container else str(alert.key)
    return clean(f"{state} {alert.condition} {where}")


class HookRunner:
    """Runs one shell command per alert on a worker thread; see the module docstring."""

    def __init__(
        self,
        command: str,
        *,
        on_failure: OnFailure,
        timeout: float = 10.0,
        max_per_minute: int = 30,
        min_interval: float = MIN_INTERVAL,
        env: Mapping[str, str] | None = None,
        sent: SentLog | None = None,
    ) -> None:
        """`sent` remembers what ran across starts (kdash.notify.sent); None runs every alert given."""
        self.command = command
        self._sent = sent
        self._submitted: dict[str, str] = {}  # alert key -> the state last submitted (with `sent`)
        self.timeout = timeout
        self.max_per_minute = max(1, max_per_minute)
        self.min_interval = min_interval
        self._on_failure = on_failure
        self._env = dict(os.environ if env is None else env)
        self._queue: queue.Queue[Alert] = queue.Queue(maxsize=self.max_per_minute)
        self._starts: deque[float] = deque()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._idle = threading.Condition()
        self._busy = 0  # alerts submitted and not yet finished
        self.runs = 0
        self.failures = 0
        self.dropped = 0
        self.repeats = 0  # alerts not run: the hook already ran for them in that state (`sent`)
        self._dropped_reported = 0
        self._thread = threading.Thread(target=self._work, name="kdash-alert-hook", daemon=True)
        self._thread.start()

    # ---- the caller's side (never blocks) ----------------------------------------------------

    def submit(self, delta: AlertDelta) -> None:
        """Queue a run for each newly opened and each newly resolved alert (not for updates)."""
        self.submit_alerts((*delta.opened, *delta.resolved))

    def submit_alerts(self, alerts: Iterable[Alert]) -> None:
        for alert in alerts:
            if self._stop.is_set():
                return
            if self._sent is not None and not self._is_news(alert):
                self.repeats += 1  # e.g. a crash loop a previous start already ran the hook for
                continue
            with self._idle:
                self._busy += 1
            try:
                self._queue.put_nowait(alert)
            except queue.Full:
                with self._idle:
                    self._busy -= 1
                    self.dropped += 1
                    self._idle.notify_all()

    def _is_news(self, alert: Alert) -> bool:
        """Against the state last submitted in this process (queued runs are not recorded yet),
        else against what the memory of earlier runs says."""
        assert self._sent is not None
        key, state = SentLog.key(alert), state_of(alert)
        last = self._submitted.pop(key, None)
        self._submitted[key] = state  # newest last, so the oldest go first past the cap
        if len(self._submitted) > SUBMITTED_CAP:
            del self._submitted[next(iter(self._submitted))]
        return last != state if last is not None else self._sent.is_news(alert)

    def wait_idle(self, timeout: float) -> bool:
        """Block until every queued alert has run (True) or `timeout` passes (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def close(self, timeout: float = KILL_GRACE + 2.0) -> None:
        """Stop the worker: a run in progress is stopped (its process group killed), queued alerts
        are dropped. The hook runs in its own session, so a Ctrl-C at the terminal never reaches it."""
        self._stop.set()
        with self._lock:
            proc = self._proc
        if proc is not None:
            _signal_group(proc, signal.SIGTERM)
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    # ---- the worker ----------------------------------------------------------------------------

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                alert = self._queue.get(timeout=0.5)
            except queue.Empty:
                self._report_drops()
                continue
            try:
                if self._wait_turn():
                    self._run(alert)
            except Exception:  # noqa: BLE001 - a bug here must not end the worker
                log.exception("alert hook worker failed")
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()
            self._report_drops()
        self._drain()
        self._report_drops()

    def _drain(self) -> None:
        with self._idle:
            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
                self._busy -= 1
            self._idle.notify_all()

    def _wait_turn(self) -> bool:
        """Sleep until the rate limits allow a run; False when stopped meanwhile."""
        while True:
            now = time.monotonic()
            while self._starts and self._starts[0] <= now - 60.0:
                self._starts.popleft()
            waits = [0.0]
            if self._starts:
                waits.append(self._starts[-1] + self.min_interval - now)
            if len(self._starts) >= self.max_per_minute:
                waits.append(self._starts[0] + 60.0 - now)
            wait = max(waits)
            if wait <= 0:
                self._starts.append(now)
                return True
            if self._stop.wait(wait):
                return False

    def _run(self, alert: Alert) -> None:
        data = (alert_json(alert) + "\n").encode()
        env = {
            **self._env,
            "KDASH_ALERT_STATE": "open" if alert.open else "resolved",
            "KDASH_ALERT_ID": clean(alert.id),
            "KDASH_ALERT_CONDITION": alert.condition,
            "KDASH_ALERT_SEVERITY": alert.severity.value,
            "KDASH_CONTEXT": clean(alert.context),
        }
        self.runs += 1
        with tempfile.TemporaryFile() as err:
            failure = self._spawn(data, env, err)
            if failure is None:
                if self._sent is not None:
                    self._sent.record(alert)
                return
            err.seek(0, os.SEEK_END)
            err.seek(max(0, err.tell() - STDERR_TAIL))
            tail = [ln for ln in err.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        said = f": {clean(tail[-1])[:200]}" if tail else ""
        self.failures += 1
        self._report(f"alert hook {failure} ({describe(alert)}){said}")

    def _spawn(self, data: bytes, env: dict[str, str], err: IO[bytes]) -> str | None:
        """Run the command once; None when it succeeded, else what went wrong (a phrase)."""
        try:
            proc = subprocess.Popen(  # noqa: S602 - a shell command the user configured, like a git hook
                self.command,
                shell=True,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=env,
                start_new_session=True,  # its own process group: a timeout kills what it started too
            )
        except OSError as exc:
            return f"could not start: {clean(exc.strerror or exc)}"
        with self._lock:
            self._proc = proc
        try:
            if self._stop.is_set():  # closed while it started
                _signal_group(proc, signal.SIGTERM)
            proc.communicate(data, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return f"timed out after {self.timeout:g} s and was stopped"
        except BaseException:
            _kill_group(proc)
            raise
        finally:
            with self._lock:
                self._proc = None
        code = proc.returncode
        if code == 0 or self._stop.is_set():  # stopped by close(): not the hook's failure
            return None
        if code == 127:
            return "failed: command not found (exit 127)"
        if code < 0:
            return f"was killed by signal {-code}"
        return f"failed with exit code {code}"

    def _report_drops(self) -> None:
        with self._idle:
            new = self.dropped - self._dropped_reported
            self._dropped_reported = self.dropped
        if new > 0:
            self._report(
                f"alert hook skipped for {new} alert{'s' if new != 1 else ''}: more than "
                f"{self.max_per_minute} waiting (it runs at most {self.max_per_minute} times a minute)"
            )

    def _report(self, sentence: str) -> None:
        log.info("%s", sentence)
        try:
            self._on_failure(sentence)
        except Exception:  # noqa: BLE001 - reporting must not end the worker either
            log.exception("reporting an alert hook failure failed")


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the hook's process group, SIGKILL what is left after a grace period, reap the shell."""
    _signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=KILL_GRACE)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(proc, signal.SIGKILL)  # the shell's children too, even when the shell is gone
    try:
        proc.wait(timeout=5.0)
    except subprocess.TimeoutExpired:
        log.warning("alert hook process %d did not end after SIGKILL", proc.pid)
