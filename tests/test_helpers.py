"""The shared test helpers, and a guard that they stay shared instead of being copied again."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.helpers import wait_for

TESTS = Path(__file__).resolve().parent
# The one place each kind of wait lives: threads and servers here, the app's event loop for UI tests.
WAIT_HOMES = {TESTS / "helpers.py": "wait_for", TESTS / "ui" / "conftest.py": "wait_for"}
# Textual's own private state; only tests/ui/conftest.py may read it, where Textual has no public API.
TEXTUAL_PRIVATE = re.compile(r"\.(_compositor|_notifications)\b")


def test_wait_for_returns_the_truthy_value() -> None:
    values = iter([None, 0, [], "ready"])
    assert wait_for(lambda: next(values), "the value") == "ready"


def test_wait_for_names_what_it_gave_up_on() -> None:
    with pytest.raises(AssertionError, match="gave up waiting for the moon"):
        wait_for(lambda: False, "the moon", timeout=0.05)


def _test_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "__snapshots__" not in p.parts)


def test_wait_helpers_are_not_copied_into_test_modules() -> None:
    """A polling helper written again drifts (timeouts, messages, return values); import the shared one."""
    copies = []
    for path in _test_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if re.fullmatch(r"_?(wait_for|wait_until|until|poll_until)", node.name) and (
                WAIT_HOMES.get(path) != node.name
            ):
                copies.append(f"{path.relative_to(TESTS)}:{node.lineno} {node.name}")
    assert not copies, "import the shared wait_for instead of: " + ", ".join(copies)


def test_ui_tests_read_no_textual_private_state() -> None:
    """Private attributes change between Textual releases; tests/ui/conftest.py wraps the one left."""
    readers = []
    for path in _test_files():
        if path == TESTS / "ui" / "conftest.py" or path == Path(__file__).resolve():
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TEXTUAL_PRIVATE.search(line):
                readers.append(f"{path.relative_to(TESTS)}:{lineno}")
    assert not readers, "use the public helpers in tests/ui/conftest.py: " + ", ".join(readers)
