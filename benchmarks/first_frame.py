"""T6: `kdash --demo` cold start to the first frame, measured the way a person sees it.

The command runs in a real pseudo-terminal; the clock stops when the bytes of a frame that shows the
dashboard (the Workloads pane title) have been written to the terminal.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def first_frame_seconds(marker: bytes = b"Workloads", timeout: float = 30.0) -> float:
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child: become kdash
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, [sys.executable, "-m", "kdash", "--demo"])
    seen = b""
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                if marker in seen:
                    return time.perf_counter() - start
        raise RuntimeError(f"no frame with {marker!r} within {timeout}s; output tail: {seen[-300:]!r}")
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)


if __name__ == "__main__":
    print(f"{first_frame_seconds():.3f}")
