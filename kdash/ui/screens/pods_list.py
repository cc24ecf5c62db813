"""A generic live list of pods: `:pods`, quota → heaviest pods, and the rows of a workload's pods.

The pod row builder lives here because the workload screen shows the same columns; the quota helper
`heaviest_pods` is a pure function so the ordering can be tested without a UI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.quantity import format_quantity, try_quantity
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.source import ChangeSet, ClusterSource
from kdash.model.timefmt import age
from kdash.ui.detail_format import plain
from kdash.ui.format import age_text, clean, ratio, state_text
from kdash.ui.widgets.detail_live import LiveScreen
from kdash.ui.widgets.resource_table import Column, ResourceTable, Row

POD_COLUMNS: tuple[Column, ...] = (
    Column("name", "NAME", max_width=60),
    Column("ready", "READY", min_width=5),
    Column("status", "STATUS", max_width=30),
    Column("restarts", "RESTARTS", numeric=True),
    Column("last_restart", "LAST RESTART"),
    Column("node", "NODE", max_width=30),
    Column("ip", "IP", min_width=7),
    Column("age", "AGE"),
)
NAMESPACE_COLUMN = Column("namespace", "NAMESPACE", max_width=30)
_ERROR_STATUSES = ("CrashLoopBackOff", "Error", "ImagePullBackOff", "ErrImagePull", "OOMKilled", "Failed")


def pod_style_class(pod: PodRecord) -> str | None:
    """Row colour: crashing red, starting or not ready yellow, finished dim."""
    status = pod.status_text or pod.phase
    if pod.phase == "Succeeded" or status == "Completed":
        return "muted"
    if any(word in status for word in _ERROR_STATUSES) or pod.phase == "Failed":
        return "error"
    if pod.phase == "Pending" or status.startswith("Init:") or pod.ready_count < pod.container_count:
        return "warning"
    return None


def pod_row(pod: PodRecord, now: datetime, *, namespace: bool = False, extra: Sequence[Text] = ()) -> Row:
    """A pod as `kubectl get pods -o wide` would print it, plus when it last restarted."""
    created = pod.meta.created
    cells = [
        plain(pod.meta.name),
        ratio(pod.ready_count, pod.container_count),
        state_text(pod.status_text or pod.phase or "Unknown"),
        Text(str(pod.restarts)),
        Text(age(pod.last_restart, now) + " ago" if pod.last_restart else "", style="dim"),
        plain(pod.node or "<none>"),
        plain(pod.pod_ip or "<none>"),
        age_text(created, now),
    ]
    sort: list[Any] = [
        pod.meta.name,
        pod.ready_count,
        pod.status_text,
        pod.restarts,
        -pod.last_restart.timestamp() if pod.last_restart else None,
        pod.node,
        pod.pod_ip,
        -created.timestamp() if created else None,
    ]
    if namespace:
        cells.insert(0, plain(pod.meta.namespace))
        sort.insert(0, pod.meta.namespace)
    cells.extend(extra)
    sort.extend(None for _ in extra)
    return Row(pod.meta.key, tuple(cells), tuple(sort), pod_style_class(pod), pod.meta.labels)


# -- quota → heaviest pods ---------------------------------------------------------------------------


def _request_field(resource: str) -> tuple[str, str] | None:
    """Map a quota resource name to ("requests"|"limits", container resource), None for counts."""
    if resource.startswith("requests."):
        return "requests", resource.removeprefix("requests.")
    if resource.startswith("limits."):
        return "limits", resource.removeprefix("limits.")
    if resource in ("cpu", "memory", "ephemeral-storage") or resource.startswith("hugepages-"):
        return "requests", resource
    return None


def pod_amount(pod: PodRecord, resource: str) -> Decimal:
    """What a pod counts against a quota resource: the larger of its containers' sum and its largest
    init container, as the quota admission plugin computes it."""
    spec = _request_field(resource)
    if spec is None:
        return Decimal(0)
    which, name = spec

    def amount(values: Any) -> Decimal:
        return try_quantity(values.get(name)) or Decimal(0)

    total = sum((amount(getattr(c, which)) for c in pod.spec.containers), Decimal(0))
    init = max((amount(getattr(c, which)) for c in pod.spec.init_containers), default=Decimal(0))
    return max(total, init)


def _counts(pod: PodRecord) -> bool:
    """Quota charges only pods that have not finished."""
    return pod.phase not in ("Succeeded", "Failed")


def heaviest_pods(snapshot: ClusterSnapshot, namespace: str, resources: Sequence[str]) -> list[ObjectKey]:
    """Pods of `namespace` that count against a quota, heaviest first.

    With several resources a pod weighs its largest share of the namespace total over them, so a
    pod with half the memory outranks one with a tenth of the CPU. Ties (and quotas of object counts
    only) fall back to the name.
    """
    pods = [p for k, p in snapshot.pods.items() if k.namespace == namespace and _counts(p)]
    usable = [r for r in dict.fromkeys(resources) if _request_field(r) is not None]
    totals = {r: sum((pod_amount(p, r) for p in pods), Decimal(0)) for r in usable}

    def weight(pod: PodRecord) -> Decimal:
        shares = [pod_amount(pod, r) / totals[r] for r in usable if totals[r] > 0]
        return max(shares, default=Decimal(0))

    ranked = sorted(pods, key=lambda p: (-weight(p), p.meta.name))
    return [p.meta.key for p in ranked]


def requests_text(pod: PodRecord, resources: Sequence[str]) -> Text:
    """ "requests.cpu 250m, requests.memory 512Mi" for the quota's resources."""
    parts = [
        f"{clean(r)} {format_quantity(r, pod_amount(pod, r))}"
        for r in resources
        if _request_field(r) is not None
    ]
    return Text(", ".join(parts))


