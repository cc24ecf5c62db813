"""Controller-shaped builders: Deployment → ReplicaSet → Pods, StatefulSet, DaemonSet, Job, CronJob.

Owner references, ``pod-template-hash`` labels and the controllers' status counters are derived from
the pods actually built, so the status a scenario serves is self-consistent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from kdash.sim.scenarios.builders import meta, owner_ref, pod, sibling, suffix, template_hash, ts, uid_for

JSON = dict[str, Any]
PodHook = Callable[[int, JSON], None]


class IpPool:
    """Deterministic pod IPs."""

    def __init__(self, base: int = 0) -> None:
        self.n = base

    def next(self) -> str:
        self.n += 1
        return f"10.244.{(self.n // 250) % 250}.{self.n % 250 + 2}"


def is_ready(p: JSON) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions") or [])


def _template(labels: dict[str, str], containers: list[JSON], init: list[JSON] | None = None) -> JSON:
    spec: JSON = {"containers": containers, "restartPolicy": "Always", "dnsPolicy": "ClusterFirst"}
    if init:
        spec["initContainers"] = init
    return {"metadata": {"labels": labels}, "spec": spec}


def _cond(ctype: str, status: str, reason: str, message: str, t: str) -> JSON:
    return {
        "type": ctype,
        "status": status,
        "lastUpdateTime": t,
        "lastTransitionTime": t,
        "reason": reason,
        "message": message,
    }


def deployment(
    ns: str,
    name: str,
    containers: list[JSON],
    *,
    now: datetime,
    age: timedelta,
    replicas: int,
    ips: IpPool,
    nodes: list[str],
    init: list[JSON] | None = None,
    hook: PodHook | None = None,
    progress_deadline_exceeded: bool = False,
    extra_labels: dict[str, str] | None = None,
) -> list[JSON]:
    """A Deployment, its current ReplicaSet and ``replicas`` pods (``hook`` bends each pod)."""
    labels = {"app": name, **(extra_labels or {})}
    h = template_hash(f"{ns}/{name}")
    dep: JSON = {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": meta(
            "Deployment",
            ns,
            name,
            now,
            age,
            labels=labels,
            annotations={"deployment.kubernetes.io/revision": "1"},
        ),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": _template(labels, containers, init),
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
            },
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
        },
    }
    pod_labels = {**labels, "pod-template-hash": h}
    rs: JSON = {
        "kind": "ReplicaSet",
        "apiVersion": "apps/v1",
        "metadata": meta(
            "ReplicaSet",
            ns,
            f"{name}-{h}",
            now,
            age,
            labels=pod_labels,
            annotations={
                "deployment.kubernetes.io/desired-replicas": str(replicas),
                "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                "deployment.kubernetes.io/revision": "1",
            },
        ),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name, "pod-template-hash": h}},
            "template": _template(pod_labels, containers, init),
        },
    }
    rs["metadata"]["ownerReferences"] = [owner_ref(dep)]
    pods: list[JSON] = []
    for i in range(replicas):
        pname = f"{name}-{h}-{suffix(f'{ns}/{name}/{i}', 5)}"
        if pods:  # the replicas differ only in name, node and IP: copy the first (see `sibling`)
            pods.append(sibling(pods[0], pname, node_name=nodes[i % len(nodes)], ip=ips.next()))
            continue
        p = pod(
            ns,
            pname,
            containers,
            now=now,
            age=age - timedelta(seconds=3),
            labels=pod_labels,
            owner=rs,
            node_name=nodes[i % len(nodes)],
            ip=ips.next(),
            init=init,
            generate_name=f"{name}-{h}-",
        )
        pods.append(p)
    for i, p in enumerate(pods):  # bent only once all are copied: the copies start unbent
        if hook:
            hook(i, p)
    ready = sum(1 for p in pods if is_ready(p))
    t = ts(now, age - timedelta(seconds=10))
    rs["status"] = {
        "replicas": replicas,
        "fullyLabeledReplicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "observedGeneration": 1,
    }
    max_unavailable = replicas // 4
    available_ok = ready >= replicas - max_unavailable
    conds = [
        _cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", t)
        if available_ok
        else _cond(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            t,
        ),
    ]
    if progress_deadline_exceeded:
        conds.append(
            _cond(
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                f'ReplicaSet "{name}-{h}" has timed out progressing.',
                t,
            )
        )
    else:
        conds.append(
            _cond(
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                f'ReplicaSet "{name}-{h}" has successfully progressed.',
                t,
            )
        )
    dep["status"] = {
        "observedGeneration": 1,
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "conditions": conds,
    }
    if ready < replicas:
        dep["status"]["unavailableReplicas"] = replicas - ready
    if ready == 0:
        del dep["status"]["readyReplicas"]
        del dep["status"]["availableReplicas"]
    return [dep, rs, *pods]


def statefulset(
    ns: str,
    name: str,
    containers: list[JSON],
    *,
    now: datetime,
    age: timedelta,
    replicas: int,
    ips: IpPool,
    nodes: list[str],
    storage: str | None = None,
    storage_class: str = "standard",
) -> list[JSON]:
    """A StatefulSet, its pods and (with ``storage``) volumeClaimTemplates plus bound PVCs named
    ``data-<sts>-<ordinal>``, each pod mounting its own."""
    labels = {"app": name}
    rev = f"{name}-{template_hash(f'sts/{ns}/{name}')}"
    sts: JSON = {
        "kind": "StatefulSet",
        "apiVersion": "apps/v1",
        "metadata": meta("StatefulSet", ns, name, now, age, labels=labels),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": _template(labels, containers),
            "serviceName": name,
            "podManagementPolicy": "OrderedReady",
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        },
    }
    out: list[JSON] = [sts]
    if storage:
        sts["spec"]["volumeClaimTemplates"] = [
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": storage_class,
                    "resources": {"requests": {"storage": storage}},
                    "volumeMode": "Filesystem",
                },
            }
        ]
        for c in containers:  # shared by the template and every pod, as the controller's copies are
            c["volumeMounts"] = [*c.get("volumeMounts", []), {"name": "data", "mountPath": "/data"}]
    pods = []
    for i in range(replicas):
        plabels = {
            **labels,
            "apps.kubernetes.io/pod-index": str(i),
            "controller-revision-hash": rev,
            "statefulset.kubernetes.io/pod-name": f"{name}-{i}",
        }
        p = pod(
            ns,
            f"{name}-{i}",
            containers,
            now=now,
            age=age - timedelta(seconds=3 + i),
            labels=plabels,
            owner=sts,
            node_name=nodes[i % len(nodes)],
            ip=ips.next(),
            generate_name=f"{name}-",
        )
        p["spec"]["hostname"] = f"{name}-{i}"
        p["spec"]["subdomain"] = name
        if storage:
            claim = f"data-{name}-{i}"
            p["spec"]["volumes"].append({"name": "data", "persistentVolumeClaim": {"claimName": claim}})
            out.append(
                pvc(
                    ns,
                    claim,
                    storage,
                    now=now,
                    age=age,
                    labels=labels,
                    storage_class=storage_class,
                    node=p["spec"]["nodeName"],
                )
            )
        pods.append(p)
    ready = sum(1 for p in pods if is_ready(p))
    sts["status"] = {
        "observedGeneration": 1,
        "replicas": replicas,
        "readyReplicas": ready,
        "currentReplicas": replicas,
        "updatedReplicas": replicas,
        "availableReplicas": ready,
        "currentRevision": rev,
        "updateRevision": rev,
        "collisionCount": 0,
    }
    return out + pods


def pvc(
    ns: str,
    name: str,
    size: str,
    *,
    now: datetime,
    age: timedelta,
    labels: dict[str, str] | None = None,
    storage_class: str = "standard",
    node: str | None = None,
    bound: bool = True,
    provisioner: str = "ebs.csi.aws.com",
) -> JSON:
    """A claim as the PV controller leaves it: Bound to ``pvc-<its uid>`` (a PersistentVolume the
    scenario must also hold, see `pv_for`), or Pending when ``bound`` is False."""
    m = meta("PersistentVolumeClaim", ns, name, now, age, labels=labels)
    ann = {
        "volume.beta.kubernetes.io/storage-provisioner": provisioner,
        "volume.kubernetes.io/storage-provisioner": provisioner,
    }
    if bound:
        ann = {"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes", **ann}
    if node:
        ann["volume.kubernetes.io/selected-node"] = node
    m["annotations"] = ann
    m["finalizers"] = ["kubernetes.io/pvc-protection"]
    spec: JSON = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": size}},
        "storageClassName": storage_class,
        "volumeMode": "Filesystem",
    }
    if not bound:
        return {
            "kind": "PersistentVolumeClaim",
            "apiVersion": "v1",
            "metadata": m,
            "spec": spec,
            "status": {"phase": "Pending"},
        }
    spec["volumeName"] = f"pvc-{m['uid']}"
    return {
        "kind": "PersistentVolumeClaim",
        "apiVersion": "v1",
        "metadata": m,
        "spec": spec,
        "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}},
    }


def pv_for(
    claim: JSON, *, reclaim: str = "Delete", driver: str = "ebs.csi.aws.com", phase: str = "Bound"
) -> JSON:
    """The dynamically provisioned PersistentVolume a Bound ``claim`` names."""
    cm, spec = claim["metadata"], claim["spec"]
    size = spec["resources"]["requests"]["storage"]
    name = spec.get("volumeName") or f"pvc-{cm['uid']}"
    created = cm["creationTimestamp"]
    pv_meta: JSON = {
        "name": name,
        "uid": uid_for(f"PersistentVolume/{name}"),
        "creationTimestamp": created,
        "annotations": {
            "pv.kubernetes.io/provisioned-by": driver,
            "volume.kubernetes.io/provisioner-deletion-secret-name": "",
            "volume.kubernetes.io/provisioner-deletion-secret-namespace": "",
        },
        "finalizers": ["external-provisioner.volume.kubernetes.io/finalizer", "kubernetes.io/pv-protection"],
    }
    return {
        "kind": "PersistentVolume",
        "apiVersion": "v1",
        "metadata": pv_meta,
        "spec": {
            "capacity": {"storage": size},
            "csi": {"driver": driver, "volumeHandle": "vol-" + suffix(f"ebs/{name}", 17), "fsType": "ext4"},
            "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
            "claimRef": {
                "kind": "PersistentVolumeClaim",
                "namespace": cm.get("namespace", ""),
                "name": cm["name"],
                "uid": cm["uid"],
                "apiVersion": "v1",
            },
            "persistentVolumeReclaimPolicy": reclaim,
            "storageClassName": spec.get("storageClassName", ""),
            "volumeMode": spec.get("volumeMode", "Filesystem"),
        },
        "status": {"phase": phase, "lastPhaseTransitionTime": created},
    }


def daemonset(
    ns: str,
    name: str,
    containers: list[JSON],
    *,
    now: datetime,
    age: timedelta,
    ips: IpPool,
    nodes: list[str],
) -> list[JSON]:
    labels = {"app": name}
    rev = template_hash(f"ds/{ns}/{name}")
    ds: JSON = {
        "kind": "DaemonSet",
        "apiVersion": "apps/v1",
        "metadata": meta("DaemonSet", ns, name, now, age, labels=labels),
        "spec": {
            "selector": {"matchLabels": labels},
            "template": _template(labels, containers),
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
            },
        },
    }
    pods = []
    for i, node_name in enumerate(nodes):
        plabels = {**labels, "controller-revision-hash": rev, "pod-template-generation": "1"}
        pname = f"{name}-{suffix(f'{ns}/{name}/{node_name}', 5)}"
        pods.append(
            pod(
                ns,
                pname,
                containers,
                now=now,
                age=age - timedelta(seconds=2 + i),
                labels=plabels,
                owner=ds,
                node_name=node_name,
                ip=ips.next(),
                generate_name=f"{name}-",
            )
        )
    n = len(nodes)
    ready = sum(1 for p in pods if is_ready(p))
    ds["status"] = {
        "currentNumberScheduled": n,
        "numberMisscheduled": 0,
        "desiredNumberScheduled": n,
        "numberReady": ready,
        "observedGeneration": 1,
        "updatedNumberScheduled": n,
        "numberAvailable": ready,
    }
    return [ds, *pods]


def job(
    ns: str,
    name: str,
    containers: list[JSON],
    *,
    now: datetime,
    age: timedelta,
    ips: IpPool,
    outcome: str,
    owner: JSON | None = None,
    backoff_limit: int = 2,
    duration: timedelta = timedelta(seconds=40),
    message: str = "",
) -> list[JSON]:
    """A Job that ``outcome`` = ``Complete`` | ``Failed`` | ``Running``, with its pods."""
    uid = meta("Job", ns, name, now, age)["uid"]
    labels = {
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": name,
        "controller-uid": uid,
        "job-name": name,
    }
    tmpl = _template(labels, containers)
    tmpl["spec"]["restartPolicy"] = "Never"
    j: JSON = {
        "kind": "Job",
        "apiVersion": "batch/v1",
        "metadata": meta("Job", ns, name, now, age, labels=labels),
        "spec": {
            "parallelism": 1,
            "completions": 1,
            "backoffLimit": backoff_limit,
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}},
            "manualSelector": False,
            "template": tmpl,
            "completionMode": "NonIndexed",
            "suspend": False,
        },
    }
    if owner is not None:
        j["metadata"]["ownerReferences"] = [owner_ref(owner)]
    attempts = backoff_limit + 1 if outcome == "Failed" else 1
    pods = []
    for i in range(attempts):
        p = pod(
            ns,
            f"{name}-{suffix(f'{ns}/{name}/{i}', 5)}",
            containers,
            now=now,
            age=age - timedelta(seconds=1 + i * 15),
            labels=labels,
            owner=j,
            ip=ips.next(),
            generate_name=f"{name}-",
        )
        p["spec"]["restartPolicy"] = "Never"
        if outcome != "Running":
            phase, code, reason = (
                ("Succeeded", 0, "Completed") if outcome == "Complete" else ("Failed", 1, "Error")
            )
            p["status"]["phase"] = phase
            for cs in p["status"]["containerStatuses"]:
                cs["state"] = {
                    "terminated": {
                        "exitCode": code,
                        "reason": reason,
                        "startedAt": ts(now, age - timedelta(seconds=2 + i * 15)),
                        "finishedAt": ts(now, age - duration),
                        **({"message": message} if message and code else {}),
                    }
                }
                cs["ready"], cs["started"] = False, False
            for c in p["status"]["conditions"]:
                if c["type"] in ("Ready", "ContainersReady"):
                    c["status"], c["reason"] = "False", "PodCompleted" if code == 0 else "PodFailed"
        pods.append(p)
    start = ts(now, age - timedelta(seconds=1))
    st: JSON = {"startTime": start, "uncountedTerminatedPods": {}, "ready": 0, "terminating": 0}
    t_end = ts(now, age - duration)
    if outcome == "Complete":
        st.update(succeeded=1, completionTime=t_end)
        st["conditions"] = [
            {
                "type": "SuccessCriteriaMet",
                "status": "True",
                "lastProbeTime": t_end,
                "lastTransitionTime": t_end,
                "reason": "CompletionsReached",
                "message": "Reached expected number of succeeded pods",
            },
            {
                "type": "Complete",
                "status": "True",
                "lastProbeTime": t_end,
                "lastTransitionTime": t_end,
                "reason": "CompletionsReached",
                "message": "Reached expected number of succeeded pods",
            },
        ]
    elif outcome == "Failed":
        st.update(failed=attempts)
        st["conditions"] = [
            {
                "type": "FailureTarget",
                "status": "True",
                "lastProbeTime": t_end,
                "lastTransitionTime": t_end,
                "reason": "BackoffLimitExceeded",
                "message": "Job has reached the specified backoff limit",
            },
            {
                "type": "Failed",
                "status": "True",
                "lastProbeTime": t_end,
                "lastTransitionTime": t_end,
                "reason": "BackoffLimitExceeded",
                "message": "Job has reached the specified backoff limit",
            },
        ]
    else:
        st.update(active=1, ready=1)
    j["status"] = st
    return [j, *pods]


def cronjob(
    ns: str, name: str, schedule: str, containers: list[JSON], *, now: datetime, age: timedelta
) -> JSON:
    tmpl = _template({}, containers)
    tmpl["spec"]["restartPolicy"] = "OnFailure"
    return {
        "kind": "CronJob",
        "apiVersion": "batch/v1",
        "metadata": meta("CronJob", ns, name, now, age),
        "spec": {
            "schedule": schedule,
            "concurrencyPolicy": "Forbid",
            "suspend": False,
            "jobTemplate": {"metadata": {}, "spec": {"template": tmpl}},
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 1,
        },
        "status": {},
    }
