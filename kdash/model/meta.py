"""Identity and metadata shared by every record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from kdash.model.construct import constructor

EMPTY: Mapping[str, str] = MappingProxyType({})


def empty_map() -> Mapping[str, str]:
    """Default for label/annotation/quantity maps: one shared, read-only empty mapping."""
    return EMPTY


@dataclass(frozen=True, slots=True, order=True)
class ObjectKey:
    """Where an object lives: `kind` is the singular Kind ("Pod"), namespace "" when cluster-scoped."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"


new_object_key = constructor(ObjectKey)  # ObjectKey(...), 3x cheaper: keys are made per lookup


@dataclass(frozen=True, slots=True)
class OwnerRef:
    kind: str
    name: str
    uid: str
    controller: bool = False


@dataclass(frozen=True, slots=True)
class Meta:
    """The metadata kdash keeps; managedFields and last-applied-configuration are dropped at parse time."""

    kind: str
    namespace: str
    name: str
    uid: str = ""
    resource_version: str = ""
    created: datetime | None = None
    deleting: bool = False
    labels: Mapping[str, str] = field(default_factory=empty_map)
    annotations: Mapping[str, str] = field(default_factory=empty_map)
    owners: tuple[OwnerRef, ...] = ()
    generation: int = 0

    @property
    def key(self) -> ObjectKey:
        return new_object_key(self.kind, self.namespace, self.name)

    @property
    def controller(self) -> OwnerRef | None:
        """The owner with `controller: true`, which is who recreates this object."""
        for owner in self.owners:
            if owner.controller:
                return owner
        return None


@dataclass(frozen=True, slots=True)
class Condition:
    type: str
    status: str
    reason: str = ""
    message: str = ""
    last_transition: datetime | None = None


@dataclass(frozen=True, slots=True)
class SelectorRequirement:
    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """A label selector; an empty selector (no labels, no expressions) matches everything."""

    match_labels: Mapping[str, str] = field(default_factory=empty_map)
    match_expressions: tuple[SelectorRequirement, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.match_labels and not self.match_expressions

    def matches(self, labels: Mapping[str, str]) -> bool:
        for key, value in self.match_labels.items():
            if labels.get(key) != value:
                return False
        for req in self.match_expressions:
            present = key_present = req.key in labels
            if req.operator == "In":
                present = key_present and labels[req.key] in req.values
            elif req.operator == "NotIn":
                present = not key_present or labels[req.key] not in req.values
            elif req.operator == "Exists":
                present = key_present
            elif req.operator == "DoesNotExist":
                present = not key_present
            else:
                return False
            if not present:
                return False
        return True
