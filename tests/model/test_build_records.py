"""The cheaper ways records are built must give the records the plain ways give.

- ReplicaSets are built lean (`build_replicaset`, what the service and `kdash check -f` use): every
  field kept equals the full `build_workload(..., kind="ReplicaSet")`; only the template, selector,
  conditions and images, which nothing reads of a ReplicaSet, are left empty.
- Records are made through `_records.constructor` instead of the frozen dataclass `__init__`: the
  result must be the same class, equal, hashing alike, still frozen, and `replace`-able.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_model_properties import json_values, mutated, strip

from kdash.model.build import _records as records_mod
from kdash.model.build import build_record, build_replicaset, build_workload
from kdash.model.meta import LabelSelector
from kdash.model.pods import PodSpecSummary

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = Path("/work/shared/k8s-reference")
DROPPED = {"template": PodSpecSummary(), "selector": LabelSelector(), "conditions": (), "images": ()}


def _items(name: str) -> list[Any]:
    doc = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return [strip(item) for item in doc.get("items", [doc])]


REPLICASETS = _items("11-replicaset") + _items("38-replicasets-shop")


def _full_but_dropped(obj: object) -> Any:
    return dataclasses.replace(build_workload(obj, kind="ReplicaSet"), **DROPPED)


def test_the_fixtures_hold_replicasets_with_templates_and_owners() -> None:
    full = [build_workload(rs, kind="ReplicaSet") for rs in REPLICASETS]
    assert len(full) >= 3
    assert all(r.template.containers and r.meta.controller is not None for r in full)


@pytest.mark.parametrize("obj", REPLICASETS, ids=lambda o: o["metadata"]["name"])
def test_lean_replicaset_keeps_every_field_but_the_unread_ones(obj: Any) -> None:
    lean = build_replicaset(obj)
    assert lean == _full_but_dropped(obj)
    assert build_record("replicasets", obj) == lean
    assert (lean.desired, lean.ready, lean.available, lean.current) == (
        obj["spec"]["replicas"],
        obj["status"].get("readyReplicas", 0),
        obj["status"].get("availableReplicas", 0),
        obj["status"]["replicas"],
    )


@pytest.mark.skipif(not (REFERENCE / "38-replicasets-shop.body").exists(), reason="no reference captures")
def test_lean_replicasets_of_the_reference_capture() -> None:
    doc = json.loads((REFERENCE / "38-replicasets-shop.body").read_text(encoding="utf-8"))
    for obj in doc["items"]:
        assert build_replicaset(obj) == _full_but_dropped(obj)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_lean_replicaset_equals_the_full_one_on_mutated_objects(data: st.DataObject) -> None:
    obj = data.draw(mutated(data.draw(st.sampled_from(REPLICASETS)), rate=6))
    assert build_replicaset(obj) == _full_but_dropped(obj)


@settings(max_examples=100)
@given(json_values)
def test_lean_replicaset_equals_the_full_one_on_any_value(obj: object) -> None:
    assert build_replicaset(obj) == _full_but_dropped(obj)


CONSTRUCTORS = [
    value
    for name, value in vars(records_mod).items()
    if name.startswith("new_") and callable(value)  # new_meta, new_pod, ...
]


def _distinct_values(cls: type) -> dict[str, Any]:
    """A value per field, each different from the default and from the others' (hashable)."""
    return {f.name: (f"value-of-{f.name}", index) for index, f in enumerate(dataclasses.fields(cls))}


@pytest.mark.parametrize("make", CONSTRUCTORS, ids=lambda m: m.__name__)
def test_a_constructed_record_is_the_real_thing(make: Any) -> None:
    cls = _record_class(make)
    values = _distinct_values(cls)
    fast, plain = make(**values), cls(**values)
    assert type(fast) is cls
    assert fast == plain and hash(fast) == hash(plain)
    assert [getattr(fast, f.name) for f in dataclasses.fields(cls)] == list(values.values())
    assert make(*values.values()) == plain  # positionally too
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(fast, next(iter(values)), "changed")
    assert dataclasses.replace(fast) == plain
    assert copy.copy(fast) == plain and pickle.loads(pickle.dumps(fast)) == plain


def _record_class(make: Any) -> type:
    cls: type = make.__globals__["_cls"]  # the class it was generated for
    assert make.__name__ == f"new_{cls.__name__}"
    return cls


@pytest.mark.parametrize("make", CONSTRUCTORS, ids=lambda m: m.__name__)
def test_defaults_are_the_dataclass_defaults(make: Any) -> None:
    cls = _record_class(make)
    required = {f.name: f"x-{f.name}" for f in dataclasses.fields(cls) if _required(f)}
    assert make(**required) == cls(**required)
    with pytest.raises(TypeError):
        make(**required, not_a_field=1)


def _required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def test_only_plain_slotted_dataclasses_are_accepted() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    with pytest.raises(TypeError):
        records_mod.constructor(NoSlots)
