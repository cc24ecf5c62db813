"""Pods: kubectl's READY / STATUS / RESTARTS columns, container states, and restart records.

`_kubectl_columns` follows `printPod` in k8s.io/kubernetes pkg/printers/internalversion/printers.go
(the code behind both `kubectl get pods` and the API server's Table rendering) branch for branch,
including its quirks: init containers are walked in status order and the walk stops at the first
unfinished one; app containers are walked in reverse so the first container's reason wins; native
sidecars (init containers with restartPolicy Always) count towards READY; a deleted pod reads
"Terminating" unless it already finished, or "Unknown" when its node was lost.

This is the hot path of the initial sync (10,000 pods), so it reads dicts directly.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from kdash.model.build._json import NO_DICT, conditions, d, i, lst, opt_i, s, t
from kdash.model.build._records import new_container_state, new_container_status, new_pod
from kdash.model.build.meta import build_meta
from kdash.model.build.owners import POD_TEMPLATE_HASH, resolve_workload
from kdash.model.build.podspec import build_pod_spec
from kdash.model.meta import ObjectKey
from kdash.model.pods import ContainerState, ContainerStatus, PodRecord, PodSpecSummary, RestartRecord
from kdash.model.quantity import try_quantity
from kdash.model.timefmt import format_age
from kdash.model.workloads import WorkloadRecord

_intern = sys.intern
_UNKNOWN_STATE = ContainerState("unknown")
_NO_REPLICASETS: Mapping[ObjectKey, WorkloadRecord] = MappingProxyType({})


def _dict_or_none(x: object) -> Mapping[str, Any] | None:
    """Go's `State.Terminated != nil`: present as an object, even an empty one."""
    return x if isinstance(x, dict) else None


def _later(current: datetime | None, candidate: object) -> datetime | None:
    when = t(candidate)
    if when is None:
        return current
    if current is None or when > current:
        return when
    return current


def _terminated_text(term: Mapping[str, Any], prefix: str) -> str:
    reason = s(term.get("reason"))
    if reason:
        return prefix + reason
    signal = i(term.get("signal"))
    if signal != 0:
        return f"{prefix}Signal:{signal}"
    return f"{prefix}ExitCode:{i(term.get('exitCode'))}"


def _kubectl_columns(
    spec: Mapping[str, Any], status: Mapping[str, Any], deleting: bool
) -> tuple[str, int, int, int, datetime | None]:
    """(STATUS, ready, total, restarts, last restart) exactly as printPod computes them."""
    phase = s(status.get("phase"))
    reason = s(status.get("reason")) or phase
    conds = lst(status.get("conditions"))
    initialized = False
    pod_ready = False
    for c in conds:
        if not isinstance(c, dict):
            continue
        ctype = c.get("type")
        if ctype == "PodScheduled" and c.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
        elif ctype == "Initialized" and c.get("status") == "True":
            initialized = True
        elif ctype == "Ready" and c.get("status") == "True":
            pod_ready = True

    spec_inits = lst(spec.get("initContainers"))
    total = sum(1 for c in lst(spec.get("containers")) if isinstance(c, dict))
    sidecars: set[str] = set()
    for c in spec_inits:
        if isinstance(c, dict) and c.get("restartPolicy") == "Always":
            total += 1
            sidecars.add(s(c.get("name")))

    ready = 0
    restarts = 0
    sidecar_restarts = 0
    last: datetime | None = None
    sidecar_last: datetime | None = None
    initializing = False
    for idx, c in enumerate(lst(status.get("initContainerStatuses"))):
        if not isinstance(c, dict):
            continue
        count = i(c.get("restartCount"))
        restarts += count
        last_term = _dict_or_none(d(c.get("lastState")).get("terminated"))
        if last_term is not None:
            last = _later(last, last_term.get("finishedAt"))
        is_sidecar = bool(sidecars) and s(c.get("name")) in sidecars
        if is_sidecar:
            sidecar_restarts += count
            if last_term is not None:
                sidecar_last = _later(sidecar_last, last_term.get("finishedAt"))
        state = d(c.get("state"))
        term = _dict_or_none(state.get("terminated"))
        if term is not None and i(term.get("exitCode")) == 0:
            continue
        if is_sidecar and c.get("started") is True:
            if c.get("ready") is True:
                ready += 1
            continue
        if term is not None:
            reason = _terminated_text(term, "Init:")
        else:
            waiting_reason = s(d(state.get("waiting")).get("reason"))
            if (
                isinstance(state.get("waiting"), dict)
                and waiting_reason
                and waiting_reason != "PodInitializing"
            ):
                reason = "Init:" + waiting_reason
            else:
                reason = f"Init:{idx}/{len(spec_inits)}"
        initializing = True
        break

    if not initializing or initialized:
        restarts = sidecar_restarts
        last = sidecar_last
        has_running = False
        statuses = lst(status.get("containerStatuses"))
        for c in reversed(statuses):  # the `_json` helpers written out: once per container listed
            if not isinstance(c, dict):
                continue
            raw_count = c.get("restartCount")
            restarts += raw_count if type(raw_count) is int else i(raw_count)
            last_state = c.get("lastState")
            finished = last_state.get("terminated") if isinstance(last_state, dict) else None
            if isinstance(finished, dict):
                last = _later(last, finished.get("finishedAt"))
            now_state = c.get("state")
            if not isinstance(now_state, dict):
                now_state = NO_DICT
            waiting = now_state.get("waiting")
            terminated = now_state.get("terminated")
            why = waiting.get("reason") if isinstance(waiting, dict) else None
            if isinstance(why, str) and why:
                reason = why
            elif isinstance(terminated, dict):
                reason = _terminated_text(terminated, "")
            elif c.get("ready") is True and isinstance(now_state.get("running"), dict):
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if pod_ready else "NotReady"

    if deleting and s(status.get("reason")) == "NodeLost":
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return reason, ready, total, restarts, last


