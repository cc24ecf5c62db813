"""The user's `[keymap]`: binding ids mapped to keys, checked against the bindings kdash declares.

Every `Binding` in kdash/ui carries an `id` (tests/ui/test_keymap.py checks it), so Textual's
`App.set_keymap` can rebind any of them, as posting does. An id is shared on purpose where screens
do the same thing (`drill-back` is `escape` on every drill-down screen): one entry rebinds them all.
A typo in an id or a key name would silently change nothing, and a key already taken on the same
screen would silently shadow another binding, so each is one sentence and exit 2 at start.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from difflib import get_close_matches
from functools import lru_cache

from textual.binding import Binding, BindingType
from textual.keys import KEY_TO_UNICODE_NAME, REPLACED_KEYS, Keys, _character_to_key

from kdash.errors import ConfigError

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")


def declared_bindings() -> list[tuple[type, BindingType]]:
    """(class, binding) for every BINDINGS entry of every class defined in kdash/ui."""
    import kdash.ui
    import kdash.ui.app  # noqa: F401  first, so the screens import in the order the app does

    found: list[tuple[type, BindingType]] = []
    for info in pkgutil.walk_packages(kdash.ui.__path__, "kdash.ui."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if isinstance(obj, type) and obj.__module__ == module.__name__ and "BINDINGS" in vars(obj):
                found.extend((obj, binding) for binding in vars(obj)["BINDINGS"])
    return found


@lru_cache(maxsize=1)
def binding_ids() -> frozenset[str]:
    """Every id a `[keymap]` entry may name."""
    return frozenset(b.id for _, b in declared_bindings() if isinstance(b, Binding) and b.id)


def check_keymap(keymap: Mapping[str, str], source: str) -> dict[str, str]:
    """The keymap to pass to `App.set_keymap`; raises ConfigError (one sentence) for an unknown id,
    a key Textual has no name for, or a key another binding of the same screen already uses."""
    if not keymap:
        return {}  # nothing to check: do not import every screen for it
    known = binding_ids()
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            match = get_close_matches(binding_id, known, n=1)
            hint = f"did you mean {match[0]!r}?" if match else f"known: {', '.join(sorted(known))}."
            raise ConfigError(f"{source}: unknown binding id {binding_id!r} in [keymap]; {hint}")
        for key in keys.split(","):
            problem = _key_problem(key.strip())
            if problem:
                raise ConfigError(f"{source}: keymap.{binding_id}: {problem}")
    _check_clashes(keymap, source)
    return dict(keymap)


def _normal(key: str) -> str:
    """A key as Textual's keymap stores it ("?" -> "question_mark"); must match `set_keymap`."""
    key = key.strip()
    return _character_to_key(key) if len(key) == 1 else key


@lru_cache(maxsize=1)
def _key_names() -> frozenset[str]:
    names = {k.value.rpartition("+")[2] for k in Keys if not k.value.startswith("<")}
    names |= {_character_to_key(chr(c)) for c in range(33, 127)}
    return frozenset(names | set(KEY_TO_UNICODE_NAME) | set(REPLACED_KEYS) | {"space"})


def _key_problem(key: str) -> str | None:
    """None for a key Textual can deliver ("v", "ctrl+o", "f5", "?"), else the sentence's end."""
    *mods, base = _normal(key).split("+")
    base_ok = len(base) == 1 or base in _key_names()
    if base_ok and all(m in MODIFIERS for m in mods):
        return None
    fixed = [m if m in MODIFIERS else next(iter(get_close_matches(m, MODIFIERS, n=1)), "") for m in mods]
    fixed.append(base if base_ok else next(iter(get_close_matches(base, _key_names(), n=1)), ""))
    if all(fixed):
        return f"{key!r} is not a key; did you mean {'+'.join(fixed)!r}?"
    return f'{key!r} is not a key (keys look like "v", "ctrl+o", "f5" or "question_mark").'


def _check_clashes(keymap: Mapping[str, str], source: str) -> None:
    """Refuse a key another binding of the same class keeps: Textual would drop that binding
    without a word (its clash report skips bindings that have ids, which all of ours do)."""
    normal = {bid: [_normal(k) for k in keys.split(",")] for bid, keys in keymap.items()}
    by_class: dict[type, dict[str, set[str]]] = {}
    for cls, binding in declared_bindings():
        if isinstance(binding, Binding) and binding.id:
            keys = normal.get(binding.id) or [_normal(k) for k in binding.key.split(",")]
            by_class.setdefault(cls, {}).setdefault(binding.id, set()).update(keys)
    for cls, effective in by_class.items():
        for binding_id, keys in normal.items():
            if binding_id not in effective:
                continue
            for key in keys:
                other = next((o for o, taken in effective.items() if o != binding_id and key in taken), None)
                if other is not None:
                    raise ConfigError(
                        f"{source}: keymap.{binding_id}: {key!r} is already {other} on {cls.__name__}; "
                        "rebind that too or pick another key."
                    )
