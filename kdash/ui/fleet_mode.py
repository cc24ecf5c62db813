"""The app's fleet: the Fleet screen, its watch, and the way between it and the dashboards.

`kdash --fleet` / `--contexts` hand the app a `Fleet` whose `FleetSource` is the session's
source: opening a row points that source at the member's running service (no list is repeated).
Without one, `:fleet` builds a fleet of every context of the kubeconfig through `factory` (the
CLI's), and opening a row is an ordinary `:ctx` switch of the app's own service.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.app import App

from kdash.alerts.config import AlertsConfig
from kdash.health import HealthConfig
from kdash.k8s.fleet import Fleet
from kdash.ui.fleet_watch import FleetWatch
from kdash.ui.screens.fleet import FleetScreen

FleetFactory = Callable[[], Fleet]


class FleetMode:
    """Owns the fleet's watch and screen for one app; every call is on the event loop."""

    def __init__(
        self,
        app: App[Any],
        switch: Callable[[str], None],
        current: Callable[[], str],
        clock: Callable[[], datetime],
        *,
        fleet: Fleet | None = None,
        factory: FleetFactory | None = None,
        health_config: Callable[[], HealthConfig],
        alerts_config: AlertsConfig,
    ) -> None:
        self._app = app
        self._switch = switch  # the app's context switch (`:ctx`)
        self._current = current  # the context the dashboard shows
        self._clock = clock
        self.fleet = fleet
        self._owned = False  # a fleet built here is stopped here; a given one by its source
        self._factory = factory
        self._health = health_config
        self._alerts = alerts_config
        self.watch: FleetWatch | None = None
        self.screen: FleetScreen | None = None
        self.opened = False  # a dashboard was opened from the fleet (esc goes back to it)

    @property
    def available(self) -> bool:
        return self.fleet is not None or self._factory is not None

    def show(self) -> None:
        """Push the Fleet screen (building and starting the fleet on first use)."""
        if self.fleet is None:
            if self._factory is None:
                self._app.notify("no fleet: start kdash with --fleet or --contexts", markup=False)
                return
            try:
                self.fleet = self._factory()
            except Exception as exc:  # KdashError: a kubeconfig problem, in words
                self._app.notify(str(exc), severity="error", markup=False)
                return
            self._owned = True
            self.fleet.start()
        if self.screen is None:
            self.screen = FleetScreen(self.open, self.back)
            self._app.install_screen(self.screen, name="fleet")  # kept while the dashboards show
        if self.watch is None:
            screen = self.screen
            self.watch = FleetWatch(
                self.fleet,
                self._app,
                screen.show_rows,
                clock=self._clock,
                health_config=self._health(),
                alerts_config=self._alerts,
            )
            self.watch.start()
        if self._app.screen is not self.screen:
            self.back()  # from a drill-down too: the fleet sits right above the dashboard
            self._app.push_screen("fleet")

    def open(self, context: str) -> None:
        """Enter on a row: that context's dashboard. In fleet mode the switch upgrades the member's
        service to every kind (kdash/k8s/fleet_source.py); a fleet built by `:fleet` only watches,
        and the app's own service follows the context as `:ctx` does."""
        if context != self._current():
            self._switch(context)
        self.opened = True
        self.back()

    def back(self) -> None:
        """Esc on the fleet: the dashboard below it (every screen above the dashboard goes)."""
        while len(self._app.screen_stack) > 1:
            self._app.pop_screen()

    def stop(self) -> None:
        if self.watch is not None:
            self.watch.stop()
        if self._owned and self.fleet is not None:
            self.fleet.stop()
