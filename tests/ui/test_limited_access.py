"""RBAC with all namespaces asked for: the header says "limited access", names the namespaces it
falls back to, never calls a forbidden cluster "live", and marks a grade built on part of the data.

The simulated server forbids every cluster-wide list of a namespaced kind while any `forbid-ns`
is set, and answers per-namespace lists (except in the forbidden namespaces): a namespace-bound
user's view of a real cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kdash.k8s.kubeconfig import load_target
from kdash.k8s.service import ClusterService
from kdash.k8s.settings import ServiceSettings
from kdash.model.meta import ObjectKey
from kdash.sim import start_sim
from kdash.ui.app import KdashApp
from tests.ui.conftest import frozen, screen_text, settle

# Cluster-wide lists forbidden (forbid-ns), and the cluster-scoped kinds too, as for a team's user.
NAMESPACE_BOUND = "forbid-ns=kube-system,forbid=nodes+namespaces+clusterroles+clusterrolebindings"


@pytest.fixture(scope="module")
def bound_sim() -> Iterator[Any]:
    sim = start_sim("demo", now=frozen, faults=NAMESPACE_BOUND)
    try:
        yield sim
    finally:
        sim.stop()


def _app(sim: Any, *namespaces: str) -> KdashApp:
    target = load_target(kubeconfig=str(sim.kubeconfig_path))
    service = ClusterService(target, clock=frozen, settings=ServiceSettings(namespaces=namespaces))
    return KdashApp(service, clock=frozen)


def _header(app: KdashApp) -> str:
    return screen_text(app)[0]


async def test_falls_back_to_the_configured_namespaces_and_says_so(bound_sim: Any) -> None:
    app = _app(bound_sim, "shop", "payments")
    async with app.run_test(size=(240, 50)) as pilot:
        await settle(pilot)
        header = _header(app)
        assert "ns payments, shop" in header  # which namespaces are shown, not "all"
        assert "limited access: 4 of 22 kinds forbidden" in header  # the cluster-scoped kinds
        assert "● live" in header  # what is shown is live
        assert "partial" not in header  # every kind the rules read was read in those namespaces
        snap = app.source.snapshot()
        assert snap.pods and {k.namespace for k in snap.pods} <= {"shop", "payments"}


async def test_nothing_readable_is_no_access_and_no_grade(bound_sim: Any) -> None:
    app = _app(bound_sim)  # no namespace to fall back to
    async with app.run_test(size=(240, 50)) as pilot:
        await settle(pilot)
        header = _header(app)
        assert "● no access" in header
        assert "live" not in header
        assert "limited access: nothing readable; set [service] namespaces or pass -n" in header
        assert "grade" not in header


async def test_a_forbidden_namespace_in_the_fallback_makes_the_grade_partial(bound_sim: Any) -> None:
    app = _app(bound_sim, "shop", "kube-system")
    async with app.run_test(size=(240, 50)) as pilot:
        await settle(pilot)
        header = _header(app)
        assert "ns shop" in header
        assert "forbidden in kube-system" in header
        assert "(partial: not readable in kube-system)" in header
        assert ObjectKey("Pod", "kube-system", "coredns") not in app.source.snapshot().pods


async def test_grade_is_partial_while_most_graded_kinds_are_forbidden() -> None:
    forbid = "forbid=jobs+cronjobs+horizontalpodautoscalers+resourcequotas+limitranges+poddisruptionbudgets"
    sim = start_sim("demo", now=frozen, faults=forbid)
    try:
        app = _app(sim)
        async with app.run_test(size=(240, 50)) as pilot:
            await settle(pilot)
            header = _header(app)
            assert "ns all" in header
            assert "limited access: 6 of 22 kinds forbidden" in header
            assert "(partial: 5 of 11 kinds readable)" in header
            assert "grade " in header
    finally:
        sim.stop()


async def test_only_rbac_and_configmaps_readable_is_still_no_access() -> None:
    """A user who may read ClusterRoles (and nothing the dashboard is about) does not get "live"."""
    graded = "+".join(
        ("pods", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs")
        + ("horizontalpodautoscalers", "resourcequotas", "limitranges", "poddisruptionbudgets")
        + ("events", "services", "namespaces", "nodes")
    )
    sim = start_sim("demo", now=frozen, faults=f"forbid={graded}")
    try:
        app = _app(sim)
        async with app.run_test(size=(240, 50)) as pilot:
            await settle(pilot)
            header = _header(app)
            assert app.source.snapshot().states["clusterroles"].phase.value == "live"
            assert "● no access" in header and "live" not in header
    finally:
        sim.stop()
