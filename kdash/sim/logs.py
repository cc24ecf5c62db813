"""Per-container log buffers (current and previous instance) and the pod log endpoint's rules.

Lines are kept with their timestamps so ``sinceSeconds``, ``sinceTime`` and ``timestamps`` work.
Containers nobody scripted get a small deterministic log on first read, so 10,000 generated pods
cost nothing until someone looks.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

JSON = dict[str, Any]
LogKey = tuple[str, str, str]  # namespace, pod, container
Line = tuple[datetime, str]


class LogError(Exception):
    """A log request the server refuses; carries the HTTP code and Status message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(eq=False)
class ContainerLog:
    current: list[Line] = field(default_factory=list)
    previous: list[Line] | None = None
    #: Set (and replaced) whenever lines arrive or the instance ends, to wake followers.
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    generation: int = 0


def format_ts(ts: datetime) -> str:
    """RFC3339 with nanoseconds, as the kubelet prints with ``timestamps=true``."""
    ts = ts.astimezone(UTC)
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond:06d}000Z"


def default_lines(namespace: str, pod: str, container: str, now: datetime) -> list[Line]:
    """A deterministic access-log style history for containers without scripted logs."""
    seed = int(hashlib.sha1(f"{namespace}/{pod}/{container}".encode()).hexdigest()[:8], 16)
    out: list[Line] = []
    paths = ["/", "/healthz", "/api/items", "/api/cart", "/static/app.js", "/login"]
    for i in range(20):
        ts = now - timedelta(seconds=(20 - i) * 15)
        path = paths[(seed + i) % len(paths)]
        code = 200 if (seed + i) % 9 else 404
        out.append(
            (
                ts,
                (
                    f'10.244.{seed % 200}.{i + 10} - - "GET {path} HTTP/1.1" {code} '
                    f'{(seed * (i + 1)) % 5000} "-" "kube-probe/1.36"'
                ),
            )
        )
    return out


class LogStore:
    """All container logs; touched only on the server's event loop."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._logs: dict[LogKey, ContainerLog] = {}

    def _get(self, key: LogKey, *, create_default: bool = True) -> ContainerLog:
        log = self._logs.get(key)
        if log is None:
            log = ContainerLog()
            if create_default:
                log.current = default_lines(*key, self._now())
            self._logs[key] = log
        return log

    def set_lines(self, key: LogKey, lines: Iterable[Line], previous: Iterable[Line] | None = None) -> None:
        """Scenario-defined content (replaces whatever was there)."""
        log = self._get(key, create_default=False)
        log.current = list(lines)
        log.previous = list(previous) if previous is not None else None

    def append(self, key: LogKey, lines: Iterable[str], *, previous: bool = False) -> None:
        log = self._get(key, create_default=False)
        now = self._now()
        new = [(now, line) for line in lines]
        if previous:
            log.previous = (log.previous or []) + new
        else:
            log.current.extend(new)
        self._wake(log)

    def restart(self, key: LogKey) -> None:
        """The container instance ended: current lines become the previous instance's."""
        log = self._get(key)
        log.previous = log.current
        log.current = []
        log.generation += 1
        self._wake(log)

    def forget_pod(self, namespace: str, pod: str) -> None:
        for key in [k for k in self._logs if k[0] == namespace and k[1] == pod]:
            self._wake(self._logs.pop(key))

    @staticmethod
    def _wake(log: ContainerLog) -> None:
        log.changed.set()
        log.changed = asyncio.Event()

    def container_log(self, key: LogKey) -> ContainerLog:
        return self._get(key)


def pick_container(pod: JSON, container: str | None) -> str:
    """Which container a log request means, or the real server's 400 for an ambiguous/unknown one."""
    name = pod["metadata"]["name"]
    spec = pod.get("spec") or {}
    containers = [c["name"] for c in spec.get("containers") or []]
    inits = [c["name"] for c in spec.get("initContainers") or []]
    if not container:
        if len(containers) == 1:
            return str(containers[0])
        msg = f"a container name must be specified for pod {name}, choose one of: [{' '.join(containers)}]"
        if inits:
            msg += f" or one of the init containers: [{' '.join(inits)}]"
        raise LogError(400, msg)
    if container not in containers and container not in inits:
        raise LogError(400, f"container {container} is not valid for pod {name}")
    return container


def check_startable(pod: JSON, container: str, log: ContainerLog, previous: bool) -> None:
    """Errors the kubelet gives for a container that has no log to show."""
    name = pod["metadata"]["name"]
    if not (pod.get("spec") or {}).get("nodeName"):
        raise LogError(400, f"pod {name} does not have a host assigned")
    if previous:
        if log.previous is None:
            raise LogError(400, f'previous terminated container "{container}" in pod "{name}" not found')
        return
    status = pod.get("status") or {}
    for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
        if cs.get("name") != container:
            continue
        waiting = (cs.get("state") or {}).get("waiting")
        if waiting and not cs.get("restartCount") and not cs.get("lastState") and not log.current:
            reason = waiting.get("reason") or "ContainerCreating"
            if reason in ("ImagePullBackOff", "ErrImagePull"):
                reason = "trying and failing to pull image"
            raise LogError(400, f'container "{container}" in pod "{name}" is waiting to start: {reason}')


@dataclass(frozen=True)
class LogQuery:
    tail_lines: int | None = None
    since: datetime | None = None
    timestamps: bool = False
    limit_bytes: int | None = None


def render(lines: list[Line], q: LogQuery) -> bytes:
    """The body for a (non-follow part of a) log request."""
    if q.since is not None:
        lines = [ln for ln in lines if ln[0] >= q.since]
    if q.tail_lines is not None:
        lines = lines[-q.tail_lines :] if q.tail_lines > 0 else []
    if q.timestamps:
        body = "".join(f"{format_ts(ts)} {text}\n" for ts, text in lines)
    else:
        body = "".join(f"{text}\n" for _, text in lines)
    data = body.encode("utf-8", "surrogateescape")
    if q.limit_bytes is not None:
        data = data[: q.limit_bytes]
    return data
