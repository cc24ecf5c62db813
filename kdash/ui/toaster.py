"""The one thing every non-widget helper may ask of the app: show a toast (KdashApp is one)."""

from __future__ import annotations

from typing import Protocol

from textual.notifications import SeverityLevel


class Toaster(Protocol):
    def notify(
        self,
        message: str,
        *,
        title: str = ...,
        severity: SeverityLevel = ...,
        timeout: float | None = ...,
        markup: bool = ...,
    ) -> None: ...
