"""Deterministic object builders shared by the scenarios.

Names, uids and hashes derive from a seed string, and every timestamp from the sim clock ``now``,
so a scenario built twice for the same ``now`` is byte-identical (UI snapshot tests rely on it).
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime, timedelta
from typing import Any

from kdash.sim.store import rfc3339

JSON = dict[str, Any]
_ALNUM = "bcdfghjklmnpqrstvwxz2456789"


#: byte -> the suffix letter for it (``_ALNUM[b % 27]``), for ``bytes.translate``.
_SUFFIX_TABLE = bytes(ord(_ALNUM[b % len(_ALNUM)]) for b in range(256))


def uid_for(seed: str) -> str:
    """A version-4 UUID from the seed's SHA-1, as ``uuid.UUID(bytes=digest[:16], version=4)`` prints
    it, formatted by hand (the UUID class is a fifth of a scenario pod's build time)."""
    b = bytearray(hashlib.sha1(seed.encode()).digest()[:16])
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def suffix(seed: str, n: int) -> str:
    """kube-style random suffix (``7db97596f6``, ``btbvz``), but derived from ``seed``."""
    return hashlib.sha1(seed.encode()).digest()[:n].translate(_SUFFIX_TABLE).decode()


@functools.lru_cache(maxsize=4096)
def ts(now: datetime, ago: timedelta) -> str:
    """``now - ago`` as an API timestamp; cached, since a scenario asks for the same few again and
    again (every pod of a workload shares its ages) and formatting is most of a small pod's cost."""
    return rfc3339(now - ago)


def meta(kind: str, ns: str | None, name: str, now: datetime, age: timedelta, **extra: Any) -> JSON:
    m: JSON = {"name": name}
    if ns is not None:
        m["namespace"] = ns
    m["uid"] = uid_for(f"{kind}/{ns}/{name}")
    m["creationTimestamp"] = ts(now, age)
    m.update({k: v for k, v in extra.items() if v is not None})
    return m


def owner_ref(obj: JSON) -> JSON:
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def namespace(name: str, now: datetime, age: timedelta) -> JSON:
    return {
        "kind": "Namespace",
        "apiVersion": "v1",
        "metadata": meta("Namespace", None, name, now, age, labels={"kubernetes.io/metadata.name": name}),
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def node(name: str, now: datetime, age: timedelta, index: int, *, ready: bool = True) -> JSON:
    t = ts(now, age)
    labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "m5.xlarge",
    }
    if index == 0:
        labels["node-role.kubernetes.io/control-plane"] = ""
    cond = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID"),
        ("Ready", "True" if ready else "False", "KubeletReady" if ready else "KubeletNotReady"),
    ]
    capacity = {"cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "100Gi"}
    return {
        "kind": "Node",
        "apiVersion": "v1",
        "metadata": meta("Node", None, name, now, age, labels=labels),
        "spec": {"podCIDR": f"10.244.{index}.0/24", "podCIDRs": [f"10.244.{index}.0/24"]},
        "status": {
            "capacity": capacity,
            "allocatable": {**capacity, "cpu": "7800m", "memory": "31Gi"},
            "conditions": [
                {
                    "type": c,
                    "status": s,
                    "lastHeartbeatTime": ts(now, timedelta(seconds=20)),
                    "lastTransitionTime": t,
                    "reason": r,
                    "message": f"kubelet status {r}",
                }
                for c, s, r in cond
            ],
            "addresses": [
                {"type": "InternalIP", "address": f"10.0.0.{10 + index}"},
                {"type": "Hostname", "address": name},
            ],
            "nodeInfo": {
                "machineID": suffix(name, 16),
                "systemUUID": uid_for(f"node-sys/{name}"),
                "bootID": uid_for(f"node-boot/{name}"),
                "kernelVersion": "6.8.0-45-generic",
                "osImage": "Ubuntu 24.04.1 LTS",
                "containerRuntimeVersion": "containerd://1.7.22",
                "kubeletVersion": "v1.36.2",
                "kubeProxyVersion": "",
                "operatingSystem": "linux",
                "architecture": "amd64",
            },
        },
    }


def base_cluster(now: datetime, namespaces: list[str], nodes: int = 3) -> list[JSON]:
    """Namespaces and Ready nodes every scenario has."""
    objs = [namespace(ns, now, timedelta(days=30)) for ns in namespaces]
    objs += [node(f"node-{i + 1}", now, timedelta(days=30), i) for i in range(nodes)]
    return objs


def container(
    name: str,
    image: str,
    *,
    port: int | None = 8080,
    probes: bool = True,
    resources: bool = True,
    cpu: tuple[str, str] = ("100m", "500m"),
    memory: tuple[str, str] = ("128Mi", "256Mi"),
    privileged: bool = False,
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
) -> JSON:
    c: JSON = {"name": name, "image": image}
    if command:
        c["command"] = command
    if port:
        c["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"}]
    if env:
        c["env"] = [{"name": k, "value": v} for k, v in env.items()]
    c["resources"] = (
        {"limits": {"cpu": cpu[1], "memory": memory[1]}, "requests": {"cpu": cpu[0], "memory": memory[0]}}
        if resources
        else {}
    )
    c["volumeMounts"] = [
        {
            "name": "kube-api-access",
            "readOnly": True,
            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
        }
    ]
    if probes and port:
        probe = {
            "httpGet": {"path": "/healthz", "port": port, "scheme": "HTTP"},
            "timeoutSeconds": 1,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 3,
        }
        c["livenessProbe"] = {**probe, "initialDelaySeconds": 10}
        c["readinessProbe"] = {**probe, "initialDelaySeconds": 2}
    c["terminationMessagePath"] = "/dev/termination-log"
    c["terminationMessagePolicy"] = "File"
    c["imagePullPolicy"] = (
        "Always" if image.endswith(":latest") or ":" not in image.split("/")[-1] else "IfNotPresent"
    )
    if privileged:
        c["securityContext"] = {"privileged": True}
    return c


