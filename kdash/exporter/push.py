"""`kdash check --push-gateway URL`: the exporter's metrics for one report, pushed once.

For a CronJob: there is no process left for Prometheus to scrape, so the report goes to a
Pushgateway (PUT /metrics/job/kdash[/instance/<context>]: this run's metrics replace the last
run's). The families are `build_samples`' over the same report the check printed, with the open
alerts of one full pass of the alert engine over the same snapshot.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.error import HTTPError

from kdash.alerts.config import AlertsConfig
from kdash.alerts.engine import AlertEngine
from kdash.errors import ConnectionFailed
from kdash.exporter.collector import Latest, registry_for
from kdash.exporter.samples import Samples, build_samples, restart_rows
from kdash.health import HealthReport
from kdash.model.snapshot import ClusterSnapshot

JOB = "kdash"
PUSH_TIMEOUT = 10.0


def report_samples(
    snapshot: ClusterSnapshot, report: HealthReport, alerts: AlertsConfig | None = None
) -> Samples:
    """The exporter's families for one snapshot and its report."""
    now = datetime.now(UTC)
    engine = AlertEngine(alerts)
    engine.update(snapshot, None, now)
    return build_samples(
        report,
        snapshot.states,
        restart_rows(snapshot),
        engine.board().open,
        generation=snapshot.generation,
        timestamp=now.timestamp(),
    )


def push_report(
    url: str,
    snapshot: ClusterSnapshot,
    report: HealthReport,
    alerts: AlertsConfig | None = None,
    timeout: float = PUSH_TIMEOUT,
) -> None:
    """PUT the report's metrics to the Pushgateway at `url`; ConnectionFailed (one sentence) when
    it cannot be reached or refuses them."""
    from prometheus_client import push_to_gateway

    latest = Latest(report_samples(snapshot, report, alerts))
    grouping = {"instance": snapshot.context} if snapshot.context else None
    try:
        push_to_gateway(
            url,
            job=JOB,
            registry=registry_for(latest, scrape_duration=False),
            grouping_key=grouping,
            timeout=timeout,
        )
    except HTTPError as exc:
        raise ConnectionFailed(
            f"Could not push the metrics to {url}: HTTP {exc.code} {exc.reason}."
        ) from None
    except (OSError, ValueError) as exc:  # URLError and the handler's "error talking to" are OSErrors
        reason = getattr(exc, "reason", None) or exc
        raise ConnectionFailed(f"Could not push the metrics to {url}: {str(reason).rstrip('.')}.") from None
