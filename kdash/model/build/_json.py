"""Defensive accessors for decoded JSON: every builder reads raw objects only through these.

A real API server sends `null` for empty lists, omits empty structs, and older or newer servers add
or drop fields; manifests given to `kdash check -f` can hold anything YAML can express. These
helpers turn every wrong shape into an empty value instead of an exception, so builders can read
`obj["status"]["containerStatuses"][0]["state"]` as a chain of cheap calls that never raise.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from kdash.model.build._records import new_condition
from kdash.model.meta import EMPTY, Condition
from kdash.model.timefmt import parse_time

# Shared empty values: returned, never mutated.
NO_DICT: Mapping[str, Any] = MappingProxyType({})
NO_LIST: tuple[Any, ...] = ()

_intern = sys.intern


def d(x: object) -> Mapping[str, Any]:
    """`x` if it is a mapping, else an empty one."""
    return x if isinstance(x, dict) else NO_DICT


def lst(x: object) -> list[Any] | tuple[Any, ...]:
    """`x` if it is a list, else an empty sequence."""
    return x if isinstance(x, list) else NO_LIST


def s(x: object) -> str:
    """`x` if it is a string, else ""."""
    return x if isinstance(x, str) else ""


def istr(x: object) -> str:
    """Like `s`, interned: for names repeated across thousands of records (namespaces, nodes, kinds)."""
    return _intern(x) if isinstance(x, str) else ""


def i(x: object, default: int = 0) -> int:
    """An integer field; bools, non-integral floats and anything else give `default`."""
    if isinstance(x, int) and not isinstance(x, bool):
        return x
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return default


def opt_i(x: object) -> int | None:
    """An optional integer field: None when absent or of the wrong type."""
    if isinstance(x, int) and not isinstance(x, bool):
        return x
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return None


def b(x: object) -> bool:
    """A boolean field; only a real `true` is true."""
    return x is True


def opt_b(x: object) -> bool | None:
    """An optional boolean: None unless the field is a real bool."""
    return x if isinstance(x, bool) else None


def t(x: object) -> datetime | None:
    """An RFC 3339 time, or None."""
    return parse_time(x) if x is not None else None


def scalar_str(x: object) -> str:
    """A quantity or int-or-string field as text: 1 -> "1", "500m" -> "500m", 0.5 -> "0.5"."""
    if isinstance(x, str):
        return x
    if isinstance(x, bool) or x is None:
        return ""
    if isinstance(x, int | float):
        return str(x)
    return ""


def str_map(x: object) -> Mapping[str, str]:
    """A read-only copy of a string map (labels, selectors), keeping only string keys and values."""
    if isinstance(x, MappingProxyType):
        return x
    if not isinstance(x, dict) or not x:
        return EMPTY
    return MappingProxyType({k: v for k, v in x.items() if isinstance(k, str) and isinstance(v, str)})


def shared_str_map(x: object) -> Mapping[str, str]:
    """`str_map`, shared between equal maps (labels of the pods of one template)."""
    if not isinstance(x, dict) or not x or len(x) > _STR_MAP_KEYS_MAX:
        return str_map(x)
    try:
        key = tuple(x.items())
        found = _STR_MAPS.get(key)
    except TypeError:  # an unhashable value (a list from a hand-written manifest)
        return str_map(x)
    if found is None:
        found = str_map(x)
        remember(_STR_MAPS, key, found)
    return found


def quantity_map(x: object) -> Mapping[str, str]:
    """A read-only copy of a resource map (requests, limits, hard), numbers written as text."""
    if not isinstance(x, dict) or not x:
        return EMPTY
    out: dict[str, str] = {}
    for k, v in x.items():
        if isinstance(k, str):
            text = scalar_str(v)
            if text:
                out[k] = text
    return MappingProxyType(out) if out else EMPTY


# Identical values built from many objects (the conditions of pods that changed together, the
# labels of one template's pods) are shared: one object instead of thousands, and less work.
# Keys hold the normalized values (exact types, so 1 and True never meet) that fully determine the
# result; bounded, and cleared when full so a churning cluster cannot grow them forever.
SHARED_MAX = 16_384
_SHARED_TEXT_MAX = 256  # longer messages are not remembered
_CONDITIONS: dict[tuple[Any, Any, Any, Any, Any], Condition] = {}
_STR_MAPS: dict[tuple[tuple[Any, Any], ...], Mapping[str, str]] = {}
_STR_MAP_KEYS_MAX = 32


def remember(cache: dict[Any, Any], key: object, value: object) -> None:
    """Put `value` in one of the bounded caches of shared values."""
    if len(cache) >= SHARED_MAX:
        cache.clear()
    cache[key] = value


def conditions(x: object) -> tuple[Condition, ...]:
    """Status conditions; entries without a type are dropped."""
    if not isinstance(x, list) or not x:
        return ()
    out: list[Condition] = []
    cache = _CONDITIONS
    for c in x:
        if not isinstance(c, dict):
            continue
        get = c.get
        # Keyed by the raw values: the conditions of pods that changed together are found without
        # checking and normalising each field first. Exact: values equal as tuple items build
        # equal conditions (a str equals only a str; anything else reads as the field's default).
        key = (get("type"), get("status"), get("reason"), get("message"), get("lastTransitionTime"))
        try:
            out.append(cache[key])
        except (KeyError, TypeError):  # not seen yet, or an unhashable value (a list, a dict)
            cond = _condition(key)
            if cond is not None:
                out.append(cond)
    return tuple(out)


def _condition(key: tuple[Any, Any, Any, Any, Any]) -> Condition | None:
    """One condition from its raw (type, status, reason, message, lastTransitionTime); remembered
    when its values can be a cache key."""
    type_, status, reason, message, when = key
    if not isinstance(type_, str) or not type_:
        return None
    status = status if isinstance(status, str) else "Unknown"
    reason = reason if isinstance(reason, str) else ""
    message = message if isinstance(message, str) else ""
    cond = new_condition(_intern(type_), _intern(status), reason, message, parse_time(when) if when else None)
    if (when is None or type(when) is str) and len(message) <= _SHARED_TEXT_MAX:
        try:
            remember(_CONDITIONS, key, cond)
        except TypeError:  # an unhashable status, reason or message
            pass
    return cond
