"""Service → who gets its traffic: the addresses of its EndpointSlices, ready or not, with the pods
behind them and, for those that get none, why (the readiness probes decide); the pods its selector
matches that no slice lists yet; and the Ingresses that route to it (`i` opens them).

EndpointSlices (label kubernetes.io/service-name) and the namespace's Ingresses come from
on-demand feeds; the Service and its pods are the snapshot's (or, when kdash watches another
namespace, feeds of this one's), so a pod turning unready shows here as soon as the endpoint
controller writes the slice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from kdash.model.build import build_service
from kdash.model.build.network import (
    SERVICE_NAME_LABEL,
    EndpointSliceRecord,
    IngressRecord,
    build_endpoint_slice,
    build_ingress,
)
from kdash.model.cluster import ServiceRecord
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.relations import ingress_routes, selected_pods, service_endpoints
from kdash.model.source import ChangeSet
from kdash.ui.messages import OpenKind, OpenRow
from kdash.ui.render import network
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.feed_set import ENDPOINT_SLICES, INGRESSES, PODS, SERVICES, pod_records
from kdash.ui.widgets.list_live import age_step
from kdash.ui.widgets.typed_detail import TypedScreen


def _slices(objects: Mapping[ObjectKey, Mapping[str, Any]]) -> list[EndpointSliceRecord]:
    return sorted((build_endpoint_slice(o) for o in objects.values()), key=lambda s: s.meta.name)


def _service(objects: Mapping[ObjectKey, Mapping[str, Any]]) -> ServiceRecord | None:
    return next((build_service(o) for o in objects.values()), None)


def _ingresses(objects: Mapping[ObjectKey, Mapping[str, Any]]) -> list[IngressRecord]:
    return [build_ingress(o) for o in objects.values()]


class ServiceScreen(TypedScreen):
    """One Service, live."""

    ORIGIN = "pods"
    KIND_LABEL = "Service"
    SECTIONS = (("summary", "Service"), ("ingresses", "Ingresses routing here"))
    COLUMNS = network.ENDPOINT_COLUMNS
    EMPTY = "no endpoints"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("i", "ingress", "Ingress", id="typed-ingress")]

    def __init__(self, session: LiveSession, key: ObjectKey) -> None:
        super().__init__(session, key)
        self.routes: list[tuple[IngressRecord, str]] = []
        self._shown: tuple[Any, ...] | None = None  # what the rows were last built from

    def kinds(self) -> Iterable[str]:
        return ("services", "pods")

    def rows_changed(self, changes: ChangeSet) -> bool:
        ns = self.key.namespace
        return any(
            key == self.key or (key.kind == "Pod" and key.namespace == ns)
            for key in changes.added | changes.modified | changes.deleted
        )

    def redraw(self, view: LiveView) -> None:
        snapshot, now = view.snapshot, view.now
        ns, name = self.key.namespace, self.key.name
        self.feeds.want("slices", ENDPOINT_SLICES, ns, label_selector=f"{SERVICE_NAME_LABEL}={name}")
        self.feeds.want("ingresses", INGRESSES, ns)
        slices = self.feeds.built("slices", _slices)
        pods: Mapping[ObjectKey, PodRecord] = snapshot.pods
        if snapshot.namespace not in (None, ns):  # kdash watches another namespace: read this one's
            self.feeds.want("service", SERVICES, ns, field_selector=f"metadata.name={name}")
            self.feeds.want("pods", PODS, ns)
            service = self.feeds.built("service", _service)
            self.gone(service is not None, self.feeds.live("service"))
            pods = self.feeds.built("pods", pod_records)
        else:
            self.feeds.drop("service")
            self.feeds.drop("pods")
            service = snapshot.services.get(self.key)
            self.gone(service is not None, self.listed(snapshot, "services"))
        selected = selected_pods(service, pods.values()) if service is not None else []
        rows = service_endpoints(slices, pods, selected)
        ready = sum(1 for r in rows if r.ready)
        status = None
        if service is not None:
            style = "green" if ready and ready == len(rows) else "yellow" if ready else "bold red"
            status = Text(f"{ready}/{len(rows)} endpoints ready", style=style)
        self.draw_title(status, view)
        step = age_step(now)
        self.show(
            "summary",
            (service, slices, tuple(rows), step),
            lambda: network.service_summary(service, slices, rows, now),
        )
        self.routes = ingress_routes(self.feeds.built("ingresses", _ingresses), self.key)
        note = self.feeds.note("ingresses", "Ingresses")
        self.show(
            "ingresses", (tuple(self.routes), note), lambda: network.ingresses_section(self.routes, note)
        )
        slice_note = self.feeds.note("slices", "EndpointSlices")
        caption = Text("Endpoints (traffic goes to the ready ones)", style="bold")
        if slice_note is not None:
            caption.append("  ")
            caption.append_text(slice_note)
        inputs = (tuple(rows), self.filter_table.filter_text, slice_note)
        if inputs != self._shown:  # by value: a slice rebuilt from the feed is a new object
            self._shown = inputs
            self.set_rows([network.endpoint_row(r) for r in rows], caption)

    def action_ingress(self) -> None:
        """`i`: the one Ingress routing here, or the list of Ingresses when several do."""
        if len(self.routes) == 1:
            self.post_message(OpenRow("ingresses", self.routes[0][0].meta.key))
        elif self.routes and self.feeds.source is not None:
            self.post_message(OpenKind(INGRESSES.resolve(self.feeds.source)))
        else:
            self.notify("no Ingress routes to this Service", markup=False)
