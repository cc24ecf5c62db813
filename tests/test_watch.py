"""`kdash watch`, run as a real process against the simulated cluster (real HTTP, no mocks).

A crash loop that starts while it watches is printed when it opens and again when the pod recovers,
the hook gets both as JSON, hostile termination messages stay inert in text and JSON, the watch
exits 2 with one sentence when the cluster cannot be read at start, reports a lost connection and
its return, and ends cleanly (exit 0, no traceback) on SIGTERM and Ctrl-C.
"""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kdash.sim import start_sim
from tests.helpers import wait_for

JSON = dict[str, Any]
HOSTILE = "boom \x1b]52;c;ZXZpbA==\x07\x1b[2J\u202egnp.exe [red]x[/red] \x9b31m"


class Proc:
    """A `kdash` process whose stdout and stderr lines are collected as they come."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kdash", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        self.out: list[bytes] = []
        self.err: list[bytes] = []
        self._threads = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True),
        ]
        for t in self._threads:
            t.start()

    @staticmethod
    def _read(stream: Any, into: list[bytes]) -> None:
        for line in iter(stream.readline, b""):
            into.append(line)

    def json_lines(self) -> list[JSON]:
        return [json.loads(line) for line in list(self.out)]

    def stderr_text(self) -> str:
        return b"".join(self.err).decode("utf-8", "replace")

    def end(self, sig: int | None = signal.SIGTERM) -> int:
        """Send `sig` (None: none, wait for it to exit by itself) and return the exit code."""
        if sig is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=60)
        for t in self._threads:
            t.join(10)
        return code


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    cluster = start_sim("demo")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(autouse=True)
def _own_hook_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each watch starts with a hook that has run for nothing yet (kdash.notify.sent)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def crash_looping_copy(sim: Any, name: str) -> JSON:
    """A new pod in shop, copied from a running web pod, its first container in CrashLoopBackOff with
    a hostile termination message."""
    web = next(p for p in sim.list("Pod", "shop") if p["metadata"]["name"].startswith("web-"))
    pod: JSON = copy.deepcopy(web)
    meta = pod["metadata"]
    meta["name"], meta["uid"] = name, f"uid-{name}"
    for key in ("resourceVersion", "creationTimestamp"):
        meta.pop(key, None)
    now = datetime.now(UTC)
    for cs in pod["status"]["containerStatuses"][:1]:  # the first container crashes, its sidecar runs
        cs.update(ready=False, started=False, restartCount=6)
        cs["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}}
        cs["lastState"] = {
            "terminated": {
                "exitCode": 2,
                "reason": "Error",
                "message": HOSTILE,
                "startedAt": _stamp(now - timedelta(seconds=50)),
                "finishedAt": _stamp(now - timedelta(seconds=10)),
            }
        }
    return pod


def recover(pod: JSON) -> None:
    """The container has been running (and Ready) for ten minutes: the crash loop is over."""
    started = _stamp(datetime.now(UTC) - timedelta(minutes=10))
    for cs in pod["status"]["containerStatuses"]:
        cs.update(ready=True, started=True)
        cs["state"] = {"running": {"startedAt": started}}
    for cond in pod["status"].get("conditions") or []:
        cond["status"] = "True"


def _read_jsonl(path: Path) -> list[JSON]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def _ours(lines: list[JSON], name: str, state: str) -> list[JSON]:
    return [
        a for a in lines if a["name"] == name and a["condition"] == "CrashLoopBackOff" and a["state"] == state
    ]


def test_watch_json_prints_the_open_and_the_resolve_line_and_runs_the_hook(sim: Any, tmp_path: Path) -> None:
    hook_file = tmp_path / "hook.jsonl"
    watch = Proc(
        "watch", "--kubeconfig", str(sim.kubeconfig_path), "-n", "shop", "-o", "json",
        "--on-alert", f"cat >> {hook_file}",
    )  # fmt: skip
    try:
        # the demo's own crash loops are open at start, and printed first
        wait_for(lambda: any(a["condition"] == "CrashLoopBackOff" for a in watch.json_lines()), "demo alerts")
        sim.apply(crash_looping_copy(sim, "web-crashy"))
        opened = wait_for(lambda: _ours(watch.json_lines(), "web-crashy", "open"), "the open line")
        sim.update("Pod", "shop", "web-crashy", recover)
        done = wait_for(lambda: _ours(watch.json_lines(), "web-crashy", "resolved"), "the resolve line")
        wait_for(
            lambda: _ours(_read_jsonl(hook_file), "web-crashy", "resolved"), "the hook to get the resolve"
        )
    finally:
        code = watch.end(signal.SIGTERM)
    assert code == 0
    assert "Traceback" not in watch.stderr_text()
    assert len(opened) == 1 and len(done) == 1  # one alert, deduplicated; one resolution
    assert (
        opened[0]["id"] == done[0]["id"] == "CrashLoopBackOff:Pod/shop/web-crashy/" + opened[0]["container"]
    )
    assert opened[0]["severity"] == "error" and opened[0]["exit_code"] == 2
    assert done[0]["resolution"] == "cleared" and done[0]["resolved_at"]
    hooked = _read_jsonl(hook_file)
    assert _ours(hooked, "web-crashy", "open") == opened and _ours(hooked, "web-crashy", "resolved") == done
    # the hostile termination message is carried, escaped: no raw ESC, C1 or bidi byte on stdout
    raw = b"".join(watch.out)
    assert HOSTILE.split("\x1b")[0] in opened[0]["termination_message"]
    assert b"\x1b" not in raw and "\u202e".encode() not in raw and "\x9b".encode() not in raw
    sim.delete("Pod", "shop", "web-crashy")


def test_a_restarted_watch_does_not_run_the_hook_again_for_an_alert_it_ran_for(
    sim: Any, tmp_path: Path
) -> None:
    sim.apply(crash_looping_copy(sim, "web-again"))
    before, after = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    args = ("watch", "--kubeconfig", str(sim.kubeconfig_path), "-n", "shop", "-o", "json")
    watch = Proc(*args, "--on-alert", f"cat >> {before}")
    try:
        wait_for(lambda: _ours(_read_jsonl(before), "web-again", "open"), "the hook's run for the crash loop")
    finally:
        assert watch.end(signal.SIGTERM) == 0
    again = Proc(*args, "--on-alert", f"cat >> {after}")
    try:
        wait_for(
            lambda: _ours(again.json_lines(), "web-again", "open"), "the crash loop, open at the new start"
        )
        sim.update("Pod", "shop", "web-again", recover)
        wait_for(
            lambda: _ours(_read_jsonl(after), "web-again", "resolved"), "the hook's run for the recovery"
        )
    finally:
        assert again.end(signal.SIGTERM) == 0
        sim.delete("Pod", "shop", "web-again")
    assert _ours(_read_jsonl(after), "web-again", "open") == []  # printed again, but not paged again


def test_watch_text_lines_are_plain_and_safe_and_ctrl_c_ends_cleanly(sim: Any) -> None:
    watch = Proc("watch", "--kubeconfig", str(sim.kubeconfig_path), "-n", "shop", env={"NO_COLOR": ""})
    try:
        wait_for(lambda: any(b"OPEN" in line for line in watch.out), "the first alerts")
        sim.apply(crash_looping_copy(sim, "web-hostile"))
        line = wait_for(
            lambda: [
                x.decode() for x in watch.out if b"Pod/shop/web-hostile/" in x and b"CrashLoopBackOff" in x
            ],
            "the text line of the new crash loop",
        )[0]
    finally:
        code = watch.end(signal.SIGINT)
        sim.delete("Pod", "shop", "web-hostile")
    assert code == 0
    stderr = watch.stderr_text()
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert "watch stopped;" in stderr
    fields = re.split(r" {2,}", line)
    assert fields[1:4] == ["OPEN", "error", "CrashLoopBackOff"] and fields[4].startswith(
        "Pod/shop/web-hostile/"
    )
    assert "in CrashLoopBackOff (6 restarts" in line and "boom" in line
    assert "[red]x[/red]" in line  # Rich markup is only text here
    assert not any(ch in line for ch in ("\x1b", "\x07", "\u202e", "\x9b"))  # not a tty: no colour either


def _kubeconfig(tmp_path: Path, server: str) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: gone\n"
        f"clusters:\n- name: gone\n  cluster:\n    server: {server}\n"
        "users:\n- name: u\n  user:\n    token: abc\n"
        "contexts:\n- name: gone\n  context:\n    cluster: gone\n    user: u\n",
        encoding="utf-8",
    )
    return path


def test_watch_exits_2_with_one_sentence_when_the_cluster_cannot_be_read_at_start(
    sim: Any, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong-token"
    wrong.write_text(re.sub(r"token: .*", "token: wrong", sim.kubeconfig_path.read_text()), encoding="utf-8")
    refused = Proc("watch", "--kubeconfig", str(wrong))
    assert refused.end(None) == 2
    assert refused.stderr_text().strip().splitlines() == [
        "kdash: The server rejected our credentials (401 Unauthorized): the token may have expired."
    ]
    unreachable = Proc("watch", "--kubeconfig", str(_kubeconfig(tmp_path, "https://127.0.0.1:9")))
    assert unreachable.end(None) == 2
    err = unreachable.stderr_text().strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kdash: ") and "127.0.0.1:9" in err[0]
    missing = Proc("watch", "--kubeconfig", str(tmp_path / "nope.yaml"))
    assert missing.end(None) == 2
    err = missing.stderr_text().strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kdash: ") and "Traceback" not in err[0]


def test_watch_reports_a_lost_connection_and_its_return() -> None:
    cluster = start_sim("demo")
    watch = Proc("watch", "--kubeconfig", str(cluster.kubeconfig_path), "-n", "shop", "-o", "json")
    try:
        wait_for(lambda: watch.out, "the first alerts")
        before = len(watch.out)
        cluster.go_down(None)
        wait_for(lambda: "connection lost" in watch.stderr_text(), "the lost line")
        cluster.recover()
        wait_for(lambda: "connection regained" in watch.stderr_text(), "the regained line")
        assert watch.proc.poll() is None
    finally:
        code = watch.end()
        cluster.stop()
    assert code == 0
    assert len(watch.out) == before  # alerts kept while away: nothing resolved or reopened
