# ruff: noqa: E501  (the CASES table keeps one case per line)
"""Table-driven rule tests: for every rule, cases that must fire and near-misses that must not.

Each case runs every rule and counts that rule's findings (so a more specific rule can take
precedence, as it does for users); `test_clean_baseline` proves the factories' defaults trip no
rule at all, so a near-miss differs from a clean object only in what the case changes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from kdash.health import RULES, HealthConfig, evaluate
from kdash.model.autoscaling import HpaMetric
from kdash.model.meta import Condition, OwnerRef
from kdash.model.pods import ContainerState, ContainerStatus, ProbeSpec

from .factories import (
    NOW,
    READY,
    container,
    crashing,
    hpa,
    init_container,
    limitrange,
    pdb,
    pod,
    quota,
    quota_item,
    running,
    snapshot,
    template,
    workload,
)

WEB = [pdb()]  # the default 3-replica Deployment needs a PDB to be clean
OLD = NOW - timedelta(minutes=30)
FRESH = NOW - timedelta(minutes=2)


def dep(*containers: Any, **kw: Any) -> Any:
    tkw = kw.pop("tkw", {})
    return workload("Deployment", template=template(*containers, **tkw), **kw)


def waiting(name: str, reason: str, message: str = "") -> ContainerStatus:
    return ContainerStatus(name=name, state=ContainerState("waiting", reason=reason, message=message))


# fmt: off
CASES: list[tuple[str, str, list[Any], int]] = [
    # (rule, case id, records, expected number of findings of that rule)
    ('probe-readiness-missing', 'deployment', [dep(container(readiness=None)), *WEB], 1),
    ('probe-readiness-missing', 'statefulset', [workload('StatefulSet', template=template(container(readiness=None))), *WEB], 1),
    ('probe-readiness-missing', 'bare pod', [pod(owner=None, spec=template(container(readiness=None)))], 1),
    ('probe-readiness-missing', 'job exempt', [workload('Job', template=template(container(readiness=None)))], 0),
    ('probe-readiness-missing', 'cronjob exempt', [workload('CronJob', template=template(container(readiness=None)))], 0),
    ('probe-readiness-missing', 'init container exempt', [dep(tkw={'init_containers': (init_container(),)}), *WEB], 0),
    ('probe-readiness-missing', 'bare pod restartPolicy Never', [pod(owner=None, spec=template(container(readiness=None), restart_policy='Never'))], 0),
    ('probe-readiness-missing', 'replicas linted once', [dep(container(readiness=None)), *WEB, pod('web-a'), pod('web-b')], 1),
    ('probe-liveness-missing', 'deployment', [dep(container(liveness=None)), *WEB], 1),
    ('probe-liveness-missing', 'job exempt', [workload('Job', template=template(container(liveness=None)))], 0),
    ('probe-same-readiness-liveness', 'identical', [dep(container(liveness=READY)), *WEB], 1),
    ('probe-same-readiness-liveness', 'same path other signature', [dep(container(liveness=replace(READY, signature='httpGet|/ready|http|failure=10'))), *WEB], 0),
    ('probe-port-unknown', 'named port missing', [dep(container(readiness=replace(READY, port='web'))), *WEB], 1),
    ('probe-port-unknown', 'numeric port need not be declared', [dep(container(readiness=replace(READY, port='9090'))), *WEB], 0),
    ('probe-port-unknown', 'exec probe', [dep(container(liveness=ProbeSpec('exec', 'cat /tmp/ok', 'exec|cat'))), *WEB], 0),
    ('image-tag-latest', 'latest', [dep(container(image='nginx:latest')), *WEB], 1),
    ('image-tag-latest', 'untagged', [dep(container(image='nginx')), *WEB], 1),
    ('image-tag-latest', 'registry port is not a tag', [dep(container(image='registry:5000/app')), *WEB], 1),
    ('image-tag-latest', 'init container too', [dep(tkw={'init_containers': (init_container(image='busybox'),)}), *WEB], 1),
    ('image-tag-latest', 'registry port and tag', [dep(container(image='registry:5000/app:1.0')), *WEB], 0),
    ('image-tag-latest', 'digest pins', [dep(container(image='nginx@sha256:' + 'a' * 64)), *WEB], 0),
    ('image-tag-latest', 'latest with digest pins', [dep(container(image='nginx:latest@sha256:' + 'a' * 64)), *WEB], 0),
    ('image-pull-always', 'always on pinned', [dep(container(pull_policy='Always')), *WEB], 1),
    ('image-pull-always', 'always on digest', [dep(container(image='a@sha256:' + 'b' * 64, pull_policy='Always')), *WEB], 1),
    ('image-pull-always', 'always on latest', [dep(container(image='nginx:latest', pull_policy='Always')), *WEB], 0),
    ('image-pull-always', 'defaulted on untagged', [dep(container(image='nginx', pull_policy='')), *WEB], 0),
    ('image-pull-always', 'IfNotPresent', [dep(container(pull_policy='IfNotPresent')), *WEB], 0),
    ('resources-requests-missing', 'none', [dep(container(requests={}, limits={})), *WEB], 1),
    ('resources-requests-missing', 'memory only', [dep(container(requests={'memory': '1Gi'}, limits={'memory': '1Gi'})), *WEB], 1),
    ('resources-requests-missing', 'init container', [dep(tkw={'init_containers': (init_container(requests={}, limits={}),)}), *WEB], 1),
    ('resources-requests-missing', 'limits copied to requests', [dep(container(requests={}, limits={'cpu': '1', 'memory': '1Gi'})), *WEB], 0),
    ('resources-requests-missing', 'limitrange default', [dep(container(requests={}, limits={})), *WEB, limitrange(default_request={'cpu': '100m'}, default={'memory': '256Mi'})], 0),
    ('resources-requests-missing', 'limitrange in other namespace', [dep(container(requests={}, limits={})), *WEB, limitrange(namespace='other', default_request={'cpu': '1', 'memory': '1Gi'})], 1),
    ('resources-limits-missing', 'no memory limit', [dep(container(limits={'cpu': '1'})), *WEB], 1),
    ('resources-limits-missing', 'limitrange max becomes default limit', [dep(container(limits={})), *WEB, limitrange(max={'memory': '1Gi'})], 0),
    ('labels-missing', 'no name label', [dep(meta_kw={'labels': {}}, tkw={'labels': {'tier': 'web'}}), pdb(match={'tier': 'web'})], 1),
    ('labels-missing', 'app label on template', [dep(meta_kw={'labels': {}}, tkw={'labels': {'app': 'web'}}), pdb(match={'app': 'web'})], 0),
    ('annotations-missing', 'none', [dep(meta_kw={'annotations': {}}), *WEB], 1),
    ('annotations-missing', 'owner missing', [dep(meta_kw={'annotations': {'description': 'x'}}), *WEB], 1),
    ('annotations-missing', 'prefixed keys count', [dep(meta_kw={'annotations': {'a8r.io/description': 'x', 'a8r.io/owner': 'y'}}), *WEB], 0),
    ('annotations-missing', 'team counts as owner', [dep(meta_kw={'annotations': {'Description': 'x', 'team': 'y'}}), *WEB], 0),
    ('graceful-shutdown-missing', 'no preStop', [dep(container(pre_stop=False)), *WEB], 1),
    ('graceful-shutdown-missing', 'grace too short', [dep(tkw={'termination_grace_period': 2}), *WEB], 1),
    ('graceful-shutdown-missing', 'not serving', [dep(container(pre_stop=False, ports=(), port_names=())), *WEB], 0),
    ('graceful-shutdown-missing', 'job', [workload('Job', template=template(container(pre_stop=False)))], 0),
    ('termination-message-missing', 'default File', [dep(container(termination_message_policy='')), *WEB], 1),
    ('termination-message-missing', 'init containers not checked', [dep(tkw={'init_containers': (init_container(termination_message_policy=''),)}), *WEB], 0),
    ('pod-naked', 'bare pod', [pod(owner=None)], 1),
    ('pod-naked', 'owned pod', [dep(), *WEB, pod()], 0),
    ('statefulset-no-volume', 'none', [workload('StatefulSet', volume_claim_templates=0), *WEB], 1),
    ('statefulset-no-volume', 'has claims', [workload('StatefulSet'), *WEB], 0),
    ('replicas-single', 'one replica', [workload(desired=1, available=1, ready=1)], 1),
    ('replicas-single', 'replicas omitted defaults to 1', [workload(replicas_set=False, desired=1, available=1)], 1),
    ('replicas-single', 'HPA scales it', [workload(desired=1, available=1), hpa(), *WEB], 0),
    ('replicas-single', 'scaled to zero', [workload(desired=0, available=0)], 0),
    ('replicas-single', 'statefulset', [workload('StatefulSet', desired=1, available=1)], 0),
    ('workload-unavailable', 'short', [workload(available=1), *WEB], 1),
    ('workload-unavailable', 'deadline exceeded', [workload(conditions=(Condition('Progressing', 'False', 'ProgressDeadlineExceeded', 'ReplicaSet web-1 has timed out'),)), *WEB], 1),
    ('workload-unavailable', 'manifest without status', [workload(available=0, has_status=False), *WEB], 0),
    ('workload-unavailable', 'daemonset healthy', [workload('DaemonSet')], 0),
    ('job-failed', 'job failed', [workload('Job', job_failed=True, conditions=(Condition('Failed', 'True', 'BackoffLimitExceeded'),))], 1),
    ('job-failed', 'job complete', [workload('Job', job_complete=True, succeeded=1)], 0),
    ('job-failed', 'cronjob last run failed', [workload('CronJob', name='report'), workload('Job', name='report-2', job_failed=True, meta_kw={'created': NOW, 'owners': (OwnerRef('CronJob', 'report', 'u', True),)}), workload('Job', name='report-1', job_complete=True, meta_kw={'created': OLD, 'owners': (OwnerRef('CronJob', 'report', 'u', True),)})], 1),
    ('job-failed', 'cronjob recovered after a failure', [workload('CronJob', name='report'), workload('Job', name='report-2', job_complete=True, meta_kw={'created': NOW, 'owners': (OwnerRef('CronJob', 'report', 'u', True),)}), workload('Job', name='report-1', job_failed=True, meta_kw={'created': OLD, 'owners': (OwnerRef('CronJob', 'report', 'u', True),)})], 0),
    ('pdb-missing', 'three replicas', [workload()], 1),
    ('pdb-missing', 'hpa min 2', [workload(desired=1, available=1), hpa()], 1),
    ('pdb-missing', 'pdb selects it', [workload(), pdb()], 0),
    ('pdb-missing', 'pdb selects other pods', [workload(), pdb(match={'app': 'other'})], 1),
    ('quota-requests-missing', 'quota needs cpu', [dep(container(requests={'memory': '1Gi'}, limits={'memory': '1Gi'})), *WEB, quota('compute', quota_item('requests.cpu', '1', '10'))], 1),
    ('quota-requests-missing', 'quota needs memory limit', [dep(container(limits={})), *WEB, quota('compute', quota_item('limits.memory', '1Gi', '10Gi'))], 1),
    ('quota-requests-missing', 'init container counts', [dep(tkw={'init_containers': (init_container(requests={}, limits={}),)}), *WEB, quota('compute', quota_item('cpu', '1', '10'))], 1),
    ('quota-requests-missing', 'limitrange default satisfies', [dep(container(requests={}, limits={})), *WEB, quota('compute', quota_item('requests.cpu', '1', '10'), quota_item('limits.memory', '1Gi', '4Gi')), limitrange(default={'cpu': '500m', 'memory': '512Mi'})], 0),
    ('quota-requests-missing', 'pod-count quota only', [dep(container(requests={}, limits={})), *WEB, quota('objects', quota_item('pods', '3', '10'), quota_item('requests.storage', '1Gi', '10Gi'))], 0),
    ('security-privileged', 'privileged container', [dep(container(privileged=True)), *WEB], 1),
    ('security-privileged', 'host network', [dep(tkw={'host_network': True}), *WEB], 1),
    ('security-privileged', 'privileged false', [dep(container(privileged=False)), *WEB], 0),
    ('security-root', 'nothing set', [dep(container(run_as_non_root=None)), *WEB], 1),
    ('security-root', 'uid 0', [dep(container(run_as_user=0)), *WEB], 1),
    ('security-root', 'container overrides pod', [dep(container(run_as_non_root=False), tkw={'run_as_non_root': True}), *WEB], 1),
    ('security-root', 'pod-level non-root', [dep(container(run_as_non_root=None), tkw={'run_as_non_root': True}), *WEB], 0),
    ('security-root', 'non-zero uid', [dep(container(run_as_non_root=None, run_as_user=10001)), *WEB], 0),
    ('security-privilege-escalation', 'unset', [dep(container(allow_privilege_escalation=None)), *WEB], 1),
    ('security-privilege-escalation', 'false', [dep(container(allow_privilege_escalation=False)), *WEB], 0),
    ('pod-crashloop', 'crash loop', [dep(), *WEB, pod(containers=(crashing(),))], 1),
    ('pod-crashloop', 'three pods roll up to one finding', [dep(), *WEB, *(pod(f'web-{i}', containers=(crashing(),)) for i in range(3))], 1),
    ('pod-crashloop', 'sidecar init container', [dep(), *WEB, pod(spec=template(init_containers=(init_container('proxy', restart_policy='Always'),)), init_containers=(replace(crashing('proxy'), init=True),))], 1),
    ('pod-crashloop', 'restarted but running', [dep(), *WEB, pod(containers=(running(restart_count=3),))], 0),
    ('pod-oomkilled', 'last termination', [dep(), *WEB, pod(containers=(running(last_termination=ContainerState('terminated', reason='OOMKilled', exit_code=137)),))], 1),
    ('pod-oomkilled', 'other exit', [dep(), *WEB, pod(containers=(running(last_termination=ContainerState('terminated', reason='Error', exit_code=1)),))], 0),
    ('pod-restarts-high', 'at threshold', [dep(), *WEB, pod(containers=(running(restart_count=5),))], 1),
    ('pod-restarts-high', 'below threshold', [dep(), *WEB, pod(containers=(running(restart_count=4),))], 0),
    ('pod-image-pull-failing', 'backoff', [dep(), *WEB, pod(phase='Pending', containers=(waiting('app', 'ImagePullBackOff', 'Back-off pulling image'),))], 1),
    ('pod-image-pull-failing', 'container creating', [dep(), *WEB, pod(phase='Pending', containers=(waiting('app', 'ContainerCreating'),))], 0),
    ('init-container-stuck', 'init crash loop', [dep(), *WEB, pod(phase='Pending', meta_kw={'created': FRESH}, spec=template(init_containers=(init_container(),)), init_containers=(replace(crashing('migrate'), init=True),), containers=(waiting('app', 'PodInitializing'),))], 1),
    ('init-container-stuck', 'init running too long', [dep(), *WEB, pod(phase='Pending', meta_kw={'created': OLD}, spec=template(init_containers=(init_container(),)), init_containers=(ContainerStatus('migrate', init=True, state=ContainerState('running')),), containers=(waiting('app', 'PodInitializing'),))], 1),
    ('init-container-stuck', 'init just started', [dep(), *WEB, pod(phase='Pending', meta_kw={'created': FRESH}, spec=template(init_containers=(init_container(),)), init_containers=(ContainerStatus('migrate', init=True, state=ContainerState('running')),))], 0),
    ('init-container-stuck', 'init done, pod running', [dep(), *WEB, pod(init_containers=(ContainerStatus('migrate', init=True, state=ContainerState('terminated', reason='Completed', exit_code=0)),))], 0),
    ('pod-pending-long', 'unschedulable', [dep(), *WEB, pod(phase='Pending', meta_kw={'created': OLD}, containers=(), conditions=(Condition('PodScheduled', 'False', 'Unschedulable', '0/3 nodes are available: 3 Insufficient cpu.'),))], 1),
    ('pod-pending-long', 'pending briefly', [dep(), *WEB, pod(phase='Pending', meta_kw={'created': FRESH}, containers=())], 0),
    ('pod-not-ready', 'not ready long', [dep(), *WEB, pod(containers=(running(ready=False),), conditions=(Condition('Ready', 'False', last_transition=OLD),))], 1),
    ('pod-not-ready', 'not ready briefly', [dep(), *WEB, pod(containers=(running(ready=False),), conditions=(Condition('Ready', 'False', last_transition=FRESH),))], 0),
    ('pod-pending-long', 'explained by image pull', [dep(), *WEB, pod(phase='Pending', meta_kw={'created': OLD}, containers=(waiting('app', 'ErrImagePull'),))], 0),
    ('pod-not-ready', 'explained by crash loop', [dep(), *WEB, pod(containers=(crashing(),), conditions=(Condition('Ready', 'False', last_transition=OLD),))], 0),
    ('hpa-at-max', 'at max', [dep(), *WEB, hpa(current_replicas=10, desired_replicas=12)], 1),
    ('hpa-at-max', 'at max but wants fewer', [dep(), *WEB, hpa(current_replicas=10, desired_replicas=8)], 0),
    ('hpa-at-max', 'min equals max', [dep(), *WEB, hpa(min_replicas=3, max_replicas=3, current_replicas=3, desired_replicas=3)], 0),
    ('hpa-metrics-unavailable', 'scaling inactive', [dep(), *WEB, hpa(conditions=(Condition('ScalingActive', 'False', 'FailedGetResourceMetric', 'unable to get metrics'),))], 1),
    ('hpa-metrics-unavailable', 'metric unknown', [dep(), *WEB, hpa(metrics=(HpaMetric('Resource', 'cpu', '70%', None, 'Utilization'),))], 1),
    ('hpa-metrics-unavailable', 'scaling disabled on purpose', [dep(), *WEB, hpa(conditions=(Condition('ScalingActive', 'False', 'ScalingDisabled'),))], 0),
    ('hpa-metrics-unavailable', 'manifest without status', [dep(), *WEB, hpa(has_status=False, metrics=(HpaMetric('Resource', 'cpu', '70%', None, 'Utilization'),), conditions=())], 0),
    ('hpa-target-missing', 'missing', [hpa(target='nope')], 1),
    ('hpa-target-missing', 'present', [dep(), *WEB, hpa()], 0),
    ('hpa-target-no-requests', 'no cpu request', [dep(container(requests={'memory': '1Gi'}, limits={'memory': '1Gi'})), *WEB, hpa()], 1),
    ('hpa-target-no-requests', 'cpu limit becomes request', [dep(container(requests={'memory': '1Gi'}, limits={'cpu': '1', 'memory': '1Gi'})), *WEB, hpa()], 0),
    ('hpa-target-no-requests', 'average value metric', [dep(container(requests={'memory': '1Gi'}, limits={'memory': '1Gi'})), *WEB, hpa(metrics=(HpaMetric('Resource', 'cpu', '500m', '200m', 'AverageValue'),))], 0),
    ('hpa-min-equals-max', 'equal', [dep(), *WEB, hpa(min_replicas=4, max_replicas=4, current_replicas=4, desired_replicas=4)], 1),
    ('hpa-min-equals-max', 'different', [dep(), *WEB, hpa()], 0),
    ('quota-near-limit', '80 percent', [quota('compute', quota_item('requests.cpu', '3200m', '4'))], 1),
    ('quota-near-limit', 'two items', [quota('compute', quota_item('requests.cpu', '3900m', '4'), quota_item('pods', '9', '10'))], 2),
    ('quota-near-limit', '79 percent', [quota('compute', quota_item('requests.cpu', '3160m', '4'))], 0),
    ('quota-near-limit', 'hard zero', [quota('compute', quota_item('pods', '0', '0'))], 0),
]
# fmt: on


@pytest.mark.parametrize(
    ("rule", "case", "records", "expected"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES]
)
def test_rule(rule: str, case: str, records: list[Any], expected: int) -> None:
    report = evaluate(snapshot(*records), now=NOW)
    found = [f for f in report.findings if f.rule == rule]
    assert len(found) == expected, [f.message for f in found]


def test_pending_defers_to_the_more_specific_rule() -> None:
    stuck = pod(phase="Pending", meta_kw={"created": OLD}, containers=(waiting("app", "ErrImagePull"),))
    both = HealthConfig(only=frozenset({"pod-pending-long", "pod-image-pull-failing"}))
    report = evaluate(snapshot(dep(), *WEB, stuck), both, now=NOW)
    assert [f.rule for f in report.findings] == ["pod-image-pull-failing"]
    alone = evaluate(
        snapshot(dep(), *WEB, stuck), HealthConfig(only=frozenset({"pod-pending-long"})), now=NOW
    )
    assert [f.rule for f in alone.findings] == ["pod-pending-long"]


def _all_cases() -> list[tuple[str, str, Any, int]]:
    """CASES plus every `*_CASES` table of the other tests/health/test_rules_*.py modules (the usage
    rules' cases need metrics, the security and reliability rules have their own files)."""
    import importlib
    import pkgutil
    from pathlib import Path

    cases: list[tuple[str, str, Any, int]] = list(CASES)
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("test_rules_"):
            module = importlib.import_module(f"{__package__}.{info.name}")
            for name, value in vars(module).items():
                if name.endswith("_CASES") and isinstance(value, list):
                    cases += value
    return cases


def test_every_rule_has_a_firing_case_and_a_near_miss() -> None:
    cases = _all_cases()
    fires = {c[0] for c in cases if c[3] > 0}
    misses = {c[0] for c in cases if c[3] == 0}
    assert set(RULES) - fires == set()
    assert set(RULES) - misses == set()


def test_clean_baseline_has_no_findings() -> None:
    records = [
        workload(),
        pdb(),
        workload("StatefulSet", name="db"),
        pdb("db", {"app.kubernetes.io/name": "web"}),
        workload("Job", name="batch", job_complete=True),
        pod(),
        hpa(),
        quota("compute", quota_item("requests.cpu", "1", "10")),
    ]
    report = evaluate(snapshot(*records), now=NOW)
    assert [f.message for f in report.findings] == []
    assert report.score == 100.0
    assert report.grade == "A"


def test_quota_near_limit_escalates_to_error() -> None:
    report = evaluate(snapshot(quota("compute", quota_item("requests.cpu", "3800m", "4"))), now=NOW)
    (finding,) = report.findings
    assert finding.severity.label == "error"
    assert "requests.cpu uses 3800m of 4 (95%)" in finding.message


def test_messages_name_object_and_container() -> None:
    report = evaluate(
        snapshot(dep(container("nginx", image="nginx")), pdb()),
        HealthConfig(only=frozenset({"image-tag-latest"})),
    )
    (finding,) = report.findings
    assert finding.container == "nginx"
    assert finding.message == "Deployment shop/web, container nginx uses image 'nginx' with no tag"
    assert (finding.kind, finding.namespace, finding.name) == ("Deployment", "shop", "web")
    assert finding.why
    assert finding.fix


def test_metadata_is_complete() -> None:
    for rule in RULES.values():
        assert rule.why.endswith("."), rule.id
        assert rule.fix, rule.id
        assert rule.fires, rule.id
