"""`kdash serve` as a person runs it: a subprocess, its start-up lines read for the address."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str  # as printed: with ?token=... when the token was generated
    command: str  # what each session runs, as printed


@contextmanager
def kdash_serve(*argv: str) -> Iterator[Served]:
    """Run `kdash serve --port 0 ARGV...` until the block ends (SIGTERM, then its exit code is 0)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kdash", "serve", "--port", "0", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first, second = process.stdout.readline(), process.stdout.readline()
        match = re.search(r"open (\S+?);? ", first)
        assert match, f"no address in {first!r}; stderr: {process.stderr.read() if process.stderr else ''}"
        yield Served(process, match.group(1), second.split("each session runs: ", 1)[-1].strip())
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert code == 0, f"kdash serve exited {code}"
