"""Navigation by messages: every drill-down, viewer and logs screen opens from a posted message,
handled in one place (kdash/ui/navigation.py), on the real app over the simulated demo cluster.

The screens post these messages from their keys; here the test posts them itself, as a new screen
or widget would, and checks which screen the Navigator pushed (or what it said instead).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from kdash.model.meta import ObjectKey
from kdash.model.source import LogTarget
from kdash.ui.messages import OpenLogs, OpenObject, OpenPod, OpenPods, OpenRow, OpenRowLogs
from kdash.ui.screens.dashboard import DashboardScreen
from kdash.ui.screens.hpa import HpaScreen
from kdash.ui.screens.logs import LogsScreen
from kdash.ui.screens.pod import PodDetailScreen
from kdash.ui.screens.pods_list import PodListScreen
from kdash.ui.screens.workload import WorkloadPodsScreen
from kdash.ui.screens.yaml_view import ObjectYamlScreen
from tests.ui.conftest import Notifications, build_app, settle, wait_for

WEB = ObjectKey("Deployment", "shop", "web")
QUOTA = ObjectKey("ResourceQuota", "payments", "payments-quota")
HPA = ObjectKey("HorizontalPodAutoscaler", "shop", "frontend")
SCREENS = Path(__file__).resolve().parents[2] / "kdash" / "ui" / "screens"


def _web_pod(app: Any) -> ObjectKey:
    key: ObjectKey = min(
        k for k in app.source.snapshot().pods if k.namespace == "shop" and k.name.startswith("web-")
    )
    return key


async def _back(pilot: Any) -> None:
    app = pilot.app
    while not isinstance(app.screen, DashboardScreen):
        app.pop_screen()
        await pilot.pause()


async def test_each_message_opens_its_screen(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        pod = _web_pod(app)
        cases: list[tuple[Any, type, Any]] = [
            (OpenRow("workloads", WEB), WorkloadPodsScreen, lambda s: s.key == WEB),
            (OpenRow("hpa", HPA), HpaScreen, lambda s: s.key == HPA),  # `o` there opens the target
            (
                OpenRow("quotas", (QUOTA, "requests.cpu")),
                PodListScreen,
                lambda s: "payments-quota" in s.list_title,
            ),
            (OpenRow("restarts", (pod, "nginx")), PodDetailScreen, lambda s: s.key == pod),
            (OpenRow("health", QUOTA), ObjectYamlScreen, lambda s: s.key == QUOTA and s.mode == "describe"),
            (OpenPods(WEB), WorkloadPodsScreen, lambda s: s.key == WEB),
            (OpenPods(QUOTA), PodListScreen, lambda s: s.resources),
            (OpenPod(pod), PodDetailScreen, lambda s: s.key == pod),
            (OpenObject(WEB, "yaml"), ObjectYamlScreen, lambda s: s.key == WEB and s.mode == "yaml"),
            (OpenObject(pod, "describe"), ObjectYamlScreen, lambda s: s.key == pod and s.mode == "describe"),
        ]
        for message, screen_type, check in cases:
            app.post_message(message)
            await wait_for(pilot, lambda t=screen_type: isinstance(app.screen, t))  # type: ignore[misc]
            assert check(app.screen), message
            await _back(pilot)


async def test_refusals_are_said_in_words_and_open_nothing(demo_sim: Any) -> None:
    notes = Notifications()
    app = build_app(demo_sim)  # no log source in this session
    async with app.run_test(size=(160, 48), message_hook=notes) as pilot:
        await settle(pilot)
        for message, words in [
            (OpenObject(ObjectKey("Secret", "shop", "db-password"), "yaml"), "kdash does not read Secrets"),
            (OpenLogs(LogTarget("shop", pod=_web_pod(app).name)), "logs are not available"),
            (OpenRowLogs("workloads", WEB), "logs are not available"),
        ]:
            app.post_message(message)
            await wait_for(pilot, lambda w=words: notes.any(w))  # type: ignore[misc]
            assert isinstance(app.screen, DashboardScreen), message
        demo_sim.clear_audit()
        app.post_message(OpenObject(ObjectKey("Secret", "shop", "db-password"), "describe"))
        await pilot.pause()
        assert not [e for e in demo_sim.audit if "secrets" in e.get("path", "")]


async def test_logs_open_one_way_from_rows_and_screens(demo_sim: Any) -> None:
    notes = Notifications()
    app = build_app(demo_sim, with_logs=True)
    try:
        async with app.run_test(size=(160, 48), message_hook=notes) as pilot:
            await settle(pilot)
            pod = _web_pod(app)
            cases: list[tuple[Any, LogTarget]] = [
                (OpenRowLogs("restarts", (pod, "nginx"), previous=True),
                 LogTarget("shop", pod=pod.name, container="nginx", previous=True, follow=False)),
                (OpenRowLogs("workloads", WEB), LogTarget("shop", workload=WEB)),
                (OpenRowLogs("pods", pod), LogTarget("shop", pod=pod.name)),
                (OpenLogs(LogTarget("shop", pod=pod.name, previous=True)),
                 LogTarget("shop", pod=pod.name, previous=True, follow=False)),
            ]  # fmt: skip
            for message, target in cases:
                app.post_message(message)
                await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
                screen = app.screen
                assert isinstance(screen, LogsScreen)
                assert screen.target == target, message
                assert screen.source is app.source  # every logs view can list the pods' containers
                await _back(pilot)
            app.post_message(OpenRowLogs("quotas", (QUOTA, "pods")))
            await wait_for(pilot, lambda: notes.any("ResourceQuota has no logs"))
    finally:
        if app.logs is not None:
            app.logs.stop_all()  # type: ignore[attr-defined]


def _screen_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kdash.ui.screens"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("kdash.ui.screens"))
    return found


# typed_registry.py is not a screen: it is where navigation finds the typed screens, so it imports them
@pytest.mark.parametrize(
    "path", sorted(p for p in SCREENS.glob("*.py") if p.name != "typed_registry.py"), ids=lambda p: p.name
)
def test_screens_do_not_import_each_other(path: Path) -> None:
    """A screen opens another by posting a message: it imports none (the shared modal base aside)."""
    assert _screen_imports(path) <= {"kdash.ui.screens.type_ahead"}
