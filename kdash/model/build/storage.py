"""PersistentVolumeClaims, PersistentVolumes and ConfigMaps as the typed screens read them, and what
a pod spec mounts or reads (claims, ConfigMaps) from the raw object of a pod or workload.

Built on demand from the raw objects of on-demand feeds (the snapshot's pod records keep no
volumes: the hot pod path stays lean). Any shape is accepted and never raises.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass

from kdash.model.build._json import conditions, d, istr, lst, quantity_map, s
from kdash.model.build.meta import build_meta
from kdash.model.meta import Condition, Meta, ObjectKey


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """A PersistentVolumeClaim: what it asked for and what it got."""

    meta: Meta
    phase: str = ""  # Pending, Bound, Lost
    volume: str = ""  # spec.volumeName: the bound PV
    storage_class: str = ""  # "" means the default class (None in the API: see class_set)
    class_set: bool = False  # spec.storageClassName present ("" then means "no class")
    requested: str = ""
    capacity: str = ""
    access_modes: tuple[str, ...] = ()
    volume_mode: str = ""
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class VolumeRecord:
    """A PersistentVolume: capacity, modes, reclaim policy, status and where the data lives."""

    meta: Meta
    phase: str = ""  # Available, Bound, Released, Failed
    capacity: str = ""
    access_modes: tuple[str, ...] = ()
    reclaim_policy: str = ""
    storage_class: str = ""
    claim: ObjectKey | None = None
    source: str = ""  # "csi ebs.csi.aws.com vol-…", "nfs 10.0.0.50:/exports", "hostPath /var/…"
    volume_mode: str = ""
    reason: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class ConfigKey:
    """One key of a ConfigMap: its size in bytes (UTF-8 for `data`, decoded for `binaryData`)."""

    name: str
    size: int
    binary: bool = False


@dataclass(frozen=True, slots=True)
class ConfigMapRecord:
    meta: Meta
    keys: tuple[ConfigKey, ...] = ()
    immutable: bool = False


def _modes(x: object) -> tuple[str, ...]:
    return tuple(m for m in lst(x) if isinstance(m, str))


def build_claim(obj: object) -> ClaimRecord:
    raw = d(obj)
    spec = d(raw.get("spec"))
    status = d(raw.get("status"))
    class_name = spec.get("storageClassName")
    return ClaimRecord(
        meta=build_meta(raw, "PersistentVolumeClaim"),
        phase=s(status.get("phase")),
        volume=s(spec.get("volumeName")),
        storage_class=s(class_name),
        class_set=isinstance(class_name, str),
        requested=quantity_map(d(spec.get("resources")).get("requests")).get("storage", ""),
        capacity=quantity_map(status.get("capacity")).get("storage", ""),
        access_modes=_modes(status.get("accessModes")) or _modes(spec.get("accessModes")),
        volume_mode=s(spec.get("volumeMode")),
        conditions=conditions(status.get("conditions")),
    )


# volume sources a PV may name, and the fields that say where (in this order)
_SOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("csi", ("driver", "volumeHandle")),
    ("nfs", ("server", "path")),
    ("hostPath", ("path",)),
    ("local", ("path",)),
    ("awsElasticBlockStore", ("volumeID",)),
    ("gcePersistentDisk", ("pdName",)),
    ("azureDisk", ("diskName",)),
    ("iscsi", ("targetPortal", "iqn")),
    ("fc", ("wwids",)),
)


def _source(spec: Mapping[str, object]) -> str:
    for name, fields in _SOURCES:
        src = d(spec.get(name))
        if src:
            parts = [s(src.get(f)) for f in fields]
            if name == "nfs" and all(parts):
                return f"nfs {parts[0]}:{parts[1]}"
            return " ".join([name, *[p for p in parts if p]])
    return ""


def build_volume(obj: object) -> VolumeRecord:
    raw = d(obj)
    spec = d(raw.get("spec"))
    status = d(raw.get("status"))
    ref = d(spec.get("claimRef"))
    claim = None
    if s(ref.get("name")):
        claim = ObjectKey("PersistentVolumeClaim", s(ref.get("namespace")), s(ref.get("name")))
    return VolumeRecord(
        meta=build_meta(raw, "PersistentVolume"),
        phase=s(status.get("phase")),
        capacity=quantity_map(spec.get("capacity")).get("storage", ""),
        access_modes=_modes(spec.get("accessModes")),
        reclaim_policy=s(spec.get("persistentVolumeReclaimPolicy")),
        storage_class=s(spec.get("storageClassName")),
        claim=claim,
        source=_source(spec),
        volume_mode=s(spec.get("volumeMode")),
        reason=s(status.get("reason")),
        message=s(status.get("message")),
    )


def build_configmap(obj: object) -> ConfigMapRecord:
    """Key names and sizes only: values are not shown (the full object is the `y` view)."""
    raw = d(obj)
    meta = build_meta(raw, "ConfigMap")
    keys = [
        ConfigKey(k, len(v.encode("utf-8", "replace")))
        for k, v in d(raw.get("data")).items()
        if isinstance(k, str) and isinstance(v, str)
    ]
    keys += [
        ConfigKey(k, _decoded_size(v), binary=True)
        for k, v in d(raw.get("binaryData")).items()
        if isinstance(k, str) and isinstance(v, str)
    ]
    return ConfigMapRecord(
        meta=meta, keys=tuple(sorted(keys, key=lambda k: k.name)), immutable=raw.get("immutable") is True
    )


def _decoded_size(value: str) -> int:
    """The size of base64 `value` decoded (its length when it is not valid base64)."""
    try:
        return len(base64.b64decode(value, validate=False))
    except (binascii.Error, ValueError):
        return len(value)


# -- what a pod spec mounts and reads ---------------------------------------------------------------

POD_TEMPLATE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"})


def pod_spec_of(kind: str, obj: object) -> Mapping[str, object]:
    """The pod spec inside a raw Pod, workload (spec.template.spec) or CronJob
    (spec.jobTemplate.spec.template.spec); empty for anything else."""
    spec = d(d(obj).get("spec"))
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        return d(d(d(d(spec.get("jobTemplate")).get("spec")).get("template")).get("spec"))
    if kind in POD_TEMPLATE_KINDS:
        return d(d(spec.get("template")).get("spec"))
    return d(None)


def claim_names(pod_spec: Mapping[str, object], pod_name: str = "") -> tuple[tuple[str, str], ...]:
    """(volume name, claim name) of every claim a pod spec mounts; a generic ephemeral volume's
    claim is `<pod>-<volume>` (given `pod_name`)."""
    out: list[tuple[str, str]] = []
    for vol in lst(pod_spec.get("volumes")):
        if not isinstance(vol, dict):
            continue
        name = s(vol.get("name"))
        claim = s(d(vol.get("persistentVolumeClaim")).get("claimName"))
        if claim:
            out.append((name, claim))
        elif d(vol.get("ephemeral")) and pod_name and name:
            out.append((name, f"{pod_name}-{name}"))
    return tuple(out)


def _containers(pod_spec: Mapping[str, object]) -> list[Mapping[str, object]]:
    found = []
    for group in ("initContainers", "containers", "ephemeralContainers"):
        found += [d(c) for c in lst(pod_spec.get(group)) if isinstance(c, dict)]
    return found


def _mounts(pod_spec: Mapping[str, object], volume: str) -> str:
    """Where the containers mount `volume`: " at app:/etc/conf" ("" when none does)."""
    at = [
        f"{s(c.get('name'))}:{s(d(m).get('mountPath'))}"
        for c in _containers(pod_spec)
        for m in lst(c.get("volumeMounts"))
        if s(d(m).get("name")) == volume
    ]
    return f" at {', '.join(at)}" if at else ""


def configmap_uses(pod_spec: Mapping[str, object], configmap: str) -> tuple[str, ...]:
    """How a pod spec uses ConfigMap `configmap`, in words: "volume config at app:/etc/app",
    "projected volume all", "envFrom in app", "env LOG_LEVEL in app" (deduplicated, in spec order)."""
    uses: list[str] = []
    for vol in lst(pod_spec.get("volumes")):
        if not isinstance(vol, dict):
            continue
        name = s(vol.get("name"))
        if s(d(vol.get("configMap")).get("name")) == configmap:
            uses.append(f"volume {name}{_mounts(pod_spec, name)}")
        for src in lst(d(vol.get("projected")).get("sources")):
            if s(d(d(src).get("configMap")).get("name")) == configmap:
                uses.append(f"projected volume {name}{_mounts(pod_spec, name)}")
    for container in _containers(pod_spec):
        cname = s(container.get("name"))
        for src in lst(container.get("envFrom")):
            if s(d(d(src).get("configMapRef")).get("name")) == configmap:
                uses.append(f"envFrom in {cname}")
        for env in lst(container.get("env")):
            ref = d(d(d(env).get("valueFrom")).get("configMapKeyRef"))
            if s(ref.get("name")) == configmap:
                uses.append(f"env {s(d(env).get('name'))} in {cname}")
    return tuple(dict.fromkeys(uses))


def claim_template_names(statefulset: object) -> tuple[str, ...]:
    """A raw StatefulSet's spec.volumeClaimTemplates names (its pods' claims are
    `<template>-<statefulset>-<ordinal>`)."""
    return tuple(
        name
        for tmpl in lst(d(d(statefulset).get("spec")).get("volumeClaimTemplates"))
        if (name := istr(d(d(tmpl).get("metadata")).get("name")))
    )
