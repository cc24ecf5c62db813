"""`kdash exporter`: the cluster service, the incremental scorer and the alert engine, headless,
with their latest results on an HTTP endpoint for Prometheus.

Start-up is strict (the kubeconfig must load, GET /version must answer, the address must bind:
else exit 2 with one sentence); running is forgiving, as `kdash watch` is: a lost connection is
one stderr line and `kdash_cluster_reachable 0`, the service reconnects by itself. /readyz turns
ready once every kind has been listed (or found forbidden) and the first report is scored.

The update loop runs on the main thread, as `kdash watch`'s: it drains the change sets published
since its last round (before reading the snapshot, so none is skipped), feeds them to the scorer
and the alert engine, and replaces the `Samples` the scrapes read. It rescores at most every
MIN_INTERVAL (changes in between are folded into one run) and at least every REFRESH, because
some verdicts depend on the clock (a pod Pending too long). Scoring never runs on a scrape.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import deque
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any, TextIO

from kdash import headless
from kdash.alerts.engine import AlertEngine
from kdash.config import KdashConfig
from kdash.errors import ConfigError, KdashError, UsageError
from kdash.exporter.collector import Latest
from kdash.exporter.samples import Samples, build_samples, restart_rows
from kdash.exporter.server import MetricsServer, parse_listen
from kdash.health import HealthConfig
from kdash.health.incremental import IncrementalScorer
from kdash.k8s.redact import redact
from kdash.model.logtext import clean
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.source import ChangeSet

MIN_INTERVAL = 1.0  # seconds between rescorings while the cluster changes
REFRESH = 15.0  # seconds between rescorings while it does not (clock-dependent rules, alert due times)
CHECK_EVERY = 2.0  # seconds between looks at the connection when nothing is published


class Exporter:
    """What one rescoring needs, kept between rounds (the scorer and engine are incremental)."""

    def __init__(self, health: HealthConfig, config: KdashConfig, max_series: int) -> None:
        self.health = health
        self.engine = AlertEngine(config.alerts)
        self.scorer = IncrementalScorer()
        self.max_series = max_series
        self.scored_generation = -1

    def waiting(self, snapshot: ClusterSnapshot, reachable: bool) -> Samples:
        """Before the first full sync: the sync states only, not ready."""
        from kdash.health import HealthReport

        return build_samples(
            HealthReport(), snapshot.states, (), max_series=self.max_series, reachable=reachable, ready=False
        )

    def rescore(self, snapshot: ClusterSnapshot, batch: list[ChangeSet], reachable: bool) -> Samples | None:
        """The samples of `snapshot`; None when scoring failed (a bug: the last samples stay, and
        the next round scores in full with a fresh scorer and engine)."""
        now = datetime.now(UTC)
        started = time.perf_counter()
        try:
            report = self.scorer.update(snapshot, batch, self.health, now)
            self.engine.update(snapshot, batch, now)
        except Exception:  # must not end the exporter; their state may be half updated
            self.scorer, self.engine = IncrementalScorer(), AlertEngine(self.engine.config)
            self.scored_generation = -1
            return None
        self.scored_generation = snapshot.generation
        return build_samples(
            report,
            snapshot.states,
            restart_rows(snapshot),
            self.engine.board().open,
            max_series=self.max_series,
            reachable=reachable,
            score_seconds=time.perf_counter() - started,
            generation=snapshot.generation,
            timestamp=now.timestamp(),
        )


def run(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Serve until stopped; the exit code (0 stopped, 2 could not start)."""
    printer = headless.Printer(stdout or sys.stdout, stderr or sys.stderr)
    stop, wake = threading.Event(), threading.Event()
    try:
        with headless.stopped_by_signals(stop, wake):
            config = headless.load_config(args)
            host, port = parse_listen(getattr(args, "listen", "127.0.0.1:9808"))
            max_series = int(getattr(args, "max_series", 2000))
            if max_series < 0:
                raise UsageError(f"--max-series must be 0 or more, got {max_series}.")
            try:
                health = HealthConfig.from_mapping(config.health)
            except ValueError as exc:
                raise ConfigError(f"{config.source or 'config'}: {exc}") from None
            return _serve(
                args, config, Exporter(health, config, max_series), (host, port), printer, stop, wake
            )
    except KdashError as exc:
        printer.note(f"kdash: {redact(clean(str(exc)))}")
        return exc.exit_code


def _serve(
    args: argparse.Namespace,
    config: KdashConfig,
    exporter: Exporter,
    address: tuple[str, int],
    printer: headless.Printer,
    stop: threading.Event,
    wake: threading.Event,
) -> int:
    service = headless.connect(args, config)
    pending: deque[ChangeSet] = deque()
    latest = Latest()

    def on_change(changes: ChangeSet) -> None:
        pending.append(changes)
        wake.set()

    with ExitStack() as stack:
        server = MetricsServer(*address, latest)
        stack.callback(server.close)
        stack.callback(service.stop)
        stack.callback(service.subscribe(on_change))
        service.start()
        server.start()
        printer.note(f"kdash: exporter serving {server.url}/metrics (/healthz, /readyz)")
        _loop(service, exporter, latest, pending, wake, stop, printer)
    return 0


def _loop(
    service: Any,
    exporter: Exporter,
    latest: Latest,
    pending: deque[ChangeSet],
    wake: threading.Event,
    stop: threading.Event,
    printer: headless.Printer,
) -> None:
    synced, lost, scored_reachable = False, None, True
    last = -REFRESH
    while not stop.is_set():
        problem = service.connection_error()
        if problem and lost is None:
            printer.note(redact(f"kdash: connection lost: {clean(problem)}; retrying (metrics as last seen)"))
        elif problem is None and lost is not None:
            printer.note("kdash: connection regained")
        lost = problem
        if not synced:
            synced = service.wait_until_synced(timeout=0)
            if not synced:
                pending.clear()  # the first scoring is a full run anyway
                latest.samples = exporter.waiting(service.snapshot(), problem is None)
                wake.wait(0.5)
                wake.clear()
                continue
        since = time.monotonic() - last
        if since < MIN_INTERVAL:
            stop.wait(MIN_INTERVAL - since)
            continue
        wake.clear()  # before draining: a change published from here on wakes the next round
        batch = [pending.popleft() for _ in range(len(pending))]  # before the snapshot: none skipped
        snapshot = service.snapshot()
        reachable = problem is None
        if (
            batch
            or snapshot.generation != exporter.scored_generation
            or since >= REFRESH
            or not latest.samples.ready
            or reachable != scored_reachable
        ):
            samples = exporter.rescore(snapshot, batch, reachable)
            if samples is None:
                printer.note(
                    "kdash: scoring failed; the metrics stay as last scored, the next round starts afresh"
                )
            else:
                latest.samples = samples
            last, scored_reachable = time.monotonic(), reachable
        wake.wait(CHECK_EVERY)
