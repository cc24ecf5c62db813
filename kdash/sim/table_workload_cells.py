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
