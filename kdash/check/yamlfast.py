"""The common shape of a manifest document, read without libyaml's event stream, or declined.

Helm and kubectl write block YAML: one `key: value`, `- item` or `- key: value` per line, plain or
single-line quoted scalars, `{}`/`[]`, comments. Each distinct line is classified once (indent,
dash, key, value; cached, because most lines of a big manifest repeat) and a small loop builds the
dicts and lists, so no event, mark or node object is made. Scalars are resolved by PyYAML's own
resolver and constructors, so `true`, `0755`, `1:30` or `2024-01-01` mean what they mean to
`yaml.safe_load`.

Anything outside that shape (block or multi-line scalars, flow collections, anchors, tags,
escapes, tabs, odd indentation, a key that is not plainly a plain key, more than `max_depth`
levels, a syntax error) raises `Declined`, and the caller parses the document the slow, exact
way. So this path either gives exactly what `yaml.safe_load` gives, or nothing.
"""

from __future__ import annotations

import re
from typing import Any

from yaml.nodes import ScalarNode

_STR = "tag:yaml.org,2002:str"
_PLAIN = (True, False)
# A line: its indent, an optional "- " entry, an optional plain key (a conservative subset of
# YAML's plain keys: no spaces, quotes, indicators or colons; at most 1000 characters, under
# libyaml's 1024 for implicit keys) and its ':', then the rest of the line.
_LINE = re.compile(r"( *)(-(?: +|\Z))?(?:([A-Za-z0-9_./][A-Za-z0-9_./-]{0,999}):(?: +|\Z))?(.*)", re.DOTALL)
# Characters this path leaves to libyaml: tabs and CR (separators YAML treats specially), YAML's
# other line breaks (NEL, LS, PS), the BOM, and whatever YAML does not allow in a document.
_UNUSUAL = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_INDICATORS = frozenset("'\"{}[]&*!|>%@`,?:#")
# What a line holds: a key or a "- " entry (with a key: the mapping it opens), and its value.
_SKIP, _KEY, _ENTRY, _ENTRY_KEY = 0, 1, 2, 3
_SCALAR, _NESTED, _NEW_DICT, _NEW_LIST = 0, 1, 2, 3
# Lines are cached in two steps: a line met once waits in `_seen`; met again, it moves to `_lines`,
# which then holds the lines that repeat across documents (keys, common values, indents) and not
# the hundreds of thousands that name one object. Both are bounded: full, they start afresh.
_CACHE_SIZE = 50_000
_SEEN_SIZE = 100_000
_CACHED_LENGTH = 256  # longer lines are rare and would pin memory
_NOWHERE = -1  # an indent no line has
Line = tuple[int, int, Any, int, Any, int]  # (shape, indent, key, kind, value, key column)
_SKIPPED: Line = (_SKIP, 0, None, _SCALAR, None, 0)
_lines: dict[str, Line] = {}  # a line, indent included -> what it holds
_seen: dict[str, Line] = {}
_prefixes: dict[str, tuple[int, int, Any, int]] = {}  # indent, dash and key -> (shape, indent, key, column)
_PREFIXES_SIZE = 10_000


class Declined(Exception):
    """Not the simple shape: parse this document with the full parser."""


def load_simple(text: str, loader: Any, max_depth: int) -> Any:
    """`yaml.safe_load(text)` for a simple block document, else Declined. `loader` is a PyYAML
    loader (resolver and constructors); only its scalar resolution is used."""
    cached = _lines.get
    root: Any = None
    stack: list[tuple[Any, int, bool]] = []  # the enclosing (collection, indent, is a list)
    cur: Any = None  # the innermost open collection
    cur_ind = _NOWHERE  # its indent: the column of its keys, or of its dashes
    cur_list = False
    keys_at = _NOWHERE  # cur_ind when `key: scalar` can go straight into `cur` (the fast path)
    pending: Any = None  # a collection waiting for a nested block: the value of `pending_key`
    pending_key: Any = None
    pending_entry = False  # a list entry ("-" alone on its line), not a key
    pending_ind = _NOWHERE  # the column of that key or dash
    for line in text.split("\n"):
        hit = cached(line) or _lookup(line, loader)
        shape, n, key, kind, value, _ = hit
        # The shortcuts first: nine lines in ten of a manifest are the next key of the mapping
        # being read, or the first key of a mapping opened by the line before. The general code
        # below handles every line the same way, these only sooner.
        if shape == _KEY:
            if n == keys_at:
                if kind == _SCALAR:
                    cur[key] = value
                    continue
                if kind == _NESTED:
                    pending, pending_key, pending_entry, pending_ind = cur, key, False, n
                    keys_at = _NOWHERE
                    continue
            elif pending is not None and n > pending_ind and kind <= _NESTED:
                if len(stack) >= max_depth - 1:
                    raise Declined
                opened_map: dict[Any, Any] = {}
                if pending_entry:
                    pending.append(opened_map)
                else:
                    pending[pending_key] = opened_map
                stack.append((cur, cur_ind, cur_list))
                cur, cur_ind, cur_list = opened_map, n, False
                if kind == _SCALAR:
                    opened_map[key] = value
                    keys_at, pending = n, None
                else:
                    pending, pending_key, pending_entry, pending_ind = opened_map, key, False, n
                continue
        elif shape == _SKIP:
            continue
        entry = shape != _KEY
        if pending is not None:
            if n > pending_ind or (n == pending_ind and entry and not pending_entry):
                opened: Any = [] if entry else {}
                if pending_entry:
                    pending.append(opened)
                else:
                    pending[pending_key] = opened
                if len(stack) >= max_depth - 1:
                    raise Declined
                stack.append((cur, cur_ind, cur_list))
                cur, cur_ind, cur_list = opened, n, entry
            elif pending_entry:
                pending.append(None)
            else:
                pending[pending_key] = None
            pending = None
        elif cur is None:  # the document's first line opens the root collection
            root = cur = [] if entry else {}
            cur_ind, cur_list = n, entry
        if n != cur_ind or cur_list is not entry:
            # a deeper line continues a scalar (or is an error); a shallower one closes blocks
            if n > cur_ind:
                raise Declined
            while n < cur_ind or (n == cur_ind and cur_list and not entry):
                if not stack:
                    raise Declined
                cur, cur_ind, cur_list = stack.pop()
            if n != cur_ind or cur_list is not entry:
                raise Declined
        if shape == _ENTRY:
            keys_at = _NOWHERE
            if kind == _SCALAR:
                cur.append(value)
            elif kind == _NESTED:
                pending, pending_entry, pending_ind = cur, True, n
            else:
                if len(stack) >= max_depth - 1:
                    raise Declined
                cur.append({} if kind == _NEW_DICT else [])
            continue
        if shape == _ENTRY_KEY:  # "- key: value": a mapping opens at the key's column
            if len(stack) >= max_depth - 1:
                raise Declined
            item: dict[Any, Any] = {}
            cur.append(item)
            stack.append((cur, cur_ind, cur_list))
            cur, cur_ind, cur_list = item, hit[5], False
            n = cur_ind
        keys_at = n
        if kind == _SCALAR:
            cur[key] = value
        elif kind == _NESTED:
            pending, pending_key, pending_entry, pending_ind = cur, key, False, n
            keys_at = _NOWHERE
        else:
            if len(stack) >= max_depth - 1:
                raise Declined
            cur[key] = {} if kind == _NEW_DICT else []
    if pending is not None:
        if pending_entry:
            pending.append(None)
        else:
            pending[pending_key] = None
    return root


