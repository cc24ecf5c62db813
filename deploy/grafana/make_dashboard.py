"""Writes kdash-dashboard.json next to this file: the Grafana dashboard for `kdash exporter`,
inside a ConfigMap (the Grafana sidecar's convention, label grafana_dashboard: "1"), so that
`kubectl apply` and `kdash check -f deploy/` both take it as a Kubernetes object.

Edit the panels here and run `python deploy/grafana/make_dashboard.py`; tests/exporter checks
that the JSON file is what this script writes and that every query names an exported metric.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DS = {"type": "prometheus", "uid": "${datasource}"}
pid = iter(range(1, 100))


def target(expr: str, legend: str = "", instant: bool = False, fmt: str | None = None) -> dict[str, Any]:
    t: dict[str, Any] = {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": "A"}
    if instant:
        t["instant"] = True
        t["range"] = False
    if fmt:
        t["format"] = fmt
    return t


SCORE_STEPS: list[dict[str, Any]] = [
    {"color": "red", "value": None},
    {"color": "orange", "value": 60},
    {"color": "yellow", "value": 80},
    {"color": "green", "value": 90},
]


def stat(
    title: str,
    expr: str,
    x: int,
    y: int,
    w: int = 4,
    h: int = 4,
    steps: list[dict[str, Any]] | None = None,
    unit: str = "none",
    desc: str = "",
) -> dict[str, Any]:
    return {
        "id": next(pid),
        "type": "stat",
        "title": title,
        "description": desc,
        "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": [target(expr, instant=True)],
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "thresholds": {"mode": "absolute", "steps": steps or [{"color": "green", "value": None}]},
            },
            "overrides": [],
        },
        "options": {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "background",
            "graphMode": "none",
            "textMode": "value",
        },
    }


def series(
    title: str,
    targets: list[dict[str, Any]],
    x: int,
    y: int,
    w: int = 12,
    h: int = 8,
    unit: str = "none",
    desc: str = "",
    minmax: tuple[int, int] | None = None,
) -> dict[str, Any]:
    defaults: dict[str, Any] = {"unit": unit, "custom": {"lineWidth": 1, "fillOpacity": 10}}
    if minmax:
        defaults["min"], defaults["max"] = minmax
    return {
        "id": next(pid),
        "type": "timeseries",
        "title": title,
        "description": desc,
        "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": targets,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}},
    }


def table(
    title: str, expr: str, x: int, y: int, w: int = 12, h: int = 8, desc: str = "", hide: tuple[str, ...] = ()
) -> dict[str, Any]:
    excluded = {"Time": True, "__name__": True, "job": True, "instance": True, **dict.fromkeys(hide, True)}
    return {
        "id": next(pid),
        "type": "table",
        "title": title,
        "description": desc,
        "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": [target(expr, instant=True, fmt="table")],
        "transformations": [{"id": "organize", "options": {"excludeByName": excluded}}],
        "fieldConfig": {
            "defaults": {"thresholds": {"mode": "absolute", "steps": SCORE_STEPS}},
            "overrides": [],
        },
        "options": {"showHeader": True},
    }


NS = 'namespace=~"$namespace"'
panels = [
    stat(
        "Cluster score",
        "kdash_cluster_score",
        0,
        0,
        steps=SCORE_STEPS,
        desc="Mean score of every scored object; A >= 90, B >= 80, C >= 70, D >= 60.",
    ),
    stat(
        "Open error alerts",
        'kdash_alerts_open{severity="error"}',
        4,
        0,
        steps=[{"color": "green", "value": None}, {"color": "red", "value": 1}],
    ),
    stat(
        "Open warning alerts",
        'kdash_alerts_open{severity="warning"}',
        8,
        0,
        steps=[{"color": "green", "value": None}, {"color": "yellow", "value": 1}],
    ),
    stat(
        "Error findings",
        'sum(kdash_findings{severity="error"}) or vector(0)',
        12,
        0,
        steps=[{"color": "green", "value": None}, {"color": "red", "value": 1}],
    ),
    stat(
        "Kinds not readable",
        'sum(kdash_sync_state{state=~"forbidden|error"}) or vector(0)',
        16,
        0,
        steps=[{"color": "green", "value": None}, {"color": "orange", "value": 1}],
        desc="Forbidden or failing kinds: the grade leaves them out.",
    ),
    stat(
        "API server reachable",
        "kdash_cluster_reachable",
        20,
        0,
        steps=[{"color": "red", "value": None}, {"color": "green", "value": 1}],
    ),
    series(
        "Scores",
        [
            target("kdash_cluster_score", "cluster"),
            dict(target(f"kdash_namespace_score{{{NS}}}", "{{namespace}}"), refId="B"),
        ],
        0,
        4,
        minmax=(0, 100),
        desc="Cluster and namespace scores over time.",
    ),
    series(
        "Findings by severity", [target(f"sum by (severity) (kdash_findings{{{NS}}})", "{{severity}}")], 12, 4
    ),
    table(
        "Worst objects",
        f"bottomk(25, kdash_object_score{{{NS}}})",
        0,
        12,
        desc="The lowest-scoring workloads, bare pods, HPAs and quotas.",
    ),
    table("Findings by rule", f"sort_desc(sum by (rule, severity) (kdash_findings{{{NS}}}))", 12, 12),
    series(
        "Container restarts (1h)",
        [
            target(
                f"topk(10, increase(kdash_container_restarts_total{{{NS}}}[1h]))",
                "{{namespace}}/{{pod}}/{{container}}",
            )
        ],
        0,
        20,
    ),
    table(
        "Sync state by kind",
        "kdash_sync_state == 1",
        12,
        20,
        hide=("Value",),
        desc="Each watched kind's state: live, polling, forbidden, error, unavailable.",
    ),
    series(
        "Rescoring and scrape time",
        [
            target("kdash_score_duration_seconds", "rescoring"),
            dict(target("kdash_scrape_duration_seconds", "scrape"), refId="B"),
        ],
        0,
        28,
        unit="s",
    ),
    series("Series left out by --max-series", [target("kdash_series_dropped", "{{metric}}")], 12, 28),
]

dashboard = {
    "title": "kdash health",
    "uid": "kdash-health",
    "description": "Health scores, findings, alerts and sync states from `kdash exporter`.",
    "tags": ["kdash", "kubernetes"],
    "timezone": "browser",
    "schemaVersion": 39,
    "version": 1,
    "editable": True,
    "refresh": "1m",
    "time": {"from": "now-24h", "to": "now"},
    "templating": {
        "list": [
            {
                "name": "datasource",
                "label": "Data source",
                "type": "datasource",
                "query": "prometheus",
                "current": {},
                "hide": 0,
            },
            {
                "name": "namespace",
                "label": "Namespace",
                "type": "query",
                "datasource": DS,
                "query": {"query": "label_values(kdash_namespace_score, namespace)", "refId": "ns"},
                "definition": "label_values(kdash_namespace_score, namespace)",
                "includeAll": True,
                "multi": True,
                "allValue": ".*",
                "current": {"text": "All", "value": "$__all"},
                "refresh": 2,
                "sort": 1,
                "hide": 0,
            },
        ]
    },
    "annotations": {"list": []},
    "panels": panels,
}

configmap = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {
        "name": "kdash-grafana-dashboard",
        "labels": {"app.kubernetes.io/name": "kdash", "grafana_dashboard": "1"},
        "annotations": {
            "description": 'Grafana dashboard for kdash exporter metrics (sidecar-provisioned; the JSON model is data["kdash.json"])',
            "owner": "platform-team",
        },
    },
    "data": {"kdash.json": json.dumps(dashboard, indent=2)},
}


def render() -> str:
    return json.dumps(configmap, indent=2) + "\n"


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("kdash-dashboard.json")
    out.write_text(render(), encoding="utf-8")
