"""The demo's storage: two StorageClasses, a PersistentVolume behind every Bound claim (the
StatefulSets' ``data-<sts>-<ordinal>`` claims included), a claim that stays Pending, and a spare and a
Released volume."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kdash.sim.scenarios.builders import meta, suffix, ts, uid_for
from kdash.sim.scenarios.workloads import pv_for, pvc

JSON = dict[str, Any]
D = timedelta(days=1)
DRIVER = "ebs.csi.aws.com"
#: StorageClass -> reclaim policy of the volumes it provisions.
RECLAIM = {"standard": "Delete", "fast": "Retain"}


def storage_classes(now: datetime) -> list[JSON]:
    out = []
    for name, params, default in (
        ("standard", {"type": "gp3"}, True),
        ("fast", {"type": "io2", "iopsPerGB": "50"}, False),
    ):
        ann = {"storageclass.kubernetes.io/is-default-class": "true"} if default else None
        out.append(
            {
                "kind": "StorageClass",
                "apiVersion": "storage.k8s.io/v1",
                "metadata": meta("StorageClass", None, name, now, 30 * D, annotations=ann),
                "provisioner": DRIVER,
                "parameters": params,
                "reclaimPolicy": RECLAIM[name],
                "allowVolumeExpansion": True,
                "volumeBindingMode": "WaitForFirstConsumer",
            }
        )
    return out


def claims(now: datetime) -> list[JSON]:
    """Claims outside StatefulSets: prometheus's (Bound, mounted by its pod) and shop/uploads
    (Pending: WaitForFirstConsumer and nothing mounts it)."""
    return [
        pvc(
            "monitoring",
            "prometheus-data",
            "50Gi",
            now=now,
            age=30 * D,
            labels={"app": "prometheus"},
            node="node-1",
        ),
        pvc(
            "shop",
            "uploads",
            "5Gi",
            now=now,
            age=2 * D,
            labels={"app": "uploads"},
            storage_class="fast",
            bound=False,
        ),
    ]


def volumes(objs: list[JSON], now: datetime) -> list[JSON]:
    """A PV for every Bound claim in ``objs``, plus a spare NFS volume and a Released one."""
    out = [
        pv_for(o, reclaim=RECLAIM.get(o["spec"].get("storageClassName", ""), "Delete"))
        for o in objs
        if o["kind"] == "PersistentVolumeClaim" and o["status"].get("phase") == "Bound"
    ]
    out.append(
        {
            "kind": "PersistentVolume",
            "apiVersion": "v1",
            "metadata": meta("PersistentVolume", None, "nfs-archive", now, 30 * D, labels={"type": "nfs"}),
            "spec": {
                "capacity": {"storage": "100Gi"},
                "nfs": {"server": "10.0.0.50", "path": "/exports/archive"},
                "accessModes": ["ReadWriteMany", "ReadOnlyMany"],
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": "",
                "volumeMode": "Filesystem",
            },
            "status": {"phase": "Available", "lastPhaseTransitionTime": ts(now, 30 * D)},
        }
    )
    gone = uid_for("PersistentVolumeClaim/shop/data-redis-2")
    released = f"pvc-{gone}"
    out.append(
        {
            "kind": "PersistentVolume",
            "apiVersion": "v1",
            "metadata": {
                **meta("PersistentVolume", None, released, now, 9 * D),
                "annotations": {"pv.kubernetes.io/provisioned-by": DRIVER},
                "finalizers": ["kubernetes.io/pv-protection"],
            },
            "spec": {
                "capacity": {"storage": "1Gi"},
                "csi": {
                    "driver": DRIVER,
                    "volumeHandle": "vol-" + suffix(f"ebs/{released}", 17),
                    "fsType": "ext4",
                },
                "accessModes": ["ReadWriteOnce"],
                "claimRef": {
                    "kind": "PersistentVolumeClaim",
                    "namespace": "shop",
                    "name": "data-redis-2",
                    "uid": gone,
                    "apiVersion": "v1",
                },
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": "fast",
                "volumeMode": "Filesystem",
            },
            "status": {"phase": "Released", "lastPhaseTransitionTime": ts(now, 3 * D)},
        }
    )
    return out


def mount_claim(workload: list[JSON], claim: str, container: str, path: str) -> None:
    """Make every pod (and the pod template) of ``workload`` mount PVC ``claim``."""
    volume = {"name": "data", "persistentVolumeClaim": {"claimName": claim}}
    add_volume(workload, volume, container, {"name": "data", "mountPath": path})


def add_volume(workload: list[JSON], volume: JSON, container: str, mount: JSON | None) -> None:
    """Add ``volume`` to the pod template and every pod of ``workload`` and, with ``mount``, mount it
    in ``container`` (whose dict the template and the pods share)."""
    mounted: set[int] = set()
    for obj in workload:
        if obj["kind"] == "Pod":
            spec = obj["spec"]
        elif obj["kind"] in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
            spec = obj["spec"]["template"]["spec"]
        else:
            continue
        spec["volumes"] = [*spec.get("volumes", []), volume]  # a new list: siblings share the old
        for c in spec.get("containers") or []:
            if mount is not None and c["name"] == container and id(c) not in mounted:
                c["volumeMounts"] = [*c.get("volumeMounts", []), mount]
                mounted.add(id(c))
