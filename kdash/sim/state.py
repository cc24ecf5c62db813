"""Everything a running simulator shares between its HTTP handlers and its Python API."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from kdash.sim.faults import Faults
from kdash.sim.logs import LogKey, LogStore
from kdash.sim.store import Store

if TYPE_CHECKING:
    from kdash.sim.metrics_model import MetricsModel

USER = "kdash-sim-user"


@dataclass
class SimState:
    """Store, logs, faults, auth and the audit trail of one simulator instance."""

    store: Store
    logs: LogStore
    now: Callable[[], datetime]
    token: str
    faults: Faults = field(default_factory=Faults)
    user: str = USER
    time_scale: float = 1.0
    #: Seconds between BOOKMARK events on watches that allow them.
    bookmark_interval: float = 5.0
    #: Default and cap for watch timeoutSeconds, like the real server's min-request-timeout.
    max_watch_seconds: float = 1800.0
    #: How long a list at a resourceVersion newer than the store's waits before its 504 (the real
    #: watch cache waits 3 s for itself to catch up).
    too_large_wait: float = 3.0
    audit: list[dict[str, Any]] = field(default_factory=list)
    audit_file: IO[bytes] | None = None
    started: float = field(default_factory=time.monotonic)
    server_address: str = "127.0.0.1:6443"
    #: The scenario serves metrics.k8s.io (the ``metrics=on|off`` fault overrides it: `metrics_on`).
    metrics_enabled: bool = False
    #: What the metrics API reports (kdash.sim.metrics_model); the engine moves its clock.
    metrics: MetricsModel | None = None
    #: Containers the behaviour engine may give live logs (None: any running one, up to its cap).
    live_logs: frozenset[LogKey] | None = None
    #: Set when the server shuts down, so long-lived follow streams end instead of holding it up.
    closed: bool = False

    @property
    def metrics_on(self) -> bool:
        """Whether metrics.k8s.io is served right now."""
        override = self.faults.metrics
        return self.metrics_enabled if override is None else override

    def record(self, entry: dict[str, Any]) -> None:
        self.audit.append(entry)
        if self.audit_file is not None:
            self.audit_file.write(orjson.dumps(entry) + b"\n")
            self.audit_file.flush()

    def open_audit(self, path: str | Path | None) -> None:
        if path is not None:
            self.audit_file = open(path, "ab")  # noqa: SIM115 - kept open for the server's lifetime

    def close(self) -> None:
        if self.audit_file is not None:
            self.audit_file.close()
            self.audit_file = None
