"""One thread per followed container: open the log request, read it, resume it when it drops.

A stream drops for many reasons (the container restarted, the API server closed an old request, a
load balancer timed out, the network blinked); on-call engineers should not have to notice. Every
reconnect resumes with `sinceTime` of the last line seen and `ResumeFilter` drops the overlap, so
the view gets neither duplicates nor gaps. The thread owns its ApiClient (the client is not
thread-safe) and `stop()` shuts the socket down so a blocked read returns at once.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException
from urllib3 import exceptions as u3

from kdash.k8s.logs_parse import LineSplitter, RawLine, ResumeFilter, format_since_time
from kdash.k8s.logs_select import ContainerRef
from kdash.model.logtext import sanitize, strip_ansi
from kdash.model.source import LogTarget

log = logging.getLogger("kdash.k8s.logs")

ClientFactory = Callable[[], Any]
LineSink = Callable[[ContainerRef, list[RawLine]], None]
EventSink = Callable[[ContainerRef, str, str], None]  # ref, event kind, text

_LOG_PATH = "/api/v1/namespaces/{namespace}/pods/{name}/log"
_READ_SIZE = 64 * 1024


def error_text(exc: BaseException) -> str:
    """One sentence for the status line; the API's own message when it sent a Status."""
    if isinstance(exc, ApiException):
        body = exc.body if isinstance(exc.body, str) else ""
        message = ""
        if body.startswith("{"):
            try:
                message = str(json.loads(body).get("message") or "")
            except ValueError:
                message = ""
        return strip_ansi(message)[:300] or f"HTTP {exc.status} {exc.reason or ''}".strip()
    if isinstance(exc, u3.ReadTimeoutError):
        return "no data before the read timeout"
    if isinstance(exc, u3.ProtocolError):
        return "connection lost"
    if isinstance(exc, u3.MaxRetryError | u3.NewConnectionError | ConnectionError):
        return "cannot reach the API server"
    return sanitize(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:200]


def open_log(
    api_client: Any,
    ref: ContainerRef,
    *,
    follow: bool,
    previous: bool = False,
    timestamps: bool = True,
    tail_lines: int | None = None,
    since_seconds: int | None = None,
    since_time: str | None = None,
    timeout: tuple[float, float] = (10.0, 120.0),
) -> Any:
    """Open a pod log request and return the raw urllib3 response (not yet read).

    The generated `read_namespaced_pod_log` has no `sinceTime` parameter, so a resume builds the
    same request through `param_serialize` (auth, TLS and headers still come from the client).

    Raises:
        ApiException: the server answered with an error status.
    """
    if since_time is None:
        return k8s.CoreV1Api(api_client).read_namespaced_pod_log(
            ref.pod,
            ref.namespace,
            container=ref.container,
            follow=follow or None,
            previous=previous or None,
            timestamps=timestamps or None,
            tail_lines=tail_lines,
            since_seconds=since_seconds,
            _preload_content=False,
            _request_timeout=timeout,
        )
    query: list[tuple[str, str]] = [("container", ref.container), ("sinceTime", since_time)]
    if follow:
        query.append(("follow", "true"))
    if previous:
        query.append(("previous", "true"))
    if timestamps:
        query.append(("timestamps", "true"))
    request = api_client.param_serialize(
        method="GET",
        resource_path=_LOG_PATH,
        path_params={"namespace": ref.namespace, "name": ref.pod},
        query_params=query,
        header_params={"Accept": "text/plain"},
        auth_settings=["BearerToken"],
    )
    response = api_client.call_api(*request, _request_timeout=timeout)
    if not 200 <= response.status <= 299:
        response.read()
        raise ApiException.from_response(http_resp=response, body=None, data=None)
    return response.response


def fetch_lines(api_client: Any, ref: ContainerRef, *, previous: bool, tail: int | None) -> list[str]:
    """Blocking, non-follow read of a container's log (sanitised lines, no timestamps)."""
    resp = open_log(api_client, ref, follow=False, previous=previous, timestamps=False, tail_lines=tail)
    try:
        splitter = LineSplitter(timestamps=False)
        out: list[str] = []
        while chunk := resp.read1(_READ_SIZE):
            out.extend(line.text for line in splitter.feed(chunk))
        out.extend(line.text for line in splitter.flush())
        return out
    finally:
        resp.release_conn()


