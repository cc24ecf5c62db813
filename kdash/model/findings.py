"""Health findings and scores, shared by the scorer, the UI and `kdash check`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Severity(IntEnum):
    """Ordered so that `max()` gives the worst; the value is not the penalty (see kdash.health)."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    kind: str
    namespace: str
    name: str
    message: str
    why: str = ""
    fix: str = ""
    container: str | None = None
    ignored: bool = False  # silenced by an exemption annotation; shown dimmed on request


@dataclass(frozen=True, slots=True)
class ObjectScore:
    kind: str
    namespace: str
    name: str
    score: float
    grade: str
    worst: Finding | None = None
