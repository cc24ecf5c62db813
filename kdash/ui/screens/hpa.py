"""HorizontalPodAutoscaler detail: why it has the replicas it has.

Every metric with its type, name, selector or described object, current and target value and the
target's type (the table); the replica counts, last scale and one sentence saying why it is at its
maximum or cannot scale; the AbleToScale / ScalingActive / ScalingLimited conditions with their
reasons and messages; and the target's replicas while kdash has watched (kdash/ui/render/
hpa_history.py: the dashboard's HPA pane and this screen feed it with every view).

`o` (or `enter` on a metric) opens the target workload's pods; `l` follows its logs; `d`/`y`
describe or show the HPA itself. All from the session's snapshot: no request of its own.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message

from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.source import ChangeSet
from kdash.model.workloads import WORKLOAD_KINDS
from kdash.ui.messages import OpenObject, OpenPods
from kdash.ui.render import hpa_detail
from kdash.ui.render.hpa_history import history_for
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.list_live import age_step
from kdash.ui.widgets.typed_detail import TypedScreen

HPAS = "horizontalpodautoscalers"
# the kinds an HPA may scale that the snapshot lists (others, e.g. a CRD's, are not judged missing)
_LISTS = {
    "Deployment": "deployments",
    "StatefulSet": "statefulsets",
    "ReplicaSet": "replicasets",
}


class HpaScreen(TypedScreen):
    """One HorizontalPodAutoscaler, live."""

    ORIGIN = "hpa"
    KIND_LABEL = "HorizontalPodAutoscaler"
    SECTIONS = (
        ("summary", "Scaling"),
        ("conditions", "Conditions"),
        ("history", "Replicas while kdash watched"),
    )
    COLUMNS = hpa_detail.METRIC_COLUMNS
    EMPTY = "no metrics"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("o", "target", "Target", id="hpa-target")]

    # a few metrics: the table as tall as they are, and the sections get the rest of the screen
    DEFAULT_CSS = """
    HpaScreen > #typed-body { height: 1fr; max-height: 100%; }
    HpaScreen > ResourceTable { height: auto; max-height: 12; min-height: 2; }
    """

    def __init__(self, session: LiveSession, key: ObjectKey) -> None:
        super().__init__(session, key)
        self.target: ObjectKey | None = None

    def kinds(self) -> Iterable[str]:
        return (HPAS,)

    def rows_changed(self, changes: ChangeSet) -> bool:
        return any(
            key == self.key or key == self.target
            for key in changes.added | changes.modified | changes.deleted
        )

    def _target_known(self, snapshot: ClusterSnapshot, kind: str) -> bool:
        plural = _LISTS.get(kind)
        return plural is not None and self.listed(snapshot, plural)

    def redraw(self, view: LiveView) -> None:
        snapshot, now = view.snapshot, view.now
        history = history_for(self.app)
        history.observe(snapshot.hpas, now)
        hpa = snapshot.hpas.get(self.key)
        self.gone(hpa is not None, self.listed(snapshot, HPAS))
        if hpa is None:
            self.draw_title(None, view)
            self.set_rows([], Text("Metrics", style="bold"))
            return
        self.target = hpa_detail.target_key(self.key, hpa)
        target = snapshot.workloads.get(self.target) if self.target is not None else None
        known = self._target_known(snapshot, hpa.target_kind)
        style, _sentence = hpa_detail.verdict(hpa, target, known)
        desired = str(hpa.desired_replicas) if hpa.desired_known else "?"
        status = Text(
            f"{hpa.current_replicas}→{desired} replicas of {hpa.min_replicas}–{hpa.max_replicas}", style
        )
        self.draw_title(status, view)
        step = age_step(now)
        self.show("summary", (hpa, target, known, step), lambda: hpa_detail.summary(hpa, target, known, now))
        self.show("conditions", (hpa.conditions, step), lambda: hpa_detail.conditions_text(hpa, now))
        points = history.points(self.key)
        self.show("history", (points, step), lambda: hpa_detail.history_text(points, hpa, now))
        if self.changed("rows", (hpa.metrics, self.filter_table.filter_text)):
            caption = Text("Metrics", style="bold")
            caption.append("  (←/→ scroll the selectors; o or enter opens the target)", style="dim")
            rows = [hpa_detail.metric_row(self.key, i, m) for i, m in enumerate(hpa.metrics)]
            self.set_rows(rows, caption)

    # -- keys --------------------------------------------------------------------------------------

    def open_row(self, origin: str, row_key: Hashable) -> Message | None:  # noqa: ARG002 - one list
        """`enter` on a metric: the target, as `o`."""
        return self._target_message()

    def action_target(self) -> None:
        """`o`: the scale target (a workload's pods; another kind's describe)."""
        message = self._target_message()
        if message is not None:
            self.post_message(message)

    def _target_message(self) -> Message | None:
        target = self.target
        if target is None:
            self.notify("this autoscaler has no target", severity="warning", markup=False)
            return None
        if target.kind in WORKLOAD_KINDS:
            return OpenPods(target)
        return OpenObject(target, "describe")
