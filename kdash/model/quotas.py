"""ResourceQuotas and LimitRanges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from kdash.model.meta import Meta, empty_map


@dataclass(frozen=True, slots=True)
class QuotaItem:
    """One resource of a quota: strings as the API wrote them, values parsed exactly."""

    resource: str
    used: str
    hard: str
    used_value: Decimal | None = None
    hard_value: Decimal | None = None

    @property
    def percent(self) -> float | None:
        """Used as a percentage of hard; None when either is unknown or hard is zero. Never below 0
        (a "-0" or negative usage, or a negative zero from the division, would print as "-0%")."""
        if self.used_value is None or self.hard_value is None or self.hard_value == 0:
            return None
        return max(0.0, float(self.used_value / self.hard_value * 100))


@dataclass(frozen=True, slots=True)
class QuotaRecord:
    meta: Meta
    items: tuple[QuotaItem, ...] = ()


@dataclass(frozen=True, slots=True)
class LimitRangeItem:
    type: str  # Container, Pod, PersistentVolumeClaim
    default: Mapping[str, str] = field(default_factory=empty_map)  # default limits
    default_request: Mapping[str, str] = field(default_factory=empty_map)
    min: Mapping[str, str] = field(default_factory=empty_map)
    max: Mapping[str, str] = field(default_factory=empty_map)


@dataclass(frozen=True, slots=True)
class LimitRangeRecord:
    meta: Meta
    items: tuple[LimitRangeItem, ...] = ()