def _lookup(line: str, loader: Any) -> Line:
    """A line not in `_lines`: met before (it moves there), or classified now."""
    hit = _seen.pop(line, None)
    if hit is not None:
        if len(_lines) >= _CACHE_SIZE:
            _lines.clear()
        _lines[line] = hit
        return hit
    hit = _known_key(line, loader) or _classify(line, loader)
    if len(line) <= _CACHED_LENGTH:
        if len(_seen) >= _SEEN_SIZE:
            _seen.clear()
        _seen[line] = hit
    return hit


def _known_key(line: str, loader: Any) -> Line | None:
    """A `key: value` line whose indent, dash and key were classified before (the usual shape of
    a line that names one object): only the value is read. None when the prefix is not known."""
    cut = line.find(": ")
    prefix = _prefixes.get(line[:cut]) if cut > 0 else None
    if prefix is None:
        return None
    rest = line[cut + 2 :].lstrip(" ")
    if _UNUSUAL.search(rest) is not None:
        raise Declined
    shape, n, key, column = prefix
    kind, value = _value(rest, loader)
    return (shape, n, key, kind, value, column)


def _classify(line: str, loader: Any) -> Line:
    """What one line holds; Declined for anything not simple."""
    if _UNUSUAL.search(line) is not None:
        raise Declined
    m = _LINE.match(line)
    assert m is not None  # every group is optional
    indent, dash, key, rest = m.group(1, 2, 3, 4)
    hit: Line
    if dash is None and key is None:
        if rest and rest[0] != "#":
            raise Declined  # a bare scalar: a continuation, a root scalar or an error
        hit = _SKIPPED
    else:
        kind, value = _value(rest, loader)
        n = len(indent)
        parsed_key = None if key is None else _plain(key, loader)
        shape = _KEY if dash is None else (_ENTRY if key is None else _ENTRY_KEY)
        column = n + len(dash or "")
        hit = (shape, n, parsed_key, kind, value, column)
        if key is not None and len(_prefixes) < _PREFIXES_SIZE:
            _prefixes[line[: m.end(3)]] = (shape, n, parsed_key, column)
    return hit


def _plain(text: str, loader: Any) -> Any:
    """A plain scalar as SafeLoader constructs it; Declined for tags it has no constructor for."""
    resolvers = loader.yaml_implicit_resolvers
    if text[0] not in resolvers and None not in resolvers:
        return text  # no implicit resolver starts with this character: a string
    tag = loader.resolve(ScalarNode, text, _PLAIN)
    if tag == _STR:
        return text
    constructor = loader.yaml_constructors.get(tag)
    if constructor is None:  # the merge key `<<`, the value key `=`
        raise Declined
    return constructor(loader, ScalarNode(tag, text))


def _value(rest: str, loader: Any) -> tuple[int, Any]:
    """What the text after `key: ` or `- ` is; Declined for anything not simple."""
    first = rest[:1]
    if not first or first == "#":
        return _NESTED, None
    body = rest.rstrip(" ")
    if first == "'":
        inner = body[1:-1]
        if len(body) < 2 or body[-1] != "'" or "'" in inner.replace("''", ""):
            raise Declined  # multi-line, or followed by a comment
        return _SCALAR, inner.replace("''", "'")
    if first == '"':
        inner = body[1:-1]
        if len(body) < 2 or body[-1] != '"' or '"' in inner or "\\" in inner:
            raise Declined  # escapes, multi-line, or followed by a comment
        return _SCALAR, inner
    if body == "{}":
        return _NEW_DICT, None
    if body == "[]":
        return _NEW_LIST, None
    if first in _INDICATORS or (first == "-" and rest[1:2] in ("", " ")):
        raise Declined
    cut = rest.find(" #")
    text = (rest if cut < 0 else rest[:cut]).rstrip(" ")
    if ": " in text or text.endswith(":"):
        raise Declined  # "a: b: c" is an error
    return _SCALAR, _plain(text, loader)