# -- screen -----------------------------------------------------------------------------------------


class PodListScreen(LiveScreen):
    """Pods chosen by `keys_provider` (called on every snapshot), in the provider's order until the
    user sorts. `enter` opens the pod detail."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="drill-back"),
        Binding("d", "describe", "Describe", id="drill-describe"),
        Binding("y", "yaml", "YAML", id="drill-yaml"),
    ]

    DEFAULT_CSS = """
    PodListScreen > #pods-title { height: auto; padding: 0 1; background: $panel; }
    """

    def __init__(
        self,
        source: ClusterSource,
        title: str,
        keys_provider: Callable[[ClusterSnapshot], list[ObjectKey]],
        clock: Callable[[], datetime],
        *,
        show_namespace: bool = True,
        resources: Sequence[str] = (),
        health_config: Any = None,
    ) -> None:
        super().__init__(source, clock, health_config)
        self.list_title = title
        self.keys_provider = keys_provider
        self.show_namespace = show_namespace
        self.resources = tuple(resources)

    @classmethod
    def heaviest(
        cls, source: ClusterSource, quota: ObjectKey, clock: Callable[[], datetime], health_config: Any = None
    ) -> PodListScreen:
        """Quota → the pods of its namespace weighing most on the quota's resources."""
        record = source.snapshot().quotas.get(quota)
        resources = tuple(item.resource for item in record.items) if record is not None else ()
        return cls(
            source,
            f"Pods using most of quota {quota.namespace}/{quota.name}",
            lambda snap: heaviest_pods(snap, quota.namespace, resources),
            clock,
            show_namespace=False,
            resources=resources,
            health_config=health_config,
        )

    def compose(self) -> ComposeResult:
        columns = list(POD_COLUMNS)
        if self.show_namespace:
            columns.insert(0, NAMESPACE_COLUMN)
        if self.resources:
            columns.append(Column("requests", "REQUESTS", max_width=60))
        yield Static(id="pods-title")
        yield ResourceTable(columns, id="pods-table")
        yield Footer()

    def relevant(self, changes: ChangeSet) -> bool:
        return any(k.kind == "Pod" for k in changes.added | changes.modified | changes.deleted)

    def refresh_from(self, snapshot: ClusterSnapshot) -> None:
        now = self.clock()
        keys = self.keys_provider(snapshot)
        rows = []
        for key in keys:
            pod = snapshot.pods.get(key)
            if pod is None:
                continue
            extra = (requests_text(pod, self.resources),) if self.resources else ()
            rows.append(pod_row(pod, now, namespace=self.show_namespace, extra=extra))
        table = self.query_one("#pods-table", ResourceTable)
        table.placeholder = "no pods"
        table.set_rows(rows)
        title = Text(clean(self.list_title), style="bold")
        title.append(f"  {len(rows)} pods", style="dim")
        self.query_one("#pods-title", Static).update(title)

    @on(ResourceTable.Selected, "#pods-table")
    def _open_pod(self, message: ResourceTable.Selected) -> None:
        if isinstance(message.key, ObjectKey):
            from kdash.ui.screens.pod import PodDetailScreen

            self.app.push_screen(PodDetailScreen(self.source, message.key, self.clock, self.health_config))

    def _cursor_key(self) -> ObjectKey | None:
        key = self.query_one("#pods-table", ResourceTable).cursor_key
        return key if isinstance(key, ObjectKey) else None

    def action_describe(self) -> None:
        self._open_object("describe")

    def action_yaml(self) -> None:
        self._open_object("yaml")

    def _open_object(self, mode: str) -> None:
        from kdash.ui.screens.yaml_view import ObjectYamlScreen

        key = self._cursor_key()
        if key is not None:
            self.app.push_screen(
                ObjectYamlScreen(self.source, key, "describe" if mode == "describe" else "yaml")
            )
