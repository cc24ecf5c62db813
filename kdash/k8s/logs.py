"""The log service: stern-style multi-container following, bounded, batched, never on the UI thread.

`LogService.open(target, on_lines)` follows every container the target means (one container, a
pod, a workload's pods, a label selector, a namespace). Membership comes from the cluster service's
snapshot and is re-resolved on each publish, so replicas that start are joined and pods that go
away are marked, where k9s resolves the pod set once. One thread per container reads its stream
(see `logs_follow`); a stream thread batches what they read and hands it to `on_lines` every
`flush_interval` (a Textual `Log.write_line` per line would start a worker per call).

Memory is bounded twice: at most `max_streams` containers are followed at once (stern's default of
50; the status says "following 50 of 64 containers"), and lines waiting for a slow reader sit in a
ring of `buffer_lines` whose overflow drops the oldest lines and counts them in `dropped`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from kdash.k8s.kubeconfig import KubeTarget
from kdash.k8s.logs_follow import ContainerFollower, error_text, fetch_lines
from kdash.k8s.logs_parse import RawLine
from kdash.k8s.logs_select import ContainerRef, PodSource, containers_of_raw_pods, select_containers
from kdash.k8s.rawapi import RawApi
from kdash.k8s.resources import list_path, object_path
from kdash.model.snapshot import SyncPhase
from kdash.model.source import LogLine, LogTarget

log = logging.getLogger("kdash.k8s.logs")

OnLines = Callable[[list[LogLine]], None]


class LogService:
    """Implements `kdash.model.source.LogSource` over the Kubernetes API."""

    def __init__(
        self,
        target: KubeTarget,
        service: PodSource | None = None,
        *,
        buffer_lines: int = 10_000,
        max_streams: int = 50,
        flush_interval: float = 0.08,
        resolve_interval: float = 5.0,
        timeout: tuple[float, float] = (10.0, 120.0),
        backoff: tuple[float, float] = (0.5, 10.0),
        join_timeout: float = 5.0,
    ) -> None:
        self.target = target
        self.service = service
        self.buffer_lines = buffer_lines
        self.max_streams = max_streams
        self.flush_interval = flush_interval
        self.resolve_interval = resolve_interval
        self.timeout = timeout
        self.backoff = backoff
        self.join_timeout = join_timeout
        self._streams: set[MultiStream] = set()
        self._lock = threading.Lock()

    def open(self, target: LogTarget, on_lines: OnLines) -> MultiStream:
        """Start following `target`; `on_lines` gets batches on the stream's thread. Never blocks."""
        stream = MultiStream(self, target, on_lines)
        with self._lock:
            self._streams.add(stream)
        stream.start()
        return stream

    @property
    def cluster(self) -> KubeTarget:
        """The cluster to read from: the service's current one (it follows `:ctx`), else ours."""
        current = getattr(self.service, "target", None)
        return current if isinstance(current, KubeTarget) else self.target

    def api(self, cluster: KubeTarget | None = None) -> RawApi:
        """A new raw client (one per thread) with this service's timeouts; the caller closes it."""
        return RawApi(cluster or self.cluster, connect_timeout=self.timeout[0], read_timeout=self.timeout[1])

    def fetch_previous(self, namespace: str, pod: str, container: str, tail: int = 100) -> list[str]:
        """The previous instance's last `tail` lines. Blocking: call from a worker thread.

        Raises:
            kdash.k8s.rawapi.ApiError: e.g. 400 when there is no previous instance.
        """
        api = self.api()
        try:
            return fetch_lines(api, ContainerRef(namespace, pod, container), previous=True, tail=tail)
        finally:
            api.close()

    def stop_all(self) -> None:
        """Stop every open stream and wait (bounded) for their threads."""
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.stop(wait=False)
        for stream in streams:
            stream.join(self.join_timeout)

    def _forget(self, stream: MultiStream) -> None:
        with self._lock:
            self._streams.discard(stream)


