"""Security rules on a pod template: what a compromised container could do to its node or cluster.

They follow the Pod Security Standards (baseline and restricted profiles) and the matching Polaris
and kube-score checks; each reads only the object it lints.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kdash.health.context import Ctx, Target
from kdash.health.registry import Hit, Rule, container_rule, object_rule
from kdash.health.rules_object import obj
from kdash.health.rules_spec import where
from kdash.model.findings import Severity
from kdash.model.pods import ContainerSpec

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# Pod Security Standards, baseline: the capabilities a container may add (the runtime's defaults).
BASELINE_CAPABILITIES = frozenset(
    {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
     "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
)  # fmt: skip
NEAR_ROOT_CAPABILITIES = frozenset({"ALL", "SYS_ADMIN"})  # as good as privileged: an error
# Polaris insecureCapabilities: dropping all of these is as good as dropping ALL.
INSECURE_CAPABILITIES = BASELINE_CAPABILITIES | {"NET_ADMIN", "NET_RAW"}
DEFAULT_SERVICE_ACCOUNTS = frozenset({"", "default"})
CONFINED_SECCOMP = frozenset({"RuntimeDefault", "Localhost"})
# Env var names that hold credentials: the name ends in one of these words (DB_PASSWORD,
# githubToken, STRIPE_API_KEY), so PASSWORD_MIN_LENGTH, TOKEN_TTL or SECRET_NAME are not flagged.
SENSITIVE_ENV = re.compile(
    r"(?:password|passwd|passphrase|secret|token|credentials?|bearer|"
    r"(?:api|access|secret|private|signing|encryption|auth|master|client)[_.-]?key|"
    r"(?:^|[_.-])key|[_.-]pass|[_.-]pwd)$"
    r"|^oci_cli_key_content$",
    re.IGNORECASE,
)
# ... except keys that name data, not credentials (KAFKA_PARTITION_KEY, S3_OBJECT_KEY, PUBLIC_KEY).
NOT_SECRET_ENV = re.compile(
    r"(?:partition|sort|routing|cache|primary|foreign|hash|range|public|lookup|group|shard|object|"
    r"bucket|idempotency|dedup)[_.-]?key$",
    re.IGNORECASE,
)


def _cap(name: str) -> str:
    """A capability as the runtime reads it: case-insensitive, with or without CAP_."""
    upper = name.upper()
    return upper[4:] if upper.startswith("CAP_") else upper


@container_rule(
    Rule(
        "security-readonly-root-fs",
        INFO,
        "container",
        "security",
        "a container does not set `readOnlyRootFilesystem: true`",
        "A writable root filesystem lets an intruder drop tools or change binaries and config inside "
        "the container, and hides writes the app should send to a volume.",
        "`securityContext: {readOnlyRootFilesystem: true}`, with an `emptyDir` volume mounted where "
        "the app must write (`/tmp`, caches).",
        polaris=("notReadOnlyRootFilesystem",),
        kube_score=("container-security-context-readonlyrootfilesystem",),
    )
)
def security_readonly_root_fs(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if c.read_only_root_fs is not True:
        yield Hit(f"{where(t, c, init)} has a writable root filesystem", c.name)


@container_rule(
    Rule(
        "security-capabilities-added",
        WARN,
        "container",
        "security",
        "a container adds a Linux capability beyond the Pod Security Standards baseline "
        "(NET_RAW, NET_ADMIN, SYS_PTRACE, ...); an error for ALL and SYS_ADMIN",
        "Extra capabilities give the process kernel powers (raw sockets for spoofing, network or "
        "mount administration, tracing other processes) that a breakout uses; SYS_ADMIN and ALL are "
        "close to privileged.",
        "Remove the capability from `securityContext.capabilities.add`; most apps need at most "
        "`NET_BIND_SERVICE` (to bind ports below 1024).",
        polaris=("dangerousCapabilities",),
    )
)
def security_capabilities_added(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if not c.caps_add:
        return
    extra = [cap for cap in dict.fromkeys(map(_cap, c.caps_add)) if cap not in BASELINE_CAPABILITIES]
    if extra:
        severity = ERR if NEAR_ROOT_CAPABILITIES.intersection(extra) else None
        yield Hit(f"{where(t, c, init)} adds capabilities {', '.join(extra)}", c.name, severity)


@container_rule(
    Rule(
        "security-capabilities-not-dropped",
        INFO,
        "container",
        "security",
        "a container's `capabilities.drop` does not include ALL (nor every capability Polaris calls "
        "insecure: the runtime's defaults plus NET_RAW and NET_ADMIN)",
        "The runtime grants a default set (NET_RAW, CHOWN, SETUID, ...) that almost no app uses and "
        "that an intruder can (raw sockets, changing file owners, switching users).",
        "`securityContext: {capabilities: {drop: [ALL]}}`, and add back only what the app needs, "
        "e.g. `add: [NET_BIND_SERVICE]`.",
        polaris=("insecureCapabilities",),
    )
)
def security_capabilities_not_dropped(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    dropped = {_cap(cap) for cap in c.caps_drop}
    if "ALL" not in dropped and not dropped >= INSECURE_CAPABILITIES:
        yield Hit(f"{where(t, c, init)} does not drop ALL capabilities", c.name)


@container_rule(
    Rule(
        "security-host-port",
        WARN,
        "container",
        "security",
        "a container port sets `hostPort` (not for hostNetwork pods, where the API server copies "
        "every containerPort there and security-privileged already reports the pod)",
        "A hostPort exposes the pod on the node's address, past Services and often past "
        "NetworkPolicy, and allows one such pod per node and port, which blocks scheduling and rollouts.",
        "Remove `hostPort` and reach the pod through a Service (NodePort or LoadBalancer if it must "
        "be reachable from outside).",
        polaris=("hostPortSet",),
    )
)
def security_host_port(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if c.host_ports and not t.template.host_network:
        ports = ", ".join(str(p) for p in c.host_ports)
        yield Hit(f"{where(t, c, init)} binds host port {ports}", c.name)


@container_rule(
    Rule(
        "security-proc-mount",
        WARN,
        "container",
        "security",
        "a container sets `procMount` to anything but Default (Unmasked)",
        "An unmasked /proc exposes kernel and host information (and writable paths) that the default "
        "masks hide from containers.",
        "Remove `securityContext.procMount` (or set it to Default).",
        polaris=("procMount",),
    )
)
def security_proc_mount(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if c.proc_mount and c.proc_mount != "Default":
        yield Hit(f"{where(t, c, init)} uses procMount {c.proc_mount}", c.name)


@container_rule(
    Rule(
        "security-run-as-group-root",
        INFO,
        "container",
        "security",
        "a container's `runAsGroup` (its own or the pod's) is 0",
        "Group root can read and write every file the image or a volume leaves group-owned by root.",
        "Set a non-zero group: `securityContext: {runAsGroup: 10001}` (and `fsGroup` for volumes).",
        kube_score=("container-security-context-user-group-id",),
    )
)
def security_run_as_group_root(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    gid = c.run_as_group if c.run_as_group is not None else t.template.run_as_group
    if gid == 0:
        yield Hit(f"{where(t, c, init)} runs with group root (runAsGroup: 0)", c.name)


@container_rule(
    Rule(
        "security-env-secret-literal",
        WARN,
        "container",
        "security",
        "an env var whose name says it holds a credential (ends in PASSWORD, SECRET, TOKEN, "
        "API_KEY, `_KEY`, CREDENTIALS, ...; not data keys such as PUBLIC_KEY or PARTITION_KEY) has a "
        "literal `value`, or any literal value is a PEM private key (only names are reported, never "
        "values)",
        "A literal value is stored in the manifest, in Git, in the object's last-applied annotation "
        "and in every `kubectl get -o yaml`, and is readable by anyone who can read the workload.",
        "Move the value into a Secret and reference it: "
        "`env: [{name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}]`.",
        polaris=("sensitiveContainerEnvVar",),
    )
)
def security_env_secret_literal(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if not c.env_literal:
        return
    names = [
        n
        for n in c.env_literal
        if (SENSITIVE_ENV.search(n) and not NOT_SECRET_ENV.search(n)) or n in c.env_private_key
    ]
    if names:
        listed = ", ".join(dict.fromkeys(names))
        yield Hit(f"{where(t, c, init)} sets {listed} as a literal value, not from a Secret", c.name)


@object_rule(
    Rule(
        "security-host-path",
        WARN,
        "object",
        "security",
        "the pod mounts a `hostPath` volume",
        "A hostPath volume reaches the node's filesystem: the container runtime socket, kubelet "
        "credentials or /etc are one mount away, and the data stays on one node.",
        "Use an `emptyDir`, a ConfigMap/Secret or a PersistentVolumeClaim; node agents that truly need "
        "the host should mount it `readOnly: true` and be exempted "
        "(`kdash.io/ignore: security-host-path`).",
        polaris=("hostPathSet",),
    )
)
def security_host_path(_ctx: Ctx, t: Target) -> Iterator[Hit]:
    paths = t.template.host_paths
    if paths:
        listed = ", ".join(f"{path or '?'} (volume {name})" for name, path in paths)
        yield Hit(f"{obj(t)} mounts the node's {listed}")


@object_rule(
    Rule(
        "security-host-process",
        ERR,
        "object",
        "security",
        "the pod or a container sets `windowsOptions.hostProcess: true`",
        "A Windows HostProcess container runs directly on the node with the node's privileges; it is "
        "not isolated at all.",
        "Remove `hostProcess: true` unless this is a node agent that must manage the Windows host.",
        polaris=("hostProcess",),
    )
)
def security_host_process(_ctx: Ctx, t: Target) -> Iterator[Hit]:
    spec = t.template
    names = [c.name for c in spec.init_containers + spec.containers if c.host_process]
    if spec.host_process or names:
        which = f" (containers {', '.join(names)})" if names else ""
        yield Hit(f"{obj(t)} runs as a Windows HostProcess pod{which}")


@object_rule(
    Rule(
        "security-seccomp-missing",
        INFO,
        "object",
        "security",
        "a container has no seccomp profile of type RuntimeDefault or Localhost, its own or the pod's "
        "(Unconfined, on either, counts as none)",
        "Without seccomp every system call is open to the process, so a kernel bug reachable from an "
        "unusual syscall is reachable from the container; the kubelet does not apply RuntimeDefault "
        "unless it runs with --seccomp-default.",
        "`securityContext: {seccompProfile: {type: RuntimeDefault}}` on the pod.",
        kube_score=("container-seccomp-profile",),
    )
)
def security_seccomp_missing(_ctx: Ctx, t: Target) -> Iterator[Hit]:
    spec = t.template
    pod_level = spec.seccomp
    names = [
        c.name
        for c in spec.init_containers + spec.containers
        if (c.seccomp or pod_level) not in CONFINED_SECCOMP
    ]
    if names:
        label = "container" if len(names) == 1 else "containers"
        yield Hit(f"{obj(t)}: no seccomp profile confines {label} {', '.join(names)}")


@object_rule(
    Rule(
        "security-service-account-token",
        INFO,
        "object",
        "security",
        "the pod runs as the namespace's `default` service account and does not set "
        "`automountServiceAccountToken: false` (pods with a service account of their own are "
        "assumed to use the API; kdash does not read ServiceAccounts, so set it on the pod)",
        "Every container then holds a token for the API server; the default account rarely needs one, "
        "and an intruder uses it to explore the cluster (and anything RBAC granted to `default`).",
        "`automountServiceAccountToken: false` in the pod template (or give the pod its own "
        "`serviceAccountName` if it calls the API).",
        polaris=("automountServiceAccountToken",),
    )
)
def security_service_account_token(_ctx: Ctx, t: Target) -> Iterator[Hit]:
    spec = t.template
    if spec.automount_token is not False and spec.service_account in DEFAULT_SERVICE_ACCOUNTS:
        yield Hit(f"{obj(t)} mounts a token of the default service account")
