"""The alert conditions: one record (and `now`) in, the conditions it is in now out.

Pure functions. The little state two conditions need (a crash loop stays open between back-offs;
a restart jump counts restarts seen within a window; an HPA's time at max) is asked of a `Memory`
the engine keeps, so the same record, time and memory always give the same hits. Each check also
says when its answer would change by itself (a pod Pending for 4 of 5 minutes fires in one):
the engine keeps those due times in a heap, so time-based alerts fire without a change to the object.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Protocol

from kdash.alerts.config import AlertsConfig
from kdash.alerts.model import AlertSeverity
from kdash.model.autoscaling import HpaRecord
from kdash.model.cluster import NodeRecord
from kdash.model.meta import ObjectKey
from kdash.model.pods import ContainerStatus, PodRecord, last_exit_text
from kdash.model.quotas import QuotaRecord
from kdash.model.workloads import WorkloadRecord

ERROR, WARNING = AlertSeverity.ERROR, AlertSeverity.WARNING
PULL_FAILURES = frozenset({"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"})
MAX_MESSAGE = 500
# the kinds the engine watches (everything else in a change set is skipped at once)
WATCHED_KINDS = frozenset({"Pod", "Node", "HorizontalPodAutoscaler", "ResourceQuota", "Deployment"})


@dataclass(frozen=True, slots=True)
class Hit:
    """One condition holding on one object (and container). `mark` identifies the occurrence: when it
    changes while the alert is open (a new restart, a new reason), that is a repeat (count + 1)."""

    condition: str
    severity: AlertSeverity
    message: str
    container: str = ""
    mark: Hashable = None
    exit_code: int | None = None
    termination_message: str = ""


@dataclass(slots=True)
class Found:
    """What examining one object gave: its hits, and the earliest time the answer changes by itself."""

    hits: list[Hit] = field(default_factory=list)
    due: datetime | None = None

    def wake(self, when: datetime | None) -> None:
        if when is not None and (self.due is None or when < self.due):
            self.due = when


class Memory(Protocol):
    """What conditions may ask of the engine's state."""

    def is_open(self, alert_id: str) -> bool: ...

    def any_open(self, key: ObjectKey) -> bool:
        """Whether any alert on `key` is open (cheap: no id to build)."""
        ...

    def resolved_at(self, alert_id: str) -> datetime | None:
        """When `alert_id` was resolved, while it is kept as recently resolved (and not open again)."""
        ...

    def restart_jump(
        self, key: ObjectKey, container: str, count: int, now: datetime
    ) -> tuple[int, datetime | None]:
        """Restarts of one container seen within the window, and when that number next falls."""
        ...

    def since(self, alert_id: str, now: datetime) -> datetime:
        """When the engine first saw the (not yet open) condition `alert_id` hold, else `now`."""
        ...

    def forget_since(self, alert_id: str) -> None: ...


def alert_id(condition: str, key: ObjectKey, container: str = "") -> str:
    """Stable for (condition, object, container): the same problem keeps its id across updates."""
    return f"{condition}:{key}/{container}" if container else f"{condition}:{key}"


