"""Runtime rules: read each pod's live status; findings roll up to the owning workload.

They see what static linters cannot (crash loops with their crash logs, OOM kills, pods stuck in
Pending). Offline, they fire only where a manifest carries a `status`.
"""

from __future__ import annotations

from collections.abc import Iterator

from kdash.health.context import Ctx
from kdash.health.registry import Hit, Rule, pod_rule
from kdash.model.findings import Severity
from kdash.model.pods import ContainerStatus, PodRecord, last_exit_text

ERR, WARN = Severity.ERROR, Severity.WARNING
PULL_FAILURES = frozenset({"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"})
MAX_DETAIL = 160


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def _sidecars(pod: PodRecord) -> frozenset[str]:
    """Init containers with restartPolicy Always run for the pod's whole life, like app containers."""
    return frozenset(c.name for c in pod.spec.init_containers if c.restart_policy == "Always")


def _app_statuses(pod: PodRecord) -> list[ContainerStatus]:
    sidecars = _sidecars(pod)
    return [s for s in pod.init_containers if s.name in sidecars] + list(pod.containers)


def _crash_log_tail(ctx: Ctx, pod: PodRecord, container: str) -> str:
    lines = ctx.crash_logs.get((pod.meta.namespace, pod.meta.name, container), ())
    for line in reversed(lines):
        if line.strip():
            return f"; last log line: {_short(line)}"
    return ""


@pod_rule(
    Rule(
        "pod-crashloop",
        ERR,
        "pod",
        "runtime",
        "a container is in CrashLoopBackOff",
        "The pod exists, so replica counts look right and no controller acts, but the container "
        "serves nothing and restarts with ever longer back-off.",
        "Read the previous container's logs (`kubectl logs POD -c CONTAINER --previous`, or the kdash "
        "Restarts pane) and the last exit code; fix the crash, the config it reads, or its probes.",
    )
)
def pod_crashloop(ctx: Ctx, pod: PodRecord) -> Iterator[Hit]:
    for s in _app_statuses(pod):
        if s.state.state == "waiting" and s.state.reason == "CrashLoopBackOff":
            yield Hit(
                f"pod {pod.meta.name}, container {s.name} is in CrashLoopBackOff ({s.restart_count} "
                f"restarts{last_exit_text(s)}){_crash_log_tail(ctx, pod, s.name)}",
                s.name,
            )


@pod_rule(
    Rule(
        "pod-oomkilled",
        ERR,
        "pod",
        "runtime",
        "a container's last termination (or current state) is OOMKilled",
        "The container used more memory than its limit: the limit is too low for the load, or it leaks.",
        "Compare usage with the limit; raise `resources.limits.memory` (and the request), or fix the leak.",
    )
)
def pod_oomkilled(_ctx: Ctx, pod: PodRecord) -> Iterator[Hit]:
    limits = {c.name: c.limits.get("memory", "") for c in pod.spec.containers + pod.spec.init_containers}
    for s in pod.init_containers + pod.containers:
        current = s.state.state == "terminated" and s.state.reason == "OOMKilled"
        last = s.last_termination is not None and s.last_termination.reason == "OOMKilled"
        if current or last:
            limit = f" (memory limit {limits[s.name]})" if limits.get(s.name) else ""
            yield Hit(f"pod {pod.meta.name}, container {s.name} was OOMKilled{limit}", s.name)


@pod_rule(
    Rule(
        "pod-restarts-high",
        WARN,
        "pod",
        "runtime",
        "a container has restarted at least `restarts_threshold` times (default 5)",
        "A container that keeps restarting drops requests and loses in-memory state each time.",
        "Check the last termination reason and the previous logs; fix crashes, OOM kills or failing "
        "liveness probes.",
        config=("restarts_threshold",),
    )
)
def pod_restarts_high(ctx: Ctx, pod: PodRecord) -> Iterator[Hit]:
    for s in pod.init_containers + pod.containers:
        if s.restart_count >= ctx.config.restarts_threshold:
            yield Hit(
                f"pod {pod.meta.name}, container {s.name} restarted {s.restart_count} times{last_exit_text(s)}",
                s.name,
            )


def _pull_failures(pod: PodRecord) -> list[ContainerStatus]:
    return [
        s
        for s in pod.init_containers + pod.containers
        if s.state.state == "waiting" and s.state.reason in PULL_FAILURES
    ]


