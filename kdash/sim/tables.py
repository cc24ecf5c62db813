"""Server-side Table printing (``Accept: application/json;as=Table;...``) with kubectl's columns.

The column sets and the pod STATUS/RESTARTS logic follow kubectl's printers
(k8s.io/kubernetes/pkg/printers/internalversion), so ``kubectl get`` output looks real.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kdash.sim.resources import ResourceType

JSON = dict[str, Any]
Cells = list[Any]


def human_duration(seconds: float) -> str:
    """kubectl's ``duration.HumanDuration`` (``4m14s``, ``3h5m``, ``12d``)."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d{hours % 24}h" if hours % 24 else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y{dy}d" if dy else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"


def _parse(ts: str | None) -> datetime | None:
    if not ts:
        return None
    try:
        return datetime.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


class Printer:
    """Cells for one object, given the sim clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def age(self, ts: str | None) -> str:
        t = _parse(ts)
        return "<unknown>" if t is None else human_duration((self.now - t).total_seconds())

    def created(self, obj: JSON) -> str:
        return self.age((obj.get("metadata") or {}).get("creationTimestamp"))


def _sel(sel: JSON | None) -> str:
    if not sel:
        return "<none>"
    parts = [f"{k}={v}" for k, v in (sel.get("matchLabels") or {}).items()]
    for expr in sel.get("matchExpressions") or []:
        op = expr.get("operator", "")
        vals = ",".join(expr.get("values") or [])
        if op == "In":
            parts.append(f"{expr['key']} in ({vals})")
        elif op == "NotIn":
            parts.append(f"{expr['key']} notin ({vals})")
        elif op == "Exists":
            parts.append(expr["key"])
        else:
            parts.append(f"!{expr['key']}")
    return ",".join(parts) or "<none>"


def _template(obj: JSON, path: tuple[str, ...] = ("spec", "template", "spec")) -> JSON:
    cur: Any = obj
    for p in path:
        cur = (cur or {}).get(p)
    return cur or {}


def _containers(spec: JSON) -> tuple[str, str]:
    cs = spec.get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def pod_cells(p: Printer, pod: JSON) -> Cells:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    meta = pod.get("metadata") or {}
    reason = status.get("reason") or status.get("phase") or ""
    restarts, ready, last_restart = 0, 0, None
    initializing = False
    inits = spec.get("initContainers") or []
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += cs.get("restartCount", 0)
        last_restart = _later(last_restart, cs)
        state = cs.get("state") or {}
        term, wait = state.get("terminated"), state.get("waiting")
        if term and term.get("exitCode") == 0:
            continue
        if term:
            reason = "Init:" + (
                term.get("reason")
                or (f"Signal:{term['signal']}" if term.get("signal") else f"ExitCode:{term.get('exitCode')}")
            )
        elif wait and wait.get("reason") and wait["reason"] != "PodInitializing":
            reason = "Init:" + wait["reason"]
        else:
            reason = f"Init:{i}/{len(inits)}"
        initializing = True
        break
    if not initializing:
        restarts, has_running = 0, False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += cs.get("restartCount", 0)
            last_restart = _later(last_restart, cs)
            state = cs.get("state") or {}
            term, wait = state.get("terminated"), state.get("waiting")
            if wait and wait.get("reason"):
                reason = wait["reason"]
            elif term and term.get("reason"):
                reason = term["reason"]
            elif term:
                reason = (
                    f"Signal:{term['signal']}" if term.get("signal") else f"ExitCode:{term.get('exitCode')}"
                )
            elif cs.get("ready") and "running" in state:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            ready_cond = any(
                c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
            )
            reason = "Running" if ready_cond else "NotReady"
    if meta.get("deletionTimestamp"):
        reason = "Terminating"
    restart_txt = str(restarts)
    if restarts and last_restart:
        restart_txt = f"{restarts} ({p.age(last_restart)} ago)"
    gates = spec.get("readinessGates") or []
    return [
        meta.get("name", ""),
        f"{ready}/{len(spec.get('containers') or [])}",
        reason,
        restart_txt,
        p.created(pod),
        status.get("podIP") or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        f"0/{len(gates)}" if gates else "<none>",
    ]


def _later(cur: str | None, cs: JSON) -> str | None:
    fin = ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
    return fin if fin and (cur is None or fin > cur) else cur


def deployment_cells(p: Printer, o: JSON) -> Cells:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(_template(o))
    return [
        o["metadata"]["name"],
        f"{st.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
        st.get("updatedReplicas", 0),
        st.get("availableReplicas", 0),
        p.created(o),
        names,
        images,
        _sel(spec.get("selector")),
    ]


def replicaset_cells(p: Printer, o: JSON) -> Cells:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(_template(o))
    return [
        o["metadata"]["name"],
        spec.get("replicas", 1),
        st.get("replicas", 0),
        st.get("readyReplicas", 0),
        p.created(o),
        names,
        images,
        _sel(spec.get("selector")),
    ]


def statefulset_cells(p: Printer, o: JSON) -> Cells:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(_template(o))
    ready = f"{st.get('readyReplicas', 0)}/{spec.get('replicas', 1)}"
    return [o["metadata"]["name"], ready, p.created(o), names, images]


def daemonset_cells(p: Printer, o: JSON) -> Cells:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(_template(o))
    node_sel = _template(o).get("nodeSelector") or {}
    return [
        o["metadata"]["name"],
        st.get("desiredNumberScheduled", 0),
        st.get("currentNumberScheduled", 0),
        st.get("numberReady", 0),
        st.get("updatedNumberScheduled", 0),
        st.get("numberAvailable", 0),
        ",".join(f"{k}={v}" for k, v in node_sel.items()) or "<none>",
        p.created(o),
        names,
        images,
        _sel(spec.get("selector")),
    ]


def job_cells(p: Printer, o: JSON) -> Cells:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(_template(o))
    conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
    status = "Running"
    if conds.get("Failed") == "True":
        status = "Failed"
    elif conds.get("Complete") == "True":
        status = "Complete"
    elif spec.get("suspend"):
        status = "Suspended"
    completions = spec.get("completions")
    comp = (
        f"{st.get('succeeded', 0)}/{completions}"
        if completions is not None
        else f"{st.get('succeeded', 0)}/1"
    )
    start, end = _parse(st.get("startTime")), _parse(st.get("completionTime"))
    duration = ""
    if start is not None:
        duration = human_duration(((end or p.now) - start).total_seconds())
    return [
        o["metadata"]["name"],
        status,
        comp,
        duration,
        p.created(o),
        names,
        images,
        _sel(spec.get("selector")),
    ]


def cronjob_cells(p: Printer, o: JSON) -> Cells:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    names, images = _containers(_template(o, ("spec", "jobTemplate", "spec", "template", "spec")))
    last = st.get("lastScheduleTime")
    return [
        o["metadata"]["name"],
        spec.get("schedule", ""),
        spec.get("timeZone") or "<none>",
        "True" if spec.get("suspend") else "False",
        len(st.get("active") or []),
        p.age(last) if last else "<none>",
        p.created(o),
        names,
        images,
        "<none>",
    ]


def hpa_cells(p: Printer, o: JSON) -> Cells:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    targets = []
    current = {(m.get("resource") or {}).get("name"): m for m in st.get("currentMetrics") or []}
    for m in spec.get("metrics") or []:
        res = m.get("resource") or {}
        target = (res.get("target") or {}).get("averageUtilization")
        cur = ((current.get(res.get("name")) or {}).get("resource") or {}).get("current") or {}
        cur_txt = f"{cur['averageUtilization']}%" if "averageUtilization" in cur else "<unknown>"
        targets.append(f"{res.get('name', '')}: {cur_txt}/{target}%")
    return [
        o["metadata"]["name"],
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        ", ".join(targets) or "<none>",
        spec.get("minReplicas", 1),
        spec.get("maxReplicas", 0),
        st.get("currentReplicas", 0),
        p.created(o),
    ]


def quota_cells(p: Printer, o: JSON) -> Cells:
    st = o.get("status") or {}
    hard, used = st.get("hard") or {}, st.get("used") or {}
    req: list[str] = []
    lim: list[str] = []
    for k in sorted(hard):
        txt = f"{k}: {used.get(k, '0')}/{hard[k]}"
        (lim if k.startswith("limits.") else req).append(txt)
    return [o["metadata"]["name"], p.created(o), ", ".join(req), ", ".join(lim)]


def namespace_cells(p: Printer, o: JSON) -> Cells:
    return [o["metadata"]["name"], (o.get("status") or {}).get("phase", "Active"), p.created(o)]


def node_cells(p: Printer, o: JSON) -> Cells:
    st = o.get("status") or {}
    meta = o.get("metadata") or {}
    ready = next((c for c in st.get("conditions") or [] if c.get("type") == "Ready"), None)
    status = "Ready" if ready and ready.get("status") == "True" else "NotReady" if ready else "Unknown"
    if (o.get("spec") or {}).get("unschedulable"):
        status += ",SchedulingDisabled"
    roles = sorted(
        k.split("/", 1)[1] for k in (meta.get("labels") or {}) if k.startswith("node-role.kubernetes.io/")
    )
    addrs = {a.get("type"): a.get("address") for a in st.get("addresses") or []}
    info = st.get("nodeInfo") or {}
    return [
        meta.get("name", ""),
        status,
        ",".join(roles) or "<none>",
        p.created(o),
        info.get("kubeletVersion", ""),
        addrs.get("InternalIP", "<none>"),
        addrs.get("ExternalIP", "<none>"),
        info.get("osImage", ""),
        info.get("kernelVersion", ""),
        info.get("containerRuntimeVersion", ""),
    ]


def event_cells(p: Printer, o: JSON) -> Cells:
    inv = o.get("involvedObject") or {}
    last = o.get("lastTimestamp") or o.get("eventTime") or (o.get("metadata") or {}).get("creationTimestamp")
    first = o.get("firstTimestamp") or last
    src = o.get("source") or {}
    return [
        p.age(last),
        o.get("type", ""),
        o.get("reason", ""),
        f"{(inv.get('kind') or '').lower()}/{inv.get('name', '')}",
        inv.get("fieldPath", ""),
        ", ".join(v for v in (src.get("component"), src.get("host")) if v),
        o.get("message", ""),
        p.age(first),
        o.get("count", 1),
        o["metadata"]["name"],
    ]


def service_cells(p: Printer, o: JSON) -> Cells:
    spec = o.get("spec") or {}
    ingress = ((o.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    ext = ",".join(i.get("ip") or i.get("hostname", "") for i in ingress) or (
        "<pending>" if spec.get("type") == "LoadBalancer" else "<none>"
    )
    ports = []
    for port in spec.get("ports") or []:
        txt = f"{port.get('port')}"
        if port.get("nodePort"):
            txt += f":{port['nodePort']}"
        ports.append(f"{txt}/{port.get('protocol', 'TCP')}")
    sel = spec.get("selector") or {}
    return [
        o["metadata"]["name"],
        spec.get("type", "ClusterIP"),
        spec.get("clusterIP") or "<none>",
        ext,
        ",".join(ports) or "<none>",
        p.created(o),
        ",".join(f"{k}={v}" for k, v in sel.items()) or "<none>",
    ]


def pdb_cells(p: Printer, o: JSON) -> Cells:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    return [
        o["metadata"]["name"],
        str(spec["minAvailable"]) if "minAvailable" in spec else "N/A",
        str(spec["maxUnavailable"]) if "maxUnavailable" in spec else "N/A",
        st.get("disruptionsAllowed", 0),
        p.created(o),
    ]


def generic_cells(p: Printer, o: JSON) -> Cells:
    return [o["metadata"]["name"], p.created(o)]


_STR, _INT = "string", "integer"
Column = tuple[str, str, int]  # name, type, priority

_COLUMNS: dict[str, tuple[list[Column], Callable[[Printer, JSON], Cells]]] = {
    "pods": (
        [
            ("Name", _STR, 0),
            ("Ready", _STR, 0),
            ("Status", _STR, 0),
            ("Restarts", _STR, 0),
            ("Age", _STR, 0),
            ("IP", _STR, 1),
            ("Node", _STR, 1),
            ("Nominated Node", _STR, 1),
            ("Readiness Gates", _STR, 1),
        ],
        pod_cells,
    ),
    "deployments": (
        [
            ("Name", _STR, 0),
            ("Ready", _STR, 0),
            ("Up-to-date", _INT, 0),
            ("Available", _INT, 0),
            ("Age", _STR, 0),
            ("Containers", _STR, 1),
            ("Images", _STR, 1),
            ("Selector", _STR, 1),
        ],
        deployment_cells,
    ),
    "replicasets": (
        [
            ("Name", _STR, 0),
            ("Desired", _INT, 0),
            ("Current", _INT, 0),
            ("Ready", _INT, 0),
            ("Age", _STR, 0),
            ("Containers", _STR, 1),
            ("Images", _STR, 1),
            ("Selector", _STR, 1),
        ],
        replicaset_cells,
    ),
    "statefulsets": (
        [
            ("Name", _STR, 0),
            ("Ready", _STR, 0),
            ("Age", _STR, 0),
            ("Containers", _STR, 1),
            ("Images", _STR, 1),
        ],
        statefulset_cells,
    ),
    "daemonsets": (
        [
            ("Name", _STR, 0),
            ("Desired", _INT, 0),
            ("Current", _INT, 0),
            ("Ready", _INT, 0),
            ("Up-to-date", _INT, 0),
            ("Available", _INT, 0),
            ("Node Selector", _STR, 0),
            ("Age", _STR, 0),
            ("Containers", _STR, 1),
            ("Images", _STR, 1),
            ("Selector", _STR, 1),
        ],
        daemonset_cells,
    ),
    "jobs": (
        [
            ("Name", _STR, 0),
            ("Status", _STR, 0),
            ("Completions", _STR, 0),
            ("Duration", _STR, 0),
            ("Age", _STR, 0),
            ("Containers", _STR, 1),
            ("Images", _STR, 1),
            ("Selector", _STR, 1),
        ],
        job_cells,
    ),
    "cronjobs": (
        [
            ("Name", _STR, 0),
            ("Schedule", _STR, 0),
            ("Timezone", _STR, 0),
            ("Suspend", _STR, 0),
            ("Active", _INT, 0),
            ("Last Schedule", _STR, 0),
            ("Age", _STR, 0),
            ("Containers", _STR, 1),
            ("Images", _STR, 1),
            ("Selector", _STR, 1),
        ],
        cronjob_cells,
    ),
    "horizontalpodautoscalers": (
        [
            ("Name", _STR, 0),
            ("Reference", _STR, 0),
            ("Targets", _STR, 0),
            ("MinPods", _STR, 0),
            ("MaxPods", _INT, 0),
            ("Replicas", _INT, 0),
            ("Age", _STR, 0),
        ],
        hpa_cells,
    ),
    "resourcequotas": (
        [("Name", _STR, 0), ("Age", _STR, 0), ("Request", _STR, 0), ("Limit", _STR, 0)],
        quota_cells,
    ),
    "namespaces": ([("Name", _STR, 0), ("Status", _STR, 0), ("Age", _STR, 0)], namespace_cells),
    "nodes": (
        [
            ("Name", _STR, 0),
            ("Status", _STR, 0),
            ("Roles", _STR, 0),
            ("Age", _STR, 0),
            ("Version", _STR, 0),
            ("Internal-IP", _STR, 1),
            ("External-IP", _STR, 1),
            ("OS-Image", _STR, 1),
            ("Kernel-Version", _STR, 1),
            ("Container-Runtime", _STR, 1),
        ],
        node_cells,
    ),
    "events": (
        [
            ("Last Seen", _STR, 0),
            ("Type", _STR, 0),
            ("Reason", _STR, 0),
            ("Object", _STR, 0),
            ("Subobject", _STR, 1),
            ("Source", _STR, 1),
            ("Message", _STR, 0),
            ("First Seen", _STR, 1),
            ("Count", _INT, 1),
            ("Name", _STR, 1),
        ],
        event_cells,
    ),
    "services": (
        [
            ("Name", _STR, 0),
            ("Type", _STR, 0),
            ("Cluster-IP", _STR, 0),
            ("External-IP", _STR, 0),
            ("Port(s)", _STR, 0),
            ("Age", _STR, 0),
            ("Selector", _STR, 1),
        ],
        service_cells,
    ),
    "poddisruptionbudgets": (
        [
            ("Name", _STR, 0),
            ("Min Available", _STR, 0),
            ("Max Unavailable", _STR, 0),
            ("Allowed Disruptions", _INT, 0),
            ("Age", _STR, 0),
        ],
        pdb_cells,
    ),
}
_GENERIC: tuple[list[Column], Callable[[Printer, JSON], Cells]] = (
    [("Name", _STR, 0), ("Age", _STR, 0)],
    generic_cells,
)


def column_definitions(rt: ResourceType) -> list[JSON]:
    cols, _ = _COLUMNS.get(rt.plural, _GENERIC)
    return [
        {
            "name": name,
            "type": typ,
            "format": "name" if name == "Name" else "",
            "description": "",
            "priority": prio,
        }
        for name, typ, prio in cols
    ]


def table_row(rt: ResourceType, obj: JSON, now: datetime, include_object: str) -> JSON:
    """One row; ``obj`` is a stored object (no kind/apiVersion)."""
    _, cells_fn = _COLUMNS.get(rt.plural, _GENERIC)
    row: JSON = {"cells": cells_fn(Printer(now), obj)}
    if include_object == "Object":
        row["object"] = {"kind": rt.kind, "apiVersion": rt.api_version, **obj}
    elif include_object != "None":
        row["object"] = {
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata") or {},
        }
    return row


def table(rt: ResourceType, objs: list[JSON], now: datetime, include_object: str, list_meta: JSON) -> JSON:
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": column_definitions(rt),
        "rows": [table_row(rt, o, now, include_object) for o in objs],
    }
