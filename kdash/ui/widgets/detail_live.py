"""A screen base that follows the session's live view while it is on the stack.

Drill-down screens subscribe to the `LiveSession` (not to the cluster source: the session owns the
one subscription) and get every view it publishes, with the changes since the previous one. A
screen redraws only when the changes touch what it shows; the findings it shows come from the
session's health report, so no screen scores its own slice of the cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.screen import Screen

from kdash.model.findings import Finding
from kdash.model.meta import ObjectKey
from kdash.model.source import ChangeSet
from kdash.ui.screens.type_ahead import ForwardsTypeAhead
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView


class LiveScreen(ForwardsTypeAhead, Screen[None]):
    """Base of the drill-down screens: `esc` pops, `refresh_from(view)` runs on relevant changes.

    Subclasses implement `refresh_from` and may override `relevant` to ignore publishes that do not
    touch what they show (the service publishes up to ten times a second on a busy cluster), and
    `show_findings` to redraw when the session's health report moves on.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="drill-back"),
    ]

    def __init__(self, session: LiveSession) -> None:
        super().__init__()
        self.session = session
        self.view: LiveView | None = None
        self.findings: dict[ObjectKey, list[Finding]] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._finding_keys: tuple[ObjectKey, ...] = ()
        self._findings_from: object = None  # the report `findings` were read from

    def on_mount(self) -> None:
        self._unsubscribe = self.session.subscribe(self._view_changed)
        self.view = self.session.latest()
        self.refresh_from(self.view)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _view_changed(self, view: LiveView, changes: ChangeSet | None) -> None:
        if self not in self.app.screen_stack:
            return  # popped: its widgets are being removed (it unsubscribes on unmount)
        self.view = view
        try:
            if self.wants(changes):
                self.refresh_from(view)
            elif view.report is not self._findings_from:
                self.watch_findings(view, self._finding_keys)
                self.show_findings()
        except NoMatches:
            # The app is closing: it removes every screen's widgets without popping the stack, and
            # a publish (a metrics poll, the clock) can land in between. Nothing is left to draw.
            return

    def wants(self, changes: ChangeSet | None) -> bool:
        """Whether a view with these changes (None: only the clock or the report moved) needs a redraw."""
        return changes is not None and (changes.scope_changed or self.relevant(changes))

    def relevant(self, changes: ChangeSet) -> bool:  # noqa: ARG002 - subclasses look at it
        return True

    def refresh_from(self, view: LiveView) -> None:
        raise NotImplementedError

    def action_back(self) -> None:
        self.dismiss()

    # -- health ------------------------------------------------------------------------------------

    def watch_findings(self, view: LiveView, keys: Iterable[ObjectKey]) -> None:
        """Read the findings of `keys` from the view's report (None while nothing is scored)."""
        self._finding_keys = tuple(keys)
        self._findings_from = view.report
        report = view.report
        self.findings = None if report is None else {k: report.findings_for(k) for k in self._finding_keys}

    def show_findings(self) -> None:
        """Redraw whatever shows findings (subclasses)."""
