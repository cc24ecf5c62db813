"""kdash's columns against a real kube-apiserver's own Table rendering of the same objects.

The fixtures are captures from kube-apiserver v1.36.2 (see ../shared/k8s-reference/README.md): a
list of objects and, taken at the same moment, the server's `as=Table` rendering. The server's
clock is the response's Date header, so AGE and "(Xm ago)" can be compared too.
"""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from kdash.model.build import build_pod, build_workload, restarts_text
from kdash.model.timefmt import age

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def server_now(table: str) -> datetime:
    line = (FIXTURES / f"{table}.date").read_text(encoding="utf-8")
    return parsedate_to_datetime(line.split(":", 1)[1].strip())


def table_rows(name: str) -> dict[str, dict[str, Any]]:
    """Table cells by object name, plus the rendered object's resourceVersion under "_rv"."""
    table = load(name)
    columns = [c["name"] for c in table["columnDefinitions"]]
    rows = {}
    for row in table["rows"]:
        cells = dict(zip(columns, row["cells"], strict=True))
        cells["_rv"] = row["object"]["metadata"]["resourceVersion"]
        rows[row["cells"][0]] = cells
    return rows


def same_moment(rows: dict[str, dict[str, Any]], *sources: str) -> list[dict[str, Any]]:
    """For each table row, the captured object at the same resourceVersion, stripped of kind/apiVersion
    as list items come. Fails if any row has no such object, so nothing is compared across moments."""
    by_version: dict[tuple[str, str], dict[str, Any]] = {}
    for source in sources:
        doc = load(source)
        for item in doc.get("items", [doc]):
            item = {k: v for k, v in item.items() if k not in ("kind", "apiVersion")}
            by_version[(item["metadata"]["name"], item["metadata"]["resourceVersion"])] = item
    matched = [by_version.get((name, row["_rv"])) for name, row in rows.items()]
    missing = [name for name, item in zip(rows, matched, strict=True) if item is None]
    assert not missing, f"no object captured at the rendered resourceVersion for {missing}"
    return [item for item in matched if item is not None]


POD_TABLES = {
    "21-pods-shop-table": ("07-pods-shop",),
    "21b-pods-all-table": ("08-pods-all",),
    # rendered after the node went NotReady; x02 is the one pod whose status changed by then
    "x03-pods-table-notready": ("07-pods-shop", "x02-pod-on-notready-node"),
}


@pytest.mark.parametrize("table", sorted(POD_TABLES))
def test_pod_columns_match_the_api_server(table: str) -> None:
    rows = table_rows(table)
    now = server_now(table)
    items = same_moment(rows, *POD_TABLES[table])
    assert len(items) == len(rows) > 0
    for item in items:
        record = build_pod(item)
        row = rows[record.meta.name]
        assert record.ready_text == row["Ready"], record.meta.name
        assert record.status_text == row["Status"], record.meta.name
        assert str(record.restarts) == row["Restarts"].split(" ", 1)[0], record.meta.name
        assert restarts_text(record, now) == row["Restarts"], record.meta.name
        assert age(record.meta.created, now) == row["Age"], record.meta.name
        assert (record.pod_ip or "<none>") == row["IP"], record.meta.name
        assert (record.node or "<none>") == row["Node"], record.meta.name


def test_reference_covers_interesting_statuses() -> None:
    """Guard against the fixtures silently degenerating into all-Running pods."""
    rows = table_rows("21-pods-shop-table").values()
    assert {"CrashLoopBackOff", "Pending", "Running"} <= {row["Status"] for row in rows}
    assert any("ago" in row["Restarts"] for row in rows)
    assert any(row["Ready"] == "1/2" for row in rows)


def test_deployment_columns_match_the_api_server() -> None:
    rows = table_rows("21c-deployments-shop-table")
    now = server_now("21c-deployments-shop-table")
    # 37-deployments-shop was listed a minute later (web changed); the single GETs are from the same second
    items = same_moment(rows, "10-deployment", "10b-deployment-busybox-notag", "37-deployments-shop")
    assert len(items) == len(rows) > 0
    for item in items:
        record = build_workload(item, kind="Deployment")
        row = rows[record.meta.name]
        assert record.ready_text == row["Ready"]
        assert record.up_to_date == row["Up-to-date"]
        assert record.available == row["Available"]
        assert age(record.meta.created, now) == row["Age"]
        assert ",".join(c.name for c in record.template.containers) == row["Containers"]
        assert ",".join(record.images) == row["Images"]
        assert (
            ",".join(f"{k}={v}" for k, v in sorted(record.selector.match_labels.items())) == row["Selector"]
        )


def test_deployment_list_a_minute_later_reads_its_own_status() -> None:
    """The later list (web lost its ready pod with the node) must not read the earlier numbers."""
    web = next(i for i in load("37-deployments-shop")["items"] if i["metadata"]["name"] == "web")
    record = build_workload(web, kind="Deployment")
    assert (record.ready_text, record.up_to_date, record.available) == ("0/2", 2, 0)
