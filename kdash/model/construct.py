"""Cheap constructors for the frozen records made by the hundred thousand (builders, ObjectKey).

A frozen dataclass's `__init__` stores each field through `object.__setattr__` (it must get
around its own `__setattr__`, which raises): 4 us for an 11-field `Meta`, about a sixth of the cost
of building a pod (measured). `constructor(cls)` returns a function with the same signature that
fills an unfrozen twin of `cls` with the same slots by plain attribute stores, then turns it into
a real `cls` by assigning `__class__` (allowed between classes of identical layout): 0.7 us. The
result is an ordinary `cls` instance: frozen, equal to and hashing like one made by `cls(...)`,
and `dataclasses.replace` works on it (tests/model/test_build_records.py). Only for
classes without `__post_init__` or `init=False` fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_MISSING = object()


def constructor(cls: type[T]) -> Callable[..., T]:
    """`cls(...)` for a frozen slotted dataclass `cls`, without its per-field `object.__setattr__`."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if "__slots__" not in cls.__dict__ or hasattr(cls, "__post_init__") or not all(f.init for f in fields):
        raise TypeError(f"{cls.__name__} is not a plain slotted dataclass")
    twin = type(f"_{cls.__name__}Draft", (), {"__slots__": cls.__dict__["__slots__"]})
    namespace: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": cls, "_MISSING": _MISSING}
    params: list[str] = []
    body: list[str] = ["    o = _new(_twin)"]
    for f in fields:
        if f.default is not dataclasses.MISSING:
            namespace[f"_d_{f.name}"] = f.default
            params.append(f"{f.name}=_d_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_f_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            body.append(f"    if {f.name} is _MISSING: {f.name} = _f_{f.name}()")
        else:
            params.append(f.name)
        body.append(f"    o.{f.name} = {f.name}")
    body += ["    o.__class__ = _cls", "    return o"]
    source = f"def make({', '.join(params)}):\n" + "\n".join(body) + "\n"
    exec(source, namespace)  # noqa: S102 - generated from the dataclass's own field names, as dataclasses does
    make: Callable[..., T] = namespace["make"]
    make.__qualname__ = make.__name__ = f"new_{cls.__name__}"
    make.__doc__ = f"A {cls.__name__}, as `{cls.__name__}(...)` builds it (see kdash.model.construct)."
    return make
