"""Helpers shared by every test package (import as `from tests.helpers import ...`).

UI tests wait through the app's own event loop instead: `tests.ui.conftest.wait_for(pilot, ...)`.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(pred: Callable[[], T], what: str = "condition", timeout: float = 30.0) -> T:
    """Poll `pred` until it returns something truthy, and return that.

    The timeout only bounds a hang (a loaded machine may be slow); it is never what a test asserts.

    Raises:
        AssertionError: "gave up waiting for <what>" once `timeout` seconds have passed.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} ({timeout:g} s)")
        time.sleep(0.02)


_LAUNCH_BEFORE = """
import asyncio, importlib.abc, json, sys, threading

seen = {}

class FirstTextual(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "textual" and "informers" not in seen:
            seen["informers"] = sorted(
                t.name for t in threading.enumerate() if t.name.startswith("kdash-informer")
            )
        return None

sys.meta_path.insert(0, FirstTextual())

from kdash import cli
"""
_LAUNCH_AFTER = """
args = cli.build_parser(check_options=False).parse_args(sys.argv[1:])
cli._setup_logging(None)
seen["rc"] = cli._run_tui(args, run=run)
seen["kubernetes"] = "kubernetes" in sys.modules
print(json.dumps(seen))
"""


def launch_script(run: str) -> str:
    """A `python -c` script that launches kdash through its CLI with the argv it is given, records
    in `seen` the informer threads alive when Textual is first imported, drives the app with `run`
    (the source of a `def run(app) -> int`, adding to `seen`) and prints `seen` as JSON."""
    return _LAUNCH_BEFORE + textwrap.dedent(run) + _LAUNCH_AFTER
