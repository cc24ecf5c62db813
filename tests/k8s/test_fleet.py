"""The fleet (kdash/k8s/fleet.py, fleet_source.py) on three real simulators behind one kubeconfig.

Every claim is checked on what the simulators saw (their audit logs) or what the services report,
never on timing: light services list only the fleet's kinds, a context whose credentials cannot
be loaded says why and recovers by itself once they can, an outage of one cluster leaves the
others live, opening a context upgrades only that one, and switching the dashboard's source
between members lists nothing again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kdash.errors import ConfigError
from kdash.k8s.fleet import FLEET_KINDS, Fleet, kubeconfig_contexts
from kdash.k8s.fleet_source import FleetSource
from kdash.model.snapshot import SyncPhase
from kdash.model.source import ChangeSet
from kdash.sim.fleet import ClusterSpec, SimFleet, demo_specs, start_fleet
from tests.helpers import wait_for
from tests.k8s.conftest import FAST

SPECS = (
    ClusterSpec("calm", "big", pods=10),  # no crash loop (the first is at deployment 3)
    ClusterSpec("crashy", "big", pods=40),  # one crash-looping pod
    ClusterSpec("locked", "empty", faults="forbid=events"),
)
LISTED = ("namespaces", "pods", "deployments", "nodes", "horizontalpodautoscalers", "services")


@pytest.fixture
def sims() -> Iterator[SimFleet]:
    fleet = start_fleet(SPECS)
    try:
        yield fleet
    finally:
        fleet.stop()


def lists(sim: Any, kind: str) -> int:
    """Lists of `kind` the simulator served (first pages: FAST pages by three)."""
    return sum(1 for e in sim.audit_reads_of(kind) if e["verb"] == "list" and "continue=" not in e["query"])


def synced(fleet: Fleet, context: str) -> bool:
    service = fleet.service(context)
    return service is not None and service.wait_until_synced(0.2)


def test_the_merged_kubeconfig_names_every_cluster(sims: SimFleet) -> None:
    names, current = kubeconfig_contexts(str(sims.kubeconfig_path))
    assert names == ["calm", "crashy", "locked"]
    assert current == "calm"
    assert [s.context for s in demo_specs(4)] == ["prod", "staging", "dev", "cluster-4"]
    assert any(s.faults for s in demo_specs(3))


def test_light_services_list_only_the_fleet_kinds(sims: SimFleet) -> None:
    fleet = Fleet(str(sims.kubeconfig_path), sims.contexts, settings=FAST)
    fleet.start()
    try:
        for name in sims.contexts:
            wait_for(lambda name=name: synced(fleet, name), f"{name} synced")
        crashy = fleet.service("crashy")
        assert crashy is not None
        assert len(crashy.snapshot().pods) == 40
        locked = fleet.service("locked")
        assert locked is not None
        assert locked.snapshot().states["events"].phase is SyncPhase.FORBIDDEN
        for sim in sims.sims.values():
            assert lists(sim, "pods") >= 1
            assert lists(sim, "nodes") == 0  # not a fleet kind: listed only once opened
            assert lists(sim, "horizontalpodautoscalers") == 0
        assert set(crashy.snapshot().states) == set(FLEET_KINDS)
    finally:
        fleet.stop()


def test_opening_a_context_upgrades_only_that_one(sims: SimFleet) -> None:
    fleet = Fleet(str(sims.kubeconfig_path), sims.contexts, settings=FAST)
    fleet.start()
    try:
        for name in sims.contexts:
            wait_for(lambda name=name: synced(fleet, name), f"{name} synced")
        before = {name: lists(sim, "pods") for name, sim in sims.sims.items()}
        fleet.open("crashy")
        wait_for(lambda: synced(fleet, "crashy") and fleet.status("crashy").full, "crashy in full")
        wait_for(lambda: lists(sims.sims["crashy"], "nodes") >= 1, "crashy's nodes listed")
        service = fleet.service("crashy")
        assert service is not None and "nodes" in service.snapshot().states
        assert lists(sims.sims["crashy"], "pods") == before["crashy"] + 1
        for name in ("calm", "locked"):
            assert lists(sims.sims[name], "pods") == before[name]
            assert lists(sims.sims[name], "nodes") == 0
        fleet.open("crashy")  # a second open changes nothing
        assert fleet.service("crashy") is service
    finally:
        fleet.stop()


def test_one_cluster_down_leaves_the_others_live_and_comes_back(sims: SimFleet) -> None:
    fleet = Fleet(str(sims.kubeconfig_path), sims.contexts, settings=FAST)
    fleet.start()
    try:
        for name in sims.contexts:
            wait_for(lambda name=name: synced(fleet, name), f"{name} synced")
        sims.sims["calm"].go_down(None)

        def failing() -> bool:
            service = fleet.service("calm")
            assert service is not None
            states = service.snapshot().states.values()
            return bool(fleet.status("calm").connection_error) and any(
                s.phase is SyncPhase.ERROR for s in states
            )

        wait_for(failing, "calm reported unreachable")
        for name in ("crashy", "locked"):
            service = fleet.service(name)
            assert service is not None
            assert fleet.status(name).connection_error is None
            assert all(s.phase is not SyncPhase.ERROR for s in service.snapshot().states.values())
        sims.sims["calm"].recover()

        def live_again() -> bool:
            service = fleet.service("calm")
            assert service is not None
            states = service.snapshot().states.values()
            return fleet.status("calm").connection_error is None and all(
                s.phase is SyncPhase.LIVE and s.stale_since is None for s in states
            )

        wait_for(live_again, "calm live again")
    finally:
        fleet.stop()


def _exec_user(path: Path, context: str, command: str) -> None:
    """Point `context`'s user at an exec credential plugin (`command`)."""
    doc = yaml.safe_load(path.read_text())
    for user in doc["users"]:
        if user["name"] == context:
            user["user"] = {
                "exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": command, "args": []}
            }
    path.write_text(yaml.safe_dump(doc))