@pod_rule(
    Rule(
        "pod-image-pull-failing",
        ERR,
        "pod",
        "runtime",
        "a container is waiting with ErrImagePull, ImagePullBackOff, InvalidImageName or ErrImageNeverPull",
        "The container cannot start at all.",
        "Check the image name and tag exist, and that the pod's imagePullSecrets can read the registry.",
    )
)
def pod_image_pull_failing(_ctx: Ctx, pod: PodRecord) -> Iterator[Hit]:
    for s in _pull_failures(pod):
        detail = f": {_short(s.state.message)}" if s.state.message else ""
        image = f" image {s.image!r}" if s.image else ""
        yield Hit(f"pod {pod.meta.name}, container {s.name}{image} {s.state.reason}{detail}", s.name)


def _init_stuck(ctx: Ctx, pod: PodRecord) -> Hit | None:
    """The first unfinished init container, if it is failing or has been running too long."""
    if pod.phase != "Pending":
        return None
    sidecars = _sidecars(pod)
    for s in pod.init_containers:
        st = s.state
        if s.name in sidecars or (st.state == "terminated" and st.exit_code == 0):
            continue
        if st.state == "waiting" and st.reason in PULL_FAILURES:
            return None  # pod-image-pull-failing says it better
        failing = (st.state == "waiting" and st.reason == "CrashLoopBackOff") or (
            st.state == "terminated" and st.exit_code not in (None, 0)
        )
        waited = ctx.minutes_since(pod.meta.created)
        if failing:
            return Hit(f"pod {pod.meta.name}, init container {s.name} is failing{last_exit_text(s)}", s.name)
        if waited is not None and waited > ctx.config.pending_minutes:
            return Hit(
                f"pod {pod.meta.name}, init container {s.name} has not completed after {waited:.0f} min",
                s.name,
            )
        return None
    return None


@pod_rule(
    Rule(
        "init-container-stuck",
        WARN,
        "pod",
        "runtime",
        "a pod is Pending and its current init container is failing, or has not finished within "
        "`pending_minutes` of the pod's creation",
        "The app containers never start while an init container has not succeeded; usually an "
        "ordering dependency (a database, a migration) is not met.",
        "Read the init container's logs (`kubectl logs POD -c INIT`); check what it waits for.",
        config=("pending_minutes",),
    )
)
def init_container_stuck(ctx: Ctx, pod: PodRecord) -> Iterator[Hit]:
    hit = _init_stuck(ctx, pod)
    if hit is not None:
        yield hit


@pod_rule(
    Rule(
        "pod-pending-long",
        WARN,
        "pod",
        "runtime",
        "a pod has been Pending for more than `pending_minutes` (default 5) and no more specific rule "
        "(image pull, init container) explains it",
        "The pod is unschedulable (no node fits its requests, taints, affinity) or stuck before start.",
        "Read the pod's events (FailedScheduling says which constraint fails); lower requests, add "
        "capacity or fix the selector/tolerations.",
        config=("pending_minutes",),
    )
)
def pod_pending_long(ctx: Ctx, pod: PodRecord) -> Iterator[Hit]:
    waited = ctx.minutes_since(pod.meta.created)
    if pod.phase != "Pending" or waited is None or waited <= ctx.config.pending_minutes:
        return
    if (_pull_failures(pod) and ctx.config.is_enabled("pod-image-pull-failing")) or (
        _init_stuck(ctx, pod) is not None and ctx.config.is_enabled("init-container-stuck")
    ):
        return
    scheduled = pod.condition("PodScheduled")
    if scheduled is not None and scheduled.status == "False":
        why = f"unschedulable: {_short(scheduled.message or scheduled.reason)}"
    else:
        why = pod.status_text or pod.reason or "not started"
    yield Hit(f"pod {pod.meta.name} has been Pending for {waited:.0f} min ({why})")


@pod_rule(
    Rule(
        "pod-not-ready",
        WARN,
        "pod",
        "runtime",
        "a pod is Running but not Ready for more than `not_ready_minutes` (default 5), and not because "
        "of a crash loop",
        "Its readiness probe keeps failing, so it takes no traffic and the workload runs short.",
        "Check the readiness probe's endpoint and what it depends on; see the pod's events.",
        config=("not_ready_minutes",),
    )
)
def pod_not_ready(ctx: Ctx, pod: PodRecord) -> Iterator[Hit]:
    ready = pod.condition("Ready")
    if pod.phase != "Running" or pod.meta.deleting or ready is None or ready.status == "True":
        return
    since = ctx.minutes_since(ready.last_transition or pod.start_time or pod.meta.created)
    if since is None or since <= ctx.config.not_ready_minutes:
        return
    if ctx.config.is_enabled("pod-crashloop") and any(pod_crashloop(ctx, pod)):
        return
    waiting = [s.name for s in _app_statuses(pod) if not s.ready]
    container = waiting[0] if len(waiting) == 1 else None
    names = f" (not ready: {', '.join(waiting)})" if waiting else ""
    yield Hit(f"pod {pod.meta.name} has been Running but not Ready for {since:.0f} min{names}", container)
