"""The simulator's `as=Table` rendering against a real kube-apiserver's and against kubectl's printPod rules.

`kubectl get` against the simulator prints what the sim's Table says, so its cells must be the real
server's: the same captures the model's reference tests use (tests/model/fixtures), rendered by the
sim at the server's own clock, must give the very same rows; and every printPod case of the model's
STATUS tests must read the same in the sim's STATUS and READY cells.
"""

from __future__ import annotations

from typing import Any

import pytest

from kdash.sim import resources, tables
from tests.model.test_model_pod_status import CASES
from tests.model.test_model_reference import POD_TABLES, load, same_moment, server_now, table_rows


def sim_rows(plural: str, items: list[dict[str, Any]], table: str) -> dict[str, list[Any]]:
    doc = tables.table(resources.lookup(plural), items, server_now(table), "None", {})
    return {row["cells"][0]: row["cells"] for row in doc["rows"]}


def server_cells(table: str) -> dict[str, list[Any]]:
    return {row["cells"][0]: row["cells"] for row in load(table)["rows"]}


@pytest.mark.parametrize("table", sorted(POD_TABLES))
def test_pod_rows_match_the_api_server(table: str) -> None:
    items = same_moment(table_rows(table), *POD_TABLES[table])
    assert sim_rows("pods", items, table) == server_cells(table)


def test_deployment_rows_match_the_api_server() -> None:
    table = "21c-deployments-shop-table"
    items = same_moment(
        table_rows(table), "10-deployment", "10b-deployment-busybox-notag", "37-deployments-shop"
    )
    assert sim_rows("deployments", items, table) == server_cells(table)


@pytest.mark.parametrize(
    ("plural", "table"), [("pods", "21-pods-shop-table"), ("deployments", "21c-deployments-shop-table")]
)
def test_column_definitions_match_the_api_server(plural: str, table: str) -> None:
    """Names, types, formats and priorities (kubectl reads them); the long descriptions are not served."""

    def shape(columns: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(c["name"], c["type"], c["format"], c["priority"]) for c in columns]

    served = tables.column_definitions(resources.lookup(plural))
    assert shape(served) == shape(load(table)["columnDefinitions"])


@pytest.mark.parametrize(("case", "obj", "status", "ready"), CASES, ids=[c[0] for c in CASES])
def test_pod_status_and_ready_follow_print_pod(
    case: str, obj: dict[str, Any], status: str, ready: str
) -> None:
    row = tables.table_row(resources.lookup("pods"), obj, server_now("21-pods-shop-table"), "None")
    assert (row["cells"][2], row["cells"][1]) == (status, ready), case
