"""Pod specs and pod templates: containers, probes, resources and security settings.

One function serves both a pod's own spec and a workload's `spec.template.spec`, so the health
rules judge a Deployment and its pods by the same reading.
"""

from __future__ import annotations

import json
import marshal
import sys
from collections.abc import Mapping
from typing import Any

from kdash.model.build._json import NO_DICT, d, lst, opt_b, opt_i, quantity_map, s, scalar_str, str_map
from kdash.model.build._records import new_container_spec, new_pod_spec, new_probe
from kdash.model.pods import ContainerSpec, PodSpecSummary, ProbeSpec

_intern = sys.intern
# Pods of one template carry identical probes: share one ProbeSpec per distinct probe, which saves
# both the time to describe it and the memory of 10,000 copies. Bounded so a churning cluster
# cannot grow it forever.
_PROBE_CACHE: dict[str, ProbeSpec] = {}
_PROBE_CACHE_MAX = 4096
_PROBE_KEY_MAX = 4096  # huge exec probes are described afresh rather than pinned in memory


def _signature(probe: Mapping[str, Any]) -> str:
    """A canonical text of the whole probe: equal probes give equal signatures, whatever the key order."""
    try:
        return json.dumps(probe, sort_keys=True, separators=(",", ":"), default=str)
    except (TypeError, ValueError, RecursionError):
        return repr(sorted(probe.items(), key=lambda kv: str(kv[0])))


def _port_text(x: object) -> str:
    return scalar_str(x)


def build_probe(x: object) -> ProbeSpec | None:
    """A probe as a handler, a short description ("GET /healthz :8080") and a signature."""
    if not isinstance(x, dict) or not x:
        return None
    # The cache key is the probe's repr (fast, and stable for pods of one template, whose probes
    # the server serialises in one key order); the canonical signature is computed only on a miss.
    try:
        key = repr(x)
    except Exception:  # a YAML-made object with a hostile __repr__, or absurd nesting
        key = ""
    cached = _PROBE_CACHE.get(key) if key else None
    if cached is not None:
        return cached
    sig = _signature(x)
    handler, detail, port = "", "", ""
    if isinstance(http := x.get("httpGet"), dict):
        port = _port_text(http.get("port"))
        scheme = s(http.get("scheme"))
        verb = "GET https" if scheme.upper() == "HTTPS" else "GET"
        handler, detail = "httpGet", f"{verb} {s(http.get('path')) or '/'} :{port}"
    elif isinstance(tcp := x.get("tcpSocket"), dict):
        port = _port_text(tcp.get("port"))
        handler, detail = "tcpSocket", f"TCP :{port}"
    elif isinstance(grpc := x.get("grpc"), dict):
        port = _port_text(grpc.get("port"))
        service = s(grpc.get("service"))
        handler, detail = "grpc", f"gRPC :{port}" + (f" {service}" if service else "")
    elif isinstance(exe := x.get("exec"), dict):
        command = " ".join(c for c in lst(exe.get("command")) if isinstance(c, str))
        handler, detail = "exec", f"exec {command}".rstrip()
    probe = new_probe(handler, detail, sig, port)
    if key and len(key) <= _PROBE_KEY_MAX:
        if len(_PROBE_CACHE) >= _PROBE_CACHE_MAX:
            _PROBE_CACHE.clear()
        _PROBE_CACHE[key] = probe
    return probe


def _names(x: object) -> tuple[str, ...]:
    """A list of strings (capabilities) as a tuple of interned strings, skipping anything else."""
    return tuple(_intern(v) for v in x if isinstance(v, str)) if isinstance(x, list) else ()


