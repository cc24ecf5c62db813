"""Label and field selectors with the semantics of the real API server's query parameters."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kdash.model.selectors import parse_label_selector, split_requirements

Matcher = Callable[[dict[str, Any]], bool]


class SelectorError(ValueError):
    """A selector the real server would reject with 400 BadRequest."""


def label_matcher(selector: str | None) -> Matcher | None:
    """Compile a ``labelSelector``; None when it selects everything."""
    if not selector or not selector.strip():
        return None
    try:
        parsed = parse_label_selector(selector)
    except ValueError as exc:
        raise SelectorError(str(exc)) from None

    def match(obj: dict[str, Any]) -> bool:
        return parsed.matches((obj.get("metadata") or {}).get("labels") or {})

    return match


def field_value(obj: dict[str, Any], path: str) -> str:
    """The string value of a dotted field path, '' when absent (as the server compares it)."""
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def field_matcher(selector: str | None) -> Matcher | None:
    """Compile a ``fieldSelector`` (``=``, ``==``, ``!=`` on dotted paths); None = everything."""
    if not selector or not selector.strip():
        return None
    reqs: list[tuple[str, bool, str]] = []
    for part in split_requirements(selector):
        m = re.match(r"^\s*([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*?)\s*$", part)
        if not m:
            raise SelectorError(f"invalid selector: '{selector}'; can't understand '{part}'")
        reqs.append((m.group(1), m.group(2) == "!=", m.group(3)))

    def match(obj: dict[str, Any]) -> bool:
        return all((field_value(obj, path) == value) != negate for path, negate, value in reqs)

    return match


def combine(*matchers: Matcher | None) -> Matcher | None:
    """AND several optional matchers together."""
    active = [m for m in matchers if m is not None]
    if not active:
        return None
    if len(active) == 1:
        return active[0]
    return lambda obj: all(m(obj) for m in active)
