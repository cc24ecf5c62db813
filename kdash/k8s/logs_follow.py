"""One thread per followed container: open the log request, read it, resume it when it drops.

A stream drops for many reasons (the container restarted, the API server closed an old request, a
load balancer timed out, the network blinked); on-call engineers should not have to notice. Every
reconnect resumes with `sinceTime` of the last line seen and `ResumeFilter` drops the overlap, so
the view gets neither duplicates nor gaps. Log requests take the same raw path as lists and
watches (`RawApi`): the same User-Agent, no urllib3 retries behind our back (they would sleep out a
429's Retry-After, however big), the same error sentences, and the shared back-off. The thread
owns its RawApi (the client is not thread-safe) and `stop()` shuts the socket down so a blocked
read returns at once.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from urllib3 import exceptions as u3

from kdash.k8s.backoff import Backoff
from kdash.k8s.logs_parse import LineSplitter, RawLine, ResumeFilter, format_since_time
from kdash.k8s.logs_select import ContainerRef
from kdash.k8s.rawapi import (
    ApiError,
    RawApi,
    UnreachableError,
    describe_connection_error,
    shutdown_response,
)
from kdash.k8s.redact import redact
from kdash.model.logtext import sanitize, strip_ansi
from kdash.model.source import LogTarget

log = logging.getLogger("kdash.k8s.logs")

ApiFactory = Callable[[], RawApi]
LineSink = Callable[[ContainerRef, list[RawLine]], None]
EventSink = Callable[[ContainerRef, str, str], None]  # ref, event kind, text

_READ_SIZE = 64 * 1024


def error_text(exc: BaseException) -> str:
    """One sentence for the status line; the API's own message when it sent a Status."""
    if isinstance(exc, ApiError):
        return strip_ansi(exc.message)[:300] or f"HTTP {exc.status}"
    return redact(sanitize(str(exc).splitlines()[0] if str(exc) else type(exc).__name__))[:200]


def log_path(ref: ContainerRef) -> str:
    return f"/api/v1/namespaces/{quote(ref.namespace, safe='')}/pods/{quote(ref.pod, safe='')}/log"


def open_log(
    api: RawApi,
    ref: ContainerRef,
    *,
    follow: bool,
    previous: bool = False,
    timestamps: bool = True,
    tail_lines: int | None = None,
    since_seconds: int | None = None,
    since_time: str | None = None,
    read_timeout: float | None = None,
) -> Any:
    """Open a pod log request and return the raw urllib3 response (not yet read).

    Raises:
        ApiError: the server answered with an error status, or could not be reached.
    """
    query: dict[str, str] = {}
    if ref.container:
        query["container"] = ref.container
    if follow:
        query["follow"] = "true"
    if previous:
        query["previous"] = "true"
    if timestamps:
        query["timestamps"] = "true"
    if tail_lines is not None:
        query["tailLines"] = str(tail_lines)
    if since_time is not None:
        query["sinceTime"] = since_time
    elif since_seconds is not None:
        query["sinceSeconds"] = str(since_seconds)
    return api.open(log_path(ref), query, read_timeout=read_timeout, accept="text/plain")


def read_chunks(resp: Any, server: str) -> Any:
    """Each chunk of a log response as it arrives; a broken stream raises UnreachableError."""
    try:
        while chunk := resp.read1(_READ_SIZE):
            yield chunk
    except (u3.HTTPError, OSError, ValueError, AttributeError) as exc:
        # ValueError/AttributeError: the socket was shut down under us by stop().
        raise UnreachableError(0, describe_connection_error(server, exc)) from None


def fetch_lines(api: RawApi, ref: ContainerRef, *, previous: bool, tail: int | None) -> list[str]:
    """Blocking, non-follow read of a container's log (sanitised lines, no timestamps).

    Raises:
        ApiError: e.g. 400 when there is no previous instance.
    """
    resp = open_log(api, ref, follow=False, previous=previous, timestamps=False, tail_lines=tail)
    try:
        splitter = LineSplitter(timestamps=False)
        out: list[str] = []
        for chunk in read_chunks(resp, api.server):
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
        api_factory: ApiFactory,
        on_lines: LineSink,
        on_event: EventSink,
        *,
        timeout: tuple[float, float] = (10.0, 120.0),
        backoff: tuple[float, float] = (0.5, 10.0),
    ) -> None:
        self.ref = ref
        self._target = target
        self._api_factory = api_factory
        self._on_lines = on_lines
        self._on_event = on_event
        self._read_timeout = timeout[1]
        self._backoff = Backoff(*backoff)
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
            shutdown_response(resp)

    def join(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        api: RawApi | None = None
        try:
            api = self._api_factory()
            self._loop(api)
        except Exception:  # noqa: BLE001 - a follower must never take the service down
            log.exception("log follower %s failed", self.ref)
            self.state = "failed"
        finally:
            if api is not None:
                try:
                    api.close()
                except Exception:  # noqa: BLE001
                    pass

    def _loop(self, api: RawApi) -> None:
        target = self._target
        follow = target.follow and not target.previous
        reported = ""
        while not self._stop.is_set():
            got_data = False
            connects = self.connects
            wait: float | None = None
            try:
                got_data = self._read_once(api, follow)
                self.error = ""
            except Exception as exc:  # noqa: BLE001 - any failure: say so, back off, retry
                if self._stop.is_set():
                    break
                self.error = error_text(exc)
                dropped = self.connects > connects and isinstance(exc, UnreachableError)
                if dropped:
                    got_data = True  # an established stream broke: resume at once, no alarm
                elif self.error != reported:
                    reported = self.error
                    self._on_event(self.ref, "error", self.error)
                if isinstance(exc, ApiError) and exc.retry_after:
                    # honoured, but someone is watching this view: retry at least every back-off cap
                    wait = min(exc.retry_after, self._backoff.cap)
            if not follow or self._stop.is_set():
                break
            if got_data:
                self._backoff.reset()
                reported = ""
            delay = wait if wait is not None else self._backoff.next()
            self.state = f"reconnecting in {delay:.1f}s"
            if self._stop.wait(delay):
                break
        self.state = "stopped" if self._stop.is_set() else "ended"

    def _read_once(self, api: RawApi, follow: bool) -> bool:
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
            api,
            self.ref,
            follow=follow,
            previous=target.previous,
            timestamps=True,
            tail_lines=tail,
            since_seconds=since,
            since_time=since_time,
            read_timeout=self._read_timeout,
        )
        if not self.connects:
            self._first_connect = time.monotonic()
        self.connects += 1
        self.error = ""
        with self._lock:
            self._resp = resp
        if self._stop.is_set():
            shutdown_response(resp)
        self.state = "following" if follow else "reading"
        splitter = LineSplitter(timestamps=True)
        got = False
        try:
            for chunk in read_chunks(resp, api.server):
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