def _env(x: object) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The env entries' names; those with a non-empty literal value; those whose value is a PEM
    private key. Values themselves are never kept: a literal may be a credential."""
    if not isinstance(x, list) or not x:
        return (), (), ()
    names: list[str] = []
    literal: list[str] = []
    pem: list[str] = []
    for e in x:
        if not isinstance(e, dict):
            continue
        name = e.get("name")
        if not isinstance(name, str):
            continue
        name = _intern(name)
        names.append(name)
        value = e.get("value")
        if isinstance(value, str) and value and not (value.startswith("$(") and value.endswith(")")):
            literal.append(name)  # "$(OTHER_VAR)" only refers to another variable
            if "PRIVATE KEY-" in value and "-BEGIN" in value:
                pem.append(name)
    return tuple(names), tuple(literal), tuple(pem)


def build_container(x: object) -> ContainerSpec | None:
    """One container of a spec; None for entries that are not objects."""
    if not isinstance(x, dict):
        return None
    res = d(x.get("resources"))
    sc = d(x.get("securityContext"))
    caps = d(sc.get("capabilities"))
    ports: list[int] = []
    names: list[str] = []
    host_ports: list[int] = []
    for p in lst(x.get("ports")):
        if isinstance(p, dict):
            number = opt_i(p.get("containerPort"))
            if number is not None:
                ports.append(number)
            name = p.get("name")
            if isinstance(name, str) and name:
                names.append(name)
            host = opt_i(p.get("hostPort"))
            if host:
                host_ports.append(host)
    env_names, env_literal, env_pem = _env(x.get("env"))
    proc = sc.get("procMount")
    seccomp = d(sc.get("seccompProfile")).get("type")
    pull = x.get("imagePullPolicy")
    tmp = x.get("terminationMessagePolicy")
    restart = x.get("restartPolicy")
    return new_container_spec(
        name=s(x.get("name")),
        image=s(x.get("image")),
        pull_policy=_intern(pull) if isinstance(pull, str) else "",
        readiness=build_probe(x.get("readinessProbe")),
        liveness=build_probe(x.get("livenessProbe")),
        startup=build_probe(x.get("startupProbe")),
        requests=quantity_map(res.get("requests")),
        limits=quantity_map(res.get("limits")),
        pre_stop=bool(d(d(x.get("lifecycle")).get("preStop"))),
        termination_message_policy=_intern(tmp) if isinstance(tmp, str) else "",
        privileged=opt_b(sc.get("privileged")),
        allow_privilege_escalation=opt_b(sc.get("allowPrivilegeEscalation")),
        run_as_non_root=opt_b(sc.get("runAsNonRoot")),
        run_as_user=opt_i(sc.get("runAsUser")),
        ports=tuple(ports),
        port_names=tuple(names),
        restart_policy=_intern(restart) if isinstance(restart, str) else "",
        read_only_root_fs=opt_b(sc.get("readOnlyRootFilesystem")),
        run_as_group=opt_i(sc.get("runAsGroup")),
        caps_add=_names(caps.get("add")),
        caps_drop=_names(caps.get("drop")),
        proc_mount=_intern(proc) if isinstance(proc, str) else "",
        seccomp=_intern(seccomp) if isinstance(seccomp, str) else "",
        host_process=opt_b(d(sc.get("windowsOptions")).get("hostProcess")),
        host_ports=tuple(host_ports),
        env_names=env_names,
        env_literal=env_literal,
        env_private_key=env_pem,
    )


# The fields of a container `build_container` reads; nothing else of the container affects its
# result. Keep in step with build_container (tests/model/test_build_cache.py checks each one).
_CONTAINER_FIELDS = (
    "name",
    "image",
    "imagePullPolicy",
    "readinessProbe",
    "livenessProbe",
    "startupProbe",
    "resources",
    "lifecycle",
    "terminationMessagePolicy",
    "securityContext",
    "ports",
    "restartPolicy",
    "env",
)


def _container_key(x: dict[str, Any]) -> bytes | None:
    """An exact key of what `build_container` reads of `x`, or None when it cannot be made.

    `marshal` is exact for decoded JSON: it tells 1 from 1.0 and True, and its output reads back to
    the same values, so equal keys mean equal inputs (unlike `==`, where 1 == True). Fields
    kdash ignores (volumeMounts, whose per-pod "kube-api-access-xxxxx" names differ) are left
    out, so the pods of one template share their ContainerSpecs (env is read, and is the same in
    every pod of a template: the kubelet adds service variables to the process, not the spec).
    """
    try:
        return marshal.dumps(tuple(map(x.get, _CONTAINER_FIELDS)))  # map: no bytecode per field
    except (ValueError, RecursionError):  # not plain JSON data (e.g. a YAML datetime), or absurd nesting
        return None


# Pods of one template have identical containers: one ContainerSpec per distinct container saves
# the time to build it again and the memory of 10,000 copies. Bounded like the probe cache, but
# large enough for the templates of a 100,000-pod cluster (~20,000): the pods and the workloads
# listed alongside them share entries, and a cache cleared while both lists run builds the
# workloads' containers again (at 8192, 8,000 extra builds in a 50,000-pod sync; keys ~0.5 KB).
_CONTAINER_CACHE: dict[bytes, ContainerSpec] = {}
_CONTAINER_CACHE_MAX = 32768
_CONTAINER_KEY_MAX = 16384


def _containers(x: object) -> tuple[ContainerSpec, ...]:
    """The containers of a spec, each shared with every equal one seen before (`_container_key`)."""
    if not isinstance(x, list) or not x:
        return ()
    out = []
    cache = _CONTAINER_CACHE
    for c in x:
        if not isinstance(c, dict):
            continue
        key = _container_key(c)
        spec = cache.get(key) if key is not None else None
        if spec is None:
            spec = build_container(c)
            if spec is not None and key is not None and len(key) <= _CONTAINER_KEY_MAX:
                if len(cache) >= _CONTAINER_CACHE_MAX:
                    cache.clear()
                cache[key] = spec
        if spec is not None:
            out.append(spec)
    return tuple(out)


def build_pod_spec(spec: object, labels: object = None, annotations: object = None) -> PodSpecSummary:
    """The part of a pod spec kdash needs. `labels`/`annotations` are the pod's or the template's."""
    sp = d(spec)
    get = sp.get
    psc = d(get("securityContext"))
    sa = get("serviceAccountName")
    if not isinstance(sa, str) or not sa:
        sa = get("serviceAccount")
    node = get("nodeName")
    restart = get("restartPolicy")
    non_root = psc.get("runAsNonRoot")
    inits = get("initContainers")
    volumes = get("volumes")
    automount = get("automountServiceAccountToken")
    priority = get("priorityClassName")
    seccomp = psc.get("seccompProfile")
    seccomp_type = seccomp.get("type") if isinstance(seccomp, dict) else None
    windows = psc.get("windowsOptions")
    affinity = get("affinity")
    anti = d(affinity.get("podAntiAffinity")) if isinstance(affinity, dict) else NO_DICT
    return new_pod_spec(
        containers=_containers(get("containers")),
        init_containers=_containers(inits) if inits else (),
        host_network=get("hostNetwork") is True,  # b(), opt_b() written out: once per pod listed
        host_pid=get("hostPID") is True,
        host_ipc=get("hostIPC") is True,
        run_as_non_root=non_root if isinstance(non_root, bool) else None,
        run_as_user=opt_i(psc.get("runAsUser")),
        termination_grace_period=opt_i(get("terminationGracePeriodSeconds")),
        service_account=_intern(sa) if isinstance(sa, str) else "",
        node_name=_intern(node) if isinstance(node, str) else "",
        restart_policy=_intern(restart) if isinstance(restart, str) else "",
        labels=str_map(labels),
        annotations=str_map(annotations),
        run_as_group=opt_i(psc.get("runAsGroup")) if psc else None,
        seccomp=_intern(seccomp_type) if isinstance(seccomp_type, str) else "",
        host_process=opt_b(windows.get("hostProcess")) if isinstance(windows, dict) else None,
        automount_token=automount if isinstance(automount, bool) else None,
        priority_class=_intern(priority) if isinstance(priority, str) else "",
        host_paths=_host_paths(volumes) if volumes else (),
        topology_spread=bool(lst(get("topologySpreadConstraints"))),
        pod_anti_affinity=bool(
            anti
            and (
                lst(anti.get("requiredDuringSchedulingIgnoredDuringExecution"))
                or lst(anti.get("preferredDuringSchedulingIgnoredDuringExecution"))
            )
        ),
    )


def _host_paths(volumes: object) -> tuple[tuple[str, str], ...]:
    """(name, path) of each hostPath volume; nearly every pod has volumes and none of these."""
    if not isinstance(volumes, list):
        return ()
    found = [v for v in volumes if isinstance(v, dict) and "hostPath" in v]
    return tuple((s(v.get("name")), s(d(v.get("hostPath")).get("path"))) for v in found)
