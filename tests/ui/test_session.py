"""The live session: one subscription to the cluster source for the whole UI, one view handed to
every screen, and findings read from the session's report (no screen scores its own slice).

Real app, real ClusterService, simulated demo cluster; the source is wrapped only to count its
subscriptions (the ClusterSource protocol is kdash's own, the kubernetes client is untouched).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kdash.health import evaluate
from kdash.k8s.kubeconfig import load_target
from kdash.k8s.service import ClusterService
from kdash.model.meta import ObjectKey
from kdash.model.source import ChangeSet
from kdash.sim import start_sim
from kdash.ui.app import KdashApp
from kdash.ui.messages import OpenPod, OpenRow
from kdash.ui.screens.pod import PodDetailScreen
from kdash.ui.screens.pods_list import PodListScreen
from kdash.ui.screens.workload import WorkloadPodsScreen
from kdash.ui.session import namespace_counts
from tests.ui.conftest import build_app, frozen, settle, wait_for

WEB = ObjectKey("Deployment", "shop", "web")


class CountingSource:
    """A ClusterService that counts its live subscriptions (everything else is the service's)."""

    def __init__(self, service: ClusterService) -> None:
        self.service = service
        self.subscriptions = 0

    def subscribe(self, callback: Callable[[ChangeSet], None]) -> Callable[[], None]:
        unsubscribe = self.service.subscribe(callback)
        self.subscriptions += 1

        def done() -> None:
            self.subscriptions -= 1
            unsubscribe()

        return done

    def __getattr__(self, name: str) -> Any:
        return getattr(self.service, name)


def _app(sim: Any) -> tuple[KdashApp, CountingSource]:
    service = ClusterService(load_target(kubeconfig=str(sim.kubeconfig_path)), clock=frozen)
    source = CountingSource(service)
    return KdashApp(source, clock=frozen), source  # type: ignore[arg-type]


async def test_every_screen_reads_the_sessions_one_subscription(demo_sim: Any) -> None:
    """Dashboard → workload pods → pod detail, plus `:pods`: still one subscription to the source,
    and the screen on top shows the very view object the dashboard below it got."""
    app, source = _app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert source.subscriptions == 1
        app.post_message(OpenRow("workloads", WEB))
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
        table_keys = sorted(
            k for k in app.source.snapshot().pods if k.namespace == "shop" and k.name.startswith("web-")
        )
        app.post_message(OpenPod(table_keys[0]))
        await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen))
        assert source.subscriptions == 1
        await wait_for(pilot, lambda: app.screen.view is app.dashboard.view)  # type: ignore[attr-defined]
        await pilot.press("colon", *"pods", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PodListScreen))
        assert source.subscriptions == 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard)
    assert source.subscriptions == 0  # the session let go when the app stopped


async def test_drill_down_findings_are_the_reports_own(demo_sim: Any) -> None:
    """The pod detail and the workload summary show the findings and score the dashboard's report
    holds, the same objects: nothing re-scored a namespace slice to get them."""
    app, _source = _app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        cart = min(
            k
            for k, p in app.source.snapshot().pods.items()
            if k.namespace == "shop" and k.name.startswith("cart-") and p.status_text == "CrashLoopBackOff"
        )
        app.post_message(OpenPod(cart))
        await wait_for(
            pilot, lambda: isinstance(app.screen, PodDetailScreen) and app.screen.findings is not None
        )
        screen = app.screen
        assert isinstance(screen, PodDetailScreen) and screen.findings is not None
        assert screen.view is not None and screen.view.report is not None
        report = screen.view.report  # the session's: the view is the one it published
        own = screen.findings[cart]
        assert own and all(a is b for a, b in zip(own, report.findings_for(cart), strict=True))
        cart_deployment = ObjectKey("Deployment", "shop", "cart")
        assert screen.findings[cart_deployment][0] is report.findings_for(cart_deployment)[0]
        app.post_message(OpenRow("workloads", cart_deployment))
        await wait_for(
            pilot, lambda: isinstance(app.screen, WorkloadPodsScreen) and app.screen.score is not None
        )
        workload = app.screen
        assert isinstance(workload, WorkloadPodsScreen) and workload.view is not None
        assert workload.view.report is not None
        assert workload.score is workload.view.report.score_for(cart_deployment)


async def test_changes_are_scored_incrementally_and_equal_a_full_evaluation() -> None:
    """A pod starts crash-looping and a Deployment goes away: the session's report follows each
    change without a full re-score, and equals `evaluate()` of the snapshot it was scored on."""
    sim = start_sim("demo", now=frozen)  # its own: the module's demo_sim must stay still
    try:
        app = build_app(sim)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            session = app.session
            full_runs = session.scorer.full_runs
            web = min(
                k for k in app.source.snapshot().pods if k.namespace == "shop" and k.name.startswith("web-")
            )

            def restart(pod: dict[str, Any]) -> None:
                pod["status"]["containerStatuses"][0]["restartCount"] = 42

            sim.update("pods", web.namespace, web.name, restart)
            await wait_for(
                pilot,
                lambda: (
                    session.report is not None
                    and any("restarted 42 times" in f.message for f in session.report.findings_for(web))
                ),
            )
            sim.delete("deployments", "shop", "web")
            await wait_for(
                pilot, lambda: session.report is not None and session.report.score_for(WEB) is None
            )
            await settle(pilot)
            assert session.scorer.full_runs == full_runs and session.scorer.incremental_runs >= 2
            snapshot = app.source.snapshot()
            assert session.report_generation == snapshot.generation
            assert session.report == evaluate(snapshot, session.health_config, frozen())
    finally:
        sim.stop()


def test_namespace_counts_count_pods_and_workloads_and_list_empty_namespaces() -> None:
    from dataclasses import replace

    from kdash.model.meta import Meta
    from kdash.model.pods import PodRecord
    from kdash.model.snapshot import ClusterSnapshot

    pods = {
        Meta("Pod", ns, n).key: PodRecord(Meta("Pod", ns, n))
        for ns, n in [("a", "p1"), ("a", "p2"), ("b", "p")]
    }
    spaces = {ObjectKey("Namespace", "", n) for n in ("a", "b", "empty")}
    snap = replace(ClusterSnapshot(), pods=pods, namespaces=dict.fromkeys(spaces))
    assert namespace_counts(snap) == {"a": 2, "b": 1, "empty": 0}
