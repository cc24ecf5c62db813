"""Helpers shared by every test package (import as `from tests.helpers import ...`).

UI tests wait through the app's own event loop instead: `tests.ui.conftest.wait_for(pilot, ...)`.
"""

from __future__ import annotations

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
