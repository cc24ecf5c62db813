"""The exporter's metrics as plain values: one immutable `Samples` per rescoring, read by every scrape.

Built off the scrape path (after the service published and the scorer ran), so a scrape only
formats numbers that already exist. Pure: no I/O, no clock, no prometheus_client (the collector
turns a `Samples` into metric families); `kdash check --push-gateway` builds one the same way.

Label cardinality is bounded on purpose (docs: README "Prometheus exporter"):
- per-rule, per-namespace and per-kind series are bounded by the rules, namespaces and kinds;
- per-object scores and per-container restart counters are the worst `max_series` each (objects
  worst score first, containers crash-looping then most restarts first); what was left out is
  counted in `kdash_series_dropped{metric}`, so a dashboard can say the list is cut.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kdash.alerts.model import Alert, AlertSeverity
from kdash.exporter import MAX_SERIES
from kdash.health.evaluate import HealthReport
from kdash.model.snapshot import ClusterSnapshot, KindState, SyncPhase

#: `kdash_sync_state{kind,state}`: 1 for the kind's current state, 0 for the others (the
#: kube-state-metrics pattern); the numbers of `kdash_sync_phase{kind}` for a single series per kind.
SYNC_STATES: tuple[SyncPhase, ...] = tuple(SyncPhase)
SYNC_PHASE_NUMBER: Mapping[SyncPhase, int] = {
    SyncPhase.SYNCING: 0,
    SyncPhase.LIVE: 1,
    SyncPhase.POLLING: 2,
    SyncPhase.FORBIDDEN: 3,
    SyncPhase.ERROR: 4,
    SyncPhase.UNAVAILABLE: 5,
}

Labels = tuple[str, ...]
#: What a `Samples` that is not ready (still syncing) holds: no score is claimed before one exists.
UNSCORED = frozenset({"kdash_sync_state", "kdash_sync_phase", "kdash_cluster_reachable"})


@dataclass(frozen=True, slots=True)
class Family:
    """One metric: `name` without the `_total` of a counter (prometheus_client adds it)."""

    name: str
    help: str
    kind: str  # "gauge" or "counter"
    labels: Labels
    samples: tuple[tuple[Labels, float], ...]


@dataclass(frozen=True, slots=True)
class Samples:
    """Every family of one computation; `ready` once the service has synced and been scored."""

    families: tuple[Family, ...] = ()
    ready: bool = False
    generation: int = -1

    def value(self, name: str, /, **labels: str) -> float | None:
        """The value of one series (tests and the push report); None when there is none."""
        for family in self.families:
            if family.name == name:
                for values, value in family.samples:
                    if dict(zip(family.labels, values, strict=True)) == labels:
                        return value
        return None


def restart_rows(snapshot: ClusterSnapshot) -> list[tuple[str, str, str, int]]:
    """(namespace, pod, container, restarts) of the containers that restarted, worst first."""
    return [(r.namespace, r.pod, r.container, r.restarts) for r in snapshot.restarts]


def _gauge(name: str, help_: str, labels: Labels, samples: Iterable[tuple[Labels, float]]) -> Family:
    return Family(name, help_, "gauge", labels, tuple(samples))


def build_samples(
    report: HealthReport,
    states: Mapping[str, KindState],
    restarts: Iterable[tuple[str, str, str, int]],
    alerts: Iterable[Alert] = (),
    *,
    max_series: int = MAX_SERIES,
    reachable: bool = True,
    score_seconds: float = 0.0,
    generation: int = -1,
    ready: bool = True,
    timestamp: float | None = None,
) -> Samples:
    """The families for one scored snapshot.

    `restarts` holds (namespace, pod, container, restart count) of containers that restarted,
    worst first (`ClusterSnapshot.restarts` order); `alerts` the open alerts (the alerts engine).
    """
    objects = report.objects  # worst first
    kept_objects = objects[:max_series]
    restart_rows = list(restarts)
    kept_restarts = restart_rows[:max_series]
    findings = Counter((f.rule, f.severity.label, f.namespace) for f in report.findings if not f.ignored)
    open_by = Counter(a.severity.value for a in alerts)
    families = [
        _gauge(
            "kdash_cluster_score",
            "Mean health score of all scored objects (0-100); absent while no object is scored.",
            (),
            [((), report.score)] if objects else [],
        ),
        _gauge(
            "kdash_namespace_score",
            "Mean health score of the scored objects of a namespace (0-100).",
            ("namespace",),
            (((ns,), score) for ns, score in sorted(report.namespace_scores.items())),
        ),
        _gauge(
            "kdash_object_score",
            "Health score of one scored object (workload, bare pod, HPA, quota), 0-100; the worst "
            "--max-series objects.",
            ("namespace", "kind", "name"),
            (((o.namespace, o.kind, o.name), o.score) for o in kept_objects),
        ),
        _gauge(
            "kdash_findings",
            "Findings that are not ignored, by rule, severity and namespace.",
            ("rule", "severity", "namespace"),
            ((key, float(n)) for key, n in sorted(findings.items())),
        ),
        Family(
            "kdash_container_restarts",
            "Restart count of a container that restarted (the pod's status); the worst --max-series.",
            "counter",
            ("namespace", "pod", "container"),
            tuple(((ns, pod, c), float(n)) for ns, pod, c, n in kept_restarts),
        ),
        _gauge(
            "kdash_alerts_open",
            "Open kdash alerts (crash loops, OOM kills, stuck rollouts ...) by severity.",
            ("severity",),
            (((s.value,), float(open_by.get(s.value, 0))) for s in AlertSeverity),
        ),
        _gauge(
            "kdash_sync_state",
            "1 for the current sync state of a watched kind, 0 for the others "
            "(syncing, live, polling, forbidden, error, unavailable).",
            ("kind", "state"),
            (
                ((kind, phase.value), 1.0 if states[kind].phase is phase else 0.0)
                for kind in sorted(states)
                for phase in SYNC_STATES
            ),
        ),
        _gauge(
            "kdash_sync_phase",
            "The sync state of a watched kind as a number: 0 syncing, 1 live, 2 polling, "
            "3 forbidden, 4 error, 5 unavailable.",
            ("kind",),
            (((kind,), float(SYNC_PHASE_NUMBER[states[kind].phase])) for kind in sorted(states)),
        ),
        _gauge(
            "kdash_series_dropped",
            "Series left out of a per-object or per-container metric by --max-series.",
            ("metric",),
            [
                (("kdash_object_score",), float(len(objects) - len(kept_objects))),
                (("kdash_container_restarts_total",), float(len(restart_rows) - len(kept_restarts))),
            ],
        ),
        _gauge(
            "kdash_cluster_reachable",
            "1 while the API server answers, 0 while kdash retries (values are the last seen).",
            (),
            [((), 1.0 if reachable else 0.0)],
        ),
        _gauge(
            "kdash_score_duration_seconds",
            "Wall time of the last rescoring (the scrape only reads its result).",
            (),
            [((), score_seconds)],
        ),
    ]
    if timestamp is not None:
        families.append(
            _gauge(
                "kdash_last_scored_timestamp_seconds",
                "Unix time of the last rescoring.",
                (),
                [((), timestamp)],
            )
        )
    if not ready:  # nothing scored yet: say what is being read, claim no score
        families = [f for f in families if f.name in UNSCORED]
    return Samples(tuple(families), ready=ready, generation=generation)
