"""The user's `[keymap]` end to end: a config file rebinds `l` (logs) and the new key opens the logs
screen while `l` no longer does; every binding has an id, so the keymap can reach each of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding

from kdash.config import load_config
from kdash.errors import ConfigError
from kdash.model.meta import ObjectKey
from kdash.ui.keymap import binding_ids, check_keymap, declared_bindings
from kdash.ui.screens.dashboard import DashboardScreen
from kdash.ui.widgets.resource_table import ResourceTable
from tests.ui.conftest import build_app, settle, wait_for

FIXTURES = Path(__file__).parent.parent / "config" / "fixtures"


def test_every_binding_in_kdash_ui_has_an_id() -> None:
    missing = [
        f"{cls.__module__}.{cls.__name__}: {b!r}"
        for cls, b in declared_bindings()
        if not isinstance(b, Binding) or not b.id
    ]
    assert missing == []
    assert {"row-logs", "drill-logs", "quit", "table-select", "logs-follow"} <= binding_ids()


def test_the_gatherer_sees_bindings_the_app_only_imports_late() -> None:
    # the logs and YAML screens are imported inside functions; their ids must still be known
    assert {"logs-wrap", "drill-toggle-mode", "help-close"} <= binding_ids()


@pytest.mark.parametrize(
    ("keymap", "sentence"),
    [
        ({"row-log": "v"}, "src: unknown binding id 'row-log' in [keymap]; did you mean 'row-logs'?"),
        ({"row-logs": "ctl+v"}, "src: keymap.row-logs: 'ctl+v' is not a key; did you mean 'ctrl+v'?"),
        (
            {"row-logs": "d"},
            (
                "src: keymap.row-logs: 'd' is already row-describe on DashboardScreen; "
                "rebind that too or pick another key."
            ),
        ),
    ],
)
def test_a_bad_keymap_is_one_sentence(keymap: dict[str, str], sentence: str) -> None:
    with pytest.raises(ConfigError) as exc:
        check_keymap(keymap, "src")
    assert str(exc.value) == sentence


def test_swapping_two_keys_is_not_a_clash() -> None:
    swap = {"row-logs": "d", "row-describe": "l"}
    assert check_keymap(swap, "src") == swap


async def test_a_config_keymap_rebinds_logs_from_l_to_v(demo_sim: Any, tmp_path: Path) -> None:
    from kdash.ui.screens.logs import LogsScreen

    path = tmp_path / "config.toml"
    path.write_text('[keymap]\nrow-logs = "v"\n', encoding="utf-8")
    config = load_config(path)
    app = build_app(demo_sim, with_logs=True)
    app.set_keymap(check_keymap(config.keymap, config.source))  # what `kdash` does with the file
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#workloads ResourceTable", ResourceTable)
        table.focus()
        assert table.move_cursor(ObjectKey("Deployment", "shop", "web"))
        await pilot.press("l")
        await pilot.press("f")  # a key the dashboard still has: once it acted, `l` was handled too
        await wait_for(pilot, lambda: app.screen.maximized is not None)
        assert isinstance(app.screen, DashboardScreen) and len(app.screen_stack) == 1
        await pilot.press("f")
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
    app.logs.stop_all()  # type: ignore[union-attr]
