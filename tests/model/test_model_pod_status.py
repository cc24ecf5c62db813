"""STATUS / READY / RESTARTS of `build_pod`, case by case against kubectl's printPod rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kdash.model.build import build_pod, restart_records, restarts_text

NOW = datetime(2026, 11, 29, 18, 40, 14, tzinfo=UTC)


def running(ready: bool = True, restarts: int = 0, name: str = "app", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "state": {"running": {"startedAt": "2026-11-29T18:00:00Z"}},
        "ready": ready,
        "started": True,
        "restartCount": restarts,
        **extra,
    }


def waiting(reason: str, restarts: int = 0, name: str = "app", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "state": {"waiting": {"reason": reason}},
        "ready": False,
        "restartCount": restarts,
        **extra,
    }


def terminated(
    reason: str = "", exit_code: int = 0, signal: int = 0, name: str = "app", restarts: int = 0
) -> dict[str, Any]:
    term: dict[str, Any] = {"exitCode": exit_code, "finishedAt": "2026-11-29T18:30:00Z"}
    if reason:
        term["reason"] = reason
    if signal:
        term["signal"] = signal
    return {"name": name, "state": {"terminated": term}, "ready": False, "restartCount": restarts}


def pod(
    containers: list[dict[str, Any]] | None = None,
    inits: list[dict[str, Any]] | None = None,
    phase: str = "Running",
    n_containers: int | None = None,
    init_specs: list[dict[str, Any]] | None = None,
    conditions: list[dict[str, Any]] | None = None,
    deleting: bool = False,
    reason: str = "",
) -> dict[str, Any]:
    containers = containers or []
    n = n_containers if n_containers is not None else max(len(containers), 1)
    spec: dict[str, Any] = {"containers": [{"name": f"c{k}", "image": "nginx"} for k in range(n)]}
    if init_specs is not None:
        spec["initContainers"] = init_specs
    status: dict[str, Any] = {"phase": phase, "containerStatuses": containers}
    if inits is not None:
        status["initContainerStatuses"] = inits
    if conditions is not None:
        status["conditions"] = conditions
    if reason:
        status["reason"] = reason
    md: dict[str, Any] = {"name": "p", "namespace": "ns", "creationTimestamp": "2026-11-29T18:00:00Z"}
    if deleting:
        md["deletionTimestamp"] = "2026-11-29T18:39:00Z"
    return {"metadata": md, "spec": spec, "status": status}


def plain_inits(n: int) -> list[dict[str, Any]]:
    return [{"name": f"init{k}", "image": "busybox"} for k in range(n)]


def sidecar(name: str = "proxy") -> dict[str, Any]:
    return {"name": name, "image": "envoy", "restartPolicy": "Always"}


READY_TRUE = [{"type": "Ready", "status": "True"}]
READY_FALSE = [{"type": "Ready", "status": "False"}]
INITIALIZED = [{"type": "Initialized", "status": "True"}]

CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("running", pod([running()]), "Running", "1/1"),
    ("running not ready", pod([running(ready=False)]), "Running", "0/1"),
    (
        "pending without status",
        {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}},
        "",
        "0/1",
    ),
    ("pending phase only", pod([], phase="Pending"), "Pending", "0/1"),
    ("container creating", pod([waiting("ContainerCreating")], phase="Pending"), "ContainerCreating", "0/1"),
    ("crashloop", pod([waiting("CrashLoopBackOff", restarts=4)]), "CrashLoopBackOff", "0/1"),
    ("image pull backoff", pod([waiting("ImagePullBackOff")], phase="Pending"), "ImagePullBackOff", "0/1"),
    ("err image pull", pod([waiting("ErrImagePull")], phase="Pending"), "ErrImagePull", "0/1"),
    ("oom killed now", pod([terminated("OOMKilled", 137)], phase="Failed"), "OOMKilled", "0/1"),
    (
        "oom killed before, running again",
        pod([{**running(restarts=1), "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]),
        "Running",
        "1/1",
    ),
    ("completed", pod([terminated("Completed", 0)], phase="Succeeded"), "Completed", "0/1"),
    ("error", pod([terminated("Error", 1)], phase="Failed"), "Error", "0/1"),
    ("exit code without reason", pod([terminated("", 3)], phase="Failed"), "ExitCode:3", "0/1"),
    ("signal without reason", pod([terminated("", 137, signal=9)], phase="Failed"), "Signal:9", "0/1"),
    ("waiting without reason keeps phase", pod([{"name": "a", "state": {"waiting": {}}}]), "Running", "0/1"),
    (
        "first container's reason wins",
        pod([waiting("CrashLoopBackOff", name="a"), waiting("ImagePullBackOff", name="b")]),
        "CrashLoopBackOff",
        "0/2",
    ),
    (
        "completed with a running container and Ready",
        pod([running(name="a"), terminated("Completed", name="b")], conditions=READY_TRUE),
        "Running",
        "1/2",
    ),
    (
        "completed with a running container, not Ready",
        pod([running(name="a"), terminated("Completed", name="b")], conditions=READY_FALSE),
        "NotReady",
        "1/2",
    ),
    (
        "init 0/2 while the first init container runs",
        pod(
            [waiting("PodInitializing")],
            phase="Pending",
            init_specs=plain_inits(2),
            inits=[running(False, name="init0"), waiting("PodInitializing", name="init1")],
        ),
        "Init:0/2",
        "0/1",
    ),
    (
        "init 1/2 after the first one succeeded",
        pod(
            [],
            phase="Pending",
            init_specs=plain_inits(2),
            inits=[terminated("Completed", name="init0"), running(False, name="init1")],
        ),
        "Init:1/2",
        "0/1",
    ),
    (
        "init crashloop",
        pod(
            [],
            phase="Pending",
            init_specs=plain_inits(2),
            inits=[waiting("CrashLoopBackOff", 3, name="init0")],
        ),
        "Init:CrashLoopBackOff",
        "0/1",
    ),
    (
        "init error",
        pod([], phase="Pending", init_specs=plain_inits(1), inits=[terminated("Error", 1, name="init0")]),
        "Init:Error",
        "0/1",
    ),
    (
        "init exit code",
        pod([], phase="Pending", init_specs=plain_inits(1), inits=[terminated("", 2, name="init0")]),
        "Init:ExitCode:2",
        "0/1",
    ),
    (
        "init signal",
        pod([], phase="Pending", init_specs=plain_inits(1), inits=[terminated("", 137, 9, name="init0")]),
        "Init:Signal:9",
        "0/1",
    ),
    (
        "all init done, app running",
        pod([running()], init_specs=plain_inits(1), inits=[terminated("Completed", name="init0")]),
        "Running",
        "1/1",
    ),
    (
        # kubectl keeps the init text when the app containers add no reason of their own
        "Initialized=True with a stale init status, app running",
        pod(
            [running()],
            init_specs=plain_inits(1),
            inits=[waiting("PodInitializing", name="init0")],
            conditions=INITIALIZED,
        ),
        "Init:0/1",
        "1/1",
    ),
    (
        "Initialized=True lets the app containers' reason through",
        pod(
            [waiting("CrashLoopBackOff")],
            init_specs=plain_inits(1),
            inits=[waiting("PodInitializing", name="init0")],
            conditions=INITIALIZED,
        ),
        "CrashLoopBackOff",
        "0/1",
    ),
    ("terminating", pod([running()], deleting=True), "Terminating", "1/1"),
    ("terminating pending", pod([], phase="Pending", deleting=True), "Terminating", "0/1"),
    (
        "deleted but already completed",
        pod([terminated("Completed")], phase="Succeeded", deleting=True),
        "Completed",
        "0/1",
    ),
    (
        "deleted but already failed",
        pod([terminated("Error", 1)], phase="Failed", deleting=True),
        "Error",
        "0/1",
    ),
    ("node lost", pod([running()], deleting=True, reason="NodeLost"), "Unknown", "1/1"),
    ("node lost without deletion", pod([running()], reason="NodeLost"), "NodeLost", "1/1"),
    ("evicted", pod([], phase="Failed", reason="Evicted"), "Evicted", "0/1"),
    (
        "scheduling gated",
        pod(
            [],
            phase="Pending",
            conditions=[{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}],
        ),
        "SchedulingGated",
        "0/1",
    ),
    (
        "native sidecar started and ready counts in READY",
        pod([running()], init_specs=[sidecar()], inits=[running(name="proxy")], conditions=READY_TRUE),
        "Running",
        "2/2",
    ),
    (
        "native sidecar not started yet",
        pod(
            [waiting("PodInitializing")],
            phase="Pending",
            init_specs=[sidecar()],
            inits=[waiting("PodInitializing", name="proxy")],
        ),
        "Init:0/1",
        "0/2",
    ),
    (
        "native sidecar started, regular init after it running",
        pod(
            [],
            phase="Pending",
            init_specs=[sidecar(), {"name": "migrate"}],
            inits=[running(name="proxy"), running(False, name="migrate")],
        ),
        "Init:1/2",
        "1/2",
    ),
    (
        "native sidecar crashlooping before it ever started",
        pod(
            [],
            phase="Pending",
            init_specs=[sidecar()],
            inits=[waiting("CrashLoopBackOff", 2, name="proxy", started=False)],
        ),
        "Init:CrashLoopBackOff",
        "0/2",
    ),
]


@pytest.mark.parametrize(("case", "obj", "status", "ready"), CASES, ids=[c[0] for c in CASES])
def test_status_and_ready(case: str, obj: dict[str, Any], status: str, ready: str) -> None:
    record = build_pod(obj)
    assert record.status_text == status
    assert record.ready_text == ready


def test_restarts_sum_app_containers_once_initialized() -> None:
    record = build_pod(
        pod(
            [running(restarts=2, name="a"), waiting("CrashLoopBackOff", restarts=5, name="b")],
            init_specs=plain_inits(1),
            inits=[terminated("Completed", name="init0", restarts=9)],
        )
    )
    # kubectl counts init restarts only while the pod is still initializing
    assert record.restarts == 7


def test_restarts_while_initializing_count_init_containers() -> None:
    record = build_pod(
        pod(
            [],
            phase="Pending",
            init_specs=plain_inits(2),
            inits=[waiting("CrashLoopBackOff", 6, name="init0")],
        )
    )
    assert record.restarts == 6
    assert record.status_text == "Init:CrashLoopBackOff"


def test_sidecar_restarts_count_after_init() -> None:
    record = build_pod(
        pod(
            [running(restarts=1)],
            init_specs=[sidecar()],
            inits=[running(name="proxy", restarts=3)],
            conditions=READY_TRUE,
        )
    )
    assert record.restarts == 4


def _last_state(finished: str) -> dict[str, Any]:
    return {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": finished}}


def test_last_restart_is_newest_finish_and_reads_like_kubectl() -> None:
    record = build_pod(
        pod(
            [
                {**running(restarts=1, name="a"), "lastState": _last_state("2026-11-29T18:30:00Z")},
                {
                    **waiting("CrashLoopBackOff", 6, name="b"),
                    "lastState": _last_state("2026-11-29T18:38:54Z"),
                },
            ]
        )
    )
    assert record.last_restart == datetime(2026, 11, 29, 18, 38, 54, tzinfo=UTC)
    assert restarts_text(record, NOW) == "7 (80s ago)"


def test_restarts_text_without_time_is_just_the_count() -> None:
    assert restarts_text(build_pod(pod([waiting("CrashLoopBackOff", 3)])), NOW) == "3"
    assert restarts_text(build_pod(pod([running()])), NOW) == "0"


def test_restart_records_one_per_restarted_or_crashlooping_container() -> None:
    obj = pod(
        [
            running(name="ok"),
            {**running(restarts=2, name="flaky"), "lastState": _last_state("2026-11-29T18:30:00Z")},
            waiting("CrashLoopBackOff", 0, name="fresh-crash"),
        ],
        init_specs=plain_inits(1),
        inits=[terminated("Completed", name="init0", restarts=1)],
    )
    obj["metadata"]["ownerReferences"] = [
        {"kind": "ReplicaSet", "name": "web-abc", "uid": "u", "controller": True}
    ]
    obj["metadata"]["labels"] = {"pod-template-hash": "abc"}
    records = restart_records(build_pod(obj))
    by_name = {r.container: r for r in records}
    assert set(by_name) == {"init0", "flaky", "fresh-crash"}
    assert by_name["flaky"].restarts == 2
    assert by_name["flaky"].state_text == "Running"
    assert by_name["flaky"].last_reason == "Error"
    assert by_name["flaky"].last_exit_code == 1
    assert by_name["fresh-crash"].state_text == "CrashLoopBackOff"
    assert by_name["init0"].state_text == "Completed"
    assert all(r.workload is not None and r.workload.kind == "Deployment" for r in records)
    assert all(r.workload is not None and r.workload.name == "web" for r in records)
