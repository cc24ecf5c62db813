"""The Restarts pane: containers that restarted, worst first, with the last termination."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from kdash.model.meta import ObjectKey
from kdash.model.pods import RestartRecord
from kdash.model.timefmt import age
from kdash.ui.format import age_seconds, age_text, first_line, number, safe, state_text
from kdash.ui.widgets.pane import DashboardView, Pane, age_step
from kdash.ui.widgets.resource_table import Column, Row


def restart_key(r: RestartRecord) -> tuple[ObjectKey, str]:
    """Rows are keyed by (pod key, container name); the pod key is what `enter` opens."""
    return (ObjectKey("Pod", r.namespace, r.pod), r.container)


class RestartsPane(Pane):
    """One row per restarted container, in the service's order (CrashLoopBackOff, most restarts)."""

    TITLE = "Restarts"
    NOUN = "restarts"
    KINDS = ("pods",)
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        Column("namespace", "NAMESPACE", max_width=16, drop=2),
        Column("pod", "POD", min_width=8, max_width=40),
        Column("container", "CONTAINER", min_width=4, max_width=20),
        Column("restarts", "RESTARTS", numeric=True, max_width=8),
        Column("state", "STATE", min_width=6, max_width=18),
        Column("last", "LAST", min_width=6, max_width=24),
        Column("when", "WHEN", numeric=True, max_width=8, drop=1),
        Column("message", "MESSAGE", min_width=8, max_width=80),
    )

    def inputs(self, view: DashboardView) -> tuple[Any, ...]:
        return (view.snapshot.restarts, view.snapshot.namespace, age_step(view))

    def rows(self, view: DashboardView) -> Iterable[Row]:
        for record in view.snapshot.restarts:
            if view.in_scope(record.namespace):
                key = restart_key(record)
                extra = age(record.last_finished, view.now)
                yield self.cached(key, record, extra, lambda k=key, r=record: self._row(k, r, view))

    def _row(self, key: tuple[ObjectKey, str], r: RestartRecord, view: DashboardView) -> Row:
        last = r.last_reason or "-"
        if r.last_exit_code is not None:
            last = f"{last} ({r.last_exit_code})"
        crashing = r.state_text == "CrashLoopBackOff"
        return Row(
            key,
            (
                safe(r.namespace),
                safe(r.pod),
                safe(r.container),
                number(r.restarts),
                state_text(r.state_text),
                safe(last),
                age_text(r.last_finished, view.now),
                safe(first_line(r.last_message)),
            ),
            (
                r.namespace,
                r.pod,
                r.container,
                r.restarts,
                r.state_text,
                last,
                age_seconds(r.last_finished, view.now),
                r.last_message,
            ),
            "error" if crashing else "warning" if r.last_reason in {"OOMKilled", "Error"} else None,
        )
