"""The aiohttp application: routing, auth, fault injection, audit, and discovery documents."""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import orjson
from aiohttp import web

from kdash.sim import api, discovery, metrics, resources, status
from kdash.sim.registry import Registry
from kdash.sim.resources import ResourceType
from kdash.sim.state import SimState

STATE_KEY = web.AppKey("sim_state", SimState)
_UNAUTHENTICATED = {"/healthz", "/livez", "/readyz", "/version"}
_AGGREGATED = "as=APIGroupDiscoveryList"
_AGG_CT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
_ENDPOINTS_WARNING = '299 - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"'


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed resource path: ``/api/v1/namespaces/shop/pods/web-1/log``."""

    rt: ResourceType
    namespace: str | None
    name: str
    sub: str


def parse_resource_path(path: str, types: Registry, *, metrics_on: bool = False) -> Target | None | str:
    """A Target, ``"discovery"`` for discovery paths, or None when nothing is served there
    (metrics.k8s.io only while `metrics_on`)."""
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0] not in ("api", "apis"):
        return None
    if parts[0] == "api":
        if len(parts) <= 2:
            return "discovery"
        group, version, rest = "", parts[1], parts[2:]
    else:
        if len(parts) <= 3:
            return "discovery"
        group, version, rest = parts[1], parts[2], parts[3:]
    namespace: str | None = None
    if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] != "status":
        namespace, rest = rest[1], rest[2:]
    if len(rest) > 3:
        return None
    rt = types.find(group, version, rest[0])
    if rt is None and metrics_on:
        rt = metrics.find(group, version, rest[0])
    if rt is None or (namespace is not None and not rt.namespaced):
        return None
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    if sub and (sub not in ("status", "log") or rt.aggregated) or (sub == "log" and rt.plural != "pods"):
        return None
    return Target(rt, namespace, name, sub)


def target_of(request: web.Request, path: str | None = None) -> Target | None | str:
    state = request.app[STATE_KEY]
    return parse_resource_path(path or request.path, state.store.types, metrics_on=state.metrics_on)


def audit_verb(method: str, target: Target | None | str, query: dict[str, str]) -> str:
    has_name = isinstance(target, Target) and bool(target.name)
    if method == "GET":
        if isinstance(target, Target) and not has_name:
            return "watch" if query.get("watch") in ("1", "true") else "list"
        return "get"
    return {
        "POST": "create",
        "PUT": "update",
        "PATCH": "patch",
        "DELETE": "delete" if has_name else "deletecollection",
    }.get(method, method.lower())


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def audit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    start = time.perf_counter()
    target = target_of(request)
    code = 500
    try:
        resp = await handler(request)
        code = resp.status
        return resp
    except web.HTTPException as exc:
        code = exc.status
        raise
    except (asyncio.CancelledError, ConnectionResetError):
        code = 499
        raise
    finally:
        state.record(
            {
                "verb": audit_verb(request.method, target, dict(request.query)),
                "method": request.method,
                "path": request.path,
                "query": request.query_string,
                "resource": target.rt.key if isinstance(target, Target) else "",
                "sub": target.sub if isinstance(target, Target) else "",
                "accept": api.accept_form(request) if request.method == "GET" else "",
                "status": code,
                "user_agent": request.headers.get("User-Agent", ""),
                "ms": round((time.perf_counter() - start) * 1000, 2),
            }
        )


@web.middleware
async def auth_fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    auth = request.headers.get("Authorization", "")
    token_ok = hmac.compare_digest(auth.encode(), f"Bearer {state.token}".encode())
    if not token_ok and (auth or request.path not in _UNAUTHENTICATED):
        return status.unauthorized()
    faults = state.faults
    if faults.latency > 0:
        await asyncio.sleep(faults.latency)
    target = target_of(request)
    if isinstance(target, Target):
        if faults.roll_throttle():
            return status.too_many_requests(faults.retry_after)
        if faults.roll_error():
            return status.internal_error()
        if request.method == "GET":
            verb = audit_verb("GET", target, dict(request.query))
            forbidden_ns = target.namespace in faults.forbid_ns or (
                target.namespace is None and target.rt.namespaced and bool(faults.forbid_ns)
            )
            name = target.rt.key if target.rt.aggregated else target.rt.plural
            if name in faults.forbid or forbidden_ns:
                return status.forbidden(target.rt, verb, state.user, target.namespace, target.name)
    return await handler(request)


async def dispatch(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    path = request.path.rstrip("/") or "/"
    if request.method not in ("GET", "HEAD"):
        if isinstance(target_of(request, path), Target):
            return status.method_not_allowed(request.method)
        return status.page_not_found()
    if path in ("/healthz", "/livez", "/readyz"):
        return web.Response(text="ok", content_type="text/plain")
    if path == "/version":
        return _json(resources.version_info())
    parts = path.strip("/").split("/")
    if len(parts) >= 3 and parts[0] == "apis" and discovery.is_broken(state.faults, parts[1], parts[2]):
        return status.error(503, "the server is currently unable to handle the request")
    target = target_of(request, path)
    if target == "discovery":
        return _discovery(request, path, state)
    if not isinstance(target, Target):
        return status.page_not_found()
    if target.rt.aggregated:
        return await metrics.serve(request, state, target.rt, target.namespace, target.name)
    if target.sub == "log":
        return await api.pod_log(request, state, target.rt, target.namespace or "", target.name)
    if target.name:
        return api.get_object(request, state, target.rt, target.namespace, target.name)
    if request.query.get("watch") in ("1", "true"):
        return await api.watch(request, state, target.rt, target.namespace)
    return await api.list_objects(request, state, target.rt, target.namespace)


def _json(doc: object, content_type: str = "application/json") -> web.Response:
    return web.Response(body=orjson.dumps(doc), headers={"Content-Type": content_type})


def _discovery(request: web.Request, path: str, state: SimState) -> web.Response:
    faults = state.faults
    aggregated = _AGGREGATED in request.headers.get("Accept", "") and not faults.no_aggregated_discovery
    types = state.store.types
    extra = [metrics.discovery_item()] if state.metrics_on else []
    if path == "/api":
        if aggregated:
            return _json(resources.aggregated_core(), _AGG_CT)
        return _json(resources.api_versions_doc(state.server_address))
    if path == "/apis":
        if aggregated:
            return _json(discovery.aggregated_groups(types, faults, extra), _AGG_CT)
        return _json(discovery.api_group_list(types, faults, extra))
    parts = path.strip("/").split("/")
    if parts[0] == "api":
        doc = resources.resource_list_doc("", parts[1])
    elif len(parts) == 2:
        doc = discovery.api_group(types, faults, parts[1], extra)
    else:
        doc = discovery.resource_list(types, parts[1], parts[2], extra)
    return _json(doc) if doc is not None else status.page_not_found()


async def _deprecation_warning(request: web.Request, response: web.StreamResponse) -> None:
    """The warning a v1.33+ server attaches to every v1 Endpoints response (kubectl prints it)."""
    target = target_of(request)
    if isinstance(target, Target) and target.rt.key == "endpoints":
        response.headers["Warning"] = _ENDPOINTS_WARNING


def build_app(state: SimState) -> web.Application:
    app = web.Application(middlewares=[audit_middleware, auth_fault_middleware], client_max_size=1 << 20)
    app[STATE_KEY] = state
    app.on_response_prepare.append(_deprecation_warning)
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app