# Identical container states and statuses (pods of one template started in the same second, every
# "running, ready, 0 restarts" sidecar) are shared: building them is a large part of a pod's cost
# and of its memory. Keys hold only the normalized values a record is made of (times as their raw
# RFC 3339 text, which parses to one value); anything else is built afresh and not remembered.
_STATE_CACHE: dict[tuple[Any, ...], ContainerState] = {}
_STATUS_CACHE: dict[tuple[Any, ...], ContainerStatus] = {}
_CACHE_MAX = 16_384
_TEXT_MAX = 256  # longer messages are not remembered
_UNKNOWN_KEY = ("unknown",)


def _state_key(st: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """What `build_container_state` makes of `st`, as a hashable key; None when not cacheable."""
    if not st:
        return _UNKNOWN_KEY
    if isinstance(w := st.get("waiting"), dict):
        message = s(w.get("message"))
        return ("waiting", s(w.get("reason")), message) if len(message) <= _TEXT_MAX else None
    if isinstance(term := st.get("terminated"), dict):
        started, finished = term.get("startedAt"), term.get("finishedAt")
        message = s(term.get("message"))
        if (
            (started is not None and type(started) is not str)
            or (finished is not None and type(finished) is not str)
            or len(message) > _TEXT_MAX
        ):
            return None
        return (
            "terminated",
            s(term.get("reason")),
            message,
            opt_i(term.get("exitCode")),
            opt_i(term.get("signal")),
            started,
            finished,
        )
    if isinstance(r := st.get("running"), dict):
        started = r.get("startedAt")
        if started is not None and type(started) is not str:
            return None
        return ("running", started)
    return _UNKNOWN_KEY


def _state_of_key(key: tuple[Any, ...]) -> ContainerState:
    state = _STATE_CACHE.get(key)
    if state is not None:
        return state
    tag = key[0]
    if tag == "running":
        state = new_container_state("running", started=t(key[1]))
    elif tag == "waiting":
        state = new_container_state("waiting", key[1], key[2])
    elif tag == "terminated":
        state = new_container_state("terminated", key[1], key[2], key[3], key[4], t(key[5]), t(key[6]))
    else:
        return _UNKNOWN_STATE
    if len(_STATE_CACHE) >= _CACHE_MAX:
        _STATE_CACHE.clear()
    _STATE_CACHE[key] = state
    return state


def _build_state(st: Mapping[str, Any]) -> ContainerState:
    if isinstance(w := st.get("waiting"), dict):
        return new_container_state("waiting", s(w.get("reason")), s(w.get("message")))
    if isinstance(term := st.get("terminated"), dict):
        return new_container_state(
            "terminated",
            s(term.get("reason")),
            s(term.get("message")),
            opt_i(term.get("exitCode")),
            opt_i(term.get("signal")),
            t(term.get("startedAt")),
            t(term.get("finishedAt")),
        )
    if isinstance(r := st.get("running"), dict):
        return new_container_state("running", started=t(r.get("startedAt")))
    return _UNKNOWN_STATE


def build_container_state(x: object) -> ContainerState:
    """One of a container's states (`state` or `lastState`); "unknown" when none is set."""
    st = d(x)
    key = _state_key(st)
    return _state_of_key(key) if key is not None else _build_state(st)


def build_container_status(x: object, init: bool = False) -> ContainerStatus | None:
    """A container's runtime status; None for entries that are not objects."""
    if not isinstance(x, dict):
        return None
    get = x.get  # the `_json` helpers (d, s, opt_b, i) written out: once per container listed
    last = get("lastState")
    if not isinstance(last, dict):
        last = NO_DICT
    has_last = isinstance(last.get("terminated"), dict)
    state = get("state")
    if not isinstance(state, dict):
        state = NO_DICT
    name = get("name")
    name = name if isinstance(name, str) else ""
    image = get("image")
    image = image if isinstance(image, str) else ""
    ready = get("ready") is True
    started = get("started")
    started = started if isinstance(started, bool) else None
    count = get("restartCount")
    count = count if type(count) is int else i(count)
    state_key = _state_key(state)
    last_key = _state_key(last) if has_last else _UNKNOWN_KEY
    if state_key is None or last_key is None or len(name) + len(image) > _TEXT_MAX:
        return new_container_status(
            name=name,
            image=image,
            ready=ready,
            started=started,
            restart_count=count,
            state=build_container_state(state),
            last_termination=build_container_state(last) if has_last else None,
            init=init,
        )
    key = (name, image, ready, started, count, init, state_key, last_key if has_last else None)
    status = _STATUS_CACHE.get(key)
    if status is None:
        status = new_container_status(
            name=_intern(name),
            image=image,
            ready=ready,
            started=started,
            restart_count=count,
            state=_state_of_key(state_key),
            last_termination=_state_of_key(last_key) if has_last else None,
            init=init,
        )
        if len(_STATUS_CACHE) >= _CACHE_MAX:
            _STATUS_CACHE.clear()
        _STATUS_CACHE[key] = status
    return status


def _statuses(x: object, init: bool) -> tuple[ContainerStatus, ...]:
    out = []
    for c in lst(x):
        cs = build_container_status(c, init)
        if cs is not None:
            out.append(cs)
    return tuple(out)


def _qos(spec: PodSpecSummary) -> str:
    """QoS class computed from requests and limits, for pods without status (manifests)."""
    containers = spec.containers + spec.init_containers
    if not containers:
        return ""
    any_set = False
    guaranteed = True
    for c in containers:
        if c.requests or c.limits:
            any_set = True
        for res in ("cpu", "memory"):
            limit = try_quantity(c.limits.get(res))
            request = try_quantity(c.requests.get(res)) if res in c.requests else limit
            if limit is None or request != limit:
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def build_pod(obj: object) -> PodRecord:
    """A pod with kubectl's columns precomputed (never raises; missing parts read as empty)."""
    raw = d(obj)
    meta = build_meta(raw, "Pod")
    spec = d(raw.get("spec"))
    status = d(raw.get("status"))
    text, ready, total, restarts, last = _kubectl_columns(spec, status, meta.deleting)
    summary = build_pod_spec(spec, meta.labels, meta.annotations)
    qos = status.get("qosClass")
    ip = status.get("podIP")
    message = status.get("message")
    reason = status.get("reason")
    return new_pod(
        meta=meta,
        phase=_intern(p) if isinstance(p := status.get("phase"), str) else "",
        status_text=_intern(text),
        ready_count=ready,
        container_count=total,
        restarts=restarts,
        last_restart=last,
        node=summary.node_name,
        pod_ip=ip if isinstance(ip, str) else "",
        qos=_intern(qos) if isinstance(qos, str) and qos else _qos(summary),
        start_time=t(status.get("startTime")),
        conditions=conditions(status.get("conditions")),
        containers=_statuses(status.get("containerStatuses"), False),
        init_containers=_statuses(status.get("initContainerStatuses"), True),
        spec=summary,
        workload=resolve_workload(
            meta.controller, meta.namespace, _NO_REPLICASETS, meta.labels.get(POD_TEMPLATE_HASH, "")
        ),
        message=message if isinstance(message, str) else "",
        reason=reason if isinstance(reason, str) else "",
    )


def restarts_text(pod: PodRecord, now: datetime) -> str:
    """kubectl's RESTARTS cell: "7 (6m13s ago)", or just the count when no restart time is known."""
    if pod.restarts != 0 and pod.last_restart is not None:
        try:
            ago = format_age((now - pod.last_restart).total_seconds())
        except (TypeError, OverflowError):
            return str(pod.restarts)
        return f"{pod.restarts} ({ago} ago)"
    return str(pod.restarts)


def container_state_text(cs: ContainerStatus) -> str:
    """A container's current state in one word, as `kubectl describe` and the Restarts pane show it."""
    st = cs.state
    if st.state == "waiting":
        return st.reason or "Waiting"
    if st.state == "terminated":
        if st.reason:
            return st.reason
        if st.signal:
            return f"Signal:{st.signal}"
        return f"ExitCode:{st.exit_code or 0}"
    if st.state == "running":
        return "Running"
    return "Unknown"


def restart_records(pod: PodRecord) -> list[RestartRecord]:
    """One record per container that restarted or is waiting in CrashLoopBackOff (init containers too)."""
    out: list[RestartRecord] = []
    for cs in pod.init_containers + pod.containers:
        crashlooping = cs.state.state == "waiting" and cs.state.reason == "CrashLoopBackOff"
        if cs.restart_count <= 0 and not crashlooping:
            continue
        last = cs.last_termination
        out.append(
            RestartRecord(
                namespace=pod.meta.namespace,
                pod=pod.meta.name,
                container=cs.name,
                restarts=cs.restart_count,
                state_text=container_state_text(cs),
                last_reason=last.reason if last is not None else "",
                last_exit_code=last.exit_code if last is not None else None,
                last_finished=last.finished if last is not None else None,
                last_message=last.message if last is not None else "",
                workload=pod.workload,
            )
        )
    return out
