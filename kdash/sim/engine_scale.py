"""Behaviour engine part that moves workloads: an HPA under a synthetic load curve.

The HPA part is the controller loop in miniature: every sync period it reads a sine-wave demand,
reports it as cpu utilisation in ``currentMetrics``, derives ``desiredReplicas`` within
[min, max] with the controller's 10 % tolerance, scales the target Deployment's current ReplicaSet,
and creates or deletes pods (Pending, then Running a few simulated seconds later) so the
Deployment's counters are always derived from pods that exist. Quotas follow those pods in
:mod:`kdash.sim.engine_quota`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from kdash.model.quantity import try_quantity
from kdash.sim.engine_objects import Objects, with_cpu_status
from kdash.sim.engine_quota import canonical
from kdash.sim.load import wave
from kdash.sim.scenarios.builders import pod as build_pod
from kdash.sim.scenarios.builders import refresh_conditions, running_status, suffix
from kdash.sim.scenarios.workloads import is_ready

JSON = dict[str, Any]

#: Simulated seconds between HPA syncs (kube-controller-manager's default).
SYNC_SECONDS = 15.0
#: Simulated seconds a new pod stays Pending/ContainerCreating.
START_SECONDS = 3.0
TOLERANCE = 0.1
MAX_HPAS = 5


@dataclass
class _Hpa:
    namespace: str
    name: str
    target: str
    min_r: int
    max_r: int
    target_util: int
    next_sync: float = 0.0


@dataclass
class _Starting:
    namespace: str
    name: str
    ip: str
    ready_at: float


def _cpu_target(hpa: JSON) -> int:
    for metric in (hpa.get("spec") or {}).get("metrics") or []:
        res = metric.get("resource") or {}
        if metric.get("type") == "Resource" and res.get("name") == "cpu":
            util = (res.get("target") or {}).get("averageUtilization")
            if isinstance(util, int) and util > 0:
                return util
    return 80


def _set_condition(status: JSON, ctype: str, value: str, reason: str, message: str, now: str) -> None:
    conds: list[JSON] = status.setdefault("conditions", None) or []
    status["conditions"] = conds
    for cond in conds:
        if cond.get("type") == ctype:
            if cond.get("status") != value:
                cond["lastTransitionTime"] = now
            cond.update({"status": value, "reason": reason, "message": message})
            return
    conds.append(
        {"type": ctype, "status": value, "lastTransitionTime": now, "reason": reason, "message": message}
    )


def _owned_by(obj: JSON, uid: str) -> bool:
    return any(ref.get("uid") == uid for ref in (obj.get("metadata") or {}).get("ownerReferences") or [])


class Scaler:
    """HPA → Deployment → ReplicaSet → Pods, for HPAs that have room to scale."""

    def __init__(self, objects: Objects, rng: random.Random) -> None:
        self.o = objects
        self.rng = rng
        self.hpas: list[_Hpa] = []
        self._starting: dict[tuple[str, str], _Starting] = {}
        self._dirty: set[tuple[str, str]] = set()  # deployments whose status needs recomputing
        self._discovered = False
        self._ip = 0

    def discover(self) -> None:
        """Pick, once, the HPAs below their max that target an existing Deployment."""
        if self._discovered:
            return
        self._discovered = True
        for (ns, name), entry in self.o.state.store.iter_entries("horizontalpodautoscalers"):
            hpa = entry.obj
            spec, status = hpa.get("spec") or {}, hpa.get("status") or {}
            ref = spec.get("scaleTargetRef") or {}
            max_r = int(spec.get("maxReplicas") or 1)
            min_r = int(spec.get("minReplicas") or 1)
            if ref.get("kind") != "Deployment" or int(status.get("currentReplicas") or 0) >= max_r:
                continue
            if self.o.peek("deployments", ns, str(ref.get("name"))) is None:
                continue
            self.hpas.append(_Hpa(ns, name, str(ref["name"]), min_r, max_r, _cpu_target(hpa)))
            if len(self.hpas) >= MAX_HPAS:
                break

    def tick(self, sim_time: float) -> None:
        self._start_due(sim_time)
        for hpa in list(self.hpas):
            if sim_time >= hpa.next_sync:
                hpa.next_sync = sim_time + SYNC_SECONDS
                if not self._sync(hpa, sim_time):
                    self.hpas.remove(hpa)
        for ns, dep in list(self._dirty):
            self._dirty.discard((ns, dep))
            self._reconcile(ns, dep)

    # ---- the load curve and the HPA -----------------------------------------------------

    def demand(self, hpa: _Hpa, sim_time: float) -> float:
        """Load in "pods at target utilisation": from 0.9×min up to just past max and back."""
        low = 0.9 * hpa.min_r
        high = hpa.max_r + 0.5
        return low + (high - low) * wave(sim_time)

    def _sync(self, hpa: _Hpa, sim_time: float) -> bool:
        ns = hpa.namespace
        dep = self.o.peek("deployments", ns, hpa.target)
        rs = self._current_rs(ns, hpa.target)
        if dep is None or rs is None:
            return False
        pods = self._pods(ns, rs)
        current = len(pods)
        ready = max(sum(1 for p in pods if is_ready(p)), 1)
        jitter = self.rng.uniform(0.97, 1.03)
        util = max(1, round(self.demand(hpa, sim_time) * hpa.target_util * jitter / ready))
        ratio = util / hpa.target_util
        raw = current if abs(ratio - 1) <= TOLERANCE else math.ceil(ready * ratio - 1e-9)
        desired = min(max(raw, hpa.min_r), hpa.max_r)
        request = sum(
            (try_quantity(((c.get("resources") or {}).get("requests") or {}).get("cpu")) or Decimal(0))
            for c in ((rs.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or []
        )
        now = self.o.stamp()

        def change(obj: JSON) -> bool:
            st = obj.setdefault("status", {})
            current_value: JSON = {"averageUtilization": util}
            if request:
                current_value["averageValue"] = canonical("cpu", request * util / 100)
            cpu = {"type": "Resource", "resource": {"name": "cpu", "current": current_value}}
            st["currentMetrics"] = with_cpu_status(obj, cpu)
            st["currentReplicas"] = current
            st["desiredReplicas"] = desired
            if desired != current:
                st["lastScaleTime"] = now
                _set_condition(
                    st,
                    "AbleToScale",
                    "True",
                    "SucceededRescale",
                    f"the HPA controller was able to update the target scale to {desired}",
                    now,
                )
            else:
                _set_condition(
                    st,
                    "AbleToScale",
                    "True",
                    "ReadyForNewScale",
                    "recommended size matches current size",
                    now,
                )
            _set_condition(
                st,
                "ScalingActive",
                "True",
                "ValidMetricFound",
                "the HPA was able to successfully calculate a replica count from cpu resource utilization "
                "(percentage of request)",
                now,
            )
            if raw > hpa.max_r:
                _set_condition(
                    st,
                    "ScalingLimited",
                    "True",
                    "TooManyReplicas",
                    "the desired replica count is more than the maximum replica count",
                    now,
                )
            elif raw < hpa.min_r:
                _set_condition(
                    st,
                    "ScalingLimited",
                    "True",
                    "TooFewReplicas",
                    "the desired replica count is less than the minimum replica count",
                    now,
                )
            else:
                _set_condition(
                    st,
                    "ScalingLimited",
                    "False",
                    "DesiredWithinRange",
                    "the desired count is within the acceptable range",
                    now,
                )
            return True

        if not self.o.update("horizontalpodautoscalers", ns, hpa.name, change):
            return False
        if desired != current:
            hpa_obj = self.o.get("horizontalpodautoscalers", ns, hpa.name)
            if hpa_obj is not None:
                direction = "above" if desired > current else "below"
                self.o.event(
                    hpa_obj,
                    "SuccessfulRescale",
                    f"New size: {desired}; reason: cpu resource utilization (percentage of request) {direction} target",
                    component="horizontal-pod-autoscaler",
                )
            self._scale(ns, hpa.target, rs, pods, desired, sim_time)
        return True

    # ---- deployment, replicaset, pods ------------------------------------------------------

    def _current_rs(self, ns: str, dep_name: str) -> JSON | None:
        dep = self.o.peek("deployments", ns, dep_name)
        if dep is None:
            return None
        uid = dep["metadata"].get("uid", "")
        best: tuple[int, str] | None = None
        for (_, name), entry in self.o.state.store.iter_entries("replicasets", ns):
            if _owned_by(entry.obj, uid):
                ann = entry.obj["metadata"].get("annotations") or {}
                rev = int(ann.get("deployment.kubernetes.io/revision", "0") or 0)
                if best is None or (rev, name) > best:
                    best = (rev, name)
        return None if best is None else self.o.peek("replicasets", ns, best[1])

    def _pods(self, ns: str, rs: JSON) -> list[JSON]:
        uid = rs["metadata"].get("uid", "")
        return [e.obj for _, e in self.o.state.store.iter_entries("pods", ns) if _owned_by(e.obj, uid)]

    def _scale(
        self, ns: str, dep_name: str, rs: JSON, pods: list[JSON], desired: int, sim_time: float
    ) -> None:
        rs_name = rs["metadata"]["name"]
        current = len(pods)

        def set_replicas(obj: JSON) -> bool:
            obj.setdefault("spec", {})["replicas"] = desired
            if obj["kind"] == "ReplicaSet":
                ann = obj["metadata"].setdefault("annotations", {})
                ann["deployment.kubernetes.io/desired-replicas"] = str(desired)
                ann["deployment.kubernetes.io/max-replicas"] = str(desired + max(1, math.ceil(desired / 4)))
            return True

        self.o.update("deployments", ns, dep_name, set_replicas)
        self.o.update("replicasets", ns, rs_name, set_replicas)
        if desired > current:
            for _ in range(desired - current):
                self._create_pod(ns, rs_name, sim_time)
        else:
            # Like the ReplicaSet controller: not-ready pods first, then the youngest.
            victims = sorted(
                pods,
                key=lambda p: (p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]),
                reverse=True,
            )
            victims.sort(key=is_ready)  # stable: youngest first within each group
            for p in victims[: current - desired]:
                name = p["metadata"]["name"]
                self._starting.pop((ns, name), None)
                self.o.delete("pods", ns, name)
        dep = self.o.get("deployments", ns, dep_name)
        if dep is not None:
            verb = "up" if desired > current else "down"
            self.o.event(
                dep,
                "ScalingReplicaSet",
                f"Scaled {verb} replica set {rs_name} from {current} to {desired}",
                component="deployment-controller",
            )
        self._dirty.add((ns, dep_name))

    def _create_pod(self, ns: str, rs_name: str, sim_time: float) -> None:
        rs = self.o.get("replicasets", ns, rs_name)
        if rs is None:
            return
        template = (rs.get("spec") or {}).get("template") or {}
        tspec = template.get("spec") or {}
        containers = tspec.get("containers") or []
        if not containers:
            return
        for _ in range(20):
            name = f"{rs_name}-{suffix(f'{ns}/{rs_name}/{self.rng.getrandbits(64)}', 5)}"
            if self.o.peek("pods", ns, name) is None:
                break
        else:
            return
        nodes = [key[1] for key in self.o.state.store.keys("nodes")] or ["node-1"]
        self._ip += 1
        ip = f"10.244.{200 + (self._ip // 250) % 50}.{self._ip % 250 + 2}"
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        p = build_pod(
            ns,
            name,
            containers,
            now=self.o.now(),
            age=timedelta(0),
            labels=labels,
            owner=rs,
            node_name=nodes[self._ip % len(nodes)],
            ip=ip,
            init=tspec.get("initContainers") or None,
            generate_name=f"{rs_name}-",
        )
        del p["metadata"]["uid"]  # a fresh uid per pod, even if a name ever came back
        st = p["status"]
        st["phase"] = "Pending"
        st.pop("podIP", None)
        st.pop("podIPs", None)
        for cs in st.get("containerStatuses") or []:
            cs["state"] = {"waiting": {"reason": "ContainerCreating"}}
            cs["ready"] = False
            cs["started"] = False
            cs.pop("containerID", None)
        refresh_conditions(p, self.o.now(), timedelta(0))
        self.o.put(p)
        self._starting[(ns, name)] = _Starting(ns, name, ip, sim_time + START_SECONDS)

    def _start_due(self, sim_time: float) -> None:
        now = self.o.now()
        stamp = self.o.stamp()
        for key, start in list(self._starting.items()):
            if sim_time < start.ready_at:
                continue
            del self._starting[key]

            def run(p: JSON, start: _Starting = start) -> bool:
                st = p.setdefault("status", {})
                st["phase"] = "Running"
                st["podIP"] = start.ip
                st["podIPs"] = [{"ip": start.ip}]
                st["startTime"] = stamp
                seed = f"{start.namespace}/{start.name}"
                st["containerStatuses"] = [
                    running_status(c, stamp, seed=seed) for c in p["spec"].get("containers") or []
                ]
                refresh_conditions(p, now, timedelta(0))
                return True

            if self.o.update("pods", start.namespace, start.name, run):
                pod = self.o.peek("pods", start.namespace, start.name)
                for ref in ((pod or {}).get("metadata") or {}).get("ownerReferences") or []:
                    rs = self.o.peek("replicasets", start.namespace, str(ref.get("name")))
                    for dref in ((rs or {}).get("metadata") or {}).get("ownerReferences") or []:
                        self._dirty.add((start.namespace, str(dref.get("name"))))

    def _reconcile(self, ns: str, dep_name: str) -> None:
        """Deployment and ReplicaSet counters from the pods that exist (written only on change)."""
        rs = self._current_rs(ns, dep_name)
        if rs is None:
            return
        pods = self._pods(ns, rs)
        n, ready = len(pods), sum(1 for p in pods if is_ready(p))

        def rs_status(obj: JSON) -> bool:
            new = {
                "replicas": n,
                "fullyLabeledReplicas": n,
                "readyReplicas": ready,
                "availableReplicas": ready,
                "observedGeneration": obj["metadata"].get("generation", 1),
            }
            if obj.get("status") == new:
                return False
            obj["status"] = new
            return True

        def dep_status(obj: JSON) -> bool:
            old = obj.get("status") or {}
            st: JSON = dict(old)
            want = int((obj.get("spec") or {}).get("replicas") or 0)
            st.update(
                observedGeneration=obj["metadata"].get("generation", 1),
                replicas=n,
                updatedReplicas=n,
                readyReplicas=ready,
                availableReplicas=ready,
            )
            if want > ready:
                st["unavailableReplicas"] = want - ready
            else:
                st.pop("unavailableReplicas", None)
            available = ready >= want - want // 4
            now = self.o.stamp()
            conds = [dict(c) for c in st.get("conditions") or []]
            for c in conds:
                if c.get("type") == "Available" and (c.get("status") == "True") != available:
                    c.update(
                        status="True" if available else "False",
                        reason="MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
                        message="Deployment has minimum availability."
                        if available
                        else "Deployment does not have minimum availability.",
                        lastUpdateTime=now,
                        lastTransitionTime=now,
                    )
            st["conditions"] = conds
            if st == old:
                return False
            obj["status"] = st
            return True

        self.o.update("replicasets", ns, rs["metadata"]["name"], rs_status)
        self.o.update("deployments", ns, dep_name, dep_status)
