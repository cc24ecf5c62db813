"""EndpointSlices, Ingresses and Service ports as the typed screens read them.

Built on demand from the raw objects of on-demand feeds (kdash.model.feeds), not kept in the
snapshot. Any shape is accepted and never raises: a missing field reads as absent, a wrong type as
empty, as every builder in kdash.model.build.
"""

from __future__ import annotations

from dataclasses import dataclass

from kdash.model.build._json import d, istr, lst, opt_b, opt_i, s, scalar_str
from kdash.model.build.meta import build_meta
from kdash.model.meta import Meta, ObjectKey

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint of a slice. The three conditions are None when the server left them out (the
    API then means ready=true, serving=ready, terminating=false)."""

    addresses: tuple[str, ...]
    ready: bool | None = None
    serving: bool | None = None
    terminating: bool | None = None
    target: ObjectKey | None = None  # targetRef: the pod behind it, usually
    node: str = ""
    zone: str = ""
    hostname: str = ""

    @property
    def is_ready(self) -> bool:
        """Whether it gets traffic: `ready` absent means ready (the API's rule)."""
        return self.ready is not False

    @property
    def is_serving(self) -> bool:
        return self.serving if self.serving is not None else self.is_ready

    @property
    def is_terminating(self) -> bool:
        return self.terminating is True


@dataclass(frozen=True, slots=True)
class SlicePort:
    name: str = ""
    port: int | None = None
    protocol: str = "TCP"


@dataclass(frozen=True, slots=True)
class EndpointSliceRecord:
    meta: Meta
    service: str = ""  # the kubernetes.io/service-name label
    address_type: str = ""
    endpoints: tuple[Endpoint, ...] = ()
    ports: tuple[SlicePort, ...] = ()


@dataclass(frozen=True, slots=True)
class ServicePort:
    """A Service port with its name and target, for checking an Ingress backend's port."""

    name: str = ""
    port: int | None = None
    target_port: str = ""
    protocol: str = "TCP"
    node_port: int | None = None


@dataclass(frozen=True, slots=True)
class Backend:
    """Where an Ingress path (or the default backend) sends traffic: a Service port by number or
    name, or a `resource` (an object reference, "Kind/name") instead of a Service."""

    service: str = ""
    port_number: int | None = None
    port_name: str = ""
    resource: str = ""

    @property
    def port_text(self) -> str:
        if self.port_number is not None:
            return str(self.port_number)
        return self.port_name


@dataclass(frozen=True, slots=True)
class IngressPath:
    host: str  # "" is every host ("*")
    path: str
    path_type: str
    backend: Backend


@dataclass(frozen=True, slots=True)
class IngressTls:
    hosts: tuple[str, ...]
    secret: str = ""  # the Secret's name only; its data is never read


@dataclass(frozen=True, slots=True)
class IngressRecord:
    meta: Meta
    class_name: str = ""
    paths: tuple[IngressPath, ...] = ()
    default_backend: Backend | None = None
    tls: tuple[IngressTls, ...] = ()
    addresses: tuple[str, ...] = ()  # status.loadBalancer.ingress: IPs or hostnames


def _target(ref: object, namespace: str) -> ObjectKey | None:
    raw = d(ref)
    name = s(raw.get("name"))
    if not name:
        return None
    return ObjectKey(istr(raw.get("kind")) or "Pod", s(raw.get("namespace")) or namespace, name)


def build_endpoint_slice(obj: object) -> EndpointSliceRecord:
    """A discovery.k8s.io/v1 EndpointSlice; `endpoints: null` (no pods) reads as none."""
    raw = d(obj)
    meta = build_meta(raw, "EndpointSlice")
    endpoints = []
    for ep in lst(raw.get("endpoints")):
        if not isinstance(ep, dict):
            continue
        cond = d(ep.get("conditions"))
        endpoints.append(
            Endpoint(
                addresses=tuple(a for a in lst(ep.get("addresses")) if isinstance(a, str)),
                ready=opt_b(cond.get("ready")),
                serving=opt_b(cond.get("serving")),
                terminating=opt_b(cond.get("terminating")),
                target=_target(ep.get("targetRef"), meta.namespace),
                node=s(ep.get("nodeName")),
                zone=s(ep.get("zone")),
                hostname=s(ep.get("hostname")),
            )
        )
    ports = tuple(
        SlicePort(s(p.get("name")), opt_i(p.get("port")), s(p.get("protocol")) or "TCP")
        for p in lst(raw.get("ports"))
        if isinstance(p, dict)
    )
    return EndpointSliceRecord(
        meta=meta,
        service=meta.labels.get(SERVICE_NAME_LABEL, ""),
        address_type=s(raw.get("addressType")),
        endpoints=tuple(endpoints),
        ports=ports,
    )


def service_ports(obj: object) -> tuple[ServicePort, ...]:
    """A raw Service's spec.ports (the snapshot's ServiceRecord keeps only kubectl's text)."""
    return tuple(
        ServicePort(
            name=s(p.get("name")),
            port=opt_i(p.get("port")),
            target_port=scalar_str(p.get("targetPort")),
            protocol=s(p.get("protocol")) or "TCP",
            node_port=opt_i(p.get("nodePort")),
        )
        for p in lst(d(d(obj).get("spec")).get("ports"))
        if isinstance(p, dict)
    )


def _backend(obj: object) -> Backend | None:
    raw = d(obj)
    if not raw:
        return None
    svc = d(raw.get("service"))
    if svc:
        port = d(svc.get("port"))
        return Backend(s(svc.get("name")), opt_i(port.get("number")), s(port.get("name")))
    res = d(raw.get("resource"))
    if res:
        return Backend(resource=f"{s(res.get('kind'))}/{s(res.get('name'))}")
    # networking.k8s.io/v1beta1 (and extensions/v1beta1) wrote serviceName / servicePort
    name = s(raw.get("serviceName"))
    if not name:
        return None
    legacy_port = raw.get("servicePort")
    number = opt_i(legacy_port)
    return Backend(name, number, s(legacy_port) if number is None else "")


def build_ingress(obj: object) -> IngressRecord:
    """An Ingress: every rule's paths flattened, the default backend, TLS hosts and addresses."""
    raw = d(obj)
    spec = d(raw.get("spec"))
    paths: list[IngressPath] = []
    for rule in lst(spec.get("rules")):
        if not isinstance(rule, dict):
            continue
        host = s(rule.get("host"))
        for p in lst(d(rule.get("http")).get("paths")):
            if not isinstance(p, dict):
                continue
            backend = _backend(p.get("backend")) or Backend()
            paths.append(IngressPath(host, s(p.get("path")), s(p.get("pathType")), backend))
    tls = tuple(
        IngressTls(tuple(h for h in lst(x.get("hosts")) if isinstance(h, str)), s(x.get("secretName")))
        for x in lst(spec.get("tls"))
        if isinstance(x, dict)
    )
    addresses = tuple(
        s(x.get("ip")) or s(x.get("hostname"))
        for x in lst(d(d(d(raw.get("status")).get("loadBalancer"))).get("ingress"))
        if isinstance(x, dict) and (s(x.get("ip")) or s(x.get("hostname")))
    )
    annotations = d(d(raw.get("metadata")).get("annotations"))
    return IngressRecord(
        meta=build_meta(raw, "Ingress"),
        class_name=s(spec.get("ingressClassName")) or s(annotations.get("kubernetes.io/ingress.class")),
        paths=tuple(paths),
        default_backend=_backend(spec.get("defaultBackend")) or _backend(spec.get("backend")),
        tls=tls,
        addresses=addresses,
    )
