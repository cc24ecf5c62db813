"""Hostile cluster strings never reach the terminal as control sequences (issue 10, item 11).

Names, images, messages, annotations and log lines carrying an ST-terminated OSC 0 (window title),
an OSC 52 (clipboard write), `ESC[2J` (clear screen), 8-bit C1 controls, bidi overrides/isolates
and zero-width characters are rendered in every screen of the real app over the simulated cluster.
The assertion is on the bytes Textual hands to its driver, the ones a real terminal would read: a
recording driver (a headless driver that says it is not headless, so `App._display` renders into
it) keeps them. Textual's own output is SGR, cursor moves, synchronized-update modes and its
pointer-shape OSC 22; anything else is a leak.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot

from kdash.model.meta import ObjectKey
from kdash.sim import start_sim
from kdash.sim.scenarios import builders as b
from kdash.ui.app import KdashApp
from kdash.ui.render.table import object_key_of
from kdash.ui.screens.events import EventsScreen
from kdash.ui.screens.logs import ContainerPicker, LogsScreen
from kdash.ui.screens.namespaces import NamespacePicker
from kdash.ui.screens.pod import PodDetailScreen
from kdash.ui.screens.pods_list import PodListScreen
from kdash.ui.screens.workload import WorkloadPodsScreen
from kdash.ui.screens.yaml_view import ObjectYamlScreen
from kdash.ui.widgets.resource_table import ResourceTable
from tests.ui.conftest import FIXED, build_app, frozen, screen_text, settle, wait_for

pytestmark = pytest.mark.timeout(300)

#: Everything a terminal could act on or that hides/reorders text, in one string.
PAYLOAD = (
    "\x1b]0;pwned\x1b\\"  # OSC 0 window title, ST-terminated
    "\x1b]52;c;cGF3bmVk\x07"  # OSC 52 clipboard write, BEL-terminated
    "\x1b]8;;evil.example\x1b\\"  # OSC 8 hyperlink (no "/": names go into URL paths)
    "\x1b[2J\x1b[H"  # clear screen, cursor home
    "\x9b2J\x9d0;c1\x9c"  # the same as 8-bit C1 controls
    "\u202e\u2066\u2069\u202a"  # bidi override, isolates, embedding
    "\u200b\u200d\u2060\ufeff"  # zero-width space/joiner, word joiner, BOM
    "\x07\x08\x0e"  # BEL, BS, SO
)


def evil(word: str) -> str:
    """`word` + PAYLOAD + "x": shown cleaned it reads `wordx`, which proves it was on screen."""
    return f"{word}{PAYLOAD}x"


NS = "shop"
EVIL_NS = evil("evilns")
DEPLOY = evil("evilweb")
POD = evil("evilpod")
CONTAINER = evil("evilapp")
HPA = evil("evilhpa")
QUOTA = evil("evilquota")
LIMITS = evil("evillimits")

# Textual's own vocabulary; everything else in the stream is a leak.
_TEXTUAL = re.compile(
    r"\x1b\[[0-9;]*m"  # SGR
    r"|\x1b\[\d+;\d+H"  # cursor position (a bare ESC[H is the payload's, not Textual's)
    r"|\x1b\[\?\d+[hl]"  # private modes (synchronized output)
    r"|\x1b\]22;[a-z-]+\x07"  # Kitty pointer shape
    r"|\n"
)
_LEAK = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")
_LEAKS = re.compile(_LEAK.pattern + "+")


class RecordingDriver(HeadlessDriver):
    """A headless driver that keeps what Textual writes. Claiming not to be headless makes
    `App._display` render every frame to a string and write it here, exactly as it would to a tty."""

    chunks: ClassVar[list[str]] = []

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        RecordingDriver.chunks.append(data)


def take_written() -> str:
    data = "".join(RecordingDriver.chunks)
    RecordingDriver.chunks.clear()
    return data


def leaks(data: str) -> list[str]:
    """Every control or invisible character left once Textual's own sequences are taken out,
    with a little context so a failure says where it came from."""
    rest = _TEXTUAL.sub("", data)
    found: list[str] = []
    last = -100
    for m in _LEAKS.finditer(rest):
        if m.start() > last + 60:  # one report per stretch of hostile text
            found.append(repr(rest[max(m.start() - 20, 0) : m.end() + 20]))
        last = m.end()
    return found[:8]


def _shown(word: str, text: str) -> bool:
    """`word` on screen in any form: cleaned (`wordx`) or with some of the payload left in it."""
    return re.search(re.escape(word) + r"\S{0,200}?x", text) is not None


async def check(pilot: Pilot[Any], where: str, *words: str, literal: str = "", escaped: bool = False) -> None:
    """Wait until the terminal was sent `literal` and `words` (hostile names, by their first word);
    then nothing sent so far carries a control or invisible character, and each name read `wordx`.

    What counts is the byte stream, not the final screen: a notification that expired is still in it.
    `escaped`: the screen quotes the payload visibly (YAML's `\\e]0;…`), which is fine.
    """
    sent: list[str] = []

    def seen() -> str:
        """What was sent since the last check, and what is on screen now (drawn earlier)."""
        sent.append(take_written())
        return _TEXTUAL.sub("", "".join(sent)) + "\n" + "\n".join(screen_text(pilot.app))

    def ready() -> bool:
        text = seen()
        return literal in text and all(_shown(w, text) for w in words)

    await wait_for(pilot, ready)
    await pilot.pause()
    text = seen()
    written = "".join(sent)
    found = leaks(written)
    assert not found, f"{where}: control sequences reached the terminal: {found}"
    if escaped:
        return
    for word in ("pwned", "cGF3bmVk", "evil.example"):
        assert word not in written, f"{where}: {word!r} reached the terminal"
    assert all(f"{w}x" in text for w in words), f"{where}: not all of {words} shown cleaned"


def _relabel(obj: dict[str, Any]) -> dict[str, Any]:
    """The builders label objects `app=<name>`; label values are validated, so use a plain one."""
    for labels in (obj["metadata"].get("labels"), obj.get("spec", {}).get("selector", {}).get("matchLabels")):
        if labels and "app" in labels:
            labels["app"] = "evil"
    template = obj.get("spec", {}).get("template")
    if template:
        template["metadata"]["labels"]["app"] = "evil"
    return obj


def hostile_objects() -> list[dict[str, Any]]:
    from kdash.sim.scenarios.workloads import IpPool, cronjob, deployment

    image = f"reg.example/{evil('evilimg')}:1"
    containers = [b.container(CONTAINER, image, port=None)]
    dep, rs, pod = (
        _relabel(o)
        for o in deployment(
            NS,
            DEPLOY,
            containers,
            now=FIXED,
            age=timedelta(days=2),
            replicas=1,
            ips=IpPool(),
            nodes=["node-1"],
        )
    )
    pod["metadata"]["name"] = POD
    pod["metadata"]["annotations"] = {"note": evil("evilannotation"), evil("evilakey"): "v"}
    pod["spec"]["nodeName"] = evil("evilnode")
    b.crash_loop(pod, CONTAINER, now=FIXED, restarts=7, reason=evil("evilReason"), message=evil("evilterm"))
    dep["status"]["conditions"][0]["message"] = evil("evilcondition")
    hpa = {
        "kind": "HorizontalPodAutoscaler",
        "apiVersion": "autoscaling/v2",
        "metadata": b.meta("HorizontalPodAutoscaler", NS, HPA, FIXED, timedelta(days=1)),
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": DEPLOY, "apiVersion": "apps/v1"},
            "minReplicas": 1,
            "maxReplicas": 3,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization"}}}],
        },
        "status": {
            "currentReplicas": 1,
            "desiredReplicas": 1,
            "conditions": [
                {
                    "type": "AbleToScale",
                    "status": "False",
                    "reason": evil("evilr"),
                    "message": evil("evilcannot"),
                },
                {
                    "type": "ScalingActive",
                    "status": "False",
                    "reason": evil("evilr"),
                    "message": evil("evilinactive"),
                },
            ],
        },
    }
    hard = {"pods": "10", "requests.cpu": "2"}
    quota = {
        "kind": "ResourceQuota",
        "apiVersion": "v1",
        "metadata": b.meta("ResourceQuota", NS, QUOTA, FIXED, timedelta(days=1)),
        "spec": {"hard": hard},
        "status": {"hard": hard, "used": {"pods": "9", "requests.cpu": "1900m"}},
    }
    limits = {
        "kind": "LimitRange",
        "apiVersion": "v1",
        "metadata": b.meta("LimitRange", NS, LIMITS, FIXED, timedelta(days=1)),
        "spec": {
            "limits": [{"type": "Container", "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "100m"}}]
        },
    }
    involved = {
        "kind": "Pod",
        "namespace": NS,
        "name": POD,
        "uid": pod["metadata"]["uid"],
        "apiVersion": "v1",
    }
    event = {
        "kind": "Event",
        "apiVersion": "v1",
        "metadata": b.meta("Event", NS, "pod.backoff", FIXED, timedelta(minutes=5)),
        "involvedObject": involved,
        "reason": evil("evilBackOff"),
        "message": evil("evilmessage"),
        "source": {"component": evil("evilkubelet")},
        "firstTimestamp": b.ts(FIXED, timedelta(minutes=5)),
        "lastTimestamp": b.ts(FIXED, timedelta(seconds=30)),
        "count": 3,
        "type": "Warning",
    }
    # payload first: the READY column is narrow, so what follows it would be cut off
    cron = cronjob(NS, "nightly", PAYLOAD + "evilcron", containers, now=FIXED, age=timedelta(days=1))
    namespaces = [b.namespace(NS, FIXED, timedelta(days=3)), b.namespace(EVIL_NS, FIXED, timedelta(days=3))]
    return [*namespaces, dep, rs, pod, cron, hpa, quota, limits, event]


@pytest.fixture(scope="module")
def hostile_sim() -> Iterator[Any]:
    sim = start_sim("empty", now=frozen)
    try:
        for obj in hostile_objects():
            sim.apply(obj)
        lines = [f"2026-11-29T11:59:0{i}Z {evil(f'evilline{i}')}" for i in range(3)]
        sim.append_log(NS, POD, CONTAINER, lines)
        sim.append_log(NS, POD, CONTAINER, [f"2026-11-29T11:50:00Z {evil('evilprevious')}"], previous=True)
        yield sim
    finally:
        sim.stop()


def recording_app(sim: Any) -> KdashApp:
    app = build_app(sim, with_logs=True, all_namespaces=True)
    app.driver_class = RecordingDriver
    take_written()
    return app


async def until_screen(pilot: Pilot[Any], cls: type, predicate: Callable[[], bool] = lambda: True) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, cls) and predicate())


async def test_hostile_strings_never_reach_the_terminal_as_controls(
    hostile_sim: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # where ctrl+s saves logs
    app = recording_app(hostile_sim)
    async with app.run_test(headless=False, size=(200, 60), notifications=True) as pilot:
        await settle(pilot)
        await check(
            pilot,
            "dashboard",
            "evilweb",
            "evilimg",
            "evilhpa",
            "evilquota",
            "evillimits",
            "evilpod",
            literal=" evilcron",
        )

        # the log tail follows the hostile workload under the cursor
        workloads = app.screen.query_one("#workloads ResourceTable", ResourceTable)
        workloads.focus()
        row = next(
            k for k in workloads.visible_keys() if object_key_of(k) == ObjectKey("Deployment", NS, DEPLOY)
        )
        assert workloads.move_cursor(row)
        await check(pilot, "dashboard log tail", "evilline2")

        # namespace picker, then switching into the hostile namespace (header + notification)
        await pilot.press("n")
        await until_screen(pilot, NamespacePicker)
        await check(pilot, "namespace picker", "evilns")
        await pilot.press(*"evilns", "enter")
        await check(pilot, "namespace notification and header", "namespace: evilns")
        await wait_for(pilot, lambda: app.namespace == EVIL_NS)
        app.set_namespace(None)
        await settle(pilot)

        # ctrl+p palette lists namespaces; the command bar completes them
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"evilns")
        await check(pilot, "command palette", "evilns")
        await pilot.press("escape")
        await pilot.press("colon", *"ns evilns")
        await check(pilot, "command bar", "evilns")
        await pilot.press("escape")

        # workload → pods → pod detail
        workloads.focus()
        assert workloads.move_cursor(row)
        await pilot.press("enter")
        await until_screen(pilot, WorkloadPodsScreen)
        await check(pilot, "workload pods", "evilweb", "evilpod", "evilnode")
        await pilot.press("enter")
        await until_screen(pilot, PodDetailScreen)
        await check(pilot, "pod detail", "evilpod", "evilapp", "evilterm", "evilmessage")

        # describe and YAML (annotations, event messages)
        for key, mode in (("d", "describe"), ("y", "yaml")):
            await pilot.press(key)
            await until_screen(pilot, ObjectYamlScreen)
            await check(pilot, mode, "evilannotation", "evilakey", "evilpod", escaped=mode == "yaml")
            await pilot.press("escape")
            await until_screen(pilot, PodDetailScreen)

        # logs: title, lines, container picker, previous, ctrl+s (notification and file name)
        await pilot.press("l")
        await until_screen(pilot, LogsScreen)
        await check(pilot, "logs", "evilpod", "evilline2")
        await pilot.press("c")
        await until_screen(pilot, ContainerPicker)
        await check(pilot, "container picker", "evilapp")
        await pilot.press("escape")
        await until_screen(pilot, LogsScreen)
        await pilot.press("ctrl+s")
        await check(pilot, "logs saved notification", literal="saved 3 lines")
        saved = list((tmp_path / "kdash" / "logs").iterdir())
        assert len(saved) == 1
        name = saved[0].name
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.log", name), name
        assert "evilpodx" in name
        assert _LEAK.search(saved[0].read_text(encoding="utf-8").replace("\n", "")) is None
        await pilot.press("p")
        await check(pilot, "previous logs", "evilprevious")
        await pilot.press("escape")
        await until_screen(pilot, PodDetailScreen)
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard)

        # list screens
        await pilot.press("colon", *"pods", "enter")
        await until_screen(pilot, PodListScreen)
        await check(pilot, "pods list", "evilpod", "evilnode")
        await pilot.press("escape")
        await pilot.press("colon", *"events", "enter")
        await until_screen(pilot, EventsScreen)
        await check(pilot, "events", "evilmessage", "evilBackOff")
        await pilot.press("escape")

        # help, and a notification made of a cluster string (the HPA's target name)
        await pilot.press("question_mark")
        await check(pilot, "help", literal="esc to close")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.dashboard)
        app.notify(evil("evilnote"), title=evil("eviltitle"), markup=False)
        await check(pilot, "notification", "evilnote", "eviltitle")
