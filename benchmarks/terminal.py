"""A terminal for the harness: runs the real `kdash` CLI in a pty and reads its screen through pyte.

    python -m benchmarks.terminal launch|churn --kubeconfig KC --expect JSON [--size 200x60]

This is its own process (started by the driver, which hosts the simulated cluster), so the
emulator's CPU is neither kdash's nor the simulator's. kdash is started as a user starts it,
`python -m kdash --kubeconfig KC -A`, with TERM=xterm-256color, COLORTERM=truecolor, a fresh
config/state directory and the window size set before exec.

A reader thread drains the pty as soon as bytes arrive and stamps each chunk with time.time(), so
a slow parse never holds kdash's writes back and every screen state is dated by when its bytes
reached the terminal. The main thread feeds the chunks to pyte in order and checks the screen:

  launch  stops the clock on the first screen `benchmarks.screen.missing()` finds complete
          (T1), samples kdash's CPU and memory from /proc right then, watches `--grace` seconds
          more (log tail), then quits kdash with `q` and prints one JSON line.
  churn   prints {"event": "ready", "pid": ...} when populated, then records the first time each
          restart count appears in the Restarts pane (T4; the driver knows when it made each),
          until a line on stdin says stop; then quits kdash and prints one JSON line.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import queue
import signal
import struct
import sys
import tempfile
import termios
import threading
import time
from typing import Any

from benchmarks.emulator import TextTerminal
from benchmarks.procstat import ProcSample, sample
from benchmarks.screen import Expect, log_tail_status, missing, restart_values

Chunk = tuple[float, bytes]


def spawn_kdash(kubeconfig: str, columns: int, rows: int, home: str) -> tuple[int, int]:
    """Fork kdash onto a new pty; (pid, master fd)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: size the terminal, then become kdash
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "KUBECONFIG")}
            env.update(
                TERM="xterm-256color",
                COLORTERM="truecolor",
                XDG_CONFIG_HOME=os.path.join(home, "config"),
                XDG_STATE_HOME=os.path.join(home, "state"),
                XDG_DATA_HOME=os.path.join(home, "data"),
            )
            argv = [sys.executable, "-m", "kdash", "--kubeconfig", kubeconfig, "-A"]
            os.execve(sys.executable, argv, env)
        finally:
            os._exit(127)
    return pid, fd


def reader(fd: int, out: queue.SimpleQueue[Chunk]) -> None:
    """Drain the pty into `out`, each chunk stamped on arrival; (t, b"") at EOF."""
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        out.put((time.time(), data))
        if not data:
            return


class Session:
    """kdash on a pty, its output parsed in arrival order."""

    def __init__(self, kubeconfig: str, columns: int, rows: int) -> None:
        self._home = tempfile.TemporaryDirectory(prefix="kdash-bench-home-")
        self.spawned = time.time()
        self.pid, self.fd = spawn_kdash(kubeconfig, columns, rows, self._home.name)
        self.term = TextTerminal(columns, rows, reply=self._reply)
        self.chunks: queue.SimpleQueue[Chunk] = queue.SimpleQueue()
        self.eof = False
        self.last_arrival = self.spawned
        threading.Thread(target=reader, args=(self.fd, self.chunks), daemon=True).start()

    def _reply(self, data: bytes) -> None:
        try:
            os.write(self.fd, data)
        except OSError:
            pass

    def next_state(self, timeout: float) -> tuple[float, set[int]] | None:
        """Feed the next chunk: (its arrival time, rows it changed); None when none came."""
        try:
            at, data = self.chunks.get(timeout=timeout)
        except queue.Empty:
            return None
        if not data:
            self.eof = True
            return None
        self.last_arrival = at
        return at, self.term.feed(data)

    def sample(self) -> ProcSample | None:
        try:
            return sample(self.pid)
        except OSError:
            return None

    def quit(self, timeout: float = 10.0) -> dict[str, Any]:
        """Press q (as a user quits) and drain until kdash exits; TERM, then KILL, if it will not."""
        self._reply(b"q")
        deadline = time.time() + timeout
        status = None
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                os.kill(self.pid, sig)
                deadline = time.time() + 5
            while time.time() < deadline and status is None:
                if not self.eof:
                    self.next_state(0.05)
                else:
                    time.sleep(0.05)
                done, code, _ = os.wait4(self.pid, os.WNOHANG)
                status = code if done else None
            if status is not None:
                break
        if status is None:
            status = os.wait4(self.pid, 0)[1]
        os.close(self.fd)
        self._home.cleanup()
        return {"exit": os.waitstatus_to_exitcode(status), "quit_by": "q" if sig is None else str(sig)}


