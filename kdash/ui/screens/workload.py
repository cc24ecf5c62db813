"""Workload → its pods: a summary of the controller above the table of the pods it runs.

The summary answers "is the rollout healthy" (ready/desired, conditions, images, score) and the
table answers "which pod is the problem"; `enter` goes one level deeper into that pod.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any, ClassVar, Literal

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from kdash.model.build import KIND_RESOURCES
from kdash.model.build.storage import ClaimRecord, build_claim, claim_template_names
from kdash.model.findings import ObjectScore
from kdash.model.meta import ObjectKey
from kdash.model.relations import StatefulClaim, statefulset_claims
from kdash.model.source import ChangeSet
from kdash.model.workloads import WorkloadRecord
from kdash.ui.detail_format import BAD, DIM, condition_status, join, plain
from kdash.ui.format import clean, grade_text, images_text, severity_text
from kdash.ui.kinds import feed_source
from kdash.ui.messages import OpenObject, OpenRow
from kdash.ui.render import pods
from kdash.ui.render.storage import statefulset_claims_section
from kdash.ui.render.workloads import ready_text
from kdash.ui.session import LiveSession
from kdash.ui.usage_rows import PodRows, metrics_note
from kdash.ui.view import LiveView
from kdash.ui.widgets.detail_sections import label_grid
from kdash.ui.widgets.feed_set import CLAIMS, STATEFULSETS, FeedSet, TypedFeedChanged
from kdash.ui.widgets.kind_state import state_badge
from kdash.ui.widgets.list_keys import FilterBar
from kdash.ui.widgets.list_live import TableScreen, age_step
from kdash.ui.widgets.resource_table import ResourceTable


def workload_summary(
    record: WorkloadRecord,
    score: ObjectScore | None,
    *,
    deleted: bool = False,
    state: Text | None = None,
) -> RenderableType:
    """Kind, ready/desired, images, score/grade and conditions in a few lines; `state` (the sync
    state of the kinds shown, e.g. "● stale for 12 s") ends the first line. `score` is the
    session's report's (None: not scored yet, or scored with its CronJob)."""
    head = Text(clean(record.kind), style="bold")
    head.append(" ")
    head.append(clean(record.meta.namespace), style=DIM)
    head.append("/")
    head.append(clean(record.meta.name), style="bold")
    if deleted:
        head.append("  deleted", style=BAD)
    if state:
        head.append("  ")
        head.append_text(state)
    counts = join(
        [
            Text("completions " if record.kind == "Job" else "ready ") + ready_text(record),
            Text(f"up-to-date {record.up_to_date}"),
            Text(f"available {record.available}"),
        ],
        "   ",
    )
    if record.kind == "CronJob":
        counts = join([plain(f"schedule {record.schedule}"), Text(f"active {record.active}")], "   ")
    rows: list[tuple[str, Text]] = [("Replicas", counts)]
    rows.append(("Images", images_text(record.images) if record.images else Text("none", style=DIM)))
    if score is not None:
        health = grade_text(score.grade, score.score)
        worst = score.worst
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


class WorkloadPodsScreen(TableScreen):
    """The pods of one workload; `enter` opens a pod, `esc` goes back to where the user was. The
    summary's first line carries the sync state of the workload's kind and of its pods."""

    ORIGIN = "pods"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("D", "describe_workload", "Describe workload", show=False, id="drill-describe-workload"),
        Binding("Y", "yaml_workload", "Workload YAML", show=False, id="drill-yaml-workload"),
        Binding("v", "claim", "Volume claim", id="drill-claim"),
    ]

    DEFAULT_CSS = """
    WorkloadPodsScreen > #workload-summary { height: auto; padding: 0 1; background: $panel; }
    WorkloadPodsScreen > #workload-claims {
        height: auto; max-height: 8; padding: 0 1; border: round $primary-muted;
        border-title-color: $text-primary;
    }
    """

    def __init__(self, session: LiveSession, key: ObjectKey) -> None:
        super().__init__(session)
        self.key = key
        self.record: WorkloadRecord | None = None
        self.deleted = False
        self.score: ObjectScore | None = None
        self._rows = PodRows()  # usage cells follow metrics polls cheaply
        self._state = Text(end="")
        self._summary: tuple[Any, ...] | None = None
        # a StatefulSet's claims (`<template>-<sts>-<ordinal>`) come from on-demand feeds
        self.feeds = FeedSet(feed_source(session.source), self) if key.kind == "StatefulSet" else None
        self.claims: list[StatefulClaim] = []
        self._claims_shown: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="workload-summary")
        claims = Static(id="workload-claims")
        claims.border_title = "Volume claims (v opens the selected pod's)"
        claims.display = self.feeds is not None
        yield claims
        yield FilterBar()
        yield ResourceTable(pods.COLUMNS, id="workload-pods")
        yield Footer()

    def on_mount(self) -> None:
        # no super().on_mount(): Textual dispatches every class's on_mount (LiveScreen's subscribes)
        self.query_one("#workload-pods", ResourceTable).focus()

    def kinds(self) -> Iterable[str]:
        kinds = ["pods", KIND_RESOURCES.get(self.key.kind, "")]
        if self.key.kind == "Deployment":
            kinds.append("replicasets")  # its pods are found through them
        return [k for k in kinds if k]

    def rows_changed(self, changes: ChangeSet) -> bool:
        if changes.usage_changed:
            return True
        for key in changes.added | changes.modified | changes.deleted:
            if key == self.key or (key.kind in ("Pod", "ReplicaSet") and key.namespace == self.key.namespace):
                return True
        return False

    def refresh_from(self, view: LiveView) -> None:
        snapshot, now = view.snapshot, view.now
        table = self.query_one("#workload-pods", ResourceTable)
        record = snapshot.workloads.get(self.key)
        self.deleted = record is None
        if record is not None:
            self.record = record
        if not self.unchanged(snapshot.pods, snapshot.pods_by_workload, age_step(now), snapshot.usage):
            table.set_rows(self._rows.rows(snapshot.pods_of(self.key), now, snapshot.usage))
        state = self.state(view)
        self._state = state_badge(state)
        missing = metrics_note(snapshot.usage)  # the usage cells read n/a: say why, once
        if missing is not None:
            self._state = Text.assemble(self._state, ("  " if self._state else "", ""), missing, end="")
        if table.filter_text:  # the summary's first line says what the filter hides
            note = f"{self.shown_count()} pods{self.filter_note()}"
            self._state = Text.assemble(self._state, ("  " if self._state else "", ""), (note, "dim"), end="")
        table.placeholder = "deleted" if self.deleted else self.placeholder(state, "no pods")
        self.watch_findings(view, [self.key])
        self.show_findings()
        self._show_claims()

    def on_unmount(self) -> None:
        if self.feeds is not None:
            self.feeds.close()

    def on_typed_feed_changed(self, _message: TypedFeedChanged) -> None:
        if self.view is not None and self in self.app.screen_stack:
            self._show_claims()

    def _show_claims(self) -> None:
        """A StatefulSet's claims: one per template and ordinal, with status, size and volume."""
        feeds, record = self.feeds, self.record
        if feeds is None or record is None:
            return
        ns = self.key.namespace
        feeds.want("sts", STATEFULSETS, ns, field_selector=f"metadata.name={self.key.name}")
        feeds.want("claims", CLAIMS, ns)
        templates = feeds.built("sts", _templates)
        self.claims = statefulset_claims(
            self.key.name, templates, record.desired, feeds.built("claims", _claims)
        )
        note = feeds.note("sts", "StatefulSet") or feeds.note("claims", "PersistentVolumeClaims")
        marker = (tuple(self.claims), note)
        if marker != self._claims_shown:
            self._claims_shown = marker
            self.query_one("#workload-claims", Static).update(statefulset_claims_section(self.claims, note))

    def action_claim(self) -> None:
        """`v`: the claim of the pod under the cursor (`<sts>-<ordinal>`), else the first one."""
        if self.feeds is None:
            self.notify("only a StatefulSet's pods have claims of their own", markup=False)
            return
        row = self.filter_table.cursor_key
        ordinal = -1
        if isinstance(row, ObjectKey) and row.name.startswith(self.key.name + "-"):
            suffix = row.name[len(self.key.name) + 1 :]
            ordinal = int(suffix) if suffix.isdigit() else -1
        existing = [c for c in self.claims if c.claim is not None]
        chosen = next((c for c in existing if c.ordinal == ordinal), existing[0] if existing else None)
        if chosen is None:
            self.notify("no volume claim of this StatefulSet exists", markup=False)
            return
        self.post_message(
            OpenRow("pvcs", ObjectKey("PersistentVolumeClaim", self.key.namespace, chosen.name))
        )

    def show_findings(self) -> None:
        if self.view is not None and not self.deleted:  # a deleted workload keeps the score it had
            self.score = self.view.score_for(self.key)
        summary = self.query_one("#workload-summary", Static)
        if self.record is None:
            text = Text(f"{clean(self.key)}: deleted or not found", style=BAD)
            if self._state:
                text.append("  ")
                text.append_text(self._state)
            shown: RenderableType = text
        else:
            shown = workload_summary(self.record, self.score, deleted=self.deleted, state=self._state)
        marker = (self.record, self.score, self.deleted, self._state)
        if marker != self._summary:  # Static.update re-lays out the screen: only on change
            self._summary = marker
            summary.update(shown)

    def current_row(self) -> tuple[str, Hashable] | None:
        """The pod under the cursor; the workload itself while it has none (`d`, `y`, `l`)."""
        return super().current_row() or ("workloads", self.key)

    def _open(self, key: ObjectKey, mode: Literal["yaml", "describe"]) -> None:
        self.post_message(OpenObject(key, mode))

    def action_describe_workload(self) -> None:
        self._open(self.key, "describe")

    def action_yaml_workload(self) -> None:
        self._open(self.key, "yaml")


def _templates(objects: Mapping[ObjectKey, Mapping[str, Any]]) -> tuple[str, ...]:
    return next((claim_template_names(o) for o in objects.values()), ())


def _claims(objects: Mapping[ObjectKey, Mapping[str, Any]]) -> list[ClaimRecord]:
    return [build_claim(o) for o in objects.values()]
