# ruff: noqa: E501  (the case table keeps one case per line)
"""The reliability rules of kdash/health/rules_reliability.py: each fires, and has near-misses that
must not; and the one cross-object read (an HPA reading its target) is seen by the incremental scorer.
"""

from __future__ import annotations

from typing import Any

import pytest

from kdash.health import RULES, HealthConfig, evaluate
from kdash.health.incremental import IncrementalScorer

from .factories import NOW, container, hpa, init_container, limitrange, pdb, pod, snapshot, template, workload
from .test_incremental import World
from .test_rules import WEB, dep

SINGLE = {"desired": 1, "ready": 1, "up_to_date": 1, "available": 1}
BATCH = container("batch", readiness=None, liveness=None, ports=(), port_names=(), pre_stop=False)


def cron(**kw: Any) -> Any:
    return workload("CronJob", "nightly", **kw)


# fmt: off
RELIABILITY_CASES: list[tuple[str, str, list[Any], int]] = [
    ('resources-cpu-limit-missing', 'no cpu limit', [dep(container(limits={'memory': '256Mi', 'ephemeral-storage': '1Gi'})), *WEB], 1),
    ('resources-cpu-limit-missing', 'limitrange default limit', [dep(container(limits={'memory': '256Mi'})), *WEB, limitrange(default={'cpu': '1'})], 0),
    ('resources-cpu-limit-missing', 'init container exempt', [dep(tkw={'init_containers': (init_container(limits={'memory': '1Gi'}),)}), *WEB], 0),
    ('resources-ephemeral-storage-missing', 'neither', [dep(container(limits={'memory': '256Mi', 'cpu': '1'})), *WEB], 1),
    ('resources-ephemeral-storage-missing', 'request only', [dep(container(requests={'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '1Gi'}, limits={'memory': '1Gi', 'cpu': '1'})), *WEB], 1),
    ('resources-ephemeral-storage-missing', 'init container too', [dep(tkw={'init_containers': (init_container(limits={'memory': '1Gi', 'cpu': '1'}),)}), *WEB], 1),
    ('resources-ephemeral-storage-missing', 'limitrange max is a default limit', [dep(container(limits={'memory': '256Mi', 'cpu': '1'})), *WEB, limitrange(max={'ephemeral-storage': '4Gi'})], 0),
    ('env-duplicate', 'twice', [dep(container(env_names=('A', 'B', 'A'))), *WEB], 1),
    ('env-duplicate', 'distinct names (case matters)', [dep(container(env_names=('A', 'a', 'B'))), *WEB], 0),
    ('replicas-not-spread', '3 replicas, nothing', [dep(tkw={'topology_spread': False}), *WEB], 1),
    ('replicas-not-spread', 'statefulset', [workload('StatefulSet', template=template(topology_spread=False)), *WEB], 1),
    ('replicas-not-spread', 'HPA minimum of 2', [dep(tkw={'topology_spread': False}, **SINGLE), *WEB, hpa()], 1),
    ('replicas-not-spread', 'anti-affinity counts', [dep(tkw={'topology_spread': False, 'pod_anti_affinity': True}), *WEB], 0),
    ('replicas-not-spread', 'single replica', [dep(tkw={'topology_spread': False}, **SINGLE)], 0),
    ('replicas-not-spread', 'daemonset spreads by itself', [workload('DaemonSet', template=template(topology_spread=False))], 0),
    ('priority-class-missing', 'deployment', [dep(tkw={'priority_class': ''}), *WEB], 1),
    ('priority-class-missing', 'bare pod', [pod(owner=None, spec=template(priority_class=''))], 1),
    ('priority-class-missing', 'set', [dep(tkw={'priority_class': 'high'}), *WEB], 0),
    ('deployment-max-unavailable-all', '100%', [dep(strategy='RollingUpdate', max_unavailable='100%'), *WEB], 1),
    ('deployment-max-unavailable-all', 'strategy type omitted', [dep(max_unavailable='100%'), *WEB], 1),
    ('deployment-max-unavailable-all', 'number >= replicas', [dep(max_unavailable='3'), *WEB], 1),
    ('deployment-max-unavailable-all', '50%', [dep(max_unavailable='50%'), *WEB], 0),
    ('deployment-max-unavailable-all', 'number below replicas', [dep(max_unavailable='2'), *WEB], 0),
    ('deployment-max-unavailable-all', 'one of one replica', [dep(max_unavailable='1', **SINGLE)], 0),
    ('deployment-max-unavailable-all', 'Recreate ignores it', [dep(strategy='Recreate', max_unavailable='100%'), *WEB], 0),
    ('cronjob-deadline-missing', 'no deadline', [cron(starting_deadline=None)], 1),
    ('cronjob-deadline-missing', 'deadline set', [cron(starting_deadline=120)], 0),
    ('cronjob-deadline-missing', 'a Job needs none', [workload('Job', starting_deadline=None)], 0),
    ('job-restart-policy-invalid', 'cronjob, none', [cron(template=template(BATCH))], 1),
    ('job-restart-policy-invalid', 'job, Always', [workload('Job', template=template(BATCH, restart_policy='Always'))], 1),
    ('job-restart-policy-invalid', 'cronjob, OnFailure', [cron(template=template(BATCH, restart_policy='OnFailure'))], 0),
    ('job-restart-policy-invalid', 'deployment, none', [dep(), *WEB], 0),
    ('hpa-min-replicas-single', 'min 1, target serves', [dep(**SINGLE), hpa(min_replicas=1)], 1),
    ('hpa-min-replicas-single', 'min 2', [dep(**SINGLE), *WEB, hpa(min_replicas=2)], 0),
    ('hpa-min-replicas-single', 'target declares no ports', [dep(BATCH, **SINGLE), hpa(min_replicas=1)], 0),
    ('hpa-min-replicas-single', 'min = max = 1', [dep(**SINGLE), hpa(min_replicas=1, max_replicas=1)], 0),
    ('hpa-min-replicas-single', 'scale to zero', [dep(**SINGLE), hpa(min_replicas=0)], 0),
    ('hpa-min-replicas-single', 'target missing', [hpa(min_replicas=1)], 0),
]
# fmt: on


@pytest.mark.parametrize(
    ("rule", "case", "records", "expected"),
    RELIABILITY_CASES,
    ids=[f"{c[0]}: {c[1]}" for c in RELIABILITY_CASES],
)
def test_rule(rule: str, case: str, records: list[Any], expected: int) -> None:
    report = evaluate(snapshot(*records), now=NOW)
    found = [f for f in report.findings if f.rule == rule]
    assert len(found) == expected, [f.message for f in found]


def test_messages() -> None:
    report = evaluate(
        snapshot(
            dep(container(env_names=("A", "B", "A", "B", "A")), max_unavailable="100%"),
            pdb(),
            cron(template=template(BATCH), starting_deadline=None),
        )
    )
    by_rule = {f.rule: f.message for f in report.findings}
    assert by_rule["env-duplicate"] == "Deployment shop/web, container app sets env A, B more than once"
    assert by_rule["deployment-max-unavailable-all"] == (
        "Deployment shop/web allows maxUnavailable 100%: a rollout may stop every pod"
    )
    assert by_rule["job-restart-policy-invalid"] == (
        "CronJob shop/nightly has no restartPolicy (Always); only OnFailure or Never are valid"
    )
    assert "throttles" in RULES["resources-cpu-limit-missing"].why  # the debate is stated
    assert RULES["resources-cpu-limit-missing"].severity.label == "info"


def _scored(world: World, scorer: IncrementalScorer, first: bool = False) -> list[str]:
    snap, changes = world.publish([])
    got = scorer.update(snap, None if first else [changes], HealthConfig())
    want = evaluate(snap)
    assert got == want
    return sorted(f.rule for f in got.findings)


def test_incremental_scorer_sees_the_hpa_target_change() -> None:
    """hpa-min-replicas-single reads the target's ports; replicas-not-spread reads the HPA minimum."""
    world = World()
    world.put(dep(tkw={"topology_spread": False}, **SINGLE))
    world.put(hpa(min_replicas=1))
    scorer = IncrementalScorer()
    before = _scored(world, scorer, first=True)
    assert "hpa-min-replicas-single" in before and "replicas-not-spread" not in before
    world.put(dep(BATCH, tkw={"topology_spread": False}, **SINGLE))  # stops serving
    after = _scored(world, scorer)
    assert not scorer.last_full
    assert "hpa-min-replicas-single" not in after
    world.put(hpa(min_replicas=3))  # now 3 replicas at least, unspread
    assert "replicas-not-spread" in _scored(world, scorer)
