"""Each cross-object read of the rules, as one directed history: the incremental scorer must see
the change through the other object (kdash/health/impact.py lists them) and stay equal to
`evaluate()`. The random histories of test_incremental.py cover the same ground less surely."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from kdash.health import HealthConfig, evaluate
from kdash.health.incremental import IncrementalScorer
from kdash.model.meta import ObjectKey, OwnerRef
from kdash.model.pods import RestartRecord
from kdash.model.rbac import Subject
from kdash.model.snapshot import SyncPhase

from .factories import (
    ALL_KINDS,
    NOW,
    container,
    crashing,
    hpa,
    limitrange,
    live_states,
    pdb,
    pod,
    quota,
    quota_item,
    template,
    workload,
)
from .test_incremental import World
from .test_rules_cross import budget, cm, netpol, svc
from .test_rules_rbac import bind
from .test_rules_rbac import role as rbac_role

Step = Callable[[World], None]
JOB_OWNER = (OwnerRef("CronJob", "nightly", "uid-cron", controller=True),)


def _job(failed: bool = False, name: str = "nightly-1") -> Any:
    return workload("Job", name, meta_kw={"owners": JOB_OWNER, "created": NOW}, job_failed=failed)


def _drop(kind: str, name: str, field: str = "workloads", ns: str = "shop") -> Step:
    return lambda w: w.maps[field].pop(ObjectKey(kind, ns, name))


def _put(*records: Any) -> Step:
    def step(w: World) -> None:
        for r in records:
            w.put(r)

    return step


def _crash_tail(lines: tuple[str, ...]) -> Step:
    def step(w: World) -> None:
        w.restarts = (
            (RestartRecord("shop", "web-a", "app", 7, "CrashLoopBackOff", crash_log=lines),) if lines else ()
        )

    return step


def _states(**phases: SyncPhase) -> Step:
    def step(w: World) -> None:
        w.states = live_states(ALL_KINDS, **phases)

    return step


def _tick(minutes: int) -> Step:
    def step(w: World) -> None:
        w.taken_at = (w.taken_at or NOW) + timedelta(minutes=minutes)

    return step


SINGLE = workload("Deployment", "web", desired=1, ready=1, up_to_date=1, available=1)
CASES: dict[str, tuple[list[Any], list[Step]]] = {
    "cronjob-appears-and-goes": (
        [_job(), pod("nightly-1-x", ("Job", "nightly-1"), containers=(crashing(),))],
        [_put(workload("CronJob", "nightly")), _drop("CronJob", "nightly")],
    ),
    "job-fails-under-its-cronjob": ([workload("CronJob", "nightly"), _job()], [_put(_job(failed=True))]),
    "job-re-owned": (
        [
            workload("CronJob", "nightly"),
            _job(),
            pod("nightly-1-x", ("Job", "nightly-1"), containers=(crashing(),)),
        ],
        [_put(workload("Job", "nightly-1", meta_kw={"created": NOW}))],
    ),
    "hpa-comes-and-goes": ([SINGLE], [_put(hpa()), _drop("HorizontalPodAutoscaler", "web", "hpas")]),
    "hpa-retargeted": ([SINGLE, workload("Deployment", "api", desired=1), hpa()], [_put(hpa(target="api"))]),
    "hpa-target-template": (
        [workload(), hpa()],
        [_put(workload(template=template(container(requests={"memory": "1Gi"}, limits={"memory": "1Gi"}))))],
    ),
    "hpa-replicaset-target": (
        [replace(hpa(), target_kind="ReplicaSet", target_name="web-rs")],
        [_put(workload("ReplicaSet", "web-rs")), _drop("ReplicaSet", "web-rs", "replicasets")],
    ),
    "pdb-selects-then-not": ([workload()], [_put(pdb()), _put(pdb(match={"app": "other"}))]),
    "quota-constrains-cpu-limits": (
        [workload(template=template(container(limits={})))],
        [_put(quota("compute", quota_item("limits.cpu", "1", "10"))), _put(quota("compute"))],
    ),
    "quota-usage-only": (
        [
            workload(template=template(container(limits={}))),
            quota("compute", quota_item("limits.cpu", "1", "10")),
        ],
        [_put(quota("compute", quota_item("limits.cpu", "9.9", "10")))],
    ),
    "limitrange-defaults": (
        [workload(template=template(container(requests={}, limits={}))), hpa()],
        [_put(limitrange(default_request={"cpu": "100m"})), _put(limitrange(default={"memory": "1Gi"}))],
    ),
    "workload-goes-pods-stay": (
        [workload(), pod("web-a", containers=(crashing(),)), pod("web-b", containers=(crashing(),))],
        [_drop("Deployment", "web"), _put(workload())],
    ),
    "pod-loses-and-gains-owner": (
        [workload(), pod("web-a", containers=(crashing(),))],
        [_put(pod("web-a", None, containers=(crashing(),))), _put(pod("web-a", containers=(crashing(),)))],
    ),
    "crash-log-tail-evicted": (
        [workload(), pod("web-a", containers=(crashing(),))],
        [_crash_tail(("panic: boom",)), _crash_tail(())],
    ),
    "clock-moves-pending": (
        [
            workload(),
            pod("web-a", phase="Pending", containers=(), meta_kw={"created": NOW - timedelta(minutes=4)}),
        ],
        [_tick(2), _tick(3), _tick(0)],
    ),
    # the cluster-scope rules (kdash/health/rules_cross.py, rules_rbac.py): read through other objects
    "hpa-min-replicas-moves-a-pdb-verdict": (
        [workload(), budget(max_unavailable="", min_available="2"), hpa(min_replicas=3)],
        [_put(hpa(min_replicas=2)), _put(hpa(min_replicas=1))],
    ),
    "configmap-key-renamed": ([cm("DB_HOST")], [_put(cm("DB_HOST", "DB_PASSWORD")), _put(cm("DB_HOST"))]),
    "service-selector-fixed": ([workload(), svc(match={"app": "wbe"})], [_put(svc())]),
    "binding-moves-to-the-workload-account": (
        [workload(), rbac_role(), bind("debug", Subject("ServiceAccount", "ci", "shop"))],
        [_put(bind()), _put(workload(template=template(service_account="api")))],
    ),
    "bare-pod-relabelled": (
        [pod("web", None), svc()],
        [_put(pod("web", None, meta_kw={"labels": {"app": "other"}}))],
    ),
    "netpol-added-and-exempted": (
        [workload()],
        [
            _put(netpol()),
            _drop("NetworkPolicy", "p", "netpols"),
            _put(workload(meta_kw={"annotations": {"kdash.io/ignore": "netpol-missing"}})),
        ],
    ),
    "services-forbidden-then-listed": (
        [workload(), svc(match={"app": "wbe"})],
        [_states(), _states(services=SyncPhase.FORBIDDEN), _states(services=SyncPhase.SYNCING), _states()],
    ),
    "replicas-applied-under-an-hpa": ([workload(), hpa()], [_put(workload(replicas_applied=True))]),
    "workload-exemption-covers-rolled-up": (
        [workload(), pod("web-a", containers=(crashing(),))],
        [_put(workload(meta_kw={"annotations": {"kdash.io/ignore": "pod-crashloop"}}))],
    ),
}


@pytest.mark.parametrize(
    "config", [HealthConfig(), HealthConfig(disabled=frozenset({"pod-restarts-high", "labels-missing"}))]
)
@pytest.mark.parametrize("case", sorted(CASES))
def test_cross_object_change_is_seen(case: str, config: HealthConfig) -> None:
    records, steps = CASES[case]
    world = World()
    for r in records:
        world.put(r)
    scorer = IncrementalScorer()
    snap, _ = world.publish([])
    scorer.update(snap, None, config)
    reports = [evaluate(snap, config)]
    for step in steps:
        step(world)
        snap, changes = world.publish([])
        got = scorer.update(snap, [changes], config)
        assert not scorer.last_full
        want = evaluate(snap, config)
        assert got.findings == want.findings
        assert got == want
        reports.append(want)
    assert any(a != b for a, b in zip(reports, reports[1:], strict=False)), "the history changes nothing"
