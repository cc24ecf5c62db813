"""Restarted-container rows (the dashboard's Restarts pane): how often, how it last ended, when."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from kdash.model.meta import ObjectKey
from kdash.model.pods import RestartRecord
from kdash.ui.render.table import Cell, Column, Row
from kdash.ui.render.text import age_cell, first_line, number, state_text

COLUMNS: tuple[Column, ...] = (
    Column("namespace", "NAMESPACE", max_width=16, ident=True),
    Column("pod", "POD", min_width=8, max_width=40, ident=True),
    Column("container", "CONTAINER", min_width=4, max_width=20),
    Column("restarts", "RESTARTS", numeric=True, max_width=8),
    Column("state", "STATE", min_width=6, max_width=18),
    Column("last", "LAST", min_width=15, max_width=32),  # "OOMKilled (137)" whole
    Column("when", "WHEN", numeric=True, max_width=8, drop=2),
    Column("message", "MESSAGE", min_width=10, flex=True, drop=1),  # before names or STATE are cut
)


def restart_key(r: RestartRecord) -> tuple[ObjectKey, str]:
    """Rows are keyed by (pod key, container name); the pod key is what `enter` opens."""
    return (ObjectKey("Pod", r.namespace, r.pod), r.container)


def restart_style(r: RestartRecord) -> str | None:
    """Crash-looping red; killed for memory or failing yellow."""
    if r.state_text == "CrashLoopBackOff":
        return "error"
    return "warning" if r.last_reason in {"OOMKilled", "Error"} else None


def restart_row(key: tuple[ObjectKey, str], r: RestartRecord, now: datetime) -> Row:
    """One restarted container: count, state, last termination (reason and exit code), message.
    Built when first drawn, measured, sorted or filtered (`Row(build=)`): a restart storm rebuilds
    hundreds of young rows a second as their WHEN moves on, and a screen shows a dozen."""
    return Row(key, build=partial(restart_cells, r, now), style_class=restart_style(r))


def restart_cells(r: RestartRecord, now: datetime) -> tuple[Cell, ...]:
    """The cells of `restart_row`."""
    last = r.last_reason or "-"
    if r.last_exit_code is not None:
        last = f"{last} ({r.last_exit_code})"
    return (
        Cell(r.namespace, r.namespace),
        Cell(r.pod, r.pod),
        Cell(r.container, r.container),
        Cell(number(r.restarts), r.restarts),
        Cell(state_text(r.state_text), r.state_text),
        Cell(last, last),
        age_cell(r.last_finished, now),
        Cell(first_line(r.last_message), r.last_message),
    )