class ContainerFollower:
    """Follows one container until stopped; reconnects with back-off while the pod exists."""

    def __init__(
        self,
        ref: ContainerRef,
        target: LogTarget,
        client_factory: ClientFactory,
        on_lines: LineSink,
        on_event: EventSink,
        *,
        timeout: tuple[float, float] = (10.0, 120.0),
        backoff: tuple[float, float] = (0.5, 10.0),
    ) -> None:
        self.ref = ref
        self._target = target
        self._client_factory = client_factory
        self._on_lines = on_lines
        self._on_event = on_event
        self._timeout = timeout
        self._backoff = backoff
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._resp: Any = None
        self.state = "connecting"
        self.error = ""
        self.connects = 0
        self.filter = ResumeFilter()
        self._first_connect = 0.0
        self._thread = threading.Thread(target=self._run, name=f"kdash-log {ref}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end and unblock its read; does not wait (see `join`)."""
        self._stop.set()
        with self._lock:
            resp = self._resp
        if resp is not None:
            try:
                resp.shutdown()
            except Exception:  # noqa: BLE001 - already closed or released: nothing to unblock
                pass

    def join(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        api_client = self._client_factory()
        try:
            self._loop(api_client)
        except Exception:  # noqa: BLE001 - a follower must never take the service down
            log.exception("log follower %s failed", self.ref)
            self.state = "failed"
        finally:
            try:
                api_client.close()
            except Exception:  # noqa: BLE001
                pass

    def _loop(self, api_client: Any) -> None:
        target = self._target
        follow = target.follow and not target.previous
        delay = self._backoff[0]
        reported = ""
        while not self._stop.is_set():
            got_data = False
            connects = self.connects
            try:
                got_data = self._read_once(api_client, follow)
                self.error = ""
            except Exception as exc:  # noqa: BLE001 - any failure: say so, back off, retry
                if self._stop.is_set():
                    break
                self.error = error_text(exc)
                dropped = self.connects > connects and isinstance(exc, u3.HTTPError)
                if dropped:
                    got_data = True  # an established stream broke: resume at once, no alarm
                elif self.error != reported:
                    reported = self.error
                    self._on_event(self.ref, "error", self.error)
            if not follow or self._stop.is_set():
                break
            if got_data:
                delay = self._backoff[0]
                reported = ""
            self.state = f"reconnecting in {delay:g}s"
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, self._backoff[1])
        self.state = "stopped" if self._stop.is_set() else "ended"

    def _read_once(self, api_client: Any, follow: bool) -> bool:
        target = self._target
        since_time = None
        tail, since = target.tail_lines, target.since_seconds
        if self.connects and self.filter.last_ns is not None:
            since_time, tail, since = format_since_time(self.filter.last_ns), None, None
            self.filter.resume()
        elif self.connects:
            # Nothing seen yet: everything since the first connect is new, whatever the preset said.
            tail, since = None, math.ceil(time.monotonic() - self._first_connect) + 1
        self.state = "connecting"
        resp = open_log(
            api_client,
            self.ref,
            follow=follow,
            previous=target.previous,
            timestamps=True,
            tail_lines=tail,
            since_seconds=since,
            since_time=since_time,
            timeout=self._timeout,
        )
        if not self.connects:
            self._first_connect = time.monotonic()
        self.connects += 1
        self.error = ""
        with self._lock:
            self._resp = resp
        if self._stop.is_set():
            resp.shutdown()
        self.state = "following" if follow else "reading"
        splitter = LineSplitter(timestamps=True)
        got = False
        try:
            while chunk := resp.read1(_READ_SIZE):
                got = True
                lines = [ln for ln in splitter.feed(chunk) if self.filter.accept(ln)]
                if lines:
                    self._on_lines(self.ref, lines)
            if not follow:
                tail_lines = [ln for ln in splitter.flush() if self.filter.accept(ln)]
                if tail_lines:
                    self._on_lines(self.ref, tail_lines)
        finally:
            with self._lock:
                self._resp = None
            resp.close()  # never back to the pool: it may be half-read or shut down
        return got
