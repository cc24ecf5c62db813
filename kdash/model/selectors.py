"""Label selectors as people and kubectl write them (`app=web,tier!=db,env in (a,b),!canary`).

One parser for every place that reads a selector typed as text: the simulated API server's
`labelSelector` parameter, the log service's `-l` targets and the tables' `/-l` filter. The result is
the same `LabelSelector` record the builders make from an object's `spec.selector`, so one
`matches()` decides everywhere.
"""

from __future__ import annotations

import re

from kdash.model.meta import LabelSelector, SelectorRequirement

_KEY = r"[A-Za-z0-9_./-]+"
_SET = re.compile(rf"^\s*(!?)\s*({_KEY})\s+(in|notin)\s*\(([^)]*)\)\s*$")
_CMP = re.compile(rf"^\s*({_KEY})\s*(==|!=|=)\s*([A-Za-z0-9_./-]*)\s*$")
_EXISTS = re.compile(rf"^\s*(!?)\s*({_KEY})\s*$")


def split_requirements(text: str) -> list[str]:
    """Split on the commas that are not inside `( … )`: `a in (x,y),b=c` is two requirements."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def parse_requirement(text: str) -> SelectorRequirement:
    """One requirement; `=`/`==` is In, `!=` is NotIn (it also matches a missing label, as in the API).

    Raises:
        ValueError: "unable to parse requirement: …", the API server's own words.
    """
    if m := _SET.match(text):
        if not m.group(1):
            values = tuple(sorted({v.strip() for v in m.group(4).split(",") if v.strip()}))
            return SelectorRequirement(m.group(2), "In" if m.group(3) == "in" else "NotIn", values)
    elif m := _CMP.match(text):
        return SelectorRequirement(m.group(1), "NotIn" if m.group(2) == "!=" else "In", (m.group(3),))
    elif m := _EXISTS.match(text):
        return SelectorRequirement(m.group(2), "DoesNotExist" if m.group(1) else "Exists")
    raise ValueError(f"unable to parse requirement: {text.strip()}")


def parse_label_selector(text: str) -> LabelSelector:
    """The whole selector; an empty string selects everything.

    Raises:
        ValueError: a requirement is not valid syntax.
    """
    return LabelSelector(match_expressions=tuple(parse_requirement(p) for p in split_requirements(text)))
