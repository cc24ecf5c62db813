"""The line of a container in a manifest, so a SARIF reader marks the container a finding is about
rather than the first line of its object.

Only for `-o sarif`, only for files with container findings: each such file is read once more and
scanned from its object's first line to the end of that document, for the `name:` of an item of a
`containers:` / `initContainers:` / `ephemeralContainers:` block list. Flow style
(`containers: [{name: web}]`), stdin and anything unusual fall back to the object's line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from kdash.check.manifests import _read_path
from kdash.model.meta import ObjectKey

Location = tuple[str, int]
_LISTS = re.compile(r"^( *)(?:- +)?(?:initContainers|containers|ephemeralContainers): *(?:#.*)?$")
_ITEM = re.compile(r"^( *)- +")
_NAME = re.compile(r"""^name: *(?:"([^"\\]*)"|'([^']*)'|([^\s#'"][^#]*?)) *(?:#.*)?$""")
_END = re.compile(r"^(?:---|\.\.\.)(?:\s|$)")


def container_lines(
    locations: Mapping[ObjectKey, Location], wanted: Iterable[tuple[ObjectKey, str]]
) -> dict[tuple[ObjectKey, str], int]:
    """(object, container) -> the 1-based line of the container's `name:` where it can be found."""
    by_file: dict[str, list[tuple[ObjectKey, str, int]]] = {}
    for key, container in dict.fromkeys(wanted):
        where = locations.get(key)
        if where is not None and where[0] != "<stdin>":
            by_file.setdefault(where[0], []).append((key, container, where[1]))
    found: dict[tuple[ObjectKey, str], int] = {}
    for path, items in by_file.items():
        text, _ = _read_path(Path(path))  # bounded, never blocks (as when the file was first read)
        if text is None:
            continue
        lines = text.split("\n")
        for key, container, start in items:
            line = find_container(lines, start, container)
            if line is not None:
                found[(key, container)] = line
    return found


def find_container(lines: list[str], start: int, container: str) -> int | None:
    """Scan the document that begins at 1-based line `start` for `container`'s name line."""
    i, end = start - 1, len(lines)
    while i < end:
        if i >= start and _END.match(lines[i]):
            return None  # the next document
        head = _LISTS.match(lines[i])
        i += 1
        if head is None:
            continue
        dash: int | None = None  # the column of the list's dashes
        key_col = -1  # the column of the current item's keys
        while i < end:
            text = lines[i]
            stripped = text.lstrip(" ")
            if not stripped or stripped.startswith("#"):
                i += 1
                continue
            column = len(text) - len(stripped)
            item = _ITEM.match(text)
            if dash is None:
                if item is None:
                    break  # flow style, or no list
                dash = column
            if column < dash or (column == dash and item is None):
                break  # the list ended (the outer loop reads this line again)
            candidate = None
            if column == dash and item is not None:  # a new item: `- name: web` or `- image: ...`
                key_col = len(item.group(0))
                candidate = text[key_col:]
            elif column == key_col:
                candidate = stripped
            match = _NAME.match(candidate) if candidate is not None else None
            if match is not None and next(g for g in match.groups() if g is not None) == container:
                return i + 1
            i += 1
    return None
