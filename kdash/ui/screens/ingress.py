"""Ingress → where each route sends traffic: host, path, backend Service and port, whether that
Service (and port) exists (in red when not: those requests fail) and how many of its endpoints
are ready; the default backend; the TLS hosts with their Secrets' names (never their data).

The Ingress, its namespace's Services (their ports, by number and name) and EndpointSlices come
from on-demand feeds. `enter` on a route opens its Service.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.message import Message

from kdash.model.build.network import (
    EndpointSliceRecord,
    IngressRecord,
    ServicePort,
    build_endpoint_slice,
    build_ingress,
    service_ports,
)
from kdash.model.meta import ObjectKey
from kdash.model.relations import BackendCheck, check_backends, ready_counts
from kdash.model.source import ChangeSet
from kdash.ui.render import network
from kdash.ui.render.table import object_key_of
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.feed_set import ENDPOINT_SLICES, INGRESSES, SERVICES
from kdash.ui.widgets.list_live import age_step
from kdash.ui.widgets.typed_detail import TypedScreen, noted


def _ingress(objects: Mapping[ObjectKey, Mapping[str, Any]]) -> IngressRecord | None:
    return next((build_ingress(o) for o in objects.values()), None)


def _ports(objects: Mapping[ObjectKey, Mapping[str, Any]]) -> dict[str, Sequence[ServicePort]]:
    return {key.name: service_ports(o) for key, o in objects.items()}


def _slices(objects: Mapping[ObjectKey, Mapping[str, Any]]) -> list[EndpointSliceRecord]:
    return [build_endpoint_slice(o) for o in objects.values()]


class IngressScreen(TypedScreen):
    """One Ingress, live."""

    ORIGIN = "services"
    KIND_LABEL = "Ingress"
    SECTIONS = (("summary", "Ingress"),)
    COLUMNS = network.ROUTE_COLUMNS
    EMPTY = "no routes"

    def __init__(self, session: LiveSession, key: ObjectKey) -> None:
        super().__init__(session, key)
        self.checks: list[BackendCheck] = []
        self._shown: tuple[Any, ...] | None = None

    def rows_changed(self, changes: ChangeSet) -> bool:  # noqa: ARG002 - all of it comes from feeds
        return False

    def redraw(self, view: LiveView) -> None:
        ns, name = self.key.namespace, self.key.name
        self.feeds.want("ingress", INGRESSES, ns, field_selector=f"metadata.name={name}")
        self.feeds.want("services", SERVICES, ns)
        self.feeds.want("slices", ENDPOINT_SLICES, ns)
        ingress = self.feeds.built("ingress", _ingress)
        self.gone(ingress is not None, self.feeds.live("ingress"))
        services = self.feeds.built("services", _ports) if self.feeds.live("services") else None
        counts = ready_counts(self.feeds.built("slices", _slices)) if self.feeds.live("slices") else None
        self.checks = check_backends(ingress, services) if ingress is not None else []
        broken = sum(1 for c in self.checks if c.problem)
        status = None
        if ingress is not None:
            status = (
                Text(f"{broken} broken backend{'s' if broken != 1 else ''}", style="bold red")
                if broken
                else Text(f"{len(self.checks)} routes", style="green")
            )
        self.draw_title(status, view)
        now = view.now
        checks = self.checks
        self.show(
            "summary",
            (ingress, tuple(checks), age_step(now), self.feeds.note("ingress", "Ingress")),
            lambda: noted(
                network.ingress_summary(ingress, checks, now), self.feeds.note("ingress", "Ingress")
            ),
        )
        rows = [
            network.route_row(self.key, i, check, _ready(check, services, counts))
            for i, check in enumerate(checks)
        ]
        note = self.feeds.note("services", "Services")
        inputs = (tuple(checks), tuple(sorted((counts or {}).items())), note, self.filter_table.filter_text)
        if inputs != self._shown:
            self._shown = inputs
            caption = Text("Routes (enter opens the backend Service)", style="bold")
            if note is not None:
                caption.append("  ")
                caption.append_text(note)
            self.set_rows(rows, caption)

    def open_row(self, origin: str, row_key: Hashable) -> Message | None:
        """A route whose Service does not exist has nowhere to go: say so instead."""
        key = object_key_of(row_key)
        index = row_key[1] if isinstance(row_key, tuple) and isinstance(row_key[1], int) else -1
        check = self.checks[index] if 0 <= index < len(self.checks) else None
        if key is None or (check is not None and "does not exist" in check.problem):
            self.notify(check.problem if check is not None else "this route has no Service", markup=False)
            return None
        return super().open_row(origin, key)


def _ready(
    check: BackendCheck,
    services: Mapping[str, Sequence[ServicePort]] | None,
    counts: dict[str, tuple[int, int]] | None,
) -> tuple[int, int] | None:
    """The backend Service's (ready, all) endpoints, once both lists are in."""
    name = check.backend.service
    if not name or services is None or counts is None or name not in services:
        return None
    return counts.get(name, (0, 0))
