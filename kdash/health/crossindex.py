"""What the cross-object rules read: the whole snapshot, indexed once per run of those rules.

A leaf beside `context` (the registry's check type names it). The indexes are built from the
snapshot alone, in its order, so `evaluate()` and the incremental scorer get the same hits.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from kdash.health.context import Target
from kdash.model.meta import LabelSelector, ObjectKey, new_object_key
from kdash.model.snapshot import ClusterSnapshot

#: Namespaces the cluster's own components live in: not "ordinary" workloads for the RBAC rules,
#: and not asked to have a NetworkPolicy.
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})


def target_labels(t: Target) -> Mapping[str, str]:
    """The labels a target's pods carry: the template's, or a bare pod's own."""
    return t.template.labels if t.workload is not None else t.meta.labels


def lint_targets(snapshot: ClusterSnapshot) -> list[Target]:
    """Workloads (a CronJob's Jobs fold into the CronJob) and pods without a controller, as
    `evaluate._targets` makes them (restated here: the registry cannot import the evaluator)."""
    workloads = snapshot.workloads
    out: list[Target] = []
    for key, wl in workloads.items():
        owner = wl.meta.controller if wl.kind == "Job" else None
        if (
            owner is not None
            and owner.kind == "CronJob"
            and ObjectKey("CronJob", wl.meta.namespace, owner.name) in workloads
        ):
            continue
        out.append(Target(key, wl.meta, wl.template, workload=wl))
    out += [
        Target(p.meta.key, p.meta, p.spec, pod=p) for p in snapshot.pods.values() if p.meta.controller is None
    ]
    return out


class CrossIndex:
    """The snapshot with the lookups the cross-object rules share, each built on first use."""

    def __init__(self, snapshot: ClusterSnapshot) -> None:
        self.snapshot = snapshot

    @cached_property
    def targets(self) -> list[Target]:
        return lint_targets(self.snapshot)

    @cached_property
    def targets_by_ns(self) -> dict[str, list[Target]]:
        out: dict[str, list[Target]] = {}
        for t in self.targets:
            out.setdefault(t.key.namespace, []).append(t)
        return out

    @cached_property
    def _label_sources(self) -> dict[str, list[Mapping[str, str]]]:
        """Per namespace, the label sets pods have or will have: every workload's pod template
        (scaled to zero or not) and every pod no known workload stands for."""
        snap = self.snapshot
        out: dict[str, list[Mapping[str, str]]] = {}
        for wl in snap.workloads.values():
            out.setdefault(wl.meta.namespace, []).append(wl.template.labels)
        workloads = snap.workloads
        for pod in snap.pods.values():  # the hot loop at 100,000 pods: cheap keys, no Target
            ref, m = pod.workload, pod.meta
            if (
                ref is None
                or m.controller is None
                or new_object_key(ref.kind, m.namespace, ref.name) not in workloads
            ):
                out.setdefault(m.namespace, []).append(m.labels)
        return out

    def selects_any(self, selector: LabelSelector, namespace: str) -> bool:
        """Whether `selector` matches a pod, or a workload's pod template, of `namespace`."""
        return any(selector.matches(labels) for labels in self._label_sources.get(namespace, ()))

    def selected_targets(self, selector: LabelSelector, namespace: str) -> list[Target]:
        """The lint targets of `namespace` whose pods `selector` matches (an empty selector: none,
        as for a Service without one)."""
        if selector.empty:
            return []
        return [t for t in self.targets_by_ns.get(namespace, ()) if selector.matches(target_labels(t))]

    def annotations(self, key: ObjectKey) -> Mapping[str, str]:
        """The annotations whose exemptions apply to a finding on `key` (a target's merge the
        template's, as everywhere)."""
        snap = self.snapshot
        wl = snap.workloads.get(key)
        if wl is not None:
            return Target(key, wl.meta, wl.template, workload=wl).annotations
        pod = snap.pods.get(key)
        if pod is not None:
            return Target(key, pod.meta, pod.spec, pod=pod).annotations
        for records in (snap.services, snap.ingresses, snap.pdbs, snap.netpols, snap.configmaps):
            record = records.get(key)
            if record is not None:
                return record.meta.annotations
        for rbac in (snap.bindings, snap.roles):
            found = rbac.get(key)
            if found is not None:
                return found.meta.annotations
        return {}
