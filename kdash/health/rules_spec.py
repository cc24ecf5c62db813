"""Container rules: run once per pod template (workload) or per pod without a controller."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from kdash.health.context import Ctx, Target
from kdash.health.images import parse_image
from kdash.health.registry import Hit, Rule, container_rule
from kdash.model.findings import Severity
from kdash.model.pods import ContainerSpec, ProbeSpec

WARN, INFO = Severity.WARNING, Severity.INFO
# A manifest or a cluster has few distinct images and many containers: parse each once.
_image_ref = lru_cache(maxsize=4096)(parse_image)
MIN_GRACE_SECONDS = 5  # a preStop sleep plus the app's own shutdown need at least this long


def where(t: Target, c: ContainerSpec, init: bool) -> str:
    """'Deployment shop/web, container nginx' - the object and the container, for messages."""
    obj = f"{t.key.kind} {t.key.namespace}/{t.key.name}" if t.key.namespace else f"{t.key.kind} {t.key.name}"
    return f"{obj}, {'init container' if init else 'container'} {c.name}"


@container_rule(
    Rule(
        "probe-readiness-missing",
        WARN,
        "container",
        "probes",
        "a container of a long-running workload (Deployment, StatefulSet, DaemonSet, bare pod) has no "
        "readinessProbe; Jobs, CronJobs and init containers are exempt",
        "Without a readiness probe a pod receives traffic as soon as it starts, before it can serve, "
        "during every rolling update and scale-up.",
        "Add a readinessProbe that checks the container can serve:\n"
        "`readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 5}`",
        polaris=("readinessProbeMissing",),
        kube_score=("pod-probes",),
    )
)
def probe_readiness_missing(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if t.long_running and not init and c.readiness is None:
        yield Hit(f"{where(t, c, init)} has no readinessProbe", c.name)


@container_rule(
    Rule(
        "probe-liveness-missing",
        INFO,
        "container",
        "probes",
        "a container of a long-running workload has no livenessProbe (Jobs, CronJobs, init containers "
        "exempt)",
        "A hung process (deadlock, stuck event loop) keeps its pod Running forever; only a liveness "
        "probe makes the kubelet restart it.",
        "Add a cheap livenessProbe that fails only when the process is wedged:\n"
        "`livenessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 10, failureThreshold: 3}`",
        polaris=("livenessProbeMissing",),
        kube_score=("pod-probes",),
    )
)
def probe_liveness_missing(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if t.long_running and not init and c.liveness is None:
        yield Hit(f"{where(t, c, init)} has no livenessProbe", c.name)


@container_rule(
    Rule(
        "probe-same-readiness-liveness",
        INFO,
        "container",
        "probes",
        "the readinessProbe and livenessProbe of a container are identical",
        "When a slow dependency makes readiness fail, an identical liveness probe fails too and the "
        "pod is restarted instead of just taken out of rotation, which turns a slowdown into an outage.",
        "Make liveness check only the process itself (a different path, or a higher failureThreshold); "
        "let readiness check dependencies.",
        kube_score=("pod-probes-identical",),
    )
)
def probe_same(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if c.readiness is not None and c.liveness is not None and c.readiness.signature == c.liveness.signature:
        yield Hit(f"{where(t, c, init)} uses the same probe for readiness and liveness", c.name)


def _named_port(probe: ProbeSpec | None) -> str:
    if probe is None or not probe.port or probe.port.isdigit():
        return ""
    return probe.port


@container_rule(
    Rule(
        "probe-port-unknown",
        WARN,
        "container",
        "probes",
        "a probe targets a named port the container does not declare",
        "A named port that does not resolve makes the probe fail on every attempt, so the pod never "
        "becomes ready (or is restarted in a loop).",
        "Declare the port under `ports:` with that `name:`, or point the probe at the right name.",
    )
)
def probe_port_unknown(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    for kind, probe in (("readiness", c.readiness), ("liveness", c.liveness), ("startup", c.startup)):
        port = _named_port(probe)
        if port and port not in c.port_names:
            yield Hit(f"{where(t, c, init)}: {kind} probe targets undeclared port {port!r}", c.name)


@container_rule(
    Rule(
        "image-tag-latest",
        WARN,
        "container",
        "images",
        "an image has no tag or the tag `latest` (a digest pins it; `registry:5000/app` is untagged)",
        "With a moving tag you cannot tell which version each replica runs, a reschedule can silently "
        "upgrade a pod, and a rollback has nothing to roll back to.",
        "Pin a version tag or a digest: `image: registry.example.com/app:1.4.2` (or `app@sha256:...`).",
        polaris=("tagNotSpecified",),
        kube_score=("container-image-tag",),
    )
)
def image_tag_latest(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    ref = _image_ref(c.image)
    if c.image and not ref.pinned:
        what = "the tag latest" if ref.tag == "latest" else "no tag"
        yield Hit(f"{where(t, c, init)} uses image {c.image!r} with {what}", c.name)


@container_rule(
    Rule(
        "image-pull-always",
        INFO,
        "container",
        "images",
        "`imagePullPolicy: Always` is set on a pinned image (not when the policy was defaulted to Always "
        "for an untagged or `latest` image)",
        "Always makes every start contact the registry: slower starts, and no start at all while the "
        "registry is down, for no benefit when the tag is immutable.",
        "Drop the field (the default for a pinned image is IfNotPresent) or set "
        "`imagePullPolicy: IfNotPresent`.",
    )
)
def image_pull_always(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if c.pull_policy == "Always" and _image_ref(c.image).pinned:
        yield Hit(f"{where(t, c, init)} pulls pinned image {c.image!r} on every start", c.name)


@container_rule(
    Rule(
        "resources-requests-missing",
        WARN,
        "container",
        "resources",
        "a container has no cpu or no memory request (a limit counts, as the API server copies it into "
        "the request; so does a LimitRange default)",
        "The scheduler places pods by their requests, HPAs compute utilisation from them and quotas "
        "count them; without them pods land on full nodes and are first to be evicted.",
        "Set requests from observed usage:\n`resources: {requests: {cpu: 100m, memory: 128Mi}}`",
        polaris=("cpuRequestsMissing", "memoryRequestsMissing"),
        kube_score=("container-resources",),
    )
)
def resources_requests_missing(ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    have = ctx.effective_requests(t.key.namespace, c)
    missing = [r for r in ("cpu", "memory") if r not in have]
    if missing:
        yield Hit(f"{where(t, c, init)} has no {' or '.join(missing)} request", c.name)


@container_rule(
    Rule(
        "resources-limits-missing",
        INFO,
        "container",
        "resources",
        "a container has no memory limit (and no LimitRange default gives it one)",
        "A memory leak in one container without a limit can exhaust the node and get unrelated pods "
        "OOM-killed or evicted.",
        "Set a memory limit (often equal to the request): `resources: {limits: {memory: 256Mi}}`",
        polaris=("memoryLimitsMissing",),
        kube_score=("container-resources",),
    )
)
def resources_limits_missing(ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if "memory" not in ctx.effective_limits(t.key.namespace, c):
        yield Hit(f"{where(t, c, init)} has no memory limit", c.name)


@container_rule(
    Rule(
        "graceful-shutdown-missing",
        INFO,
        "container",
        "lifecycle",
        f"a serving container (one that declares ports) of a long-running workload has no preStop hook, or "
        f"terminationGracePeriodSeconds is below {MIN_GRACE_SECONDS}",
        "Endpoints are removed asynchronously after SIGTERM; a pod that exits at once still gets "
        "requests for a few seconds, which fail with connection refused.",
        "Delay shutdown until endpoints are updated:\n"
        '`lifecycle: {preStop: {sleep: {seconds: 5}}}` (or `exec: {command: ["sleep", "5"]}`), and keep '
        "terminationGracePeriodSeconds above the delay plus the app's drain time.",
    )
)
def graceful_shutdown_missing(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if not t.long_running or init or not (c.ports or c.port_names):
        return
    grace = t.template.termination_grace_period
    if not c.pre_stop:
        yield Hit(f"{where(t, c, init)} serves traffic but has no preStop hook", c.name)
    elif grace is not None and grace < MIN_GRACE_SECONDS:
        yield Hit(f"{where(t, c, init)} has a preStop hook but only {grace}s of grace period", c.name)


@container_rule(
    Rule(
        "termination-message-missing",
        INFO,
        "container",
        "lifecycle",
        "a container's terminationMessagePolicy is not FallbackToLogsOnError (the default is File)",
        "With the default policy, a container that crashes without writing /dev/termination-log leaves "
        "no reason in its status; FallbackToLogsOnError keeps the last log lines there.",
        "`terminationMessagePolicy: FallbackToLogsOnError`",
    )
)
def termination_message_missing(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if not init and (c.termination_message_policy or "File") != "FallbackToLogsOnError":
        yield Hit(f"{where(t, c, init)} does not keep its last log lines as termination message", c.name)


@container_rule(
    Rule(
        "security-root",
        WARN,
        "container",
        "security",
        "neither the container nor its pod sets `runAsNonRoot: true` or a non-zero `runAsUser` "
        "(or runAsUser is 0)",
        "A process that breaks out of its container starts as root on the node.",
        "`securityContext: {runAsNonRoot: true, runAsUser: 10001}` on the pod or the container.",
        polaris=("runAsRootAllowed",),
        kube_score=("container-security-context-user-group-id",),
    )
)
def security_root(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    uid = c.run_as_user if c.run_as_user is not None else t.template.run_as_user
    non_root = c.run_as_non_root if c.run_as_non_root is not None else t.template.run_as_non_root
    if uid == 0:
        yield Hit(f"{where(t, c, init)} runs as root (runAsUser: 0)", c.name)
    elif not non_root and uid is None:
        yield Hit(f"{where(t, c, init)} may run as root (no runAsNonRoot or runAsUser)", c.name)


@container_rule(
    Rule(
        "security-privilege-escalation",
        INFO,
        "container",
        "security",
        "`allowPrivilegeEscalation` is not set to false",
        "setuid binaries in the image can gain more privileges than the process started with.",
        "`securityContext: {allowPrivilegeEscalation: false}`",
        polaris=("privilegeEscalationAllowed",),
    )
)
def security_privilege_escalation(_ctx: Ctx, t: Target, c: ContainerSpec, init: bool) -> Iterator[Hit]:
    if c.allow_privilege_escalation is not False:
        yield Hit(f"{where(t, c, init)} allows privilege escalation", c.name)
