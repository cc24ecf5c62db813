"""Crash capture: keep a crashed container's last words before the next restart wipes them.

The kubelet keeps only one previous instance per container, so in a crash loop the log that
explains the first crash is gone two restarts later. When the cluster service reports a
restartCount rise, `CrashCapture` fetches that container's previous log tail once, on its own
thread, and attaches it to the restart record (`RestartRecord.crash_log`), where the Restarts
drill-down and pod detail show it as "last crash".

Bounded on purpose: at most one fetch in flight per container, a bounded queue (a restart storm
drops captures rather than opening hundreds of requests), one fetch per restart count.

`on_capture(pod, container, restart_count, lines)` is told of each capture, on the capture thread
(the CLI passes the crash journal's `record_crash` there: this layer does not know the journal).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from kdash.k8s.logs_follow import error_text, fetch_lines
from kdash.k8s.logs_select import ContainerRef
from kdash.k8s.rawapi import ApiError, RawApi, UnreachableError
from kdash.model.pods import PodRecord

log = logging.getLogger("kdash.k8s.crash")

Key = tuple[str, str, str]
Fetch = Callable[[str, str, str, int], list[str]]
CaptureHook = Callable[[PodRecord, str, int, tuple[str, ...]], None]


class RestartSource(Protocol):
    """The part of `ClusterService` crash capture uses."""

    def on_restart(self, callback: Callable[[PodRecord, str, int, int], None]) -> Callable[[], None]: ...

    def attach_crash_log(self, namespace: str, pod: str, container: str, lines: Sequence[str]) -> None: ...


class ClientTarget(Protocol):
    @property
    def server(self) -> str: ...

    def api_client(self) -> Any: ...


class CrashCapture:
    """Fetches previous logs on restart and attaches them to the service's restart records."""

    def __init__(
        self,
        service: RestartSource,
        target: ClientTarget | None,
        *,
        tail: int = 100,
        queue_size: int = 64,
        fetch: Fetch | None = None,
        remember: int = 4096,
        autostart: bool = True,
        on_capture: CaptureHook | None = None,
    ) -> None:
        """Starts capturing at once unless `autostart=False`; `stop()` ends it.

        `fetch(namespace, pod, container, tail)` overrides the API read (tests, other sources).
        """
        if fetch is None and target is None:
            raise ValueError("CrashCapture needs a target to fetch logs from, or a fetch function")
        self._service = service
        self._target = target
        self._tail = tail
        self._fetch = fetch
        self._on_capture = on_capture
        self._queue: queue.Queue[tuple[Key, int, PodRecord] | None] = queue.Queue(maxsize=queue_size)
        self._lock = threading.Lock()
        self._in_flight: set[Key] = set()
        self._done: OrderedDict[Key, int] = OrderedDict()  # key -> restart count captured
        self._remember = remember
        self._stop = threading.Event()
        self._unsubscribe: Callable[[], None] | None = None
        self._thread = threading.Thread(target=self._run, name="kdash-crash-capture", daemon=True)
        self.captured = 0
        self.skipped = 0  # queue full or already in flight
        self._started = False
        self._api: RawApi | None = None  # the worker thread's client, kept per target
        self._api_target: object = None
        if autostart:
            self.start()

    def start(self) -> None:
        """Subscribe to restarts and start the worker (idempotent)."""
        if self._started:
            return
        self._started = True
        self._thread.start()
        self._unsubscribe = self._service.on_restart(self._on_restart)

    def stop(self, timeout: float = 5.0) -> None:
        """Unsubscribe and end the worker (the fetch in progress finishes or times out first)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stop.set()
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            pass
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _on_restart(self, pod: PodRecord, container: str, old: int, new: int) -> None:
        """Service thread: only bookkeeping here, the fetch happens on our worker. `pod` is the
        record after the restart (its lastState says how the crashed instance ended)."""
        del old
        key = (pod.meta.namespace, pod.meta.name, container)
        with self._lock:
            if self._stop.is_set() or key in self._in_flight or self._done.get(key, -1) >= new:
                self.skipped += 1
                return
            try:
                self._queue.put_nowait((key, new, pod))
            except queue.Full:
                self.skipped += 1
                log.warning("crash capture queue full; not capturing %s/%s/%s", *key)
                return
            self._in_flight.add(key)

    def _run(self) -> None:
        try:
            self._work()
        finally:
            self._close_api()

    def _work(self) -> None:
        while not self._stop.is_set():
            item = self._queue.get()
            if item is None or self._stop.is_set():
                break
            key, count, pod = item
            try:
                self._capture(key, pod, count)
            finally:
                with self._lock:
                    self._in_flight.discard(key)
                    self._done[key] = count
                    self._done.move_to_end(key)
                    while len(self._done) > self._remember:
                        self._done.popitem(last=False)

    def _read_previous(self, namespace: str, pod: str, container: str) -> list[str]:
        """One API read on this thread's own client, from the service's current cluster. The client
        (its connection pool) is kept while the cluster stays the same: a new one per read meant a
        TLS handshake per restart, the larger part of kdash's CPU under crash-loop churn."""
        target: Any = getattr(self._service, "target", None) or self._target
        if self._api is None or self._api_target is not target:
            self._close_api()
            self._api, self._api_target = RawApi(target, connect_timeout=10.0, read_timeout=30.0), target
        try:
            return fetch_lines(
                self._api, ContainerRef(namespace, pod, container), previous=True, tail=self._tail
            )
        except ApiError as exc:  # the server answered (400: no previous instance): keep the pool
            if isinstance(exc, UnreachableError):
                self._close_api()  # a broken connection: the next read starts afresh
            raise
        except Exception:
            self._close_api()
            raise

    def _close_api(self) -> None:
        api, self._api, self._api_target = self._api, None, None
        if api is not None:
            api.close()

    def _capture(self, key: Key, pod: PodRecord, count: int) -> None:
        namespace, name, container = key
        try:
            if self._fetch is not None:
                lines = self._fetch(namespace, name, container, self._tail)
            else:
                lines = self._read_previous(namespace, name, container)
        except Exception as exc:  # noqa: BLE001 - say why there is no evidence instead of crashing
            lines = [f"(kdash could not fetch the previous logs: {error_text(exc)})"]
        if not lines:
            lines = ["(the previous container wrote no log lines)"]
        tail = tuple(lines[-self._tail :])
        try:
            self._service.attach_crash_log(namespace, name, container, tail)
            self.captured += 1
        except Exception:  # noqa: BLE001
            log.exception("attaching crash log for %s/%s/%s failed", *key)
        if self._on_capture is not None:
            try:
                self._on_capture(pod, container, count, tail)
            except Exception:  # noqa: BLE001 - a journal that cannot be written must not stop capture
                log.exception("the crash capture hook failed for %s/%s/%s", *key)
