"""Workload → its pods: a summary of the controller above the table of the pods it runs.

The summary answers "is the rollout healthy" (ready/desired, conditions, images, score) and the
table answers "which pod is the problem"; `enter` goes one level deeper into that pod.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from kdash.health.scoring import grade_for, object_score
from kdash.model.findings import Finding
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.source import ChangeSet, ClusterSource
from kdash.model.workloads import WorkloadRecord
from kdash.ui.detail_format import BAD, DIM, condition_status, join, plain
from kdash.ui.format import clean, grade_text, images_text, ratio, severity_text
from kdash.ui.screens.pods_list import POD_COLUMNS, pod_row
from kdash.ui.widgets.detail_live import LiveScreen
from kdash.ui.widgets.detail_sections import label_grid
from kdash.ui.widgets.resource_table import ResourceTable


def workload_summary(
    record: WorkloadRecord, findings: list[Finding] | None, *, deleted: bool = False
) -> RenderableType:
    """Kind, ready/desired, images, score/grade and conditions in a few lines."""
    head = Text(clean(record.kind), style="bold")
    head.append(" ")
    head.append(clean(record.meta.namespace), style=DIM)
    head.append("/")
    head.append(clean(record.meta.name), style="bold")
    if deleted:
        head.append("  deleted", style=BAD)
    ready = record.ready_text or f"{record.ready}/{record.desired}"
    counts = join(
        [
            Text("ready ") + ratio(record.ready, record.desired, ready),
            Text(f"up-to-date {record.up_to_date}"),
            Text(f"available {record.available}"),
        ],
        "   ",
    )
    if record.kind == "CronJob":
        counts = join([plain(f"schedule {record.schedule}"), Text(f"active {record.active}")], "   ")
    rows: list[tuple[str, Text]] = [("Replicas", counts)]
    rows.append(("Images", images_text(record.images) if record.images else Text("none", style=DIM)))
    if findings is not None:
        score = object_score(findings)
        health = grade_text(grade_for(score), score)
        worst = max((f for f in findings if not f.ignored), key=lambda f: f.severity, default=None)
        if worst is not None:
            health.append("  worst: ")
            health.append_text(severity_text(worst.severity))
            health.append(" ")
            health.append(clean(worst.rule), style="bold")
        rows.append(("Health", health))
    conditions = Text("  ").join(
        join([plain(c.type), condition_status(c), plain(c.reason, DIM)], " ") for c in record.conditions
    )
    rows.append(("Conditions", conditions if record.conditions else Text("none", style=DIM)))
    return Group(head, label_grid(rows, width=10))


class WorkloadPodsScreen(LiveScreen):
    """The pods of one workload; `enter` opens a pod, `esc` goes back to where the user was."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="drill-back"),
        Binding("d", "describe", "Describe", id="drill-describe"),
        Binding("y", "yaml", "YAML", id="drill-yaml"),
        Binding("D", "describe_workload", "Describe workload", show=False, id="drill-describe-workload"),
        Binding("Y", "yaml_workload", "Workload YAML", show=False, id="drill-yaml-workload"),
    ]

    DEFAULT_CSS = """
    WorkloadPodsScreen > #workload-summary { height: auto; padding: 0 1; background: $panel; }
    """

    def __init__(
        self,
        source: ClusterSource,
        key: ObjectKey,
        clock: Callable[[], datetime],
        health_config: Any = None,
    ) -> None:
        super().__init__(source, clock, health_config)
        self.key = key
        self.record: WorkloadRecord | None = None
        self.deleted = False
        self._scored: WorkloadRecord | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="workload-summary")
        yield ResourceTable(POD_COLUMNS, id="workload-pods")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#workload-pods", ResourceTable).focus()

    def relevant(self, changes: ChangeSet) -> bool:
        for key in changes.added | changes.modified | changes.deleted:
            if key == self.key or (key.kind in ("Pod", "ReplicaSet") and key.namespace == self.key.namespace):
                return True
        return False

    def refresh_from(self, snapshot: ClusterSnapshot) -> None:
        now = self.clock()
        record = snapshot.workloads.get(self.key)
        self.deleted = record is None
        if record is not None:
            self.record = record
        table = self.query_one("#workload-pods", ResourceTable)
        table.placeholder = "deleted" if self.deleted else "no pods"
        table.set_rows([pod_row(pod, now) for pod in snapshot.pods_of(self.key)])
        if record is not None and record is not self._scored:
            self._scored = record
            self.request_findings(snapshot, self.key.namespace, [self.key])
        self.show_findings()

    def show_findings(self) -> None:
        summary = self.query_one("#workload-summary", Static)
        if self.record is None:
            summary.update(Text(f"{clean(self.key)}: deleted or not found", style=BAD))
            return
        findings = None if self.findings is None else self.findings.get(self.key, [])
        summary.update(workload_summary(self.record, findings, deleted=self.deleted))

    @on(ResourceTable.Selected, "#workload-pods")
    def _open_pod(self, message: ResourceTable.Selected) -> None:
        if isinstance(message.key, ObjectKey):
            from kdash.ui.screens.pod import PodDetailScreen

            self.app.push_screen(PodDetailScreen(self.source, message.key, self.clock, self.health_config))

    def _open(self, key: ObjectKey | None, mode: str) -> None:
        from kdash.ui.screens.yaml_view import ObjectYamlScreen

        if key is not None:
            self.app.push_screen(
                ObjectYamlScreen(self.source, key, "describe" if mode == "describe" else "yaml")
            )

    def _cursor_pod(self) -> ObjectKey | None:
        key = self.query_one("#workload-pods", ResourceTable).cursor_key
        return key if isinstance(key, ObjectKey) else None

    def action_describe(self) -> None:
        self._open(self._cursor_pod() or self.key, "describe")

    def action_yaml(self) -> None:
        self._open(self._cursor_pod() or self.key, "yaml")

    def action_describe_workload(self) -> None:
        self._open(self.key, "describe")

    def action_yaml_workload(self) -> None:
        self._open(self.key, "yaml")
