"""Scores, grades, roll-up, exemptions and the report API the UI codes against."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from kdash.health import HealthConfig, evaluate, grade_for
from kdash.health.images import parse_image
from kdash.model.meta import ObjectKey, OwnerRef

from .factories import (
    NOW,
    container,
    crashing,
    hpa,
    pdb,
    pod,
    quota,
    quota_item,
    snapshot,
    template,
    workload,
)

WEB = ObjectKey("Deployment", "shop", "web")


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "A"), (90, "A"), (89.9, "B"), (80, "B"), (79.9, "C"), (70, "C"), (60, "D"), (59.9, "F"), (0, "F")],
)
def test_grade_for(score: float, grade: str) -> None:
    assert grade_for(score) == grade


def test_scores_by_hand() -> None:
    # web: no readiness probe (W 10) + no liveness probe (I 2) + termination policy (I 2) -> 86
    # hpa: healthy -> 100;  quota at 96 % cpu -> error 30 -> 70
    # cluster and namespace: (86 + 100 + 70) / 3 = 85.33 -> 85.3, grade B
    web = workload(template=template(container(readiness=None, liveness=None, termination_message_policy="")))
    q = quota("compute", quota_item("requests.cpu", "3840m", "4"))
    report = evaluate(snapshot(web, pdb(), hpa(), q), now=NOW)
    assert report.score_for(WEB) is not None
    assert report.score_for(WEB).score == 86.0  # type: ignore[union-attr]
    assert report.score == 85.3
    assert report.grade == "B"
    assert report.namespace_scores == {"shop": 85.3}
    assert dict(report.summary) == {"error": 1, "warning": 1, "info": 2}
    assert [(o.kind, o.score) for o in report.objects] == [
        ("ResourceQuota", 70.0),
        ("Deployment", 86.0),
        ("HorizontalPodAutoscaler", 100.0),
    ]
    assert report.objects[0].worst is not None
    assert report.objects[0].worst.rule == "quota-near-limit"
    assert [f.severity.label for f in report.findings] == ["error", "warning", "info", "info"]


def test_score_floors_at_zero_and_empty_cluster_is_perfect() -> None:
    bad = container(privileged=True, run_as_user=0, image="x", requests={}, limits={})
    # 2 privileged containers + hostNetwork (3 x 30) + root, tag, requests (3 x 10) + limit (2) = 122
    tpl = template(bad, container("b", privileged=True), host_network=True)
    report = evaluate(snapshot(workload(template=tpl), pdb()), now=NOW)
    assert report.objects[0].score == 0.0
    assert report.grade == "F"
    empty = evaluate(snapshot(), now=NOW)
    assert (empty.score, empty.grade, empty.objects, empty.findings) == (100.0, "A", (), ())


def test_runtime_findings_roll_up_to_the_workload() -> None:
    pods = [pod(f"web-7d9f-{i}", containers=(crashing(),)) for i in range(3)]
    report = evaluate(snapshot(workload(), pdb(), *pods), now=NOW)
    (crash,) = [f for f in report.findings if f.rule == "pod-crashloop"]
    assert (crash.kind, crash.name, crash.container) == ("Deployment", "web", "app")
    assert crash.message.startswith("pod web-7d9f-0, container app is in CrashLoopBackOff (7 restarts")
    assert crash.message.endswith("(and 2 more pods)")
    assert {o.kind for o in report.objects} == {"Deployment"}  # pods of a workload are not scored
    # each pod keeps its own findings for colouring rows
    pod_key = pods[1].meta.key
    assert [f.rule for f in report.findings_for(pod_key)] == ["pod-crashloop", "pod-restarts-high"]
    assert report.score_for(pod_key) is None


def test_crash_log_tail_is_quoted() -> None:
    p = pod(containers=(crashing(),))
    logs = {("shop", p.meta.name, "app"): ["starting", "panic: config key DB_URL missing", ""]}
    report = evaluate(snapshot(workload(), pdb(), p), now=NOW, crash_logs=logs)
    (crash,) = [f for f in report.findings if f.rule == "pod-crashloop"]
    assert crash.message.endswith("; last log line: panic: config key DB_URL missing")


def test_cronjob_jobs_fold_into_the_cronjob() -> None:
    cron = workload("CronJob", name="report")
    owner = (OwnerRef("CronJob", "report", "u", controller=True),)
    job = workload("Job", name="report-29000", job_failed=True, meta_kw={"owners": owner, "created": NOW})
    job_pod = pod("report-29000-x", owner=("Job", "report-29000"), containers=(crashing(),))
    report = evaluate(snapshot(cron, job, job_pod), now=NOW)
    keys = {(o.kind, o.name) for o in report.objects}
    assert keys == {("CronJob", "report")}
    assert {(f.rule, f.kind) for f in report.findings} >= {
        ("job-failed", "CronJob"),
        ("pod-crashloop", "CronJob"),
    }


def test_unknown_controller_pod_is_scored_on_its_own() -> None:
    owned = pod("runner-0", owner=("Workflow", "nightly"), containers=(crashing(),))
    report = evaluate(snapshot(owned), now=NOW)
    assert [(o.kind, o.name) for o in report.objects] == [("Pod", "runner-0")]
    assert "pod-naked" not in {f.rule for f in report.findings}


@pytest.mark.parametrize(
    ("annotations", "ignored"),
    [
        (
            {"kdash.io/ignore": "image-tag-latest, probe-readiness-missing"},
            {"image-tag-latest", "probe-readiness-missing"},
        ),
        ({"kdash.io/ignore": "*"}, {"image-tag-latest", "probe-readiness-missing", "security-root"}),
        (
            {"polaris.fairwinds.com/exempt": "true"},
            {"image-tag-latest", "probe-readiness-missing", "security-root"},
        ),
        ({"polaris.fairwinds.com/tagNotSpecified-exempt": "true"}, {"image-tag-latest"}),
        ({"polaris.fairwinds.com/tagNotSpecified-exempt": "false"}, set()),
        (
            {"kube-score/ignore": "container-image-tag,pod-probes"},
            {"image-tag-latest", "probe-readiness-missing"},
        ),
        ({"kube-score/ignore": "deployment-replicas"}, set()),
    ],
)
def test_exemptions(annotations: dict[str, str], ignored: set[str]) -> None:
    c = container(image="nginx", readiness=None, run_as_non_root=None)
    web = workload(
        template=template(c), meta_kw={"annotations": {"description": "d", "owner": "o", **annotations}}
    )
    report = evaluate(snapshot(web, pdb()), now=NOW)
    assert {f.rule for f in report.findings} == {
        "image-tag-latest",
        "probe-readiness-missing",
        "security-root",
    }
    assert {f.rule for f in report.findings if f.ignored} == ignored
    assert report.objects[0].score == 100 - 10 * (3 - len(ignored))
    assert all(f.ignored for f in report.findings[len(report.findings) - len(ignored) :])  # ignored last


def test_exemption_on_pod_template() -> None:
    tpl = template(container(image="nginx"), annotations={"kdash.io/ignore": "image-tag-latest"})
    report = evaluate(snapshot(workload(template=tpl), pdb()), now=NOW)
    assert [(f.rule, f.ignored) for f in report.findings] == [("image-tag-latest", True)]


def test_disabled_and_only() -> None:
    snap = snapshot(workload(template=template(container(image="nginx", readiness=None))), pdb())
    assert {
        f.rule for f in evaluate(snap, HealthConfig(disabled=frozenset({"image-tag-latest"}))).findings
    } == {"probe-readiness-missing"}
    only = HealthConfig(
        only=frozenset({"image-tag-latest", "probe-readiness-missing"}),
        disabled=frozenset({"image-tag-latest"}),
    )
    assert {f.rule for f in evaluate(snap, only).findings} == {"probe-readiness-missing"}


def test_time_rules_use_snapshot_time_and_stay_silent_without_one() -> None:
    stuck = pod(phase="Pending", containers=(), meta_kw={"created": NOW.replace(hour=11)})
    assert "pod-pending-long" in {f.rule for f in evaluate(snapshot(workload(), pdb(), stuck)).findings}
    no_time = snapshot(workload(), pdb(), stuck, taken_at=None)
    assert "pod-pending-long" not in {f.rule for f in evaluate(no_time).findings}


def test_thresholds_from_config() -> None:
    p = pod(
        containers=(replace(crashing(restarts=3), state=crashing().last_termination or crashing().state),)
    )
    snap = snapshot(workload(), pdb(), p)
    assert "pod-restarts-high" not in {f.rule for f in evaluate(snap, now=NOW).findings}
    cfg = HealthConfig(restarts_threshold=3)
    assert "pod-restarts-high" in {f.rule for f in evaluate(snap, cfg, now=NOW).findings}
    q = snapshot(quota("q", quota_item("pods", "7", "10")))
    assert (
        evaluate(q, HealthConfig(quota_warn=70, quota_error=90), now=NOW).findings[0].severity.label
        == "warning"
    )
    assert not evaluate(q, now=NOW).findings


def test_required_annotations_are_configurable() -> None:
    snap = snapshot(workload(), pdb())
    cfg = HealthConfig(required_annotations=(("runbook", "*/runbook"),))
    (f,) = evaluate(snap, cfg, now=NOW).findings
    assert f.rule == "annotations-missing"
    assert f.message == "Deployment shop/web has no runbook annotation"


@pytest.mark.parametrize(
    ("image", "repository", "tag", "digest", "pinned"),
    [
        ("nginx", "nginx", "", "", False),
        ("nginx:latest", "nginx", "latest", "", False),
        ("nginx:1.27", "nginx", "1.27", "", True),
        ("registry:5000/app", "registry:5000/app", "", "", False),
        ("registry:5000/app:v2", "registry:5000/app", "v2", "", True),
        ("app@sha256:abc", "app", "", "sha256:abc", True),
        ("localhost:5000/a/b:latest@sha256:abc", "localhost:5000/a/b", "latest", "sha256:abc", True),
    ],
)
def test_parse_image(image: str, repository: str, tag: str, digest: str, pinned: bool) -> None:
    ref = parse_image(image)
    assert (ref.repository, ref.tag, ref.digest, ref.pinned) == (repository, tag, digest, pinned)


def test_rules_md_is_in_sync() -> None:
    """Regenerate docs/rules.md and compare (run `python -m kdash.health.docs > docs/rules.md`)."""
    root = Path(__file__).resolve().parents[2]
    generated = subprocess.run(
        [sys.executable, "-m", "kdash.health.docs"], capture_output=True, text=True, check=True, cwd=root
    ).stdout
    assert (root / "docs" / "rules.md").read_text(encoding="utf-8") == generated


def test_infos_together_cost_at_most_ten_points() -> None:
    from kdash.health.scoring import object_score
    from kdash.model.findings import Finding, Severity

    def f(severity: Severity, n: int, *, ignored: bool = False) -> list[Finding]:
        return [Finding(f"r{i}", severity, "Deployment", "ns", "x", "m", ignored=ignored) for i in range(n)]

    assert object_score(f(Severity.INFO, 4)) == 92.0  # under the cap: 2 each
    assert object_score(f(Severity.INFO, 5)) == 90.0
    assert object_score(f(Severity.INFO, 9)) == 90.0  # hints alone still grade A
    assert object_score(f(Severity.INFO, 9) + f(Severity.WARNING, 2)) == 70.0  # warnings are not capped
    assert object_score(f(Severity.ERROR, 3) + f(Severity.INFO, 9)) == 0.0
    assert object_score(f(Severity.INFO, 9, ignored=True) + f(Severity.INFO, 1)) == 98.0
