"""Behaviour engine part that keeps ResourceQuota ``used`` in step with the pods of its namespace.

Quota ``used`` follows the pods as a *delta* from the scenario's own figure: the demo's quotas were
written to sit near their limits (that is what the health rules should show), and a literal
recomputation would both lose that and, for the 16-core pending pod, report more than the admission
controller would ever have let in.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from kdash.model.quantity import is_byte_resource, is_cpu_resource, try_quantity
from kdash.sim.engine_objects import Objects

JSON = dict[str, Any]

QUOTA_KEYS = ("pods", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "cpu", "memory")

_BINARY = (("Ei", 60), ("Pi", 50), ("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10))


def canonical(resource: str, value: Decimal) -> str:
    """A quantity the way the API server serialises it: ``3400m``, ``2``, ``6Gi``, ``5632Mi``."""
    if value == value.to_integral_value():
        whole = int(value)
        if is_byte_resource(resource) and whole:
            for unit, bits in _BINARY:
                if whole % (1 << bits) == 0:
                    return f"{whole >> bits}{unit}"
        return str(whole)
    if is_cpu_resource(resource) or not is_byte_resource(resource):
        return f"{math.ceil(value * 1000)}m"
    return str(math.ceil(value))


class QuotaTracker:
    """Keeps each ResourceQuota's ``used`` in step with the pods of its namespace (see module doc)."""

    def __init__(self, objects: Objects) -> None:
        self.o = objects
        self._offsets: dict[tuple[str, str], dict[str, Decimal]] = {}
        #: namespace -> pod name -> (resourceVersion, usage); rebuilt per look, so deleted pods drop out.
        self._pod_cache: dict[str, dict[str, tuple[str, dict[str, Decimal]]]] = {}
        self._seen_rv = -1
        #: namespace -> (store, its pods' changed_at there, totals): reused while no pod there changed.
        self._totals_cache: dict[str, tuple[object, int, dict[str, Decimal]]] = {}
        #: quota -> (store, quota resourceVersion, pods' changed_at) when last found in step.
        self._in_step: dict[tuple[str, str], tuple[object, str, int]] = {}
        self._usage_cache: dict[tuple[Any, ...], dict[str, Decimal]] = {}

    def tick(self) -> None:
        store = self.o.state.store
        if store.rv == self._seen_rv:
            return  # nothing changed anywhere since the last look
        for (ns, name), entry in store.iter_entries("resourcequotas"):
            quota = entry.obj
            stamp: tuple[object, str, int] = (
                store,
                str(quota["metadata"].get("resourceVersion", "")),
                store.changed_at("pods", ns),
            )
            if self._in_step.get((ns, name)) == stamp:
                continue  # neither the quota nor its namespace's pods changed since it was in step
            self._in_step[(ns, name)] = stamp
            hard = (quota.get("status") or {}).get("hard") or (quota.get("spec") or {}).get("hard") or {}
            keys = [k for k in QUOTA_KEYS if k in hard]
            if not keys:
                continue
            totals = self._ns_totals(ns)
            used = (quota.get("status") or {}).get("used") or {}
            offsets = self._offsets.get((ns, name))
            if offsets is None:
                offsets = {k: (try_quantity(used.get(k)) or totals[k]) - totals[k] for k in keys}
                self._offsets[(ns, name)] = offsets
            changed: dict[str, str] = {}
            for k in keys:
                value = max(totals[k] + offsets.get(k, Decimal(0)), Decimal(0))
                if try_quantity(used.get(k)) != value:
                    changed[k] = canonical(k, value)
            if changed:

                def apply(obj: JSON, changed: dict[str, str] = changed) -> bool:
                    st = obj.setdefault("status", {})
                    st["used"] = {**(st.get("used") or {}), **changed}
                    return True

                self.o.update("resourcequotas", ns, name, apply)
        self._seen_rv = store.rv

    def _ns_totals(self, ns: str) -> dict[str, Decimal]:
        store = self.o.state.store
        stamp = store.changed_at("pods", ns)
        hit = self._totals_cache.get(ns)
        if hit is not None and hit[0] is store and hit[1] == stamp:
            return hit[2]
        totals = self._totals(ns)
        self._totals_cache[ns] = (store, stamp, totals)
        return totals

    def _totals(self, ns: str) -> dict[str, Decimal]:
        totals = dict.fromkeys(QUOTA_KEYS, Decimal(0))
        old = self._pod_cache.get(ns, {})
        fresh: dict[str, tuple[str, dict[str, Decimal]]] = {}
        self._pod_cache[ns] = fresh
        for (_, name), entry in self.o.state.store.iter_entries("pods", ns):
            p = entry.obj
            if (p.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            rv = str(p["metadata"].get("resourceVersion", ""))
            cached = old.get(name)
            if cached is None or cached[0] != rv:
                cached = (rv, self._pod_usage(p))
            fresh[name] = cached
            for k, v in cached[1].items():
                totals[k] += v
        return totals

    def _pod_usage(self, p: JSON) -> dict[str, Decimal]:
        """``pod_usage``, remembered by the containers' requests and limits: the pods of a workload
        are alike, and parsing quantities for every pod of 100,000 is seconds of the first tick."""
        key = tuple(
            _hashable(((c.get("resources") or {}).get(kind) or {}).get(resource))
            for c in (p.get("spec") or {}).get("containers") or []
            for kind in ("requests", "limits")
            for resource in ("cpu", "memory")
        )
        usage = self._usage_cache.get(key)
        if usage is None:
            usage = self._usage_cache[key] = pod_usage(p)
        return usage


def _hashable(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float)) else repr(value)


def pod_usage(p: JSON) -> dict[str, Decimal]:
    """What one pod counts against each of QUOTA_KEYS (scenarios use it to write matching quotas)."""
    usage = dict.fromkeys(QUOTA_KEYS, Decimal(0))
    usage["pods"] = Decimal(1)
    for c in (p.get("spec") or {}).get("containers") or []:
        res = c.get("resources") or {}
        for kind in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                q = try_quantity((res.get(kind) or {}).get(resource))
                if q is not None:
                    usage[f"{kind}.{resource}"] += q
                    if kind == "requests":
                        usage[resource] += q
    return usage