def pod_spec(containers: list[JSON], *, node_name: str | None, init: list[JSON] | None = None) -> JSON:
    spec: JSON = {
        "volumes": [
            {
                "name": "kube-api-access",
                "projected": {
                    "sources": [
                        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                        {
                            "configMap": {
                                "name": "kube-root-ca.crt",
                                "items": [{"key": "ca.crt", "path": "ca.crt"}],
                            }
                        },
                        {
                            "downwardAPI": {
                                "items": [
                                    {
                                        "path": "namespace",
                                        "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                    }
                                ]
                            }
                        },
                    ],
                    "defaultMode": 420,
                },
            }
        ],
    }
    if init:
        spec["initContainers"] = init
    spec["containers"] = containers
    spec.update(
        {
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default",
            "serviceAccount": "default",
            "securityContext": {},
            "schedulerName": "default-scheduler",
            "tolerations": [
                {
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                },
                {
                    "key": "node.kubernetes.io/unreachable",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                },
            ],
            "priority": 0,
            "enableServiceLinks": True,
            "preemptionPolicy": "PreemptLowerPriority",
        }
    )
    if node_name:
        spec["nodeName"] = node_name
    return spec


@functools.lru_cache(maxsize=4096)
def _image_ref(image: str) -> tuple[str, str]:
    full = (
        image if "/" in image.split(":")[0] and "." in image.split("/")[0] else f"docker.io/library/{image}"
    )
    if "@" not in full and ":" not in full.split("/")[-1]:
        full += ":latest"
    digest = hashlib.sha256(image.encode()).hexdigest()
    return full, f"{full.split('@')[0].rsplit(':', 1)[0]}@sha256:{digest}"


def _container_id(seed: str, container: str) -> str:
    return "containerd://" + hashlib.sha256(f"{seed}/{container}".encode()).hexdigest()


def running_status(c: JSON, started: str, *, ready: bool = True, seed: str = "") -> JSON:
    image, image_id = _image_ref(c["image"])
    cid = _container_id(seed, c["name"])
    return {
        "name": c["name"],
        "state": {"running": {"startedAt": started}},
        "lastState": {},
        "ready": ready,
        "restartCount": 0,
        "image": image,
        "imageID": image_id,
        "containerID": cid,
        "started": True,
    }


def pod(
    ns: str,
    name: str,
    containers: list[JSON],
    *,
    now: datetime,
    age: timedelta,
    labels: dict[str, str],
    owner: JSON | None = None,
    node_name: str | None = "node-1",
    ip: str = "10.244.0.10",
    init: list[JSON] | None = None,
    generate_name: str | None = None,
) -> JSON:
    """A Running, Ready pod; callers then bend its status into the state they want."""
    started = ts(now, age - timedelta(seconds=5))
    m = meta("Pod", ns, name, now, age, generateName=generate_name, labels=labels)
    if owner is not None:
        m["ownerReferences"] = [owner_ref(owner)]
    seed = f"{ns}/{name}"
    status: JSON = {
        "phase": "Running",
        "conditions": [],
        "hostIP": "10.0.0.10",
        "hostIPs": [{"ip": "10.0.0.10"}],
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "startTime": ts(now, age),
    }
    if init:
        status["initContainerStatuses"] = [
            {
                **running_status(c, started, ready=True, seed=seed),
                "state": {
                    "terminated": {
                        "exitCode": 0,
                        "reason": "Completed",
                        "startedAt": ts(now, age),
                        "finishedAt": started,
                    }
                },
                "started": False,
            }
            for c in init
        ]
    status["containerStatuses"] = [running_status(c, started, seed=seed) for c in containers]
    status["qosClass"] = "Burstable"
    obj = {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": m,
        "spec": pod_spec(containers, node_name=node_name, init=init),
    }
    obj["status"] = status
    refresh_conditions(obj, now, age)
    return obj


def sibling(p: JSON, name: str, *, node_name: str, ip: str) -> JSON:
    """What ``pod`` builds for the arguments that built ``p`` but ``name``, ``node_name`` and ``ip``,
    made from ``p`` (as ``pod`` returned it, before any hook bent it) for a fraction of the cost.

    The copy shares ``p``'s spec lists (volumes, tolerations, containers), as the pods of a workload
    already share their containers: bend a pod's spec by replacing its keys, never by mutating
    those lists. Metadata, status, its conditions and container statuses are the copy's own.
    """
    spec = p["spec"]
    if not spec.get("nodeName") or not node_name:
        raise ValueError("sibling copies scheduled pods only (conditions depend on scheduling)")
    ns = p["metadata"]["namespace"]
    m = {**p["metadata"], "name": name, "uid": uid_for(f"Pod/{ns}/{name}")}
    if "ownerReferences" in m:
        m["ownerReferences"] = [dict(ref) for ref in m["ownerReferences"]]
    st = p["status"]
    status: JSON = {
        **st,
        "conditions": [dict(c) for c in st["conditions"]],
        "hostIPs": [dict(h) for h in st["hostIPs"]],
        "podIP": ip,
        "podIPs": [{"ip": ip}],
    }
    seed = f"{ns}/{name}"
    for key in ("initContainerStatuses", "containerStatuses"):
        if key in st:
            status[key] = [
                {
                    **cs,
                    "state": {k: dict(v) for k, v in cs["state"].items()},
                    "lastState": dict(cs["lastState"]),
                    "containerID": _container_id(seed, cs["name"]),
                }
                for cs in st[key]
            ]
    return {
        "kind": p["kind"],
        "apiVersion": p["apiVersion"],
        "metadata": m,
        "spec": {**spec, "nodeName": node_name},
        "status": status,
    }


def refresh_conditions(p: JSON, now: datetime, age: timedelta) -> None:
    """Recompute the pod's conditions from its container statuses."""
    st = p["status"]
    t = ts(now, age)
    scheduled = bool(p["spec"].get("nodeName"))
    inits_done = all(
        ((cs.get("state") or {}).get("terminated") or {}).get("exitCode") == 0
        for cs in st.get("initContainerStatuses") or []
    )
    unready = [cs["name"] for cs in st.get("containerStatuses") or [] if not cs.get("ready")]
    if not st.get("containerStatuses"):
        unready = [c["name"] for c in p["spec"]["containers"]]

    def cond(ctype: str, ok: bool, reason: str = "", message: str = "") -> JSON:
        c: JSON = {
            "type": ctype,
            "status": "True" if ok else "False",
            "lastProbeTime": None,
            "lastTransitionTime": t,
        }
        if not ok and reason:
            c["reason"], c["message"] = reason, message
        return c

    msg = f"containers with unready status: [{' '.join(unready)}]"
    conds = []
    if scheduled:
        conds.append(cond("PodReadyToStartContainers", True))
        conds.append(
            cond("Initialized", inits_done, "ContainersNotInitialized", "containers with incomplete status")
        )
        conds.append(cond("Ready", not unready, "ContainersNotReady", msg))
        conds.append(cond("ContainersReady", not unready, "ContainersNotReady", msg))
    conds.append(cond("PodScheduled", scheduled, "Unschedulable", "0/3 nodes are available"))
    st["conditions"] = conds


def set_waiting(p: JSON, container: str, reason: str, message: str = "", *, init: bool = False) -> JSON:
    """Put one container into ``waiting``; returns its status for further edits."""
    key = "initContainerStatuses" if init else "containerStatuses"
    for cs in p["status"].get(key) or []:
        if cs["name"] == container:
            cs["state"] = {"waiting": {"reason": reason, **({"message": message} if message else {})}}
            cs["ready"] = False
            cs["started"] = False
            return dict(cs)
    raise KeyError(container)


def crash_loop(
    p: JSON,
    container: str,
    *,
    now: datetime,
    restarts: int,
    reason: str = "Error",
    exit_code: int = 1,
    message: str = "",
    last_finished: timedelta = timedelta(minutes=2),
) -> None:
    """CrashLoopBackOff with a terminated lastState, like reference 09-pod-crashloop."""
    name = p["metadata"]["name"]
    ns = p["metadata"]["namespace"]
    for cs in p["status"]["containerStatuses"]:
        if cs["name"] != container:
            continue
        cs["state"] = {
            "waiting": {
                "reason": "CrashLoopBackOff",
                "message": f"back-off 5m0s restarting failed container={container} pod={name}_{ns}",
            }
        }
        term: JSON = {
            "exitCode": exit_code,
            "reason": reason,
            "startedAt": ts(now, last_finished + timedelta(seconds=40)),
            "finishedAt": ts(now, last_finished),
            "containerID": cs["containerID"],
        }
        if message:
            term["message"] = message
        cs["lastState"] = {"terminated": term}
        cs["ready"] = False
        cs["started"] = False
        cs["restartCount"] = restarts


def template_hash(seed: str) -> str:
    return suffix("hash/" + seed, 10)