def wait_populated(session: Session, expect: Expect, timeout: float) -> dict[str, Any]:
    """Feed until the screen is complete; T1 is that screen's arrival time since spawn."""
    deadline = session.spawned + timeout
    reasons = ["no output"]
    while time.time() < deadline and not session.eof:
        state = session.next_state(0.1)
        if state is None:
            continue
        at, dirty = state
        if not dirty:
            continue
        reasons = missing(session.term.lines(), expect)
        if not reasons:
            proc = session.sample()
            return {
                "populated_s": at - session.spawned,
                "cpu_s": proc.cpu_s if proc else None,
                "rss_mb": proc.rss_mb if proc else None,
                "hwm_mb": proc.hwm_mb if proc else None,
                "lag_ms": (time.time() - at) * 1000,  # how far the emulator trailed kdash
            }
    return {"error": "timeout" if not session.eof else "kdash exited", "missing": reasons}


def watch_log_tail(session: Session, seconds: float) -> dict[str, Any]:
    """After T1: when the log tail resolved its pods, and when it first showed lines."""
    out: dict[str, Any] = {}
    end = time.time() + seconds
    while time.time() < end and not session.eof:
        state = session.next_state(0.1)
        if state is None:
            continue
        status, shown = log_tail_status(session.term.lines())
        if "resolving" not in status and "select a workload" not in status and "resolved_s" not in out:
            out["resolved_s"] = state[0] - session.spawned
        if shown and "lines_s" not in out:
            out["lines_s"] = state[0] - session.spawned
        out["status"] = status
    return out


def watch_restarts(session: Session, stop: threading.Event, floor: int) -> dict[int, float]:
    """Until `stop`: the arrival time of the first screen that shows each restart count ≥ floor."""
    seen: dict[int, float] = {}
    while not stop.is_set() and not session.eof:
        state = session.next_state(0.1)
        if state is None:
            continue
        at, dirty = state
        if dirty:
            for value in restart_values(session.term.lines()):
                if value >= floor and value not in seen:
                    seen[value] = at
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.terminal")
    parser.add_argument("mode", choices=("launch", "churn"))
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--expect", required=True, help="JSON of benchmarks.screen.Expect")
    parser.add_argument("--size", default="200x60")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--grace", type=float, default=3.0, help="launch: seconds to watch the log tail")
    parser.add_argument("--floor", type=int, default=100_000, help="churn: smallest restart count to watch")
    args = parser.parse_args()
    columns, rows = (int(v) for v in args.size.split("x"))
    expect = Expect(**json.loads(args.expect))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # the driver gave up: still quit kdash
    cpu0 = time.process_time()
    session = Session(args.kubeconfig, columns, rows)
    result: dict[str, Any] = {"size": args.size, "pid": session.pid}
    try:
        result.update(wait_populated(session, expect, args.timeout))
        if "error" in result:
            result["screen"] = session.term.lines()
        elif args.mode == "launch":
            result["log_tail"] = watch_log_tail(session, args.grace)
            end = session.sample()
            result["hwm_end_mb"] = end.hwm_mb if end else None
        else:
            print(json.dumps({"event": "ready", **result}), flush=True)
            stop = threading.Event()

            def wait_for_stop() -> None:
                sys.stdin.readline()  # the driver's "stop" (or EOF if it died)
                stop.set()

            threading.Thread(target=wait_for_stop, daemon=True).start()
            seen = watch_restarts(session, stop, args.floor)
            result["seen"] = {str(k): v for k, v in seen.items()}
            end = session.sample()
            result["hwm_end_mb"] = end.hwm_mb if end else None
            result["cpu_end_s"] = end.cpu_s if end else None
    finally:
        result["bytes"] = session.term.bytes_fed
        result["wall_s"] = time.time() - session.spawned
        result.update(session.quit())
        result["emulator_cpu_s"] = time.process_time() - cpu0
    print(json.dumps(result), flush=True)
    sys.exit(1 if "error" in result else 0)


if __name__ == "__main__":
    main()