def test_failing_credentials_say_why_and_recover_by_themselves(sims: SimFleet, tmp_path: Path) -> None:
    path = sims.kubeconfig_path
    good = path.read_text()
    token = sims.sims["locked"].token
    _exec_user(path, "locked", str(tmp_path / "missing-plugin"))
    fleet = Fleet(str(path), sims.contexts, settings=FAST)
    fleet.start()
    try:
        wait_for(lambda: fleet.status("locked").load_error, "the load error")
        assert fleet.service("locked") is None
        for name in ("calm", "crashy"):
            wait_for(lambda name=name: synced(fleet, name), f"{name} synced despite locked")
        words = fleet.status("locked").load_error
        assert "locked" in words and "\n" not in words
        # a plugin that works now (it prints the token): the member loads by itself, with back-off
        plugin = tmp_path / "missing-plugin"
        cred = {
            "apiVersion": "client.authentication.k8s.io/v1",
            "kind": "ExecCredential",
            "status": {"token": token},
        }
        plugin.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(cred)}\nEOF\n")
        plugin.chmod(0o755)
        wait_for(lambda: synced(fleet, "locked"), "locked loaded after the fix", timeout=60)
        assert fleet.status("locked").load_error == ""
    finally:
        fleet.stop()
        path.write_text(good)


def test_the_fleet_source_switches_without_listing_again(sims: SimFleet) -> None:
    fleet = Fleet(str(sims.kubeconfig_path), sims.contexts, settings=FAST, all_contexts=sims.contexts)
    source = FleetSource(fleet, "calm")
    seen: list[ChangeSet] = []
    source.subscribe(seen.append)
    source.start()
    try:
        for name in sims.contexts:
            wait_for(lambda name=name: synced(fleet, name), f"{name} synced")
        wait_for(
            lambda: source.snapshot().context == "calm" and len(source.snapshot().pods) == 10, "calm shown"
        )
        source.switch_context("crashy")
        wait_for(lambda: fleet.status("crashy").full and synced(fleet, "crashy"), "crashy in full")
        wait_for(lambda: len(source.snapshot().pods) == 40, "crashy shown")
        before = {name: lists(sim, "pods") for name, sim in sims.sims.items()}
        gen = source.snapshot().generation
        source.switch_context("calm")  # opened before: its full service is still running
        assert source.snapshot().context == "calm"
        assert source.snapshot().generation > gen  # generations only grow across switches
        assert seen[-1].scope_changed
        source.switch_context("crashy")
        assert len(source.snapshot().pods) == 40
        assert {name: lists(sim, "pods") for name, sim in sims.sims.items()} == before
        generations = [c.generation for c in seen]
        assert generations == sorted(generations)
        with pytest.raises(ConfigError, match="not in the kubeconfig"):
            source.switch_context("nowhere")
    finally:
        source.stop()


def test_a_refused_token_is_that_members_sentence_only(sims: SimFleet) -> None:
    path = sims.kubeconfig_path
    good = path.read_text()
    doc = yaml.safe_load(good)
    for user in doc["users"]:
        if user["name"] == "crashy":
            user["user"] = {"token": "expired-token"}
    path.write_text(yaml.safe_dump(doc))
    fleet = Fleet(str(path), sims.contexts, settings=FAST)
    fleet.start()
    try:
        wait_for(lambda: fleet.status("crashy").connection_error, "crashy's refusal")
        words = fleet.status("crashy").connection_error or ""
        assert "401" in words or "nauthori" in words, words
        for name in ("calm", "locked"):
            wait_for(lambda name=name: synced(fleet, name), f"{name} synced")
            assert fleet.status(name).connection_error is None
    finally:
        fleet.stop()
        path.write_text(good)
