"""`kdash exporter`: the health report as Prometheus metrics, kept current by the watch streams.

Only the argument parser lives here, so `kdash --help` costs no cluster or prometheus_client
imports; the command itself is `kdash.exporter.command.run`. No Textual anywhere in this package.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

DEFAULT_LISTEN = "127.0.0.1:9808"
MAX_SERIES = 2000  # default cap on kdash_object_score and kdash_container_restarts_total series
EXIT_CODES = (
    "exit codes: 0 stopped by Ctrl-C or SIGTERM; 2 a usage or config error, the address cannot be "
    "bound, or the cluster could not be reached at start. Once running, a lost connection is "
    "reported on stderr and in kdash_cluster_reachable, and retried until it comes back."
)


def add_parser(sub: Any, add_target_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `kdash exporter`; `add_target_options` adds the shared --kubeconfig/--context/-n/-A/--demo."""
    parser = sub.add_parser(
        "exporter",
        help="serve health scores, findings and alerts as Prometheus metrics",
        description=(
            "Watch the cluster and serve the health report as Prometheus metrics on /metrics: "
            "scores per object, namespace and cluster, findings per rule, container restarts, open "
            "alerts and the sync state of each kind. Scores are recomputed when the cluster "
            "changes, so a scrape only reads them. /healthz answers while the process runs, "
            "/readyz once the cluster has been read and scored."
        ),
        epilog=EXIT_CODES,
    )
    add_target_options(parser)
    group = parser.add_argument_group("exporter")
    group.add_argument(
        "--listen",
        default=DEFAULT_LISTEN,
        metavar="HOST:PORT",
        help=f"address to serve on (default {DEFAULT_LISTEN}; 0.0.0.0:9808 inside a cluster)",
    )
    group.add_argument(
        "--max-series",
        type=int,
        default=MAX_SERIES,
        metavar="N",
        help=f"at most N kdash_object_score and N kdash_container_restarts_total series, the worst "
        f"first (default {MAX_SERIES}); kdash_series_dropped counts the rest",
    )
