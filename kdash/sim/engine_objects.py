"""How the behaviour engine reads and changes objects: the same store calls the Python API makes.

Every write goes through :meth:`Store.put` / :meth:`Store.delete`, exactly like ``SimCluster.update``
and ``SimCluster.delete``, so an engine change bumps the resourceVersion, lands in the watch history
and reaches every open watch. Kubernetes Events are upserted (count/lastTimestamp bumped on a repeat,
the way the kubelet's event correlator does) so a long-running demo never grows them without bound.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson

from kdash.sim.state import SimState
from kdash.sim.store import rfc3339

JSON = dict[str, Any]
EventKey = tuple[str, str, str, str, str]  # kind, namespace, name, reason, fieldPath

#: New Event objects the engine may create; repeats only update existing ones.
MAX_NEW_EVENTS = 100


def go_duration(seconds: float) -> str:
    """Go's time.Duration text (``10s``, ``1m20s``, ``5m0s``), as the kubelet prints back-offs."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


def _is_cpu(metric: JSON) -> bool:
    return metric.get("type") == "Resource" and (metric.get("resource") or {}).get("name") == "cpu"


def with_cpu_status(hpa: JSON, cpu: JSON) -> list[JSON]:
    """The HPA's ``currentMetrics`` with the cpu entry replaced by ``cpu``: one status per spec
    metric at the same position (kubectl pairs them by index), the others kept as they were."""
    specs = (hpa.get("spec") or {}).get("metrics") or []
    old = ((hpa.get("status") or {}).get("currentMetrics")) or []
    if not specs:
        return [cpu]
    out = []
    for i, spec in enumerate(specs):
        if _is_cpu(spec):
            out.append(cpu)
        elif i < len(old) and isinstance(old[i], dict) and old[i].get("type") == spec.get("type"):
            out.append(old[i])
        else:
            out.append({"type": spec.get("type")})
    return out


class Objects:
    """Read/update/delete helpers over one simulator's store; only used on the server's loop."""

    def __init__(self, state: SimState) -> None:
        self.state = state
        self._event_names: dict[EventKey, str] = {}
        self.new_events = 0

    def now(self) -> datetime:
        return self.state.now()

    def stamp(self) -> str:
        return rfc3339(self.state.now())

    def get(self, kind: str, namespace: str, name: str) -> JSON | None:
        """A private deep copy (with kind/apiVersion) that may be edited and then ``put``."""
        rt = self.state.store.types.lookup(kind)
        entry = self.state.store.entry(rt.key, namespace if rt.namespaced else "", name)
        if entry is None:
            return None
        full: JSON = {"kind": rt.kind, "apiVersion": rt.api_version, **orjson.loads(entry.raw)}
        return full

    def peek(self, kind: str, namespace: str, name: str) -> JSON | None:
        """The stored dict itself, for read-only checks that must stay cheap (never mutate it)."""
        rt = self.state.store.types.lookup(kind)
        entry = self.state.store.entry(rt.key, namespace if rt.namespaced else "", name)
        return None if entry is None else entry.obj

    def put(self, obj: JSON) -> JSON:
        return self.state.store.put(obj)

    def update(self, kind: str, namespace: str, name: str, fn: Callable[[JSON], bool]) -> bool:
        """Apply ``fn`` to a copy and store it when ``fn`` returns True; False when the object is gone."""
        obj = self.get(kind, namespace, name)
        if obj is None:
            return False
        if fn(obj):
            self.state.store.put(obj)
        return True

    def delete(self, kind: str, namespace: str, name: str) -> bool:
        rt = self.state.store.types.lookup(kind)
        gone = self.state.store.delete(rt.key, namespace if rt.namespaced else "", name)
        if gone is not None and rt.plural == "pods":
            self.state.logs.forget_pod(namespace, name)
        return gone is not None

    # ---- events ------------------------------------------------------------------------

    def event(
        self,
        involved: JSON,
        reason: str,
        message: str,
        *,
        etype: str = "Normal",
        field_path: str = "",
        component: str = "kubelet",
        host: str = "",
    ) -> None:
        """Record an Event about ``involved`` (a full object): bump a matching one, else create one."""
        meta = involved.get("metadata") or {}
        ns, name, kind = str(meta.get("namespace", "")), str(meta.get("name", "")), str(involved["kind"])
        key: EventKey = (kind, ns, name, reason, field_path)
        now = self.stamp()
        existing = self._find_event(key)
        if existing is not None:

            def bump(ev: JSON) -> bool:
                ev["count"] = int(ev.get("count") or 1) + 1
                ev["lastTimestamp"] = now
                ev["message"] = message
                return True

            if self.update("events", ns, existing, bump):
                return
            self._event_names.pop(key, None)
        if self.new_events >= MAX_NEW_EVENTS:
            return
        self.new_events += 1
        digest = hashlib.sha1("/".join(key).encode()).hexdigest()[:16]
        ev_name = f"{name}.{digest}"
        inv: JSON = {
            "kind": kind,
            "namespace": ns,
            "name": name,
            "uid": meta.get("uid", ""),
            "apiVersion": involved.get("apiVersion", "v1"),
        }
        if field_path:
            inv["fieldPath"] = field_path
        source: JSON = {"component": component}
        if host:
            source["host"] = host
        self.put(
            {
                "kind": "Event",
                "apiVersion": "v1",
                "metadata": {"name": ev_name, "namespace": ns},
                "involvedObject": inv,
                "reason": reason,
                "message": message,
                "source": source,
                "firstTimestamp": now,
                "lastTimestamp": now,
                "count": 1,
                "type": etype,
                "eventTime": None,
                "reportingComponent": component,
                "reportingInstance": host,
            }
        )
        self._event_names[key] = ev_name

    def _find_event(self, key: EventKey) -> str | None:
        """The name of the stored Event for ``key`` (scenario-made ones included), cached."""
        name = self._event_names.get(key)
        if name is not None and self.state.store.entry("events", key[1], name) is not None:
            return name
        kind, ns, obj_name, reason, field_path = key
        for (_, ev_name), entry in self.state.store.iter_entries("events", ns):
            ev = entry.obj
            inv = ev.get("involvedObject") or {}
            if (
                ev.get("reason") == reason
                and inv.get("kind") == kind
                and inv.get("name") == obj_name
                and (not field_path or inv.get("fieldPath") in (None, field_path))
            ):
                self._event_names[key] = ev_name
                return ev_name
        return None
