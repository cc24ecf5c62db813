"""Kubernetes ``Status`` error bodies, worded like the real API server's."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from kdash.sim.resources import ResourceType

JSON = dict[str, Any]

_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    410: "Expired",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}

CONTINUE_TOO_OLD = (
    "The provided continue parameter is too old to display a consistent list result. You can start a "
    "new list without the continue parameter, or use the continue token in this response to retrieve "
    "the remainder of the results. Continuing with the provided token results in an inconsistent list "
    "- objects that were created, modified, or deleted between the time the first chunk was returned "
    "and now may show up in the list."
)


def status_body(
    code: int,
    message: str,
    *,
    reason: str | None = None,
    details: JSON | None = None,
    metadata: JSON | None = None,
) -> JSON:
    body: JSON = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": metadata or {},
        "status": "Failure",
        "message": message,
    }
    if reason is None:
        reason = _REASONS.get(code, "")
    if reason:
        body["reason"] = reason
    if details:
        body["details"] = details
    body["code"] = code
    return body


def status_response(code: int, body: JSON, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=code,
        body=orjson.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def error(code: int, message: str, **kw: Any) -> web.Response:
    headers = kw.pop("headers", None)
    return status_response(code, status_body(code, message, **kw), headers)


def not_found(rt: ResourceType, name: str) -> web.Response:
    """As the real server says it: ``pods "x" not found``, ``deployments.apps "x" not found`` (the
    group named in details too)."""
    qualified = f"{rt.plural}.{rt.group}" if rt.group else rt.plural
    details: JSON = {"name": name, "kind": rt.plural}
    if rt.group:
        details = {"name": name, "group": rt.group, "kind": rt.plural}
    return error(404, f'{qualified} "{name}" not found', details=details)


def forbidden(rt: ResourceType, verb: str, user: str, namespace: str | None, name: str = "") -> web.Response:
    scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    qualified = f"{rt.plural}.{rt.group}" if rt.group else rt.plural  # "deployments.apps is forbidden"
    what = f'{qualified} "{name}"' if name else qualified
    msg = (
        f'{what} is forbidden: User "{user}" cannot {verb} resource "{rt.plural}" '
        f'in API group "{rt.group}" {scope}'
    )
    details: JSON = {"name": name, "kind": rt.plural} if name else {"kind": rt.plural}
    return error(403, msg, details=details)


def unauthorized() -> web.Response:
    return error(401, "Unauthorized")


def method_not_allowed(method: str) -> web.Response:
    return error(405, f"the server does not allow this method on the requested resource ({method})")


def too_many_requests(retry_after: str = "1") -> web.Response:
    """429 as API Priority and Fairness sends it; `retry_after` is the header's raw text (a fault
    may make it huge or malformed), echoed in the details only when it is a whole number."""
    whole = retry_after.isdigit() and int(retry_after) < 2**31  # the field is an int32
    details: JSON = {"retryAfterSeconds": int(retry_after)} if whole else {}
    return error(
        429,
        "Too many requests, please try again later.",
        details=details,
        headers={"Retry-After": retry_after},
    )


def too_large_resource_version(requested: int, current: int, retry_seconds: int) -> web.Response:
    """504 for a read at a resourceVersion the server has not reached (a restarted server with a new
    state, or a lagging cache), as k8s.io/apiserver's NewTooLargeResourceVersionError words it."""
    details: JSON = {
        "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}]
    }
    headers = None
    if retry_seconds:
        details["retryAfterSeconds"] = retry_seconds
        headers = {"Retry-After": str(retry_seconds)}
    message = f"Timeout: Too large resource version: {requested}, current: {current}"
    return error(504, message, details=details, headers=headers)


def internal_error(
    message: str = 'an error on the server ("simulated fault") has prevented the request from succeeding',
) -> web.Response:  # noqa: E501
    return error(500, message)


def watch_expired(rv: int, oldest: int) -> JSON:
    """The ERROR event object a watch from a compacted rv receives (HTTP 200 stream)."""
    return status_body(410, f"too old resource version: {rv} ({oldest})", reason="Expired")


def page_not_found() -> web.Response:
    return web.Response(status=404, text="404 page not found\n", content_type="text/plain")