class MultiStream:
    """A running follow of one `LogTarget`: implements `kdash.model.source.LogStream`."""

    def __init__(self, service: LogService, target: LogTarget, on_lines: OnLines) -> None:
        self._svc = service
        self.target = target
        self._on_lines = on_lines
        self._lock = threading.Lock()
        # Exact tuples, not LogLine objects, while waiting: the GC untracks those (see LogView).
        self._pending: deque[tuple[str, str, str, str, datetime | None, int, str]] = deque()
        self._dropped = 0
        self._seq = 0
        self.received = 0
        self._followers: dict[ContainerRef, ContainerFollower] = {}
        self._wanted: list[ContainerRef] = []
        self._resolve_error = ""
        self._resolved_once = False
        self._stop = threading.Event()
        self._dirty = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kdash-logs", daemon=True)
        self._cluster = service.cluster  # fixed for the stream's life: a context switch opens new streams

    # ---- LogStream ---------------------------------------------------------------------

    @property
    def dropped(self) -> int:
        return self._dropped

    @property
    def status(self) -> str:
        followers = list(self._followers.values())
        if self._resolve_error:
            return self._resolve_error
        if not self._resolved_once:
            return "resolving pods…"
        if not self._wanted:
            if self._pods_listing():
                return "waiting for the pod list…"  # not "none match": the pods are not all in yet
            return "no running containers match" if self.target.follow else "no containers"
        total = len(self._wanted)
        verb = "following" if self.target.follow and not self.target.previous else "reading"
        noun = "container" if total == 1 else "containers"
        text = (
            f"{verb} {len(followers)} of {total} {noun}"
            if len(followers) < total
            else f"{verb} {total} {noun}"
        )
        connecting = sum(1 for f in followers if not f.connects and not f.error)
        if connecting:
            text += f" · connecting {connecting}"
        troubled = [f for f in followers if f.error]
        if troubled:
            first = troubled[0]
            more = f" (+{len(troubled) - 1} more)" if len(troubled) > 1 else ""
            text += f" · {first.ref}: {first.error}{more}"
        else:
            waiting = [f for f in followers if f.state.startswith("reconnecting")]
            if waiting:
                text += f" · {waiting[0].ref} {waiting[0].state}"
        return text

    def _pods_listing(self) -> bool:
        service = self._svc.service
        if service is None:
            return False
        pods = service.snapshot().states.get("pods")
        return pods is not None and pods.phase is SyncPhase.SYNCING

    def stop(self, wait: bool = False) -> None:
        """Close every request. Returns at once unless `wait` (then joins, bounded): UIs call this."""
        self._stop.set()
        self._dirty.set()
        if wait:
            self.join(self._svc.join_timeout)

    def join(self, timeout: float) -> bool:
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    # ---- extras for views and tests ---------------------------------------------------

    @property
    def containers(self) -> list[ContainerRef]:
        """Every container the target means (followed or beyond the cap)."""
        return list(self._wanted)

    @property
    def connected(self) -> bool:
        """Membership resolved and every followed container's request answered at least once."""
        followers = list(self._followers.values())
        wanted = min(len(self._wanted), self._svc.max_streams)
        return self._resolved_once and len(followers) == wanted and all(f.connects for f in followers)

    @property
    def threads_alive(self) -> int:
        return sum(1 for f in list(self._followers.values()) if f.alive) + int(self._thread.is_alive())

    # ---- machinery ---------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        unsubscribe: Callable[[], None] | None = None
        if self._svc.service is not None:
            unsubscribe = self._svc.service.subscribe(lambda _changes: self._dirty.set())
        next_resolve = 0.0
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if self._dirty.is_set() or now >= next_resolve:
                    self._dirty.clear()
                    self._reconcile()
                    next_resolve = now + self._svc.resolve_interval
                self._flush()
                self._stop.wait(self._svc.flush_interval)
        except Exception:  # noqa: BLE001 - keep the reason in the status, do not kill the app
            log.exception("log stream failed")
            self._resolve_error = "log stream failed (see the debug log)"
        finally:
            if unsubscribe is not None:
                unsubscribe()
            self._stop_followers(list(self._followers))
            self._flush()
            self._svc._forget(self)

    def _resolve(self) -> list[ContainerRef]:
        target = self.target
        if target.pod is not None and target.container is not None and target.namespace is not None:
            return [ContainerRef(target.namespace, target.pod, target.container)]
        if self._svc.service is not None:
            return select_containers(self._svc.service.snapshot(), target)
        return self._resolve_from_api()

    def _resolve_from_api(self) -> list[ContainerRef]:
        """Without a cluster service: list the pods ourselves (no workload lookup then)."""
        target = self.target
        api = self._svc.api(self._cluster)
        try:
            if target.pod is not None:
                ns = target.namespace or self._cluster.namespace or "default"
                pods: list[Mapping[str, Any]] = [api.get_json(object_path("pods", ns, target.pod))]
            elif target.workload is not None and not target.label_selector:
                raise ValueError("following a workload needs the cluster service or a label selector")
            else:
                query = {"labelSelector": target.label_selector} if target.label_selector else {}
                doc = api.get_json(list_path("pods", target.namespace or None), query)
                items = doc.get("items") if isinstance(doc, dict) else None
                pods = [p for p in items if isinstance(p, dict)] if isinstance(items, list) else []
        finally:
            api.close()
        return containers_of_raw_pods(pods, target.container)

    def _reconcile(self) -> None:
        try:
            wanted = self._resolve()
            self._resolve_error = ""
        except Exception as exc:  # noqa: BLE001 - shown in the status; retried next round
            self._resolve_error = f"cannot list pods: {error_text(exc)}"
            return
        first = not self._resolved_once
        self._resolved_once = True
        self._wanted = wanted
        keep = set(wanted[: self._svc.max_streams])
        gone = [ref for ref in self._followers if ref not in keep]
        members = set(wanted)
        for ref in gone:
            if ref not in members:
                self._event(ref, "left", f"{ref}: stopped following (pod or container went away)")
        self._stop_followers(gone)
        for ref in wanted[: self._svc.max_streams]:
            if ref in self._followers or self._stop.is_set():
                continue
            follower = ContainerFollower(
                ref,
                self.target,
                lambda: self._svc.api(self._cluster),
                self._append,
                self._event,
                timeout=self._svc.timeout,
                backoff=self._svc.backoff,
            )
            self._followers[ref] = follower
            follower.start()
            if not first:
                self._event(ref, "joined", f"{ref}: joined")

    def _stop_followers(self, refs: list[ContainerRef]) -> None:
        followers = [self._followers.pop(ref) for ref in refs if ref in self._followers]
        for f in followers:
            f.stop()
        deadline = time.monotonic() + self._svc.join_timeout
        for f in followers:
            if not f.join(max(deadline - time.monotonic(), 0.0)):
                log.warning("log follower %s did not stop in time", f.ref)

    def _append(self, ref: ContainerRef, lines: list[RawLine]) -> None:
        """Called by follower threads: queue lines, dropping the oldest when the ring is full."""
        with self._lock:
            seq = self._seq
            pending = self._pending
            for raw in lines:
                seq += 1
                pending.append((ref.namespace, ref.pod, ref.container, raw.text, raw.timestamp, seq, ""))
            self._seq = seq
            self.received += len(lines)
            overflow = len(pending) - self._svc.buffer_lines
            if overflow > 0:
                for _ in range(overflow):
                    pending.popleft()
                self._dropped += overflow

    def _event(self, ref: ContainerRef, kind: str, text: str) -> None:
        with self._lock:
            self._seq += 1
            now = datetime.now(UTC)
            self._pending.append((ref.namespace, ref.pod, ref.container, text, now, self._seq, kind))

    def _flush(self) -> None:
        with self._lock:
            if not self._pending:
                return
            pending = list(self._pending)
            self._pending.clear()
        batch = [LogLine._make(t) for t in pending]
        try:
            self._on_lines(batch)
        except Exception:  # noqa: BLE001 - a broken reader must not stop the stream
            log.exception("log reader failed on a batch of %d lines", len(batch))
