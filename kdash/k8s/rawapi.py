"""Thin raw-JSON GET helpers over one urllib3 pool per thread.

The pool and the credentials come from the target's `Connection` (kdash/k8s/transport.py): built
straight from the kubeconfig for static credentials, or the official `ApiClient` (exec plugins,
auth providers: token refresh via `param_serialize`). Its model layer is never used: bodies are
bytes parsed with orjson (FACTS.md §1).
Requests go straight to the urllib3 pool with `preload_content=False` and `retries=False`:
urllib3's default Retry(3) would silently repeat a GET after a read timeout (4× the wait) and hide
connection errors behind MaxRetryError; the informers own retrying, with back-off.
"""

from __future__ import annotations

import gc
import logging
import re
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import orjson
import urllib3
from urllib3 import exceptions as u3

from kdash import __version__
from kdash.errors import KdashError
from kdash.k8s.backoff import parse_retry_after

log = logging.getLogger("kdash.k8s")

BIG_BODY = 256 * 1024  # parses above this size pause the cyclic GC


class ApiError(KdashError):
    """A request failed; `message` is one sentence fit for a status line."""

    def __init__(
        self, status: int, message: str, *, reason: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
        self.retry_after = retry_after


class UnreachableError(ApiError):
    """No HTTP answer at all: refused, DNS, TLS, timeout, reset (status 0)."""


class UnauthorizedError(ApiError):
    """401: the credentials are wrong or expired."""


class ForbiddenError(ApiError):
    """403: RBAC says no; `message` is the API's own words."""


class NotFoundError(ApiError):
    """404: the object, or the whole API group (metrics.k8s.io), is not there."""


class GoneError(ApiError):
    """410: the resourceVersion or continue token is older than the server's history; relist."""


class ResourceVersionTooLargeError(GoneError):
    """504 "Too large resource version": the server has not reached our resourceVersion (it
    restarted with a new state, or its cache lags); like a 410, only a relist gets us in step."""


class TooManyRequestsError(ApiError):
    """429: the server asks us to wait `retry_after` seconds."""


_BY_STATUS: dict[int, type[ApiError]] = {
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    410: GoneError,
    429: TooManyRequestsError,
}


def error_from_status(
    status: int, body: bytes | Mapping[str, Any] | None, retry_after: str | None = None
) -> ApiError:
    """Build the typed error of an HTTP status and its (maybe) Kubernetes `Status` body."""
    doc: Mapping[str, Any] = {}
    if isinstance(body, bytes | bytearray) and body:
        try:
            parsed = orjson.loads(body)
            doc = parsed if isinstance(parsed, dict) else {}
        except orjson.JSONDecodeError:
            doc = {}
    elif isinstance(body, Mapping):
        doc = body
    code = doc.get("code")
    if isinstance(code, int) and code >= 400:
        status = code
    reason = str(doc.get("reason") or "")
    message = str(doc.get("message") or "").strip()
    if status == 401:
        message = "the server rejected our credentials (401 Unauthorized): the token may have expired"
    elif not message:
        message = f"the server answered {status} {reason or 'error'}".strip()
    cls = _BY_STATUS.get(status, ApiError)
    if status == 504 and _too_large(doc):
        cls = ResourceVersionTooLargeError
    return cls(status, message, reason=reason, retry_after=parse_retry_after(retry_after))


def _too_large(doc: Mapping[str, Any]) -> bool:
    details = doc.get("details")
    causes = details.get("causes") if isinstance(details, dict) else None
    if isinstance(causes, list) and any(
        isinstance(c, dict) and c.get("reason") == "ResourceVersionTooLarge" for c in causes
    ):
        return True
    return "too large resource version" in str(doc.get("message") or "").lower()


def describe_connection_error(server: str, exc: BaseException) -> str:
    """One sentence for an exception raised before any HTTP answer arrived."""
    text = str(exc).lower()
    if isinstance(exc, u3.ReadTimeoutError):
        return f"{server} did not answer in time (read timeout)"
    if "refused" in text:  # before ConnectTimeoutError: NewConnectionError subclasses it
        return f"cannot reach {server}: connection refused"
    if isinstance(exc, u3.ConnectTimeoutError) and not isinstance(exc, u3.NewConnectionError):
        return f"cannot reach {server}: connection timed out"
    if isinstance(exc, u3.NameResolutionError) or "name or service not known" in text:
        return f"cannot reach {server}: the host name does not resolve"
    if isinstance(exc, u3.SSLError | ssl.SSLError):
        detail = (
            "certificate verify failed" if "certificate verify failed" in text else "TLS handshake failed"
        )
        return f"cannot reach {server}: {detail}"
    if isinstance(exc, u3.ProtocolError) or "reset" in text or "closed" in text:
        return f"lost the connection to {server}"
    return f"cannot reach {server}: {type(exc).__name__}"


# --- garbage collector pause shared by all informer threads -------------------------------------
# Several informers parse big lists at once. Each pause nests; the collector is re-enabled only
# when the last big parse ends, and only if it was enabled when the first one began.
#
# A pause may ask for a `freeze`: a whole list (parse + build + store) runs in one pause, and when
# the last pause ends the objects alive then (mostly the records just built, which live long and
# hold no reference cycles) move to the permanent generation, so later collections, which the UI
# triggers while it builds thousands of rows, never traverse them again (FACTS.md §1). Frozen
# objects are still freed by reference counting when a record is replaced or deleted, but a frozen
# object that later ends up in unreachable reference cycle is only freed after `gc_unfreeze()`:
# so only big lists freeze (informer.FREEZE_MIN_RECORDS), and a scope switch unfreezes.
_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False
_gc_freeze = False


@contextmanager
def gc_paused(size: int = BIG_BODY, *, freeze: bool = False) -> Iterator[None]:
    """Disable cyclic GC while parsing `size` bytes (no-op for small bodies).

    With `freeze`, `gc.freeze()` runs when the outermost pause ends (only if the collector was
    enabled when it began, i.e. kdash owns the pause).
    """
    global _gc_depth, _gc_was_enabled, _gc_freeze
    if size < BIG_BODY:
        yield
        return
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            _gc_freeze = _gc_freeze or freeze
            if _gc_depth == 0:
                if _gc_was_enabled:
                    if _gc_freeze:
                        gc.freeze()
                    gc.enable()
                _gc_freeze = False


def request_gc_freeze() -> None:
    """Ask for `gc.freeze()` when the current pause ends (no-op when no pause is running)."""
    global _gc_freeze
    with _gc_lock:
        if _gc_depth > 0:
            _gc_freeze = True


def gc_unfreeze() -> None:
    """Hand frozen objects back to the collector (on a context or namespace switch), so what the
    old scope leaves behind in reference cycles (connections, threads' objects) can be freed."""
    gc.unfreeze()


class RawApi:
    """GETs against one cluster with one connection (one per thread: the client is not thread-safe)."""

    def __init__(
        self, target: Any, *, connect_timeout: float = 10.0, read_timeout: float = 30.0, quiet: bool = False
    ) -> None:
        self.server: str = target.server
        self._conn = target.connection(f"kdash/{__version__}")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._failure_level = logging.DEBUG if quiet else logging.INFO  # quiet: a probe every second

    def close(self) -> None:
        """Close the pooled connections (sockets) of this client."""
        self._conn.close()

    def open(
        self,
        path: str,
        query: Mapping[str, str] | None = None,
        *,
        read_timeout: float | None = None,
        accept: str = "application/json",
    ) -> Any:
        """Send a GET and return the raw streaming urllib3 response (status 2xx), or raise ApiError.

        The caller must `release_conn()` (or close) the response.
        """
        try:
            url, headers = self._conn.prepare(path, {"Accept": accept})
        except Exception as exc:  # exec plugins and token files fail in many ways
            raise UnreachableError(0, f"cannot get credentials for {self.server}: {exc}") from None
        if query:
            url += "?" + urlencode(query)
        shown = path + ("?" + urlencode(query) if query else "")
        log.debug("GET %s", shown)  # never the headers: they carry the bearer token
        timeout = urllib3.Timeout(connect=self.connect_timeout, read=read_timeout or self.read_timeout)
        try:
            resp = self._conn.pool.request(
                "GET", url, headers=headers, timeout=timeout, preload_content=False, retries=False
            )
        except (u3.HTTPError, OSError) as exc:
            message = describe_connection_error(self.server, exc)
            log.log(self._failure_level, "GET %s failed: %s", shown, message)
            raise UnreachableError(0, message) from None
        if not 200 <= resp.status < 300:
            try:
                body = resp.read()
            except (u3.HTTPError, OSError):
                body = b""
            finally:
                resp.release_conn()
            err = error_from_status(resp.status, body, resp.headers.get("Retry-After"))
            log.log(self._failure_level, "GET %s -> %s %s", shown, resp.status, err.message)
            raise err
        return resp

    def read_body(
        self, path: str, query: Mapping[str, str] | None = None, *, accept: str = "application/json"
    ) -> bytes:
        """GET and read the whole body."""
        resp = self.open(path, query, accept=accept)
        try:
            data: bytes = resp.read()
        except (u3.HTTPError, OSError) as exc:
            raise UnreachableError(0, describe_connection_error(self.server, exc)) from None
        finally:
            resp.release_conn()
        return data

    def get_json(
        self, path: str, query: Mapping[str, str] | None = None, *, accept: str = "application/json"
    ) -> Any:
        """GET and parse with orjson (GC paused for big bodies)."""
        data = self.read_body(path, query, accept=accept)
        with gc_paused(len(data)):
            try:
                return orjson.loads(data)
            except orjson.JSONDecodeError:
                raise ApiError(0, f"{self.server} sent a response that is not JSON") from None


# The list's own metadata comes before its items in every API server's output:
# {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1","continue":"eyJ2Ij..."},"items":[
_CONTINUE_RE = re.compile(rb'"metadata"\s*:\s*\{[^{}]*?"continue"\s*:\s*"([^"\\]*)"')
_PEEK_BYTES = 4096


def peek_continue(body: bytes) -> str:
    """The `continue` token of a list page read off the raw bytes, before parsing ("" if not seen).

    Only a hint, used to request the next page while this one is parsed; the caller checks it
    against the parsed `metadata.continue` and throws the early page away if they differ.
    """
    match = _CONTINUE_RE.search(body, 0, _PEEK_BYTES)
    if match is None:
        return ""
    try:
        return match.group(1).decode("utf-8")
    except UnicodeDecodeError:
        return ""


# --- list pages parsed one item at a time ------------------------------------------------------
# Parsing a 500-pod page at once builds ~20 MB of dicts that have left the CPU caches by the time
# the records are built from them; parsing and building one item at a time keeps each item hot
# and the peak small, which halves the cost of parse + build (measured, 10,000 pods).
_ITEMS_KEY = b'"items":['
_ITEM_SEP = b'},{"metadata":'  # between two items: only structural (inside a string `"` is escaped)


class SplitError(Exception):
    """A page is not laid out as `iter_items` expects; parse it whole instead."""


def list_envelope(body: bytes) -> tuple[dict[str, Any], int, int] | None:
    """(the list object with `items` emptied, start, end of the items array's text) or None.

    Expects what API servers write: `{"kind":..,"metadata":{..},"items":[..]}` with `items` last.
    The envelope (everything before `items`) is parsed on its own; anything unexpected gives None.
    """
    at = body.find(_ITEMS_KEY)
    if at < 0:
        return None
    end = len(body)
    while end and body[end - 1] in b" \t\r\n":
        end -= 1
    if end - 2 < at + len(_ITEMS_KEY) or body[end - 2 : end] != b"]}":
        return None
    try:
        envelope = orjson.loads(body[:at] + b'"items":[]}')
    except orjson.JSONDecodeError:
        return None
    if not isinstance(envelope, dict) or envelope.get("items") != []:
        return None
    return envelope, at + len(_ITEMS_KEY), end - 2


def iter_items(body: bytes, start: int, end: int) -> Iterator[dict[str, Any]]:
    """Each object of the items array text `body[start:end]`, parsed one at a time.

    Items are split where `},{"metadata":` occurs. That text is always structural, but could sit in
    an array nested inside an item; then a piece is not one whole JSON object, and SplitError is
    raised before anything of that piece is yielded (so callers can start over with a full parse).
    If every piece parses as one object, every split was between two items.
    """
    if start >= end:
        return
    view = memoryview(body)
    loads = orjson.loads
    find = body.find
    while True:
        cut = find(_ITEM_SEP, start, end)
        stop = end if cut < 0 else cut + 1
        try:
            item = loads(view[start:stop])
        except orjson.JSONDecodeError:
            raise SplitError from None
        if not isinstance(item, dict):
            raise SplitError
        yield item
        if cut < 0:
            return
        start = cut + 2


def iter_json_lines(resp: Any, server: str) -> Iterator[Any]:
    """Yield each newline-delimited JSON document of a streaming (watch) response as it arrives.

    Chunked responses (what API servers send for watches) are read chunk by chunk; otherwise
    `read1` returns whatever bytes are available instead of waiting for a full buffer.
    """
    pending = b""
    try:
        if resp.chunked:
            chunks: Iterator[bytes] = resp.stream(None, decode_content=True)
        else:
            chunks = iter(lambda: bytes(resp.read1(65536)), b"")
        for chunk in chunks:
            if not chunk:
                continue
            lines = (pending + chunk).split(b"\n")
            pending = lines.pop()
            for line in lines:
                if line.strip():
                    yield orjson.loads(line)
    except orjson.JSONDecodeError:
        raise UnreachableError(0, f"{server} sent a watch line that is not JSON") from None
    except (u3.HTTPError, OSError, ValueError, AttributeError) as exc:
        # ValueError/AttributeError: the socket was shut down under us by stop().
        raise UnreachableError(0, describe_connection_error(server, exc)) from None
    if pending.strip():
        yield orjson.loads(pending)


def shutdown_response(resp: Any) -> None:
    """Unblock a thread reading `resp` right now: shut the socket down (not close: closing an SSL
    socket while another thread is inside `recv` can deadlock on its lock; FACTS.md §2)."""
    import socket

    conn = getattr(resp, "connection", None) or getattr(resp, "_connection", None)
    sock = getattr(conn, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
