"""The main dashboard driven from the keyboard, against the simulated demo cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kdash.model.meta import ObjectKey
from kdash.ui.prefs import Preferences
from kdash.ui.screens.dashboard import PANE_IDS, DashboardScreen
from kdash.ui.screens.help import HelpScreen
from kdash.ui.screens.namespaces import NamespacePicker
from kdash.ui.widgets.resource_table import ResourceTable
from tests.ui.burst import burst, resize_event
from tests.ui.conftest import build_app, screen_text, settle, wait_for


def table(app: Any, pane: str) -> ResourceTable:
    return app.screen.query_one(f"#{pane} ResourceTable", ResourceTable)


def names(app: Any, pane: str) -> list[str]:
    return [getattr(k, "name", str(k)) for k in table(app, pane).visible_keys()]


async def test_header_and_panes_show_the_demo_cluster(demo_sim: Any) -> None:
    """Every pane is populated from the service; the header names context, scope, sync and grade."""
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        header = screen_text(app)[0]
        assert "kdash-sim" in header and "ns all" in header and "live" in header
        snap = app.source.snapshot()
        assert f"pods {len(snap.pods)}" in header and "grade" in header
        assert ObjectKey("Deployment", "shop", "checkout") in table(app, "workloads").visible_keys()
        assert table(app, "hpa").row_count == len(snap.hpas)
        assert table(app, "restarts").row_count == len(snap.restarts)
        assert table(app, "health").row_count > 0
        text = "\n".join(screen_text(app))
        assert "Workloads [" in text and "Quotas [" in text and "Health [" in text
        assert "CrashLoop" in text


async def test_filter_regex_negation_labels_and_escape(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        workloads = table(app, "workloads")
        total = workloads.row_count
        await pilot.press("slash", *"check")
        assert names(app, "workloads") == ["checkout"]
        assert "Workloads [1/" in "\n".join(screen_text(app))
        await pilot.press("enter")
        assert app.focused is workloads
        await pilot.press("slash", "ctrl+u", *"!^shop")
        assert all(k.namespace != "shop" for k in workloads.visible_keys())
        await pilot.press("ctrl+u", *"-l app=web")
        assert names(app, "workloads") == ["web"]
        await pilot.press("escape")
        assert workloads.row_count == total and workloads.filter_text == ""


async def test_sort_keys_and_header_click(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        workloads = table(app, "workloads")
        await pilot.press("shift+right")  # first column: NAMESPACE
        assert workloads.sort_column == "namespace"
        await pilot.press("shift+right", "shift+right")  # KIND, NAME
        assert workloads.sort_column == "name"
        keys = workloads.visible_keys()
        assert [k.name for k in keys] == sorted(k.name for k in keys)
        await pilot.press("O")  # shift+o flips
        assert workloads.sort_reverse
        assert [k.name for k in workloads.visible_keys()] == sorted((k.name for k in keys), reverse=True)
        await pilot.click(workloads, offset=(workloads.size.width - 3, 0))  # WORST FINDING header
        assert workloads.sort_column == "finding"


async def test_namespace_picker_cycle_all_and_favourites(demo_sim: Any, tmp_path: Path) -> None:
    prefs = Preferences.load(tmp_path / "state.json")
    app = build_app(demo_sim, prefs=prefs)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, NamespacePicker)
        assert "payments" in "\n".join(screen_text(app))
        await pilot.press(*"paym", "ctrl+f", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await wait_for(pilot, lambda: app.source.snapshot().namespace == "payments")
        await settle(pilot)
        assert "ns payments" in screen_text(app)[0]
        assert {k.namespace for k in table(app, "workloads").visible_keys()} == {"payments"}
        await pilot.press("0")
        await wait_for(pilot, lambda: app.namespace is None)
        await pilot.press("1")  # favourite 1, set from the picker
        await wait_for(pilot, lambda: app.namespace == "payments")
        await pilot.press("right_square_bracket")
        assert app.namespace == app.namespace_names()[app.namespace_names().index("payments") + 1]
        await pilot.press("left_square_bracket")
        assert app.namespace == "payments"
        await app.workers.wait_for_complete()
    # remembered for the next start of the same context
    again = Preferences.load(tmp_path / "state.json")
    assert again.last_namespace("kdash-sim") == "payments"
    assert again.favourites("kdash-sim") == ["payments"]
    restarted = build_app(demo_sim, prefs=again)
    assert restarted.namespace == "payments"


async def test_drill_down_to_a_pod_and_back_restores_the_cursor(demo_sim: Any) -> None:
    from kdash.ui.screens.pod import PodDetailScreen
    from kdash.ui.screens.workload import WorkloadPodsScreen

    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        workloads = table(app, "workloads")
        target = ObjectKey("Deployment", "shop", "web")
        assert workloads.move_cursor(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
        pods = app.screen.query_one(ResourceTable)
        await wait_for(pilot, lambda: pods.row_count > 0)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen))
        assert "web-" in "\n".join(screen_text(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert table(app, "workloads").cursor_key == target
        assert app.focused is table(app, "workloads")


async def test_restart_row_opens_the_pod_and_hpa_its_target(demo_sim: Any) -> None:
    from kdash.ui.screens.hpa import HpaScreen
    from kdash.ui.screens.pod import PodDetailScreen
    from kdash.ui.screens.workload import WorkloadPodsScreen

    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab", "tab")
        assert app.screen.focused_pane_id() == "restarts"
        key = table(app, "restarts").cursor_key
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen))
        assert app.screen.key == key[0]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("shift+tab", "shift+tab")
        assert app.screen.focused_pane_id() == "hpa"
        await pilot.press("enter")  # the autoscaler's detail, and `o` there its target
        await wait_for(pilot, lambda: isinstance(app.screen, HpaScreen))
        assert app.screen.key == table_key_of_first_hpa(app)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkloadPodsScreen))
        hpa = app.source.snapshot().hpas[table_key_of_first_hpa(app)]
        assert app.screen.key.name == hpa.target_name


def table_key_of_first_hpa(app: Any) -> Any:
    dashboard = app.screen_stack[0]
    return dashboard.query_one("#hpa ResourceTable", ResourceTable).cursor_key


async def test_help_lists_every_binding_of_the_screen(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(screen_text(app))
        for words in ("Namespace", "Filter", "Maximise", "Describe", "YAML", "Logs", "Quit", "Flip order"):
            assert words in text, words
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_command_bar_completes_and_runs(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"ns sh", "tab", "enter")
        await wait_for(pilot, lambda: app.namespace == "shop")
        await pilot.press("colon", *"hpa", "enter")
        assert app.screen.focused_pane_id() == "hpa"
        await pilot.press("colon", *"dep", "enter")  # a prefix runs the command it completes to
        assert {k.kind for k in table(app, "workloads").visible_keys()} == {"Deployment"}
        await pilot.press("colon", *"[/bold] nope", "enter")  # unknown: reported literally
        await pilot.pause()
        assert app.is_running
        await pilot.press("colon", "q", "enter")
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_value == 0


async def test_compact_layout_tabs_and_maximise(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.has_class("-compact")
        text = "\n".join(screen_text(app))
        assert "Workloads" in text and "Health" in text
        await pilot.press("tab")
        assert screen.focused_pane_id() == "hpa"
        assert "HPA [" in "\n".join(screen_text(app))
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert not screen.has_class("-compact")
        await pilot.press("f")
        assert screen.maximized is screen.query_one("#hpa")
        await pilot.press("escape")
        assert screen.maximized is None


async def test_rows_update_in_place_and_keep_the_cursor(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        workloads = table(app, "workloads")
        target = ObjectKey("Deployment", "shop", "frontend")
        assert workloads.move_cursor(target)
        before = workloads.get_row(target)
        others = {k: workloads.get_row(k) for k in workloads.visible_keys() if k != target}

        def bump(obj: dict[str, Any]) -> None:
            obj["status"]["updatedReplicas"] = 3

        demo_sim.update("Deployment", "shop", "frontend", bump)
        await wait_for(pilot, lambda: workloads.get_row(target) != before)
        assert workloads.cursor_key == target
        assert "3" in workloads.get_row(target).cells[4].plain
        unchanged = [k for k, row in others.items() if workloads.get_row(k) is row]
        assert len(unchanged) >= len(others) - 2  # rows that did not change are the same objects


async def test_keys_typed_in_a_burst_reach_the_filter_and_the_command_bar(demo_sim: Any) -> None:
    """tmux send-keys / paste speed: keys queued before the focus moves are not lost or misread
    (`:deploy` must not run `d`, describe). Every wait is for a state of the dashboard itself
    (screen_stack[0]), which exists whatever modal is on top: under CPU load the command bar is
    still up when the first check runs, and querying `app.screen` for a pane then raised."""
    app = build_app(demo_sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dashboard = app.screen_stack[0]
        workloads = dashboard.query_one("#workloads ResourceTable", ResourceTable)
        bar = dashboard.query_one("#workloads FilterBar")
        burst(app, "/check")
        await wait_for(pilot, lambda: workloads.filter_text == "check")
        burst(app, ["enter", "escape"])
        await wait_for(pilot, lambda: workloads.filter_text == "" and not bar.display)
        burst(app, [*":deploy", "enter"])
        await wait_for(pilot, lambda: app.screen is dashboard and workloads.filter_text != "")
        assert workloads.filter_text == r"^\S* deploy\b"
        burst(app, [*"npaym", "enter"])
        await wait_for(pilot, lambda: app.screen is dashboard and app.namespace == "payments")


async def test_keys_typed_in_a_burst_after_colon_reach_the_command_bar_on_every_screen(
    demo_sim: Any,
) -> None:
    """Off the dashboard `:` is an app binding: the keys typed right after it were already handed
    to the screen below when the bar opened. They must reach the bar, not vanish (tmux showed an
    empty bar after `:no⏎` on the pods list)."""
    from kdash.ui.screens.command_bar import CommandBar
    from kdash.ui.screens.pod import PodDetailScreen
    from kdash.ui.screens.pods_list import PodListScreen
    from kdash.ui.screens.resources import KindListScreen

    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        burst(app, [*":pods", "enter"])
        await wait_for(pilot, lambda: isinstance(app.screen, PodListScreen))
        pods = app.screen.query_one(ResourceTable)
        await wait_for(pilot, lambda: pods.row_count > 0)
        burst(app, [*":no", "enter"])
        await wait_for(pilot, lambda: isinstance(app.screen, KindListScreen))
        assert app.screen.resource.resource == "nodes"
        burst(app, [*":pods", "enter"])  # from a kind list (a `:` command replaces the view)
        await wait_for(pilot, lambda: isinstance(app.screen, PodListScreen))
        pods = app.screen.query_one(ResourceTable)
        await wait_for(pilot, lambda: pods.row_count > 0 and app.focused is pods)
        burst(app, ["enter"])
        await wait_for(pilot, lambda: isinstance(app.screen, PodDetailScreen))
        burst(app, [*":svc", "enter"])
        await wait_for(pilot, lambda: isinstance(app.screen, KindListScreen))
        assert app.screen.resource.resource == "services"
        assert not any(isinstance(s, CommandBar) for s in app.screen_stack)


async def test_two_commands_in_one_burst_both_run(demo_sim: Any) -> None:
    """`:pods⏎:no⏎` typed at once: the keys after the first Enter reach the bar's dismissal and
    must go on to the next screen, so the second command runs too (tmux showed the pods list)."""
    from kdash.ui.screens.command_bar import CommandBar
    from kdash.ui.screens.resources import KindListScreen

    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        burst(app, [*":pods", "enter", *":no", "enter"])
        await wait_for(pilot, lambda: isinstance(app.screen, KindListScreen))
        assert app.screen.resource.resource == "nodes"
        await pilot.pause(0.2)
        assert isinstance(app.screen, KindListScreen)  # nothing else came after it
        assert not any(isinstance(s, CommandBar) for s in app.screen_stack)


async def _answers_help(pilot: Any) -> None:
    """`?` opens help within a bounded number of frames, and `esc` closes it again."""
    app = pilot.app
    burst(app, ["question_mark"])
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), attempts=100)
    burst(app, ["escape"])
    await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), attempts=100)


async def _stays_on(pilot: Any, pane_id: str, frames: int = 15) -> None:
    """The dashboard settles on `pane_id` (state, tab strip and focus agree) and stays there:
    a ping-pong between two panes would show up as a flip between frames."""
    screen = pilot.app.screen_stack[0]
    tabs = screen.query_one("#pane-tabs")

    def agreed() -> bool:
        return (
            screen.active_pane == pane_id
            and tabs.active == f"tab-{pane_id}"
            and screen.focused_pane_id() == pane_id
        )

    await wait_for(pilot, agreed, attempts=100)
    for _ in range(frames):
        await pilot.pause()
        assert agreed(), (screen.active_pane, tabs.active, screen.focused_pane_id())


async def test_tabs_typed_at_key_repeat_speed_do_not_livelock(demo_sim: Any) -> None:
    """Two Tabs in one burst at 160×48 used to ping-pong TabActivated between two panes forever
    (the tab strip's own message re-entered the pane switch): the app stopped answering."""
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        burst(app, ["tab", "tab"])
        await _stays_on(pilot, "quotas")
        await _answers_help(pilot)
        burst(app, ["tab"] * 3 + ["shift+tab"])
        await _stays_on(pilot, "logtail")
        await _answers_help(pilot)


async def test_tabs_after_a_resize_from_compact_do_not_livelock(demo_sim: Any) -> None:
    app = build_app(demo_sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        burst(app, ["tab"])
        resize_event(app, 160, 48)
        burst(app, ["tab", "tab", "tab"])
        await _stays_on(pilot, "logtail")
        assert not app.screen.has_class("-compact")
        await _answers_help(pilot)
        resize_event(app, 80, 24)
        burst(app, ["shift+tab", "shift+tab"])
        await _stays_on(pilot, "quotas")
        assert app.screen.has_class("-compact")
        await _answers_help(pilot)


async def test_tab_into_the_log_tail_does_not_focus_its_hidden_filter(demo_sim: Any) -> None:
    """Tab ×4 lands on the Log tail pane: the focus goes to the log view, not to the filter input
    hidden until `/`, which swallowed `q` and `?` as text."""
    from textual.widgets import Input

    from kdash.ui.widgets.log_view import LogView

    app = build_app(demo_sim, with_logs=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab", "tab", "tab")
        await pilot.pause()
        assert app.screen.focused_pane_id() == "logtail"
        assert isinstance(app.focused, LogView)
        for _ in range(len(PANE_IDS)):  # no hidden input anywhere on the focus chain
            assert not any(isinstance(w, Input) and not w.display for w in app.screen.focus_chain)
            await pilot.press("tab")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "tab", "tab", "tab", "tab", "q")
        await wait_for(pilot, lambda: not app.is_running)


async def test_keys_typed_right_after_slash_all_reach_the_filter(demo_sim: Any) -> None:
    """`/cart` in one burst filtered on `rt`; `/^(cart|check)⏎` lost the text and the `⏎` drilled
    into the selected row. Every key after `/` belongs to the filter, in order, however the burst
    is split into the chunks a terminal delivers (a frame between the chunks)."""
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        workloads = table(app, "workloads")
        bar = app.screen.query_one("#workloads FilterBar")
        for text in ("cart", "^(cart|check)"):
            keys = ["slash", *text, "enter"]
            for cut in range(1, len(keys)):
                burst(app, keys[:cut])
                await pilot.pause()
                burst(app, keys[cut:])
                await wait_for(pilot, lambda: not bar.display and workloads.filter_text != "", attempts=100)
                assert workloads.filter_text == text, (text, cut)
                assert app.focused is workloads
                await pilot.pause()
                assert isinstance(app.screen, DashboardScreen), (text, cut)  # the ⏎ did not open a row
                burst(app, ["escape"])
                await wait_for(pilot, lambda: workloads.filter_text == "", attempts=100)
        assert names(app, "workloads") != []
        burst(app, "/cart")  # typed on, no enter: the bar stays open with every key in it
        await wait_for(pilot, lambda: workloads.filter_text == "cart", attempts=100)
        assert names(app, "workloads") == ["cart"] and bar.display


async def test_keys_typed_right_after_slash_reach_the_log_tail_filter(demo_sim: Any) -> None:
    """The same for the log tail's filter (its view keeps the focus; space is pause otherwise)."""
    from kdash.ui.widgets.log_tail import LogTailPane

    app = build_app(demo_sim, with_logs=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        tail = app.screen.query_one(LogTailPane)
        await pilot.press("tab", "tab", "tab", "tab")
        assert app.screen.focused_pane_id() == "logtail"
        keys = ["slash", *"no such line", "enter"]
        for cut in range(1, len(keys)):
            burst(app, keys[:cut])
            await pilot.pause()
            burst(app, keys[cut:])
            await wait_for(
                pilot, lambda: not tail.filter_bar.display and tail._filter_text != "", attempts=100
            )
            assert tail._filter_text == "no such line", cut
            assert tail.view.follow  # the space went into the filter, not to pause
            burst(app, ["escape"])
            await wait_for(pilot, lambda: tail._filter_text == "", attempts=100)


async def test_prompt_keys_keep_their_order_however_the_burst_interleaves(demo_sim: Any) -> None:
    """Keys typed after `:` or `n` reach the prompt by two paths (through the dashboard, or to the
    prompt once it is on screen). A terminal hands a burst over in chunks: two chunk boundaries are
    tried, with the event loop let run 0-7 steps in between (the old code lost keys at 4 and 5, at
    every boundary): every key lands, in order."""
    import asyncio

    from textual.widgets import Input

    from kdash.ui.screens.command_bar import CommandBar

    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        dashboard = app.screen
        for prompt, keys in ((CommandBar, [*":deploy"]), (NamespacePicker, [*"npaym"])):
            typed = "".join(keys[1:])
            for cut in (1, 3):
                for steps in range(8):
                    burst(app, keys[:cut])
                    for _ in range(steps):
                        await asyncio.sleep(0)
                    burst(app, keys[cut:])

                    def shown(kind: type = prompt, n: int = len(typed)) -> bool:
                        fields = app.screen.query(Input) if isinstance(app.screen, kind) else []
                        return bool(fields) and len(fields.first().value) >= n

                    await wait_for(pilot, shown, attempts=100)
                    assert app.screen.query(Input).first().value == typed, (typed, cut, steps)
                    burst(app, ["escape"])
                    await wait_for(pilot, lambda: app.screen is dashboard, attempts=100)


async def test_a_binding_typed_before_a_prompt_acts_on_the_dashboard(demo_sim: Any) -> None:
    """`esc :hpa⏎` in one burst: the `esc` clears the filter (the dashboard's binding, run in key
    order), it does not cancel the command bar the `:` opened in the meantime."""
    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        dashboard = app.screen
        workloads = table(app, "workloads")
        for _ in range(3):
            burst(app, [*"/web", "enter"])
            await wait_for(pilot, lambda: workloads.filter_text == "web" and app.focused is workloads)
            burst(app, ["escape", *":hpa", "enter"])
            await wait_for(pilot, lambda: app.screen is dashboard and dashboard.active_pane == "hpa")
            assert workloads.filter_text == ""
            burst(app, ["shift+tab"])
            await wait_for(pilot, lambda: dashboard.active_pane == "workloads")


async def test_a_slash_typed_ahead_into_the_command_bar_is_the_bar_s(demo_sim: Any) -> None:
    """`:/x` in one burst: the `/` is text of the command line, it does not open the filter of
    the pane underneath (the keys after `:` travel through the pane on their way to the bar)."""
    from kdash.ui.screens.command_bar import CommandBar
    from kdash.ui.widgets.fed_input import FedInput

    app = build_app(demo_sim)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one("#workloads FilterBar")
        burst(app, [*":/x"])
        await wait_for(pilot, lambda: isinstance(app.screen, CommandBar) and bool(app.screen.query(FedInput)))
        field = app.screen.query_one(FedInput)
        await wait_for(pilot, lambda: len(field.value) >= 2, attempts=100)
        assert field.value == "/x"
        assert not bar.display
