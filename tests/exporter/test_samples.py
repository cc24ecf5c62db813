"""`build_samples`: bounded label sets (the worst --max-series, the rest counted), ignored findings
left out as the report's summary leaves them out, and one-hot sync states."""

from __future__ import annotations

from kdash.exporter.samples import SYNC_STATES, build_samples
from kdash.health import HealthReport
from kdash.model.findings import Finding, ObjectScore, Severity
from kdash.model.snapshot import KindState, SyncPhase


def _report() -> HealthReport:
    objects = tuple(ObjectScore("Deployment", "shop", f"app-{i}", float(50 + 10 * i), "F") for i in range(5))
    findings = (
        Finding("probe-readiness-missing", Severity.WARNING, "Deployment", "shop", "app-0", "m"),
        Finding("probe-readiness-missing", Severity.WARNING, "Deployment", "shop", "app-1", "m"),
        Finding("pod-crashloop", Severity.ERROR, "Deployment", "shop", "app-0", "m"),
        Finding("pod-crashloop", Severity.ERROR, "Deployment", "web", "x", "m", ignored=True),
    )
    return HealthReport(findings=findings, objects=objects, score=70.0)


RESTARTS = [("shop", "a", "app", 9), ("shop", "b", "app", 4), ("web", "c", "app", 1)]


def test_the_worst_series_are_kept_and_the_rest_counted() -> None:
    samples = build_samples(_report(), {}, RESTARTS, max_series=2)
    assert samples.value("kdash_object_score", namespace="shop", kind="Deployment", name="app-0") == 50
    assert samples.value("kdash_object_score", namespace="shop", kind="Deployment", name="app-1") == 60
    assert samples.value("kdash_object_score", namespace="shop", kind="Deployment", name="app-2") is None
    assert samples.value("kdash_series_dropped", metric="kdash_object_score") == 3
    assert samples.value("kdash_container_restarts", namespace="shop", pod="b", container="app") == 4
    assert samples.value("kdash_container_restarts", namespace="web", pod="c", container="app") is None
    assert samples.value("kdash_series_dropped", metric="kdash_container_restarts_total") == 1


def test_nothing_is_dropped_under_the_cap() -> None:
    samples = build_samples(_report(), {}, RESTARTS)
    assert samples.value("kdash_series_dropped", metric="kdash_object_score") == 0
    assert samples.value("kdash_object_score", namespace="shop", kind="Deployment", name="app-4") == 90


def test_findings_count_what_is_not_ignored() -> None:
    samples = build_samples(_report(), {}, ())
    assert (
        samples.value("kdash_findings", rule="probe-readiness-missing", severity="warning", namespace="shop")
        == 2
    )
    assert samples.value("kdash_findings", rule="pod-crashloop", severity="error", namespace="shop") == 1
    assert samples.value("kdash_findings", rule="pod-crashloop", severity="error", namespace="web") is None


def test_sync_state_is_one_hot_and_numbered() -> None:
    states = {
        "pods": KindState("pods", SyncPhase.LIVE),
        "resourcequotas": KindState("resourcequotas", SyncPhase.FORBIDDEN),
    }
    samples = build_samples(HealthReport(), states, ())
    for phase in SYNC_STATES:
        want = 1.0 if phase is SyncPhase.FORBIDDEN else 0.0
        assert samples.value("kdash_sync_state", kind="resourcequotas", state=phase.value) == want
    assert samples.value("kdash_sync_phase", kind="resourcequotas") == 3
    assert samples.value("kdash_sync_phase", kind="pods") == 1
    assert samples.value("kdash_alerts_open", severity="error") == 0  # both severities, even at 0


def test_no_score_is_claimed_before_one_exists() -> None:
    states = {"pods": KindState("pods", SyncPhase.SYNCING)}
    syncing = build_samples(HealthReport(), states, (), ready=False)
    assert {f.name for f in syncing.families} == {
        "kdash_sync_state",
        "kdash_sync_phase",
        "kdash_cluster_reachable",
    }
    assert syncing.value("kdash_sync_state", kind="pods", state="syncing") == 1
    empty = build_samples(HealthReport(), states, ())  # scored, but nothing to score: no 100
    assert empty.value("kdash_cluster_score") is None
    assert build_samples(_report(), states, ()).value("kdash_cluster_score") == 70
