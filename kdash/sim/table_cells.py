"""Table cells for pods and the cluster-level kinds, as kube-apiserver's Table printer writes them.

Ages and the pod's READY / STATUS / RESTARTS come from the model's printers (`kdash.model.timefmt`,
`kdash.model.build.build_pod`), the same code kdash shows its own columns with: kubectl's view of the
simulator and kdash's can then never disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kdash.model.build import build_pod, restarts_text
from kdash.model.timefmt import age, parse_time

JSON = dict[str, Any]
Cells = list[Any]


class Printer:
    """Cells for one object, given the sim clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def age(self, ts: object) -> str:
        """kubectl's AGE for an RFC 3339 time; "<unknown>" when it is missing or unreadable."""
        return age(parse_time(ts), self.now)

    def created(self, obj: JSON) -> str:
        return self.age((obj.get("metadata") or {}).get("creationTimestamp"))


def selector_text(sel: JSON | None) -> str:
    """A label selector the way kubectl's SELECTOR column prints it."""
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


def pod_cells(p: Printer, pod: JSON) -> Cells:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    meta = pod.get("metadata") or {}
    record = build_pod(pod)
    gates = spec.get("readinessGates") or []
    return [
        meta.get("name", ""),
        record.ready_text,
        record.status_text,
        restarts_text(record, p.now),
        p.created(pod),
        status.get("podIP") or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        f"0/{len(gates)}" if gates else "<none>",
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
