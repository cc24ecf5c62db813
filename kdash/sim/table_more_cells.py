"""Table cells for the networking, storage, configuration and RBAC kinds, as kube-apiserver prints them.

Each function follows its ``print*`` counterpart in k8s.io/kubernetes/pkg/printers/internalversion
(printers.go): the same "<none>" / "<unset>" placeholders, the same "+ N more..." cut after three
entries, the same order of access modes.
"""

from __future__ import annotations

from typing import Any

from kdash.sim.table_cells import Cells, Printer, selector_text

JSON = dict[str, Any]
_MAX = 3
_MODES = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)
_BETA_CLASS = "volume.beta.kubernetes.io/storage-class"


def _name(o: JSON) -> str:
    return str((o.get("metadata") or {}).get("name", ""))


def _more(items: list[str], count: int, empty: str = "<unset>") -> str:
    """``listWithMoreString``: the first three, then "+ N more..."."""
    text = ",".join(items[:_MAX])
    if count > _MAX:
        return f"{text} + {count - _MAX} more..."
    return text or empty


def endpoints_cells(p: Printer, o: JSON) -> Cells:
    """``formatEndpoints``: ip:port for every ready address and port, three at most."""
    subsets = o.get("subsets") or []
    if not subsets:
        return [_name(o), "<none>", p.created(o)]
    shown: list[str] = []
    count = 0
    for ss in subsets:
        addrs = [str(a.get("ip", "")) for a in ss.get("addresses") or []]
        ports = ss.get("ports") or []
        for port in ports or [None]:
            count += len(addrs)
            for ip in addrs:
                if len(shown) < _MAX:
                    host = f"[{ip}]" if ":" in ip else ip  # net.JoinHostPort
                    shown.append(ip if port is None else f"{host}:{port.get('port')}")
    text = ",".join(shown)
    if count > _MAX:
        text = f"{text} + {count - _MAX} more..."
    return [_name(o), text, p.created(o)]


def endpointslice_cells(p: Printer, o: JSON) -> Cells:
    ports = []
    for port in o.get("ports") or []:
        num = port.get("port")
        ports.append(str(num) if num is not None else str(port.get("name") or "*"))
    addrs = [str(a) for ep in o.get("endpoints") or [] for a in ep.get("addresses") or []]
    return [
        _name(o),
        str(o.get("addressType", "")),
        _more(ports, len(ports)),
        _more(addrs, len(addrs)),
        p.created(o),
    ]


def _lb_addresses(status: JSON) -> str:
    seen: list[str] = []
    for ing in (status.get("loadBalancer") or {}).get("ingress") or []:
        addr = ing.get("ip") or ing.get("hostname")
        if addr and addr not in seen:
            seen.append(str(addr))
    return ",".join(seen)


def ingress_cells(p: Printer, o: JSON) -> Cells:
    spec = o.get("spec") or {}
    rules = spec.get("rules") or []
    hosts: list[str] = []
    more = False
    for rule in rules:
        if len(hosts) == _MAX:
            more = True
        if not more and rule.get("host"):
            hosts.append(str(rule["host"]))
    host_text = ",".join(hosts) or "*"
    if hosts and more:
        host_text = f"{host_text} + {len(rules) - _MAX} more..."
    return [
        _name(o),
        spec.get("ingressClassName") or "<none>",
        host_text,
        _lb_addresses(o.get("status") or {}),
        "80, 443" if spec.get("tls") else "80",
        p.created(o),
    ]


def ingressclass_cells(p: Printer, o: JSON) -> Cells:
    spec = o.get("spec") or {}
    params = spec.get("parameters")
    text = "<none>"
    if params:
        text = str(params.get("kind", ""))
        if params.get("apiGroup"):
            text += "." + str(params["apiGroup"])
        text += "/" + str(params.get("name", ""))
    return [_name(o), spec.get("controller", ""), text, p.created(o)]


