"""Table cells for the workload kinds and HPAs, following kubectl's printers for apps/batch/autoscaling."""

from __future__ import annotations

from typing import Any

from kdash.model.timefmt import format_age, parse_time
from kdash.sim.table_cells import Cells, Printer, selector_text

JSON = dict[str, Any]


def _template(obj: JSON, path: tuple[str, ...] = ("spec", "template", "spec")) -> JSON:
    cur: Any = obj
    for p in path:
        cur = (cur or {}).get(p)
    return cur or {}


def _containers(spec: JSON) -> tuple[str, str]:
    cs = spec.get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


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
        selector_text(spec.get("selector")),
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
        selector_text(spec.get("selector")),
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
        selector_text(spec.get("selector")),
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
    start, end = parse_time(st.get("startTime")), parse_time(st.get("completionTime"))
    duration = "" if start is None else format_age(((end or p.now) - start).total_seconds())
    return [
        o["metadata"]["name"],
        status,
        comp,
        duration,
        p.created(o),
        names,
        images,
        selector_text(spec.get("selector")),
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


def _avg_or_value(target: JSON, current: JSON | None) -> str:
    """Object and External metrics: "current/target (avg)" for an AverageValue target, else values."""
    cur = current or {}
    if target.get("averageValue") is not None:
        return f"{cur.get('averageValue') or '<unknown>'}/{target['averageValue']} (avg)"
    now = cur.get("value") if current is not None else "<unknown>"
    return f"{now if now is not None else '0'}/{target.get('value', '0')}"


def _resource_metric(source: JSON, status: JSON | None) -> str:
    target = source.get("target") or {}
    name = source.get("name", "")
    cur = (status or {}).get("current") or {}
    if target.get("averageValue") is not None:
        now = (cur.get("averageValue") or "0") if status is not None else "<unknown>"
        return f"{name}: {now}/{target['averageValue']}"
    now = (
        f"{cur['averageUtilization']}%" if status is not None and "averageUtilization" in cur else "<unknown>"
    )
    util = target.get("averageUtilization")
    return f"{name}: {now}/{util}%" if util is not None else f"{name}: {now}/<auto>"


def hpa_targets(specs: list[JSON], statuses: list[JSON]) -> str:
    """``formatHPAMetrics``: each metric as current/target, statuses matched by position, two at most
    and then "+ N more..."; "<none>" when the HPA has no metrics."""
    if not specs:
        return "<none>"
    out: list[str] = []
    for i, spec in enumerate(specs):
        st = statuses[i] if i < len(statuses) and isinstance(statuses[i], dict) else {}
        mtype = spec.get("type")
        key = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods"}.get(
            str(mtype), {"Object": "object", "External": "external"}.get(str(mtype), "")
        )
        source, status = spec.get(key) or {}, st.get(key)
        if mtype in ("Resource", "ContainerResource"):
            out.append(_resource_metric(source, status))
        elif mtype == "Pods":
            now = ((status or {}).get("current") or {}).get("averageValue") or "0" if status else "<unknown>"
            out.append(f"{now}/{(source.get('target') or {}).get('averageValue', '0')}")
        elif mtype in ("Object", "External"):
            out.append(
                _avg_or_value(source.get("target") or {}, (status or {}).get("current") if status else None)
            )
        else:
            out.append("<unknown type>")
    if len(out) > 2:
        return f"{', '.join(out[:2])} + {len(out) - 2} more..."
    return ", ".join(out)


def hpa_cells(p: Printer, o: JSON) -> Cells:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    min_r = spec.get("minReplicas")
    return [
        o["metadata"]["name"],
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        hpa_targets(spec.get("metrics") or [], st.get("currentMetrics") or []),
        str(min_r) if min_r is not None else "<unset>",
        spec.get("maxReplicas", 0),
        st.get("currentReplicas", 0),
        p.created(o),
    ]
