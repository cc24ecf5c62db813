"""Back in seconds after an outage, whatever the back-off has grown to.

Informers cut off from the server back off up to `backoff_max` (30 s): retrying every informer at
full rate would hammer a server that is starting. But then a server back after two minutes was
shown live only up to 30 s later. So while any informer waits out a connection failure, one thread
per cluster sends a cheap `GET /readyz` every `probe_interval` and, as soon as the server answers
(or any informer gets through), wakes every waiting informer at once.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from kdash.k8s.rawapi import ApiError, RawApi

log = logging.getLogger("kdash.k8s")


class Reachability:
    """Shared by the informers of one cluster scope; its probe thread runs only while one waits."""

    def __init__(self, target: Any, *, interval: float, connect_timeout: float, read_timeout: float) -> None:
        self._target = target
        self._interval = interval
        self._timeouts = (connect_timeout, read_timeout)
        self._lock = threading.Lock()
        self._waiters: set[threading.Event] = set()
        self._thread: threading.Thread | None = None
        self._threads: list[threading.Thread] = []
        self._closed = threading.Event()

    def wait(self, wake: threading.Event, seconds: float) -> None:
        """Block up to `seconds`, less if the server answers meanwhile or `wake` is set (stop())."""
        with self._lock:
            if self._closed.is_set():
                return
            self._waiters.add(wake)
            if self._thread is None:
                self._thread = threading.Thread(target=self._probe_loop, name="kdash-probe", daemon=True)
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(self._thread)
                self._thread.start()
        try:
            wake.wait(seconds)
        finally:
            with self._lock:
                self._waiters.discard(wake)
            wake.clear()

    def answered(self) -> None:
        """The server answered someone: every waiting informer retries now."""
        with self._lock:
            waiters = list(self._waiters)
        for wake in waiters:
            wake.set()

    def close(self) -> None:
        """End the probe thread and release every waiter (the scope is stopping)."""
        self._closed.set()
        self.answered()

    def join(self, timeout: float) -> bool:
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            t.join(timeout)
        return not any(t.is_alive() for t in threads)

    def _probe_loop(self) -> None:
        api = RawApi(
            self._target, connect_timeout=self._timeouts[0], read_timeout=self._timeouts[1], quiet=True
        )
        try:
            while not self._closed.wait(self._interval):
                with self._lock:
                    if not self._waiters:
                        self._thread = None
                        return
                if self._probe(api):
                    log.info("%s answers again; resuming every informer", api.server)
                    self.answered()
        except Exception:  # a bug here must not leave informers waiting: they still time out
            log.exception("reachability probe failed")
        finally:
            with self._lock:
                if self._thread is threading.current_thread():
                    self._thread = None
            api.close()

    @staticmethod
    def _probe(api: RawApi) -> bool:
        """Whether the server answers: /readyz says ok, or anything but a 5xx comes back."""
        try:
            api.read_body("/readyz")
        except ApiError as exc:
            return 0 < exc.status < 500
        return True
