"""SVG snapshots of a CRD list (`:certificates`, cert-manager's printer columns) at 80×24 and 160×48.

Deterministic as tests/ui/test_snapshots.py: the frozen clock, a fixed port, and each shot waits
until the list's feed is live and drawn. At 80 columns kubectl's `-o wide` columns (Issuer,
Status) are left out; at 160 they fit and are shown. Update with `--snapshot-update` on this file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tests.ui.conftest import build_app, settle
from tests.ui.test_kinds_screens import open_kind

SnapCompare = Callable[..., bool]


async def open_certificates(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await open_kind(pilot, "certificates")
    pilot.app.clear_notifications()  # toasts (alerts, namespace) are not what this shot is about
    for _ in range(3):  # the title and the wide columns settle after the first layout
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()


def test_crd_list_80x24(snap_compare: SnapCompare, snap_sim: Any) -> None:
    """NAMESPACE, NAME, READY, SECRET, AGE: kubectl's default columns of the CRD."""
    assert snap_compare(build_app(snap_sim), terminal_size=(80, 24), run_before=open_certificates)


def test_crd_list_160x48(snap_compare: SnapCompare, snap_sim: Any) -> None:
    """With ISSUER and STATUS (priority 1), which fit at 160 columns."""
    assert snap_compare(build_app(snap_sim), terminal_size=(160, 48), run_before=open_certificates)
