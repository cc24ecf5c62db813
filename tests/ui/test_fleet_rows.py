"""Fleet rows on plain values (kdash/ui/fleet_rows.py): states, worst-first order, hostile names."""

from __future__ import annotations

from types import MappingProxyType

from rich.text import Text

from kdash.model.snapshot import ClusterSnapshot, KindState, SyncPhase
from kdash.ui.fleet_rows import FleetRow, row_cells, sorted_rows, sync_state


def snap(**phases: SyncPhase) -> ClusterSnapshot:
    states = {k.replace("_", "."): KindState(k, p, f"{k} said no") for k, p in phases.items()}
    return ClusterSnapshot(context="c", states=MappingProxyType(states))


def test_states_in_words() -> None:
    live = SyncPhase.LIVE
    assert sync_state(snap(pods=live, events=live)) == ("live", "")
    assert sync_state(snap(pods=live, events=SyncPhase.SYNCING)) == ("syncing", "")
    assert sync_state(snap(pods=live, events=SyncPhase.FORBIDDEN)) == ("forbidden", "events: events said no")
    assert sync_state(snap(pods=SyncPhase.ERROR, events=live))[0] == "reconnecting"
    assert sync_state(snap(pods=SyncPhase.ERROR), connection_error="Cannot reach x.") == (
        "unreachable",
        "Cannot reach x.",
    )
    assert sync_state(snap(), load_error="plugin missing") == ("unreachable", "plugin missing")
    # metrics kinds fail by design on clusters without metrics-server: never "reconnecting"
    assert sync_state(snap(pods=live, pods_metrics_k8s_io=SyncPhase.ERROR)) == ("live", "")
    assert sync_state(snap(pods=live, nodes=SyncPhase.POLLING)) == ("polling", "")


def test_worst_first() -> None:
    rows = [
        FleetRow("fine", "live", score=95.0, grade="A"),
        FleetRow("waiting", "syncing"),
        FleetRow("low", "live", score=40.0, grade="F"),
        FleetRow("looping", "live", crashlooping=2, score=90.0, grade="A"),
        FleetRow("down", "unreachable", reason="Cannot reach x."),
        FleetRow("limited", "forbidden", crashlooping=1, score=99.0, grade="A"),
        FleetRow("flaky", "reconnecting"),
    ]
    assert [r.context for r in sorted_rows(rows)] == [
        "down",
        "flaky",
        "looping",
        "limited",
        "low",
        "fine",
        "waiting",
    ]


def test_cells_are_literal_text() -> None:
    row = FleetRow("[bold]prod\x1b[31m", "forbidden", reason="[red]x[/red]\x07", worst="\x1b]0;pwned\x07boom")
    cells = row_cells(row)
    assert all(isinstance(c, Text) for c in cells)
    assert cells[0].plain == "[bold]prod"
    assert "[red]x[/red]" in cells[1].plain and "\x07" not in cells[1].plain
    assert "\x1b" not in cells[-1].plain and "boom" in cells[-1].plain