def access_modes(modes: list[str] | None) -> str:
    """``GetAccessModesAsString``: RWO, ROX, RWX, RWOP in that order, each once."""
    have = set(modes or [])
    return ",".join(short for mode, short in _MODES if mode in have)


def _terminating(o: JSON, phase: str) -> str:
    return "Terminating" if (o.get("metadata") or {}).get("deletionTimestamp") else phase


def pvc_cells(p: Printer, o: JSON) -> Cells:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    ann = (o.get("metadata") or {}).get("annotations") or {}
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(st.get("accessModes"))
        capacity = str((st.get("capacity") or {}).get("storage") or "0")
    return [
        _name(o),
        _terminating(o, str(st.get("phase", ""))),
        spec.get("volumeName", ""),
        capacity,
        modes,
        ann.get(_BETA_CLASS) or spec.get("storageClassName") or "",
        spec.get("volumeAttributesClassName") or "<unset>",
        p.created(o),
        spec.get("volumeMode") or "<unset>",
    ]


def pv_cells(p: Printer, o: JSON) -> Cells:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    ann = (o.get("metadata") or {}).get("annotations") or {}
    ref = spec.get("claimRef")
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""
    return [
        _name(o),
        str((spec.get("capacity") or {}).get("storage") or "0"),
        access_modes(spec.get("accessModes")),
        spec.get("persistentVolumeReclaimPolicy", ""),
        _terminating(o, str(st.get("phase", ""))),
        claim,
        ann.get(_BETA_CLASS) or spec.get("storageClassName") or "",
        spec.get("volumeAttributesClassName") or "<unset>",
        st.get("reason", ""),
        p.created(o),
        spec.get("volumeMode") or "<unset>",
    ]


def storageclass_cells(p: Printer, o: JSON) -> Cells:
    ann = (o.get("metadata") or {}).get("annotations") or {}
    default = "true" in (
        ann.get("storageclass.kubernetes.io/is-default-class"),
        ann.get("storageclass.beta.kubernetes.io/is-default-class"),
    )
    return [
        _name(o) + (" (default)" if default else ""),
        o.get("provisioner", ""),
        o.get("reclaimPolicy") or "Delete",
        o.get("volumeBindingMode") or "Immediate",
        bool(o.get("allowVolumeExpansion")),
        p.created(o),
    ]


def configmap_cells(p: Printer, o: JSON) -> Cells:
    return [_name(o), len(o.get("data") or {}) + len(o.get("binaryData") or {}), p.created(o)]


def secret_cells(p: Printer, o: JSON) -> Cells:
    """Counts the keys; the values never leave the store through a Table."""
    return [_name(o), o.get("type", ""), len(o.get("data") or {}), p.created(o)]


def serviceaccount_cells(p: Printer, o: JSON) -> Cells:
    return [_name(o), len(o.get("secrets") or []), p.created(o)]


def networkpolicy_cells(p: Printer, o: JSON) -> Cells:
    sel = (o.get("spec") or {}).get("podSelector") or {}
    return [_name(o), selector_text(sel), p.created(o)]


def binding_cells(p: Printer, o: JSON) -> Cells:
    """RoleBinding and ClusterRoleBinding: ROLE kind/name, then users, groups, service accounts."""
    ref = o.get("roleRef") or {}
    users: list[str] = []
    groups: list[str] = []
    sas: list[str] = []
    for s in o.get("subjects") or []:
        kind = s.get("kind")
        if kind == "User":
            users.append(str(s.get("name", "")))
        elif kind == "Group":
            groups.append(str(s.get("name", "")))
        elif kind == "ServiceAccount":
            sas.append(f"{s.get('namespace', '')}/{s.get('name', '')}")
    return [
        _name(o),
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        p.created(o),
        ", ".join(users),
        ", ".join(groups),
        ", ".join(sas),
    ]


def created_at_cells(_p: Printer, o: JSON) -> Cells:
    """The default table convertor's NAME and CREATED AT (an RFC 3339 time, not an age)."""
    return [_name(o), str((o.get("metadata") or {}).get("creationTimestamp") or "")]
