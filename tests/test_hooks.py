"""The `--on-alert` hook runner: real shell commands, real processes, no mocks.

What a hook gets (the alert's JSON on stdin, a few variables), what happens when it fails, hangs
or is missing (reported, never fatal, the next alert still runs), and how bursts are bounded.
The last test runs the real app (App.run_test) over the simulated cluster: the alerts its engine
opens reach the hook, and a failing hook is a toast. `kdash watch --on-alert` is tested in
tests/test_watch.py.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kdash.alerts.config import AlertsConfig
from kdash.alerts.model import Alert, AlertDelta, AlertSeverity
from kdash.model.meta import ObjectKey
from kdash.notify.hooks import HookRunner, hook_command
from kdash.notify.sent import SentLog, sent_path
from kdash.sim import start_sim
from tests.helpers import wait_for
from tests.ui.conftest import Notifications, build_app, frozen, settle
from tests.ui.conftest import wait_for as wait_in_app

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def alert(name: str = "cart-1", **changes: object) -> Alert:
    base = Alert(
        id=f"CrashLoopBackOff:Pod/shop/{name}/app",
        condition="CrashLoopBackOff",
        severity=AlertSeverity.ERROR,
        key=ObjectKey("Pod", "shop", name),
        message=f"container app of pod {name} is in CrashLoopBackOff (4 restarts)",
        first_seen=T0,
        last_seen=T0,
        container="app",
        context="kind-dev",
        exit_code=1,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def resolved(a: Alert) -> Alert:
    return replace(a, resolved_at=T0 + timedelta(minutes=7), resolution="cleared")


@pytest.fixture(autouse=True)
def _own_hook_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with a hook that has run for nothing yet (kdash.notify.sent)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


class Reports(list[str]):
    """Collects what the runner reports (it calls back on its own thread)."""

    def __call__(self, sentence: str) -> None:
        self.append(sentence)


def test_the_hook_gets_each_opened_and_resolved_alert_as_json_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "got.jsonl"
    reports = Reports()
    runner = HookRunner(
        f'{{ printf "%s " "$KDASH_ALERT_STATE"; cat; }} >> {out}', on_failure=reports, min_interval=0.05
    )
    try:
        opened = alert()
        runner.submit(AlertDelta(opened=(opened,), updated=(alert("web-1"),)))  # updates run nothing
        runner.submit(AlertDelta(resolved=(resolved(opened),)))
        assert runner.wait_idle(30)
    finally:
        runner.close()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [ln.split(" ", 1)[0] for ln in lines] == ["open", "resolved"]
    first, second = (json.loads(ln.split(" ", 1)[1]) for ln in lines)
    assert first == opened.to_json()
    assert first["state"] == "open" and first["name"] == "cart-1" and first["exit_code"] == 1
    assert second == resolved(opened).to_json() and second["resolution"] == "cleared"
    assert reports == [] and runner.runs == 2


def test_a_failing_hook_is_reported_and_the_next_alert_still_runs(tmp_path: Path) -> None:
    out = tmp_path / "got.jsonl"
    starts = tmp_path / "starts"
    reports = Reports()
    command = (
        f"date +%s.%N >> {starts}; "
        f'if [ "$KDASH_ALERT_STATE" = open ]; then echo "webhook said no" >&2; exit 3; fi; cat >> {out}'
    )
    runner = HookRunner(command, on_failure=reports)  # the default rate: one run a second at most
    try:
        opened = alert()
        runner.submit(AlertDelta(opened=(opened,)))
        runner.submit(AlertDelta(resolved=(resolved(opened),)))
        assert runner.wait_idle(30)
    finally:
        runner.close()
    assert len(reports) == 1
    assert "failed with exit code 3" in reports[0]
    assert "OPEN CrashLoopBackOff Pod/shop/cart-1/app" in reports[0]
    assert reports[0].endswith(": webhook said no")
    assert json.loads(out.read_text(encoding="utf-8"))["state"] == "resolved"
    begun = [float(t) for t in starts.read_text(encoding="utf-8").split()]
    assert len(begun) == 2 and begun[1] - begun[0] >= 0.9  # a burst is spread out, not fired at once


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie waiting for its reaper is dead


def test_a_hook_past_its_timeout_is_killed_with_everything_it_started(tmp_path: Path) -> None:
    child = tmp_path / "child.pid"
    reports = Reports()
    runner = HookRunner(f"sleep 60 & echo $! > {child}; wait", on_failure=reports, timeout=0.5)
    try:
        runner.submit(AlertDelta(opened=(alert(),)))
        assert runner.wait_idle(30)
    finally:
        runner.close()
    assert len(reports) == 1 and "timed out after 0.5 s and was stopped" in reports[0]
    pid = int(child.read_text(encoding="ascii"))
    wait_for(lambda: not _alive(pid), "the hook's background sleep to be killed with its group")


def test_a_missing_command_is_reported_not_fatal(tmp_path: Path) -> None:
    out = tmp_path / "got"
    reports = Reports()
    runner = HookRunner("kdash-no-such-hook-command", on_failure=reports, min_interval=0.05)
    try:
        runner.submit(AlertDelta(opened=(alert(),)))
        assert runner.wait_idle(30)
        runner.command = f"cat > {out}"  # the runner is still alive after the failure
        runner.submit(AlertDelta(opened=(alert("web-2"),)))
        assert runner.wait_idle(30)
    finally:
        runner.close()
    assert len(reports) == 1 and "command not found (exit 127)" in reports[0]
    assert json.loads(out.read_text(encoding="utf-8"))["name"] == "web-2"


def test_a_burst_beyond_a_minute_of_runs_is_dropped_and_counted(tmp_path: Path) -> None:
    out = tmp_path / "got.jsonl"
    reports = Reports()
    runner = HookRunner(f"cat >> {out}", on_failure=reports, max_per_minute=2, min_interval=0.05)
    try:
        runner.submit(AlertDelta(opened=tuple(alert(f"p-{i}") for i in range(6))))
        wait_for(lambda: reports, "the drop report")
        wait_for(lambda: out.exists() and len(out.read_text(encoding="utf-8").splitlines()) == 2, "2 runs")
    finally:
        runner.close()
    assert runner.dropped in (3, 4)  # the queue holds 2 (a minute's worth); the worker may hold a third
    assert reports[0].startswith(f"alert hook skipped for {runner.dropped} alerts: more than 2 waiting")
    names = [json.loads(ln)["name"] for ln in out.read_text(encoding="utf-8").splitlines()]
    assert names == ["p-0", "p-1"]  # in order; the third waits for the minute, the rest were dropped


def _runs(command: str, memory: Path, *alerts: Alert) -> HookRunner:
    """A runner with its memory in `memory`, given `alerts`, run until idle and closed."""
    runner = HookRunner(command, on_failure=Reports(), min_interval=0.05, sent=SentLog(memory))
    try:
        for a in alerts:
            runner.submit_alerts((a,))
        assert runner.wait_idle(30)
    finally:
        runner.close()
    return runner


def test_a_new_start_does_not_run_the_hook_again_for_what_it_already_ran_for(tmp_path: Path) -> None:
    out, memory = tmp_path / "got.jsonl", tmp_path / "sent.json"
    opened = alert()
    first = _runs(f"cat >> {out}", memory, opened)
    second = _runs(f"cat >> {out}", memory, opened, alert("web-1"))  # the next start's first look
    assert (first.runs, second.runs, second.repeats) == (1, 1, 1)
    third = _runs(f"cat >> {out}", memory, resolved(opened), opened)  # resolved, then open again: news
    assert (third.runs, third.repeats) == (2, 0)
    states = [(a["name"], a["state"]) for a in map(json.loads, out.read_text(encoding="utf-8").splitlines())]
    assert states == [("cart-1", "open"), ("web-1", "open"), ("cart-1", "resolved"), ("cart-1", "open")]
    # the same alert id on another context is another alert
    assert _runs("true", memory, replace(opened, context="prod")).runs == 1


def test_a_failed_run_is_not_remembered_as_sent(tmp_path: Path) -> None:
    memory = tmp_path / "sent.json"
    assert _runs("exit 3", memory, alert()).failures == 1
    assert _runs("true", memory, alert()).runs == 1  # the next start tries again


def test_the_memory_forgets_after_a_week_and_survives_a_torn_file(tmp_path: Path) -> None:
    memory = tmp_path / "kdash" / "sent.json"
    now = [1_000_000.0]
    log = SentLog(memory, keep=3600.0, clock=lambda: now[0])
    log.record(alert())
    assert not SentLog(memory, keep=3600.0, clock=lambda: now[0]).is_news(alert())
    now[0] += 3601.0  # still open an hour later: sent once more, as a reminder
    assert SentLog(memory, keep=3600.0, clock=lambda: now[0]).is_news(alert())
    memory.write_text('{"kind-dev\u0000CrashLoop', encoding="utf-8")  # another process died mid-write
    assert SentLog(memory).is_news(alert())
    capped = SentLog(tmp_path / "capped.json", cap=2)
    for name in ("a", "b", "c"):
        capped.record(alert(name))
    assert [capped.is_news(alert(n)) for n in ("a", "b", "c")] == [True, False, False]  # oldest gone
    assert sent_path({"XDG_STATE_HOME": "/s"}) == Path("/s/kdash/hooks-sent.json")


def test_the_command_line_beats_the_config_file() -> None:
    assert hook_command(None, " ./notify.sh ") == "./notify.sh"
    assert hook_command("curl -d @- x", "./notify.sh") == "curl -d @- x"
    assert hook_command("", "./notify.sh") == ""  # `--on-alert ''` turns the configured hook off


def test_the_hook_runs_with_the_callers_environment(tmp_path: Path) -> None:
    out = tmp_path / "env"
    runner = HookRunner(
        f'printf "%s|%s|%s" "$WEBHOOK" "$KDASH_ALERT_SEVERITY" "$KDASH_CONTEXT" > {out}',
        on_failure=Reports(),
        env={**os.environ, "WEBHOOK": "https://hooks.example/x"},
    )
    try:
        runner.submit(AlertDelta(opened=(alert(),)))
        assert runner.wait_idle(30)
    finally:
        runner.close()
    assert out.read_text(encoding="utf-8") == "https://hooks.example/x|error|kind-dev"


async def test_the_tui_hands_opened_alerts_to_the_hook_and_toasts_a_failure(tmp_path: Path) -> None:
    out = tmp_path / "got.jsonl"
    command = f'cat >> {out}; echo "slack said 500" >&2; exit 4'  # every run fails, after reading stdin
    sim = start_sim("demo", now=frozen)
    try:
        app = build_app(sim, alerts_config=AlertsConfig(command=command))
        notes = Notifications()
        async with app.run_test(message_hook=notes) as pilot:
            await settle(pilot)
            await wait_in_app(pilot, lambda: notes.any("alert hook failed with exit code 4"))
            assert app.hooks is not None and app.is_running  # a failing hook is not fatal
        assert app.hooks.runs >= 1
    finally:
        sim.stop()
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["state"] == "open" and first["context"] == "kdash-sim"
    failure = next(m for m in notes.messages if "alert hook failed" in m)
    assert failure.endswith(": slack said 500") and f"OPEN {first['condition']} {first['kind']}/" in failure


def test_kdash_on_alert_beats_the_config_files_command(tmp_path: Path) -> None:
    """Through the real `kdash` start-up (kdash.cli): the flag reaches the dashboard's hook runner."""
    from kdash.cli import _run_tui, build_parser

    config = tmp_path / "config.toml"
    config.write_text(f'[alerts]\ncommand = "touch {tmp_path}/config-hook-ran"\n', encoding="utf-8")
    out = tmp_path / "flag.jsonl"
    sim = start_sim("demo")
    try:
        argv = [
            "--kubeconfig",
            str(sim.kubeconfig_path),
            "--config",
            str(config),
            "--on-alert",
            f"cat >> {out}",
        ]
        args = build_parser(check_options=False).parse_args(argv)

        def run(app: Any) -> int:
            async def drive() -> int:
                async with app.run_test() as pilot:
                    await settle(pilot)
                    await wait_in_app(pilot, lambda: out.exists() and out.read_text(encoding="utf-8").strip())
                return 0

            return asyncio.run(drive())

        assert _run_tui(args, run=run) == 0
    finally:
        sim.stop()
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["state"] == "open"
    assert not (tmp_path / "config-hook-ran").exists()


def test_two_processes_sharing_the_memory_keep_each_others_entries(tmp_path: Path) -> None:
    """A `kdash watch` unit and a dashboard on one machine: both loaded the file before either
    wrote; each write merges what the other wrote since, instead of replacing it."""
    memory = tmp_path / "kdash" / "sent.json"
    watch, dashboard = SentLog(memory), SentLog(memory)
    watch.record(alert("cart-1"))
    dashboard.record(alert("web-1"))
    dashboard.record(resolved(alert("cart-1")))  # newer than the watch's "open"
    later = SentLog(memory)
    assert not later.is_news(alert("web-1"))
    assert not later.is_news(resolved(alert("cart-1"))) and later.is_news(alert("cart-1"))
    watch.record(alert("db-1"))  # the watch's older "open" of cart-1 does not win over "resolved"
    again = SentLog(memory)
    assert not again.is_news(alert("web-1")) and not again.is_news(alert("db-1"))
    assert not again.is_news(resolved(alert("cart-1")))
