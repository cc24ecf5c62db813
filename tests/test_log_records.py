"""The `--log-file` debug log never carries a cluster string's escape sequences (issue 10, item 11).

Informers log the server's sentences (`exc.message`), which quote object names; a name or message
with OSC 52 or `ESC[2J` would act on the terminal of whoever runs `tail -f` / `cat` on the log, and a
newline in it would forge a record. The log is set up exactly as `kdash --log-file` does.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kdash.cli import _setup_logging

HOSTILE = "evil\x1b]0;pwned\x1b\\\x1b]52;c;cGF3bmVk\x07\x1b[2J\u202e\u200b\x9b2Jx"
FORGED = "\n2026-11-29 12:00:00,000 INFO kdash.k8s MainThread: forged record"
_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "kdash.log"
    loggers = (logging.getLogger("kdash"), logging.getLogger())
    before = [(list(lg.handlers), lg.level) for lg in loggers]
    _setup_logging(str(path))
    try:
        yield path
    finally:
        for logger, (handlers, level) in zip(loggers, before, strict=True):
            for handler in logger.handlers[len(handlers) :]:
                handler.close()
            logger.handlers[:] = handlers
            logger.setLevel(level)


def test_library_warnings_go_to_the_log_file(log_file: Path) -> None:
    """The kubernetes client logs a failing exec plugin on the root logger: with no handler there,
    Python's last resort prints it on stderr, over the dashboard; with --log-file it is kept."""
    logging.getLogger("kubernetes.config.exec_provider").error("exec: plugin not found")
    assert "exec: plugin not found" in log_file.read_text(encoding="utf-8")


def test_cluster_strings_in_log_records_are_cleaned(log_file: Path) -> None:
    log = logging.getLogger("kdash.k8s")
    # as the informer logs a failed watch: the server's sentence quotes the object's name
    log.info("%s/%s watch ended: %s", "pods", "shop", f'pods "{HOSTILE}" is forbidden{FORGED}')
    try:
        raise RuntimeError(f"cannot build a record of {HOSTILE}")
    except RuntimeError:
        log.exception("cannot build a record of %s", "pods")
    text = log_file.read_bytes().decode("utf-8")
    assert _BAD.search(text) is None, repr(text)
    assert "pwned" not in text and "cGF3bmVk" not in text
    assert 'pods "evilx" is forbidden' in text  # the rest of the sentence is kept
    records = [line for line in text.splitlines() if re.match(r"\d{4}-\d\d-\d\d ", line)]
    assert len(records) == 2, text  # the newline in the message did not start a forged record
    assert "Traceback (most recent call last):" in text  # tracebacks keep their lines
    assert "RuntimeError: cannot build a record of evilx" in text


def test_without_a_log_file_library_warnings_are_not_printed() -> None:
    """In a process of its own: pytest's log capture would otherwise be the root's handler."""
    code = (
        "import logging; from kdash.cli import _setup_logging; _setup_logging(None); _setup_logging(None); "
        "assert sum(isinstance(h, logging.NullHandler) for h in logging.getLogger().handlers) == 1; "
        "logging.getLogger('kubernetes.config.exec_provider').error('exec: plugin not found')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
