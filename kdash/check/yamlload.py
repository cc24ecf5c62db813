"""One YAML document to Python objects, fast and with a depth limit, for `kdash check -f`.

PyYAML's pure-Python loader needs minutes for a 50 MB manifest, and even its libyaml loader
spends most of its time building nodes and running the generic constructor. Here libyaml's event
stream is turned into dicts, lists and scalars directly (plain scalars are resolved by PyYAML's
own resolver and constructors, cached per value), which is several times faster, and the nesting
depth is checked as the events arrive, so no input can drive a recursion (RecursionError) or a C
stack into the ground. Constructs this fast path does not build itself (aliases, merge keys,
explicit tags on collections, complex keys) are handed to PyYAML's SafeLoader after a depth-only
pass, so the result is the same as `yaml.safe_load` for every document.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from kdash.check.yamlfast import Declined, load_simple

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # PyYAML built without libyaml: the same results, only slower
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 200  # nesting levels; real manifests (even CRD schemas) stay far below
_STR = "tag:yaml.org,2002:str"
_MAP_TAGS = frozenset({None, "!", "tag:yaml.org,2002:map"})
_SEQ_TAGS = frozenset({None, "!", "tag:yaml.org,2002:seq"})
_PLAIN = (True, False)
_NO_KEY = object()  # a mapping frame waiting for its next key
_LIST = object()  # a sequence frame
_CACHE: dict[str, tuple[Any]] = {}  # plain scalar -> (value,), shared by all documents of a run
_CACHE_SIZE = 200_000
_RESOLVER: Any = None


class TooDeepError(ValueError):
    """The document nests collections deeper than the limit; `line` is 1-based."""

    def __init__(self, line: int, limit: int) -> None:
        super().__init__(f"nested more than {limit} levels deep (line {line})")
        self.line = line
        self.limit = limit


class _Unusual(Exception):
    """A construct left to PyYAML's own constructor; `opened` when its event opened a collection."""

    def __init__(self, opened: bool = False) -> None:
        super().__init__()
        self.opened = opened
        self.depth = 0


def load_yaml(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """Like `yaml.safe_load(text)` for one document; raises yaml.YAMLError or TooDeepError."""
    global _RESOLVER
    if _RESOLVER is None:
        _RESOLVER = _Loader("")  # only its scalar resolver and constructors are used
    try:
        return load_simple(text, _RESOLVER, max_depth)
    except Declined:
        pass  # not the plain block shape of kubectl and Helm output: libyaml's events
    loader = _Loader(text)
    try:
        try:
            return _build(loader, max_depth)
        except _Unusual as unusual:
            # the rest of the stream, before PyYAML's composer (which recurses) sees it
            _check_depth(loader, max_depth, unusual.depth + unusual.opened)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader (CSafeLoader/SafeLoader)
    except yaml.MarkedYAMLError as exc:
        # libyaml's scanner reads ahead and stops at 1000 levels before we see level 201
        if "maximum nesting depth" in str(exc.problem or ""):
            mark = exc.problem_mark
            raise TooDeepError(mark.line + 1 if mark is not None else 1, max_depth) from None
        raise
    finally:
        loader.dispose()


def _check_depth(loader: Any, max_depth: int, level: int) -> None:
    """Consume the remaining events from nesting `level`, raising TooDeepError past `max_depth`."""
    if level > max_depth:
        raise TooDeepError(1, max_depth)
    while loader.check_event():
        event = loader.get_event()
        kind = type(event)
        if kind is MappingStartEvent or kind is SequenceStartEvent:
            level += 1
            if level > max_depth:
                raise TooDeepError(event.start_mark.line + 1, max_depth)
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            level -= 1


def _build(loader: Any, max_depth: int) -> Any:
    """Events to objects with an explicit stack (no recursion); _Unusual carries the depth reached."""
    stack: list[tuple[Any, Any]] = []
    try:
        return _events_to_objects(loader, max_depth, stack)
    except _Unusual as unusual:
        unusual.depth = len(stack)
        raise


def _plain(loader: Any, value: str) -> tuple[Any]:
    """A plain scalar resolved and constructed the way SafeLoader does it (cached: values repeat)."""
    resolved = loader.resolve(ScalarNode, value, _PLAIN)
    if resolved == _STR:
        hit: tuple[Any] = (value,)
    else:
        constructor = loader.yaml_constructors.get(resolved)
        if constructor is None:  # the merge key `<<`, `=`: PyYAML decides
            raise _Unusual
        hit = (constructor(loader, ScalarNode(resolved, value)),)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[value] = hit
    return hit


def _events_to_objects(loader: Any, max_depth: int, stack: list[tuple[Any, Any]]) -> Any:
    """The hot loop: the current container and its pending key live in locals; `stack` holds the
    enclosing (container, key) frames. `key` is _LIST in a sequence, _NO_KEY while a mapping
    waits for its next key."""
    cache = _CACHE
    get_event = loader.get_event
    container: Any = None
    key: Any = None
    root: Any = None
    documents = 0
    while True:
        event = get_event()
        kind = type(event)
        if kind is ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":
                value = event.value
                if event.implicit[0]:
                    hit = cache.get(value)
                    value = (hit or _plain(loader, value))[0]
            else:
                constructor = loader.yaml_constructors.get(tag)
                if constructor is None:
                    raise _Unusual
                value = constructor(loader, ScalarNode(tag, event.value, style=event.style))
            if key is _LIST:
                container.append(value)
            elif key is _NO_KEY:
                key = value
            elif container is None:
                root = value
            else:
                container[key] = value
                key = _NO_KEY
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            mapping = kind is MappingStartEvent
            if event.tag not in (_MAP_TAGS if mapping else _SEQ_TAGS):
                raise _Unusual(opened=True)  # !!set, !!omap, a custom tag
            if len(stack) >= max_depth:
                raise TooDeepError(event.start_mark.line + 1, max_depth)
            value = {} if mapping else []
            if key is _LIST:
                container.append(value)
            elif key is _NO_KEY:
                raise _Unusual(opened=True)  # a collection as a mapping key
            elif container is None:
                root = value
            else:
                container[key] = value
            stack.append((container, key))
            container, key = value, (_NO_KEY if mapping else _LIST)
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            container, key = stack.pop()
            if key is not _LIST and container is not None:
                key = _NO_KEY  # the collection just closed was this mapping's value
        elif kind is AliasEvent:
            raise _Unusual
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Unusual  # PyYAML says "expected a single document"
        elif kind is StreamEndEvent:
            return root
