"""The Restarts pane: containers that restarted, worst first, with the last termination."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar

from kdash.model.pods import RestartRecord
from kdash.ui.render import restarts
from kdash.ui.widgets.pane import DashboardView, Pane, age_step
from kdash.ui.widgets.resource_table import Column, Row
from kdash.ui.widgets.row_cache import AgedRows, column_index


class RestartsPane(Pane):
    """One row per restarted container (kdash.ui.render.restarts), in the service's order
    (CrashLoopBackOff, most restarts)."""

    TITLE = "Restarts"
    NOUN = "restarts"
    KINDS = ("pods",)
    COLUMNS: ClassVar[tuple[Column, ...]] = restarts.COLUMNS

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's spelling
        super().__init__(id=id)
        self._aged = AgedRows(age_column=column_index(restarts.COLUMNS, "when"), same_record=same_shown)

    def inputs(self, view: DashboardView) -> tuple[Any, ...]:
        return (view.snapshot.restarts, view.snapshot.namespace, age_step(view))

    def rows(self, view: DashboardView) -> Iterable[Row]:
        now, scope = view.now, view.snapshot.namespace
        aged = self._aged
        aged.at(now)
        # keyed by plain strings (cheap to hash, unlike the row's ObjectKey): a render walks every
        # restarted container, ten times a second under a restart storm
        out = [
            aged.get((r.namespace, r.pod, r.container), r, None, r.last_finished, _restart_row, r, now)
            for r in view.snapshot.restarts
            if scope is None or r.namespace == scope
        ]
        aged.prune(out)
        return out


def same_shown(a: RestartRecord, b: RestartRecord) -> bool:
    """Whether two records of a container show the same row: the service hands over a new record
    whenever one with a captured crash log is republished, and the log is not in the row."""
    return (
        a.restarts == b.restarts
        and a.state_text == b.state_text
        and a.last_reason == b.last_reason
        and a.last_exit_code == b.last_exit_code
        and a.last_finished == b.last_finished
        and a.last_message == b.last_message
    )


def _restart_row(record: RestartRecord, now: datetime) -> Row:
    return restarts.restart_row(restarts.restart_key(record), record, now)
