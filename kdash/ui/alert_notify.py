"""What the user hears of new alerts: toasts, the terminal bell, a desktop notification.

A toast per new alert, but a burst (a node going down takes fifty pods with it, or the first
sync finds every existing crash loop) is one summary toast, not fifty; so is anything past a
few toasts in a short window. The bell rings once per update that opens an error alert, when
`--bell` or `[alerts] bell` asks for it; `--notify` sends one desktop notification per update.
Texts are built from untrusted names and messages: the app's `notify` cleans every toast, and
the desktop notifier cleans what it sends (kdash/ui/desktop.py).
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from textual.notifications import SeverityLevel

from kdash.alerts.config import AlertsConfig
from kdash.alerts.model import Alert, AlertDelta, AlertSeverity
from kdash.ui.desktop import DesktopNotifier
from kdash.ui.toaster import Toaster

BURST = 3  # more new alerts than this in one update: one summary toast
WINDOW = 10.0  # seconds ...
MAX_IN_WINDOW = 6  # ... and at most this many toasts in it before the rest are summarised
TOAST_SECONDS = 8


class ToastHost(Toaster, Protocol):
    """What the notifier needs of the app (KdashApp is one)."""

    def bell(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Toast:
    title: str
    message: str
    severity: SeverityLevel


def _where(alert: Alert) -> str:
    key = alert.key
    name = f"{key.namespace}/{key.name}" if key.namespace else key.name
    return f"{key.kind} {name}" + (f" ({alert.container})" if alert.container else "")


def alert_toast(alert: Alert) -> Toast:
    severity: SeverityLevel = "error" if alert.severity is AlertSeverity.ERROR else "warning"
    return Toast(f"{alert.condition}: {_where(alert)}", alert.message, severity)


def summary_toast(opened: Sequence[Alert]) -> Toast:
    """ "12 new alerts (9 errors)": conditions by count, then `:alerts` to see them."""
    errors = sum(1 for a in opened if a.severity is AlertSeverity.ERROR)
    by_condition = Counter(a.condition for a in opened)
    parts = ", ".join(f"{n} {cond}" for cond, n in by_condition.most_common(4))
    more = "" if len(by_condition) <= 4 else ", …"
    title = f"{len(opened)} new alert{'s' if len(opened) != 1 else ''}" + (
        f" ({errors} errors)" if errors else ""
    )
    return Toast(title, f"{parts}{more}; press a or :alerts to list them", "error" if errors else "warning")


class ToastPlan:
    """Which toasts an update's new alerts become, with the recent toasts' times (monotonic)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._recent: deque[float] = deque()

    def toasts(self, opened: Sequence[Alert]) -> list[Toast]:
        if not opened:
            return []
        now = self._clock()
        while self._recent and self._recent[0] <= now - WINDOW:
            self._recent.popleft()
        if len(opened) > BURST or len(self._recent) + len(opened) > MAX_IN_WINDOW:
            out = [summary_toast(opened)]
        else:
            out = [alert_toast(a) for a in opened]
        self._recent.extend([now] * len(out))
        return out


class AlertNotifier:
    """Turns each AlertDelta the session posts into toasts, a bell and a desktop notification."""

    def __init__(self, host: ToastHost, config: AlertsConfig, desktop: DesktopNotifier | None = None) -> None:
        self.host = host
        self.config = config
        self.desktop = desktop if config.notify else None
        self.plan = ToastPlan()
        self.bells = 0

    def handle(self, delta: AlertDelta) -> None:
        opened = delta.opened
        if not opened:
            return
        for toast in self.plan.toasts(opened):
            self.host.notify(
                toast.message, title=toast.title, severity=toast.severity, timeout=TOAST_SECONDS, markup=False
            )
        errors = [a for a in opened if a.severity is AlertSeverity.ERROR]
        if self.config.bell and errors:
            self.bells += 1
            self.host.bell()
        if self.desktop is not None:
            toast = alert_toast(opened[0]) if len(opened) == 1 else summary_toast(opened)
            self.desktop.send(toast.title, toast.message, urgent=bool(errors))