def short(text: str, limit: int = MAX_MESSAGE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@lru_cache(maxsize=64)
def _minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


# -- pods --------------------------------------------------------------------------------------------


def pod_conditions(pod: PodRecord, key: ObjectKey, now: datetime, cfg: AlertsConfig, memory: Memory) -> Found:
    """`key` is the pod's (the caller has it: building one per pod is a visible cost at 10,000)."""
    found = Found()
    crash_looping = False
    has_open = memory.any_open(key)
    for s in pod.init_containers + pod.containers:
        st = s.state
        if cfg.enabled("RestartJump"):
            jump, falls_at = memory.restart_jump(key, s.name, s.restart_count, now)
        else:
            jump, falls_at = 0, None
        if not has_open and st.state == "running" and s.last_termination is None and jump == 0:
            continue  # the common case, fast: nothing of a container can hold
        looping = cfg.enabled("CrashLoopBackOff") and _crash_loop(
            pod, key, s, now, cfg, memory, found, has_open
        )
        crash_looping = crash_looping or looping
        if cfg.enabled("OOMKilled"):
            _oom(pod, s, found)
        if jump >= cfg.restart_jump and not _restarts_explained(
            key, s, looping, falls_at, now, cfg, memory, found
        ):
            _restart_jump(pod, s, jump, falls_at, cfg, found)
        if cfg.enabled("ImagePull") and st.state == "waiting" and st.reason in PULL_FAILURES:
            image = f" ({s.image})" if s.image else ""
            detail = f": {short(st.message, 200)}" if st.message else ""
            found.hits.append(
                Hit(
                    "ImagePull",
                    ERROR,
                    f"container {s.name} of pod {pod.meta.name} cannot pull its image{image}: {st.reason}{detail}",
                    s.name,
                    mark=st.reason,
                )
            )
    if pod.meta.deleting:
        return found
    if cfg.enabled("PodPending"):
        _pending(pod, now, cfg, found)
    if cfg.enabled("PodUnready") and not crash_looping:
        _unready(pod, now, cfg, found)
    return found


def _restarts_explained(
    key: ObjectKey,
    s: ContainerStatus,
    looping: bool,
    falls_at: datetime | None,
    now: datetime,
    cfg: AlertsConfig,
    memory: Memory,
    found: Found,
) -> bool:
    """A crash loop says it better, while open and for a window after it cleared (the window still
    holds its restarts); then the jump alert waits, and wakes when the quiet time is over or the
    jump falls, whichever comes first."""
    if looping:
        return True
    loop_id = alert_id("CrashLoopBackOff", key, s.name)
    window = _minutes(cfg.restart_window_minutes)
    cleared = now if memory.is_open(loop_id) else memory.resolved_at(loop_id)  # open: resolving now
    if cleared is not None and cleared + window > now:
        found.wake(min(cleared + window, falls_at) if falls_at is not None else cleared + window)
        return True
    return False


def _crash_loop(
    pod: PodRecord,
    key: ObjectKey,
    s: ContainerStatus,
    now: datetime,
    cfg: AlertsConfig,
    memory: Memory,
    found: Found,
    has_open: bool,
) -> bool:
    """In CrashLoopBackOff now, or open and not recovered yet: between back-offs the container runs
    for seconds (not Ready), which must not resolve the alert and open a new one on the next crash."""
    st = s.state
    waiting = st.state == "waiting" and st.reason == "CrashLoopBackOff"
    if not waiting:
        if not has_open or not memory.is_open(alert_id("CrashLoopBackOff", key, s.name)):
            return False
        if pod.phase in ("Succeeded", "Failed") or pod.meta.deleting:
            return False
        if st.state == "running":
            # time, not readiness: a container without a readiness probe is Ready the moment it
            # runs, also between two crashes
            if st.started is not None:
                recovered_at = st.started + _minutes(cfg.crashloop_clear_minutes)
                if recovered_at <= now:
                    return False
                found.wake(recovered_at)
        elif st.state == "terminated" and st.exit_code == 0 and s.init:
            return False  # an init container that finally succeeded
    last = s.last_termination
    message = f"container {s.name} of pod {pod.meta.name} is in CrashLoopBackOff ({s.restart_count} restarts{last_exit_text(s)})"
    term = short(last.message) if last is not None and last.message else ""
    found.hits.append(
        Hit(
            "CrashLoopBackOff",
            ERROR,
            message + (f": {short(term, 200)}" if term else ""),
            s.name,
            mark=s.restart_count,
            exit_code=last.exit_code if last is not None else None,
            termination_message=term,
        )
    )
    return True


def _oom(pod: PodRecord, s: ContainerStatus, found: Found) -> None:
    current = s.state if s.state.state == "terminated" and s.state.reason == "OOMKilled" else None
    last = s.last_termination if s.last_termination and s.last_termination.reason == "OOMKilled" else None
    term = current or last
    if term is None:
        return
    limits = {c.name: c.limits.get("memory", "") for c in pod.spec.containers + pod.spec.init_containers}
    limit = f"; memory limit {limits[s.name]}" if limits.get(s.name) else ""
    code = f"exit code {term.exit_code}" if term.exit_code is not None else "no exit code"
    text = short(term.message)
    found.hits.append(
        Hit(
            "OOMKilled",
            ERROR,
            f"container {s.name} of pod {pod.meta.name} was OOMKilled ({code}{limit})"
            + (f": {short(text, 200)}" if text else ""),
            s.name,
            mark=s.restart_count,
            exit_code=term.exit_code,
            termination_message=text,
        )
    )


def _restart_jump(
    pod: PodRecord, s: ContainerStatus, jump: int, falls_at: datetime | None, cfg: AlertsConfig, found: Found
) -> None:
    found.wake(falls_at)
    window = f"{cfg.restart_window_minutes:g} min"
    found.hits.append(
        Hit(
            "RestartJump",
            WARNING,
            f"container {s.name} of pod {pod.meta.name} restarted {jump} times within {window} "
            f"({s.restart_count} in all{last_exit_text(s)})",
            s.name,
            mark=s.restart_count,
            exit_code=s.last_termination.exit_code if s.last_termination else None,
        )
    )


def _pending(pod: PodRecord, now: datetime, cfg: AlertsConfig, found: Found) -> None:
    if pod.phase != "Pending" or pod.meta.created is None:
        return
    if any(
        s.state.state == "waiting" and s.state.reason in PULL_FAILURES
        for s in pod.init_containers + pod.containers
    ):
        return  # ImagePull says why, better
    fires = pod.meta.created + _minutes(cfg.pending_minutes)
    if fires > now:
        found.wake(fires)
        return
    scheduled = pod.condition("PodScheduled")
    if scheduled is not None and scheduled.status == "False":
        why = f"unschedulable: {short(scheduled.message or scheduled.reason, 200)}"
    else:
        why = pod.status_text or pod.reason or "not started"
    found.hits.append(
        Hit(
            "PodPending", WARNING, f"pod {pod.meta.name} Pending for over {cfg.pending_minutes:g} min ({why})"
        )
    )


def _unready(pod: PodRecord, now: datetime, cfg: AlertsConfig, found: Found) -> None:
    ready = pod.condition("Ready")
    if pod.phase != "Running" or ready is None or ready.status == "True":
        return
    if any(s.state.state == "waiting" and s.state.reason == "CrashLoopBackOff" for s in pod.containers):
        return
    since = ready.last_transition or pod.start_time or pod.meta.created
    if since is None:
        return
    fires = since + _minutes(cfg.unready_minutes)
    if fires > now:
        found.wake(fires)
        return
    waiting = [s.name for s in pod.containers if not s.ready]
    names = f" (not ready: {', '.join(waiting)})" if waiting else ""
    found.hits.append(
        Hit(
            "PodUnready",
            WARNING,
            f"pod {pod.meta.name} Running but not Ready for over {cfg.unready_minutes:g} min{names}",
        )
    )


# -- other kinds -------------------------------------------------------------------------------------


def deployment_conditions(workload: WorkloadRecord, cfg: AlertsConfig) -> Found:
    found = Found()
    progressing = workload.condition("Progressing")
    if (
        cfg.enabled("RolloutStuck")
        and workload.kind == "Deployment"
        and progressing is not None
        and progressing.status == "False"
        and progressing.reason == "ProgressDeadlineExceeded"
    ):
        detail = f": {short(progressing.message, 200)}" if progressing.message else ""
        found.hits.append(
            Hit(
                "RolloutStuck",
                ERROR,
                f"rollout of deployment {workload.meta.name} is stuck ({workload.ready_text or workload.ready} ready; "
                f"ProgressDeadlineExceeded){detail}",
            )
        )
    return found


def hpa_conditions(hpa: HpaRecord, now: datetime, cfg: AlertsConfig, memory: Memory) -> Found:
    found = Found()
    if not cfg.enabled("HpaAtMax"):
        return found
    ident = alert_id("HpaAtMax", hpa.meta.key)
    limited = hpa.condition("ScalingLimited")
    too_many = limited is not None and limited.status == "True" and limited.reason == "TooManyReplicas"
    at_max = hpa.has_status and hpa.max_replicas > 0 and hpa.current_replicas >= hpa.max_replicas
    if not at_max and not too_many:
        memory.forget_since(ident)
        return found
    if not too_many and not memory.is_open(ident):
        since = memory.since(ident, now)
        fires = since + _minutes(cfg.hpa_max_minutes)
        if fires > now:
            found.wake(fires)
            return found
    target = f"{hpa.target_kind.lower()} {hpa.target_name}" if hpa.target_name else "its target"
    why = "ScalingLimited: TooManyReplicas" if too_many else f"for over {cfg.hpa_max_minutes:g} min"
    found.hits.append(
        Hit(
            "HpaAtMax",
            WARNING,
            f"autoscaler {hpa.meta.name} holds {target} at its maximum of {hpa.max_replicas} replicas ({why})",
        )
    )
    return found


def quota_conditions(quota: QuotaRecord, cfg: AlertsConfig) -> Found:
    found = Found()
    if not cfg.enabled("QuotaNearLimit"):
        return found
    full = [
        (item, pct) for item in quota.items if (pct := item.percent) is not None and pct >= cfg.quota_percent
    ]
    if full:
        parts = ", ".join(f"{item.resource} {pct:.0f}% ({item.used} of {item.hard})" for item, pct in full)
        found.hits.append(
            Hit(
                "QuotaNearLimit",
                ERROR,
                f"quota {quota.meta.name} at or above {cfg.quota_percent:g}%: {parts}",
                mark=tuple(sorted(item.resource for item, _ in full)),
            )
        )
    return found


def node_conditions(node: NodeRecord, cfg: AlertsConfig) -> Found:
    found = Found()
    ready = next((c for c in node.conditions if c.type == "Ready"), None)
    if cfg.enabled("NodeNotReady") and ready is not None and ready.status != "True":
        why = short(ready.message or ready.reason, 200)
        found.hits.append(
            Hit(
                "NodeNotReady",
                ERROR,
                f"node {node.meta.name} is NotReady (Ready={ready.status}" + (f": {why})" if why else ")"),
                mark=ready.last_transition,
            )
        )
    return found
