"""`:KIND` lists on the demo sim, typed into the command bar as a user does: kubectl's columns
for every kind the issue names (the server's Table, CRD printer columns included), Secrets shown
without one request for their data, the feed stopped when the screen closes, RBAC's words for a
forbidden kind, the `:aliases` picker, completion, and where Enter/`d`/`y` on a row lead.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from kdash.model.snapshot import SyncPhase
from kdash.sim import start_sim
from kdash.sim.scenarios.demo_config import SECRET_VALUES
from kdash.ui.app import KdashApp
from kdash.ui.resource_pages import SECRET_NOTE
from kdash.ui.screens.aliases import AliasesScreen
from kdash.ui.screens.command_bar import CommandBar
from kdash.ui.screens.resources import KindListScreen
from kdash.ui.screens.workload import WorkloadPodsScreen
from kdash.ui.screens.yaml_view import ObjectYamlScreen
from tests.ui.conftest import Notifications, build_app, frozen, screen_text, settle, wait_for

WIDE = (220, 50)


async def type_command(pilot: Pilot[Any], line: str) -> None:
    """`:` then the line, key by key, then enter."""
    await pilot.press("colon", *line, "enter")


def kind_screen(app: KdashApp) -> KindListScreen | None:
    screen = app.screen
    return screen if isinstance(screen, KindListScreen) else None


async def open_kind(pilot: Pilot[Any], line: str) -> KindListScreen:
    """Type `:line` and wait until its list has left syncing."""
    app = pilot.app
    assert isinstance(app, KdashApp)
    await type_command(pilot, line)

    def ready() -> bool:
        screen = kind_screen(app)
        if screen is None or screen.feed is None:
            return False
        view = screen.feed.view()
        return view.phase is not SyncPhase.SYNCING and view.generation > 0 and screen._title is not None

    await wait_for(pilot, ready)
    await pilot.pause()
    screen = kind_screen(app)
    assert screen is not None
    return screen


def header_has(line: str, labels: list[str]) -> bool:
    """Whether the line shows `labels` in this order, each as a whole cell (`x*`: starting so)."""
    at = 0
    for label in labels:
        tail = r"\S*(?:\s|$)" if label.endswith("*") else r"(?:\s|$)"
        match = re.search(rf"(?:^|\s){re.escape(label.rstrip('*'))}{tail}", line[at:])
        if match is None:
            return False
        at += match.end() - 1
    return True


def row_with(lines: list[str], cells: list[str]) -> str | None:
    """The first screen line showing `cells` in this order, each as a whole cell."""
    for line in lines:
        if header_has(line, cells):
            return line
    return None


@pytest.fixture(scope="module")
def demo_sim() -> Iterator[Any]:
    sim = start_sim("demo", now=frozen)
    try:
        yield sim
    finally:
        sim.stop()


# (command, kubectl's headers (NAMESPACE is kdash's in -A mode, as kubectl's), one known row)
KINDS = [
    ("svc", ["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"],
     ["shop", "frontend", "LoadBalancer", "203.0.113.20", "80:31080/TCP"]),
    ("ing", ["NAMESPACE", "NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"],
     ["shop", "shop", "nginx", "shop.example.com", "203.0.113.10", "80, 443"]),
    ("no", ["NAME", "STATUS", "ROLES", "AGE", "VERSION"], ["node-1", "Ready", "control-plane", "v1.36.2"]),
    ("pvc", ["NAMESPACE", "NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS"],
     ["shop", "uploads", "Pending"]),
    ("pv", ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS"],
     ["nfs-archive", "100Gi", "ROX,RWX", "Retain", "Available"]),
    ("cm", ["NAMESPACE", "NAME", "DATA", "AGE"], ["shop", "legacy-flags"]),
    # metadata only (no Table: kdash never asks a Secret's type or data count of the server)
    ("secret", ["NAMESPACE", "NAME", "AGE"], ["payments", "api-db-credentials"]),
    ("sa", ["NAMESPACE", "NAME", "SECRETS", "AGE"], ["payments", "payments-api"]),
    ("ep", ["NAMESPACE", "NAME", "ENDPOINTS", "AGE"], ["default", "kubernetes", "10.0.0.10:6443"]),
    ("netpol", ["NAMESPACE", "NAME", "POD-SELECTOR", "AGE"], ["shop", "allow-web", "app=web"]),
    ("pdb", ["NAMESPACE", "NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"],
     ["shop", "web-pdb"]),
    ("rs", ["NAMESPACE", "NAME", "DESIRED", "CURRENT", "READY", "AGE"], ["kube-system", "coredns-*", "2", "2", "2"]),
    ("crd", ["NAME", "CREATED AT"], ["certificates.cert-manager.io"]),
    # a CRD's additionalPrinterColumns, the priority-1 ones (Issuer, Status) too at this width
    ("certificates", ["NAMESPACE", "NAME", "READY", "SECRET", "ISSUER", "STATUS", "AGE"],
     ["shop", "search-tls", "False", "search-tls", "letsencrypt-prod", "Issuing certificate"]),
]  # fmt: skip


async def test_every_kind_opens_by_command_with_kubectls_columns(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        for command, headers, row in KINDS:
            screen = await open_kind(pilot, command)
            lines = screen_text(app)
            assert header_has(lines[1], headers), (command, lines[1])
            if "NAMESPACE" not in headers:
                assert "NAMESPACE" not in lines[1]  # cluster-scoped: no namespace column
            assert row_with(lines, row) is not None, (command, "\n".join(lines[:20]))
            assert "all namespaces" in lines[0] or not screen.resource.namespaced


async def test_wide_columns_show_when_they_fit_or_on_ctrl_w(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_kind(pilot, "certificates")
        header = screen_text(app)[1]
        assert header_has(header, ["NAME", "READY", "SECRET", "AGE"])
        assert "ISSUER" not in header  # kubectl's -o wide column does not fit at 80 columns
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert "ISSUER" in screen_text(app)[1]
        assert "wide" in screen_text(app)[0]


async def test_a_namespace_switch_reopens_the_list_in_that_namespace(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = await open_kind(pilot, "cm")
        first = screen.feed
        await type_command(pilot, "ns payments")
        await wait_for(pilot, lambda: screen.feed is not first and screen.feed is not None)
        await wait_for(
            pilot, lambda: "in payments" in screen_text(app)[0] and screen.filter_table.total_count > 0
        )
        assert first is not None and first.view().closed
        lines = screen_text(app)
        assert "NAMESPACE" not in lines[1]  # one namespace: the column is hidden
        assert row_with(lines, ["api-settings"]) is not None
        assert row_with(lines, ["legacy-flags"]) is None


async def test_the_list_follows_the_cluster_live(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    certificate = {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": "live-tls", "namespace": "shop", "creationTimestamp": "2026-11-29T11:00:00Z"},
        "spec": {"secretName": "live-tls", "issuerRef": {"name": "letsencrypt-prod"}},
    }
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await open_kind(pilot, "certificates")
        assert row_with(screen_text(app), ["shop", "live-tls"]) is None
        try:
            demo_sim.apply(certificate)
            await wait_for(
                pilot,
                lambda: (
                    row_with(screen_text(app), ["shop", "live-tls", "live-tls", "letsencrypt-prod", "60m"])
                    is not None
                ),
            )
        finally:
            demo_sim.delete("certificates.cert-manager.io", "shop", "live-tls")
        await wait_for(pilot, lambda: row_with(screen_text(app), ["shop", "live-tls"]) is None)


def feed_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("kdash-feed")]


async def test_closing_the_screen_stops_its_feed(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert feed_threads() == []
        screen = await open_kind(pilot, "svc")
        feed = screen.feed
        assert feed is not None and any("services" in name for name in feed_threads())
        await pilot.press("escape")
        await wait_for(pilot, lambda: kind_screen(app) is None)
        await wait_for(pilot, lambda: feed_threads() == [])
        assert feed.view().closed


async def test_a_secret_is_listed_and_shown_without_reading_its_data(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = await open_kind(pilot, "secret")
        assert screen.filter_table.move_cursor(
            next(k for k in screen.filter_table.visible_keys() if "api-db" in str(k))
        )
        for key in ("y", "d", "enter"):
            await pilot.press(key)
            await wait_for(
                pilot, lambda: isinstance(app.screen, ObjectYamlScreen) and app.screen.text is not None
            )
            shown = "\n".join(screen_text(app))
            assert SECRET_NOTE[:40] in shown and "api-db-credentials" in shown
            assert not any(value in shown for value in SECRET_VALUES)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen)
    reads = demo_sim.audit_reads_of("secrets")
    assert reads, "the list and the metadata fetches are audited"
    assert {entry["accept"] for entry in reads} == {"metadata"}  # never json or table+object


async def test_enter_opens_a_workload_row_as_the_dashboard_does_and_a_crd_row_as_describe(
    demo_sim: Any,
) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = await open_kind(pilot, "deployments.apps")  # qualified: the server's Table
        table = screen.filter_table
        assert table.move_cursor(next(k for k in table.visible_keys() if str(k) == "Deployment/shop/web"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
        screen = await open_kind(pilot, "no")  # a kind with a typed screen opens it
        assert screen.filter_table.move_cursor(
            next(k for k in screen.filter_table.visible_keys() if "node-3" in str(k))
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "NodeScreen")
        screen = await open_kind(pilot, "certs")
        table = screen.filter_table
        assert table.move_cursor(next(k for k in table.visible_keys() if "search-tls" in str(k)))
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, ObjectYamlScreen) and app.screen.text is not None
        )
        shown = "\n".join(screen_text(app))
        assert "Describe Certificate shop/search-tls" in shown
        assert "Issuing certificate as Secret" in shown


async def test_aliases_lists_every_kind_and_opens_one(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await type_command(pilot, "aliases")
        await wait_for(
            pilot, lambda: isinstance(app.screen, AliasesScreen) and app.screen.filter_table.total_count > 20
        )
        lines = screen_text(app)
        assert header_has(lines[1], ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"])
        assert row_with(lines, ["pods", "po", "v1", "true", "Pod"]) is not None
        aliases = app.screen
        assert isinstance(aliases, AliasesScreen)
        await pilot.press("slash", *"cert-manager", "enter")
        await wait_for(pilot, lambda: aliases.filter_table.row_count == 2)
        lines = screen_text(app)
        assert row_with(lines, ["certificates", "cert,certs", "cert-manager.io/v1", "true", "Certificate"])
        assert row_with(lines, ["clusterissuers", "ciss", "cert-manager.io/v1", "false", "ClusterIssuer"])
        await pilot.press("enter")  # the first row: certificates
        await wait_for(pilot, lambda: kind_screen(app) is not None)
        screen = kind_screen(app)
        assert screen is not None and screen.resource.qualified == "certificates.cert-manager.io"


async def test_completion_offers_group_qualified_kinds(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"certificates.")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandBar))
        await wait_for(pilot, lambda: ":certificates.cert-manager.io" in "\n".join(screen_text(app)))
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: kind_screen(app) is not None)
        screen = kind_screen(app)
        assert screen is not None and screen.resource.qualified == "certificates.cert-manager.io"
        await pilot.press("escape", "ctrl+p", *"clusteriss")  # the palette offers the kinds too
        await wait_for(pilot, lambda: "kdash: :clusterissuers.cert-manager.io" in "\n".join(screen_text(app)))
        await pilot.press("enter")
        await wait_for(pilot, lambda: kind_screen(app) is not None)
        screen = kind_screen(app)
        assert screen is not None and screen.resource.qualified == "clusterissuers.cert-manager.io"


async def test_an_unknown_kind_says_so_in_one_sentence(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    notes = Notifications()
    async with app.run_test(size=WIDE, message_hook=notes) as pilot:
        await settle(pilot)
        await type_command(pilot, "foo")
        await wait_for(pilot, lambda: notes.any('no resource "foo" on this server'))
        assert kind_screen(app) is None


async def test_a_forbidden_kind_says_forbidden_with_the_servers_words() -> None:
    sim = start_sim("demo", now=frozen, faults="forbid=configmaps")
    try:
        app = build_app(sim)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            screen = await open_kind(pilot, "cm")
            assert screen.feed is not None and screen.feed.view().phase is SyncPhase.FORBIDDEN
            text = "\n".join(screen_text(app))
            assert "forbidden: " in text or "is forbidden" in text
            assert 'cannot list resource "configmaps"' in text
            assert "no configmaps" not in text and "[0]" not in text.splitlines()[0]
    finally:
        sim.stop()
