"""The Fleet screen on three real simulators (kdash/ui/screens/fleet.py, fleet_watch.py, fleet_mode.py).

Each cluster's row shows its counts and grade; the crash-looping cluster sorts first; a cluster
taken down goes `unreachable` in its row while the others stay live, and comes back by itself;
enter and esc switch between the fleet and the dashboards without listing the other clusters
again (counted on the simulators' audit logs, never timed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kdash.k8s.fleet import Fleet
from kdash.k8s.fleet_source import FleetSource
from kdash.k8s.settings import ServiceSettings
from kdash.sim.fleet import ClusterSpec, SimFleet, start_fleet
from kdash.ui.app import KdashApp
from kdash.ui.fleet_rows import FleetRow
from kdash.ui.screens.dashboard import DashboardScreen
from kdash.ui.screens.fleet import FleetScreen
from kdash.ui.widgets.resource_table import ResourceTable
from tests.helpers import launch_script
from tests.ui.conftest import frozen, screen_text, wait_for

SPECS = (
    ClusterSpec("calm", "big", pods=10),  # no crash loop
    ClusterSpec("crashy", "big", pods=40),  # one crash-looping pod (deployment 3)
    ClusterSpec("locked", "empty", faults="forbid=events"),
)
QUICK = ServiceSettings(backoff_initial=0.1, backoff_max=0.5, probe_interval=0.2, connect_timeout_seconds=2.0)


@pytest.fixture
def sims() -> Iterator[SimFleet]:
    fleet = start_fleet(SPECS, now=frozen)
    try:
        yield fleet
    finally:
        fleet.stop()


def fleet_app(sims: SimFleet, active: str = "calm") -> KdashApp:
    fleet = Fleet(
        str(sims.kubeconfig_path), sims.contexts, settings=QUICK, clock=frozen, all_contexts=sims.contexts
    )
    return KdashApp(FleetSource(fleet, active), clock=frozen, fleet=fleet)


def rows(app: KdashApp) -> dict[str, FleetRow]:
    return {r.context: r for r in app.fleet_mode.watch.rows} if app.fleet_mode.watch else {}


def settled(app: KdashApp) -> bool:
    """Every row listed, scored and on the Fleet screen."""
    got = rows(app)
    screen = app.fleet_mode.screen
    return (
        len(got) == 3
        and all(r.state in ("live", "forbidden") and (r.grade or not r.pods) for r in got.values())
        and screen is not None
        and screen.rows == app.fleet_mode.watch.rows  # type: ignore[union-attr]
    )


def pod_lists(sims: SimFleet) -> dict[str, int]:
    return {
        name: sum(
            1 for e in sim.audit_reads_of("pods") if e["verb"] == "list" and "continue=" not in e["query"]
        )
        for name, sim in sims.sims.items()
    }


def order(app: KdashApp) -> list[str]:
    screen = app.screen
    assert isinstance(screen, FleetScreen)
    return [str(k) for k in screen.query_one(ResourceTable).visible_keys()]


async def test_rows_show_each_clusters_counts_and_grade_crash_loops_first(sims: SimFleet) -> None:
    app = fleet_app(sims)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: settled(app))
        await pilot.pause()
        assert isinstance(app.screen, FleetScreen)
        got = rows(app)
        assert (got["calm"].pods, got["crashy"].pods, got["locked"].pods) == (10, 40, 0)
        assert (got["calm"].crashlooping, got["crashy"].crashlooping) == (0, 1)
        assert got["locked"].state == "forbidden" and "events" in got["locked"].reason
        assert got["crashy"].score is not None and got["calm"].score is not None
        assert got["crashy"].worst  # the crash loop (or worse) is named
        assert order(app)[0] == "crashy"
        text = "\n".join(screen_text(app))
        assert "Fleet: 3 contexts" in text
        for name in ("calm", "crashy", "locked"):
            assert name in text
        assert got["crashy"].grade in text and "forbidden" in text
        await pilot.press("enter")  # the cursor starts on the worst row
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await wait_for(pilot, lambda: app.session.source.snapshot().context == "crashy")


async def test_a_cluster_taken_down_goes_unreachable_and_comes_back(sims: SimFleet) -> None:
    app = fleet_app(sims)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: settled(app))
        sims.sims["calm"].go_down(None)
        await wait_for(pilot, lambda: rows(app)["calm"].state == "unreachable", attempts=1500)
        assert rows(app)["crashy"].state == "live"
        assert rows(app)["locked"].state == "forbidden"
        await wait_for(pilot, lambda: order(app)[0] == "calm")  # re-sorted live: unreachable first
        assert "unreachable" in "\n".join(screen_text(app))
        sims.sims["calm"].recover()
        await wait_for(pilot, lambda: rows(app)["calm"].state == "live", attempts=1500)
        await wait_for(pilot, lambda: order(app)[0] == "crashy")


async def test_enter_and_esc_switch_without_relisting_the_others(sims: SimFleet) -> None:
    app = fleet_app(sims, active="calm")
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: settled(app))
        start = pod_lists(sims)
        table = app.screen.query_one(ResourceTable)
        assert table.move_cursor("crashy")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await wait_for(pilot, lambda: app.session.source.snapshot().context == "crashy")
        await wait_for(pilot, lambda: len(app.session.source.snapshot().pods) == 40)
        await wait_for(pilot, lambda: any("crashy" in line for line in screen_text(app)[:2]))
        opened = pod_lists(sims)  # crashy listed once more, in full; the others not at all
        assert opened["crashy"] == start["crashy"] + 1
        assert opened["calm"] == start["calm"] and opened["locked"] == start["locked"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetScreen))
        app.screen.query_one(ResourceTable).move_cursor("calm")
        await pilot.press("enter")  # calm was the first dashboard: its full service still runs
        await wait_for(pilot, lambda: app.session.source.snapshot().context == "calm")
        await wait_for(pilot, lambda: len(app.session.source.snapshot().pods) == 10)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetScreen))
        app.screen.query_one(ResourceTable).move_cursor("crashy")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.source.snapshot().context == "crashy")
        assert len(app.session.source.snapshot().pods) == 40  # at once: nothing to list
        assert pod_lists(sims) == opened
        await pilot.press("colon")  # `:ctx` moves between the fleet's contexts the same way
        await pilot.pause()
        await pilot.press(*"ctx calm", "enter")
        await wait_for(pilot, lambda: app.session.source.snapshot().context == "calm")
        assert pod_lists(sims) == opened
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetScreen))
        await pilot.press("question_mark")  # the fleet's keys
        await wait_for(pilot, lambda: any("Keys: Fleet" in line for line in screen_text(app)))


async def test_fleet_command_opens_the_fleet_from_a_one_cluster_dashboard(sims: SimFleet) -> None:
    from kdash.fleet_launch import factory
    from kdash.k8s.kubeconfig import load_target
    from kdash.k8s.service import ClusterService

    target = load_target(kubeconfig=str(sims.kubeconfig_path), context="calm")
    app = KdashApp(
        ClusterService(target, settings=QUICK, clock=frozen),
        clock=frozen,
        fleet_factory=factory(target.paths, QUICK),
    )
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("escape")  # no fleet yet: esc on the dashboard does nothing
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("colon")
        await pilot.pause()
        await pilot.press(*"fleet", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetScreen))
        await wait_for(pilot, lambda: settled(app))
        app.screen.query_one(ResourceTable).move_cursor("locked")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.source.snapshot().context == "locked")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetScreen))


LAUNCH = launch_script(
    """
    def run(app):
        async def drive():
            async with app.run_test(size=(160, 40)) as pilot:
                while not (
                    app.fleet_mode.watch is not None
                    and len(app.fleet_mode.watch.rows) == 2
                    and all(r.state == "live" for r in app.fleet_mode.watch.rows)
                ):
                    await asyncio.sleep(0.02)
                await pilot.pause()
                seen["screen"] = type(app.screen).__name__
                seen["rows"] = [[r.context, r.pods] for r in app.fleet_mode.watch.rows]
            return 0

        return asyncio.run(drive())
    """
)


def test_kdash_contexts_lists_before_textual_and_opens_the_fleet(sims: SimFleet, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env.update({"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_STATE_HOME": str(tmp_path / "state")})
    argv = ["--kubeconfig", str(sims.kubeconfig_path), "--contexts", "crashy,calm"]
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCH, *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["rc"] == 0 and seen["screen"] == "FleetScreen"
    assert sorted(seen["rows"]) == [["calm", 10], ["crashy", 40]]
    assert seen["rows"][0] == ["crashy", 40]  # worst first
    assert "kdash-informer-pods-all" in seen["informers"]  # listing began before Textual was imported
    assert not sims.sims["locked"].audit_reads_of("pods")  # not a member: never read


def test_unknown_contexts_are_one_sentence(sims: SimFleet, capsys: pytest.CaptureFixture[str]) -> None:
    from kdash.cli import main

    assert main(["--kubeconfig", str(sims.kubeconfig_path), "--contexts", "calm,nowhere"]) == 2
    err = capsys.readouterr().err
    assert 'Context "nowhere" is not in the kubeconfig' in err and "Traceback" not in err


def test_no_kubeconfig_is_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kdash.cli import main

    assert main(["--kubeconfig", str(tmp_path / "missing"), "--fleet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kdash: No kubeconfig found") and "--demo --fleet" in err
