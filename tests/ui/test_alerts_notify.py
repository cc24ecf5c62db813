"""Toast bursts, terminal detection and the desktop notification's text, without a terminal."""

from __future__ import annotations

import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

from kdash.alerts.config import AlertsConfig
from kdash.alerts.model import Alert, AlertDelta, AlertSeverity
from kdash.model.meta import ObjectKey
from kdash.ui.alert_notify import AlertNotifier, ToastPlan
from kdash.ui.desktop import DesktopNotifier, detect, notify_send_argv, osc_sequence

T = datetime(2026, 3, 1, tzinfo=UTC)
HOSTILE = "x\x1b]0;pwn\x07;y\u202e\n-\x9b2J"


def alert(
    name: str, severity: AlertSeverity = AlertSeverity.ERROR, condition: str = "CrashLoopBackOff"
) -> Alert:
    key = ObjectKey("Pod", "shop", name)
    return Alert(
        f"{condition}:{key}/app", condition, severity, key, f"pod {name} crashes", T, T, container="app"
    )


class Host:
    def __init__(self) -> None:
        self.toasts: list[tuple[str, str, str]] = []
        self.bells = 0

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: str = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:  # noqa: ARG002
        assert markup is False
        self.toasts.append((title, message, severity))

    def bell(self) -> None:
        self.bells += 1


def test_a_burst_of_new_alerts_is_one_summary_toast_and_one_bell() -> None:
    host = Host()
    notifier = AlertNotifier(host, AlertsConfig(bell=True))  # type: ignore[arg-type]
    notifier.handle(AlertDelta(opened=tuple(alert(f"web-{n}") for n in range(50))))
    assert len(host.toasts) == 1 and host.bells == 1
    title, message, severity = host.toasts[0]
    assert (title, severity) == ("50 new alerts (50 errors)", "error")
    assert message.startswith("50 CrashLoopBackOff")


def test_a_few_alerts_are_a_toast_each_until_the_window_is_full() -> None:
    clock = [0.0]
    plan = ToastPlan(clock=lambda: clock[0])
    assert [t.title for t in plan.toasts([alert("a"), alert("b")])] == [
        "CrashLoopBackOff: Pod shop/a (app)",
        "CrashLoopBackOff: Pod shop/b (app)",
    ]
    assert len(plan.toasts([alert("c"), alert("d"), alert("e")])) == 3
    assert [t.title for t in plan.toasts([alert("f"), alert("g")])] == [
        "2 new alerts (2 errors)"
    ]  # 7 > 6 in 10 s
    clock[0] = 11.0
    assert len(plan.toasts([alert("h")])) == 1


def test_warnings_do_not_ring_and_bell_is_off_by_default() -> None:
    host = Host()
    AlertNotifier(host, AlertsConfig(bell=True)).handle(
        AlertDelta(opened=(alert("p", AlertSeverity.WARNING, "PodPending"),))
    )  # type: ignore[arg-type]
    AlertNotifier(host, AlertsConfig()).handle(AlertDelta(opened=(alert("q"),)))  # type: ignore[arg-type]
    assert host.bells == 0 and len(host.toasts) == 2


def test_terminal_detection() -> None:
    none = lambda _name: None  # noqa: E731
    assert detect({"TERM_PROGRAM": "iTerm.app"}, none) == ("osc9", False)
    assert detect({"TERM_PROGRAM": "WezTerm"}, none) == ("osc9", False)
    assert detect({"TERM": "foot"}, none) == ("osc777", False)
    assert detect({"TERM": "rxvt-unicode-256color"}, none) == ("osc777", False)
    assert detect(
        {"TMUX": "/tmp/tmux-0/default,1,0", "TERM_PROGRAM": "tmux", "LC_TERMINAL": "iTerm2"}, none
    ) == ("osc9", True)
    assert detect({"TERM": "xterm-256color"}, lambda _n: "/usr/bin/notify-send") == ("notify-send", False)
    assert detect({"TERM": "xterm-256color"}, none) == ("off", False)
    assert detect({"KDASH_NOTIFY": "osc777", "TERM_PROGRAM": "iTerm.app"}, none) == ("osc777", False)
    assert detect({"KDASH_NOTIFY": "off", "TERM_PROGRAM": "iTerm.app"}, none) == ("off", False)


def test_hostile_text_cannot_break_out_of_the_osc_string() -> None:
    for method in ("osc9", "osc777"):
        seq = osc_sequence(method, HOSTILE, HOSTILE)
        assert seq.count("\x1b") == 1 and seq.count("\x07") == 1 and seq.endswith("\x07")
        assert not any(c in seq for c in "\n\u202e\x9b") and "pwn" not in seq
    assert osc_sequence("osc777", "a;b", "c;d") == "\x1b]777;notify;kdash: a,b;c;d\x07"  # ";" ends the title
    wrapped = osc_sequence("osc9", "t", "b", tmux=True)
    assert wrapped == "\x1bPtmux;\x1b\x1b]9;kdash: t: b\x07\x1b\\"


def test_notify_send_argv_has_no_options_from_names_and_no_markup() -> None:
    argv = notify_send_argv("-x evil", "<b>pod</b> & --urgency=low", urgent=True)
    assert argv[:4] == ["notify-send", "--app-name=kdash", "--urgency=critical", "--"]
    assert argv[4:] == ["kdash: -x evil", "&lt;b&gt;pod&lt;/b&gt; &amp; --urgency=low"]


def test_notify_send_failure_is_reported_not_raised(tmp_path: Path) -> None:
    """Real processes in the notifier's thread: `false` stands in for a notify-send that fails, a
    missing file for one that is not installed (no mock of subprocess)."""
    failures: list[str] = []
    done = threading.Event()

    def failed(words: str) -> None:
        failures.append(words)
        done.set()

    false = shutil.which("false")
    assert false is not None
    for program, expected in (
        (false, "notify-send failed (exit 1)"),
        (str(tmp_path / "nope"), "notify-send could not run"),
    ):
        done.clear()
        DesktopNotifier("notify-send", on_error=failed, program=program).send("t", "b")
        assert done.wait(30)
        assert failures[-1].startswith(expected)
