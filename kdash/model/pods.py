"""Pods, their containers' spec and runtime state, and restart records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from kdash.model.meta import Condition, Meta, OwnerRef, empty_map


@dataclass(frozen=True, slots=True)
class ProbeSpec:
    """A probe reduced to what kdash shows and compares.

    `handler` is "httpGet", "tcpSocket", "exec" or "grpc"; `detail` a short human text
    ("GET /healthz :8080"); `signature` a canonical string of the whole probe, so identical
    readiness and liveness probes can be recognised.
    """

    handler: str
    detail: str
    signature: str
    port: str = ""


@dataclass(frozen=True, slots=True)
class ContainerSpec:
    """One container of a pod spec or pod template (quantities kept as the API wrote them)."""

    name: str
    image: str
    pull_policy: str = ""  # "" when not set (the API server would default it)
    readiness: ProbeSpec | None = None
    liveness: ProbeSpec | None = None
    startup: ProbeSpec | None = None
    requests: Mapping[str, str] = field(default_factory=empty_map)
    limits: Mapping[str, str] = field(default_factory=empty_map)
    pre_stop: bool = False
    termination_message_policy: str = ""
    privileged: bool | None = None
    allow_privilege_escalation: bool | None = None
    run_as_non_root: bool | None = None
    run_as_user: int | None = None
    ports: tuple[int, ...] = ()
    port_names: tuple[str, ...] = ()
    restart_policy: str = ""  # "Always" marks a native sidecar init container
    # securityContext, as written (None / "" when not set)
    read_only_root_fs: bool | None = None
    run_as_group: int | None = None
    caps_add: tuple[str, ...] = ()  # capabilities.add, as written
    caps_drop: tuple[str, ...] = ()
    proc_mount: str = ""
    seccomp: str = ""  # seccompProfile.type: RuntimeDefault, Localhost, Unconfined
    host_process: bool | None = None  # windowsOptions.hostProcess
    host_ports: tuple[int, ...] = ()  # the ports that set a hostPort (the host side)
    # env: names only, never values (a literal value may be a credential)
    env_names: tuple[str, ...] = ()  # every entry, in order (duplicates kept)
    env_literal: tuple[str, ...] = ()  # entries with a non-empty literal `value` (not valueFrom)
    env_private_key: tuple[str, ...] = ()  # entries whose literal value holds a PEM private key


@dataclass(frozen=True, slots=True)
class PodSpecSummary:
    """The part of a pod spec (or a workload's pod template) the health rules and detail view need."""

    containers: tuple[ContainerSpec, ...] = ()
    init_containers: tuple[ContainerSpec, ...] = ()
    host_network: bool = False
    host_pid: bool = False
    host_ipc: bool = False
    run_as_non_root: bool | None = None
    run_as_user: int | None = None
    termination_grace_period: int | None = None
    service_account: str = ""
    node_name: str = ""
    restart_policy: str = ""
    labels: Mapping[str, str] = field(default_factory=empty_map)
    annotations: Mapping[str, str] = field(default_factory=empty_map)
    # securityContext (pod level), as written
    run_as_group: int | None = None
    seccomp: str = ""  # seccompProfile.type
    host_process: bool | None = None  # windowsOptions.hostProcess
    automount_token: bool | None = None  # automountServiceAccountToken (None: the SA decides)
    priority_class: str = ""
    host_paths: tuple[tuple[str, str], ...] = ()  # (volume name, path) of each hostPath volume
    topology_spread: bool = False  # topologySpreadConstraints has an entry
    pod_anti_affinity: bool = False  # affinity.podAntiAffinity has a required or preferred term


@dataclass(frozen=True, slots=True)
class ContainerState:
    """One of a container's states: state is "running", "waiting", "terminated" or "unknown"."""

    state: str
    reason: str = ""
    message: str = ""
    exit_code: int | None = None
    signal: int | None = None
    started: datetime | None = None
    finished: datetime | None = None


@dataclass(frozen=True, slots=True)
class ContainerStatus:
    name: str
    image: str = ""
    ready: bool = False
    started: bool | None = None
    restart_count: int = 0
    state: ContainerState = ContainerState("unknown")
    last_termination: ContainerState | None = None
    init: bool = False


@dataclass(frozen=True, slots=True)
class PodRecord:
    """A pod as kdash keeps it: kubectl's printed columns precomputed, plus the spec summary."""

    meta: Meta
    phase: str = ""
    status_text: str = ""  # what `kubectl get pods` prints in STATUS, e.g. "Init:1/3", "CrashLoopBackOff"
    ready_count: int = 0
    container_count: int = 0
    restarts: int = 0
    last_restart: datetime | None = None  # most recent lastState.terminated.finishedAt
    node: str = ""
    pod_ip: str = ""
    qos: str = ""
    start_time: datetime | None = None
    conditions: tuple[Condition, ...] = ()
    containers: tuple[ContainerStatus, ...] = ()
    init_containers: tuple[ContainerStatus, ...] = ()
    spec: PodSpecSummary = PodSpecSummary()
    # The top controller: a Deployment through its ReplicaSet; a CronJob's Job stays the Job.
    workload: OwnerRef | None = None
    message: str = ""
    reason: str = ""

    @property
    def ready_text(self) -> str:
        return f"{self.ready_count}/{self.container_count}"

    def condition(self, type_: str) -> Condition | None:
        for cond in self.conditions:
            if cond.type == type_:
                return cond
        return None


@dataclass(frozen=True, slots=True)
class RestartRecord:
    """A container that restarted: the Restarts pane row, and crash evidence once captured."""

    namespace: str
    pod: str
    container: str
    restarts: int
    state_text: str  # "CrashLoopBackOff", "Running", "Error" ...
    last_reason: str = ""
    last_exit_code: int | None = None
    last_finished: datetime | None = None
    last_message: str = ""
    workload: OwnerRef | None = None
    crash_log: tuple[str, ...] = ()  # previous-container log tail captured when restarts rose


def last_exit_text(s: ContainerStatus) -> str:
    """ "; last exit: OOMKilled (exit code 137)" for a message about a restarting container, "" when
    it never terminated. One wording for the health findings and the alerts."""
    last = s.last_termination
    if last is None:
        return ""
    code = f" (exit code {last.exit_code})" if last.exit_code is not None else ""
    return f"; last exit: {last.reason or 'terminated'}{code}"
