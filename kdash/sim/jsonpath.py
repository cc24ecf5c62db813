"""The JSONPath subset CRDs' ``additionalPrinterColumns`` use, evaluated like k8s.io/client-go/util/jsonpath.

Supported: field steps (``.spec.secretName``, ``['a.b']``), indexes (``[0]``, ``[-1]``), ``[*]`` and
``.*``, and filters comparing a field path with a literal (``[?(@.type=="Ready")]``, ``!=``, ``<``,
``>``, or a bare ``[?(@.x)]`` for presence). Missing keys yield no result (the apiserver turns on
``AllowMissingKeys``), so a column whose path finds nothing prints as an empty cell.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

Step = Callable[[list[Any]], list[Any]]
_FILTER = re.compile(r"^@((?:\.[^.\s=!<>]+)*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+))?$")


class JsonPathError(ValueError):
    """A path outside the supported subset (the column then prints nothing)."""


def _field(name: str) -> Step:
    def step(nodes: list[Any]) -> list[Any]:
        return [n[name] for n in nodes if isinstance(n, dict) and name in n]

    return step


def _wildcard(nodes: list[Any]) -> list[Any]:
    out: list[Any] = []
    for n in nodes:
        if isinstance(n, dict):
            out.extend(n.values())
        elif isinstance(n, list):
            out.extend(n)
    return out


def _index(i: int) -> Step:
    def step(nodes: list[Any]) -> list[Any]:
        return [n[i] for n in nodes if isinstance(n, list) and -len(n) <= i < len(n)]

    return step


def _literal(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return json.loads(text)
    except ValueError:
        raise JsonPathError(f"unsupported filter literal {text!r}") from None


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    try:
        return bool({"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op])
    except TypeError:
        return False


def _filter(expr: str) -> Step:
    m = _FILTER.match(expr.strip())
    if m is None:
        raise JsonPathError(f"unsupported filter {expr!r}")
    path = [p for p in m.group(1).split(".") if p]
    op, right = m.group(2), _literal(m.group(3)) if m.group(2) else None

    def matches(item: Any) -> bool:
        vals = [item]
        for name in path:
            vals = _field(name)(vals)
        if not vals:
            return False
        return True if op is None else _compare(vals[0], op, right)

    def step(nodes: list[Any]) -> list[Any]:
        out: list[Any] = []
        for n in nodes:
            items = n if isinstance(n, list) else list(n.values()) if isinstance(n, dict) else []
            out.extend(item for item in items if matches(item))
        return out

    return step


def _bracket(inner: str) -> Step:
    inner = inner.strip()
    if inner == "*":
        return _wildcard
    if inner.startswith("?(") and inner.endswith(")"):
        return _filter(inner[2:-1])
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return _field(inner[1:-1])
    try:
        return _index(int(inner))
    except ValueError:
        raise JsonPathError(f"unsupported subscript [{inner}]") from None


@cache
def compile_path(path: str) -> tuple[Step, ...]:
    """Steps for ``path`` (with or without the ``{...}`` template braces); JsonPathError if unsupported."""
    text = path.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()
    if text.startswith("$"):
        text = text[1:]
    steps: list[Step] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == ".":
            if text.startswith("..", i):
                raise JsonPathError("recursive descent (..) is not supported")
            j = i + 1
            while j < len(text) and text[j] not in ".[":
                j += 1
            name = text[i + 1 : j]
            if not name:
                raise JsonPathError(f"empty field name in {path!r}")
            steps.append(_wildcard if name == "*" else _field(name))
            i = j
        elif ch == "[":
            depth, j = 0, i
            while j < len(text):
                if text[j] == "[":
                    depth += 1
                elif text[j] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= len(text):
                raise JsonPathError(f"unclosed [ in {path!r}")
            steps.append(_bracket(text[i + 1 : j]))
            i = j + 1
        else:
            raise JsonPathError(f"unexpected {ch!r} in {path!r}")
    return tuple(steps)


def find(path: str, obj: Any) -> list[Any]:
    """Every value ``path`` reaches in ``obj``, in document order (empty when none or unsupported)."""
    try:
        steps = compile_path(path)
    except JsonPathError:
        return []
    nodes = [obj]
    for step in steps:
        nodes = step(nodes)
        if not nodes:
            break
    return nodes


def text(value: Any) -> str:
    """How jsonpath prints one result: strings as they are, maps and lists as compact JSON, the rest
    the way Go's fmt prints them."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
