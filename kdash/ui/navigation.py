"""Where each navigation message leads: the one place that builds and pushes drill-down screens.

Screens and widgets say what they want (`OpenRow`, `OpenPods`, `OpenPod`, `OpenLogs`, `OpenRowLogs`,
`OpenObject`, see kdash/ui/messages.py); the messages bubble up to the app, which hands them here.
So no screen imports another to open it, and logs open one way from everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import replace
from functools import partial
from typing import Any, Literal

from textual.app import App
from textual.message import Message

from kdash.model.feeds import ApiResource
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.source import LogSource, LogTarget
from kdash.model.workloads import WORKLOAD_KINDS
from kdash.ui.kinds import feed_source, is_builtin
from kdash.ui.messages import (
    OpenKind,
    OpenLogs,
    OpenObject,
    OpenPod,
    OpenPods,
    OpenResource,
    OpenRow,
    OpenRowLogs,
)
from kdash.ui.nodes_list import NodeListScreen, is_nodes
from kdash.ui.render.findings import finding_subject
from kdash.ui.render.table import object_key_of
from kdash.ui.resource_pages import resource_page
from kdash.ui.screens.alerts import AlertsScreen
from kdash.ui.screens.aliases import AliasesScreen
from kdash.ui.screens.events import EventsScreen
from kdash.ui.screens.logs import LogsScreen
from kdash.ui.screens.pod import PodDetailScreen
from kdash.ui.screens.pods_list import PodListScreen
from kdash.ui.screens.resources import KindListScreen
from kdash.ui.screens.typed_registry import screen_for
from kdash.ui.screens.workload import WorkloadPodsScreen
from kdash.ui.screens.yaml_view import ObjectYamlScreen
from kdash.ui.session import LiveSession

NAVIGATION = (OpenRow, OpenPods, OpenPod, OpenLogs, OpenRowLogs, OpenObject, OpenKind, OpenResource)


class Navigator:
    """Turns navigation messages into screens on `app`'s stack."""

    def __init__(self, app: App[Any], session: LiveSession, logs: Callable[[], LogSource | None]) -> None:
        self.app = app
        self.session = session
        self._logs = logs  # read when asked: the log source may be set after the app is built

    def handle(self, message: Message) -> None:
        """Dispatch one of the NAVIGATION messages."""
        if isinstance(message, OpenRow):
            self.open_row(message.origin, message.row_key)
        elif isinstance(message, OpenPods):
            self.open_pods(message.owner)
        elif isinstance(message, OpenPod):
            self.open_pod(message.key)
        elif isinstance(message, OpenLogs):
            self.open_logs(message.target)
        elif isinstance(message, OpenRowLogs):
            self.open_row_logs(message.origin, message.row_key, message.previous)
        elif isinstance(message, OpenObject):
            self.open_object(message.key, message.mode)
        elif isinstance(message, OpenKind):
            self.open_kind(message.resource)
        elif isinstance(message, OpenResource):
            self.open_resource(message.resource, message.key, message.mode)

    def _warn(self, words: str) -> None:
        self.app.notify(words, severity="warning", markup=False)

    def _snapshot(self) -> ClusterSnapshot:
        return self.session.source.snapshot()

    # -- drill-down --------------------------------------------------------------------------------

    def open_row(self, origin: str, row_key: Hashable) -> None:
        """`enter` on a row: workload → pods, HPA → its detail (else its target), quota → heaviest
        pods, restart → pod, finding → the pod it names, else the object it is filed under."""
        key = object_key_of(row_key)
        if key is None:
            return
        if origin == "health":
            key = self._subject(row_key, key)[0]
        if origin == "hpa" and screen_for(key.kind) is None:
            hpa = self._snapshot().hpas.get(key)
            if hpa is None or not hpa.target_name:
                self._warn("this autoscaler has no target")
                return
            key = ObjectKey(hpa.target_kind, key.namespace, hpa.target_name)
        if (origin == "quotas" and key.kind == "ResourceQuota") or key.kind in WORKLOAD_KINDS:
            self.open_pods(key)
        elif key.kind == "Pod":
            self.open_pod(key)
        elif not self.open_typed(key):
            self.open_object(key, "describe")

    def open_pods(self, owner: ObjectKey) -> None:
        """A workload's pods, or the pods of a quota's namespace weighing most on it."""
        if owner.kind == "ResourceQuota":
            self.app.push_screen(PodListScreen.heaviest(self.session, owner))
        else:
            self.app.push_screen(WorkloadPodsScreen(self.session, owner))

    def open_pod(self, key: ObjectKey) -> None:
        self.app.push_screen(PodDetailScreen(self.session, key))

    def open_object(self, key: ObjectKey, mode: Literal["yaml", "describe"] = "yaml") -> None:
        """Read-only YAML or describe; Secrets are refused without a request."""
        if key.kind == "Secret":
            self._warn("kdash does not read Secrets")
            return
        self.app.push_screen(ObjectYamlScreen(self.session.source, key, mode))

    # -- logs --------------------------------------------------------------------------------------

    def open_logs(self, target: LogTarget) -> None:
        """The full-screen logs view; previous logs are read once, not followed."""
        logs = self._logs()
        if logs is None:
            self._warn("logs are not available in this session")
            return
        if target.previous:
            target = replace(target, follow=False)
        self.app.push_screen(LogsScreen(logs, target, source=self.session.source, clock=self.session.clock))

    def open_row_logs(self, origin: str, row_key: Hashable, previous: bool) -> None:
        """`l`/`p` on a row: a pod's (or a restart's container's) logs, or a workload's pods' logs."""
        key = object_key_of(row_key)
        if key is None:
            return
        container = row_key[1] if origin == "restarts" and isinstance(row_key, tuple) else None
        if origin == "health":
            key, container = self._subject(row_key, key)
        if key.kind == "HorizontalPodAutoscaler":  # an autoscaler's logs: its target's pods
            hpa = self._snapshot().hpas.get(key)
            if hpa is not None and hpa.target_name:
                key = ObjectKey(hpa.target_kind, key.namespace, hpa.target_name)
        if key.kind == "Pod":
            self.open_logs(LogTarget(key.namespace, pod=key.name, container=container, previous=previous))
        elif key.kind in WORKLOAD_KINDS:
            self.open_logs(LogTarget(key.namespace, workload=key, container=container, previous=previous))
        else:
            self._warn(f"{key.kind} has no logs")

    def _subject(self, row_key: Hashable, key: ObjectKey) -> tuple[ObjectKey, str | None]:
        """A finding row's subject and container: the pod it names when that pod exists, else
        the object it is filed under (kdash.ui.render.findings.finding_subject)."""
        found = finding_subject(row_key, self._snapshot().pods)
        return found if found is not None else (key, None)

    # -- lists opened by `:` commands --------------------------------------------------------------

    def to_dashboard(self) -> None:
        while len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def show_pods(self, namespace: str | None) -> None:
        """`:pods`: every pod in `namespace` (None: all)."""

        def keys(snapshot: ClusterSnapshot) -> list[ObjectKey]:
            return sorted(k for k in snapshot.pods if namespace is None or k.namespace == namespace)

        self.to_dashboard()
        title = f"Pods in {namespace}" if namespace else "Pods in all namespaces"
        self.app.push_screen(PodListScreen(self.session, title, keys, show_namespace=namespace is None))

    def show_events(self) -> None:
        """`:events`: the events in scope."""
        self.to_dashboard()
        self.app.push_screen(EventsScreen(self.session))

    def show_alerts(self) -> None:
        """`:alerts` (key `a`): the open and recently resolved alerts (kdash/ui/screens/alerts.py)."""
        self.to_dashboard()
        self.app.push_screen(AlertsScreen(self.session))

    # -- any kind (`:svc`, `:certificates`, `:aliases`) --------------------------------------------

    def open_kind(self, resource: ApiResource) -> None:
        """The live list of any discovered kind (the server's Table), in the namespace in view;
        nodes with their usage columns."""
        self.to_dashboard()
        screen = NodeListScreen if is_nodes(resource) else KindListScreen
        self.app.push_screen(screen(self.session, resource))

    def show_aliases(self) -> None:
        """`:aliases`: every resource the server serves; `enter` opens one's list."""
        self.to_dashboard()
        self.app.push_screen(AliasesScreen(self.session))

    def open_typed(self, key: ObjectKey) -> bool:
        """The typed screen of `key`'s kind (kdash/ui/screens/typed_registry.py), if it has one."""
        factory = screen_for(key.kind)
        if factory is None:
            return False
        self.app.push_screen(factory(self.session, key))
        return True

    def open_resource(
        self, resource: ApiResource, key: ObjectKey, mode: Literal["open", "yaml", "describe"]
    ) -> None:
        """A row of a kind list: `open` keeps the dashboard's drill-downs for pods and workloads,
        then a typed screen (built-in groups only: a CRD may reuse a built-in Kind), else
        describe; `yaml`/`describe` fetch the exact resource, a Secret as metadata only."""
        if mode == "open":
            if resource.group == "" and resource.resource == "pods":
                self.open_pod(key)
                return
            if resource.group in ("apps", "batch") and key.kind in WORKLOAD_KINDS:
                self.open_pods(key)
                return
            if is_builtin(resource.group) and self.open_typed(key):
                return
            mode = "describe"
        source, feeds = self.session.source, feed_source(self.session.source)
        if feeds is None:
            self.open_object(key, mode)
            return
        page = partial(resource_page, source, feeds, resource, key)
        self.app.push_screen(ObjectYamlScreen(source, key, mode, fetch=page))
