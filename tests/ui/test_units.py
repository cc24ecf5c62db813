"""Pure pieces of the UI: change-set merging, rate cap, preferences, command completion, formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kdash.model.meta import ObjectKey
from kdash.model.source import ChangeSet
from kdash.ui.bridge import SnapshotBridge, merge
from kdash.ui.command_list import completions, resolve
from kdash.ui.format import clean, images_text, short_image, usage_bar
from kdash.ui.prefs import Preferences

A, B = ObjectKey("Pod", "ns", "a"), ObjectKey("Pod", "ns", "b")


def test_merge_keeps_the_latest_fate_of_each_key() -> None:
    first = ChangeSet(1, added=frozenset({A}), modified=frozenset({B}))
    second = ChangeSet(2, deleted=frozenset({A}), states_changed=True)
    merged = merge(first, second)
    assert merged.generation == 2 and merged.deleted == {A} and A not in merged.added
    assert merged.modified == {B} and merged.states_changed


class _Source:
    def subscribe(self, callback: Any) -> Any:
        self.callback = callback
        return lambda: None


class _Target:
    def __init__(self) -> None:
        self.posted: list[Any] = []

    def post_message(self, message: Any) -> bool:
        self.posted.append(message)
        return True


def test_bridge_coalesces_and_rate_caps() -> None:
    clock = [100.0]
    source, target = _Source(), _Target()
    bridge = SnapshotBridge(source, target, min_interval=0.1, monotonic=lambda: clock[0])  # type: ignore[arg-type]
    bridge.attach()
    source.callback(ChangeSet(1, added=frozenset({A})))
    source.callback(ChangeSet(2, added=frozenset({B})))
    assert len(target.posted) == 2  # Textual collapses them (can_replace); the bridge merges
    taken = bridge.take()
    assert taken is not None and taken.added == {A, B} and bridge.take() is None
    assert bridge.ready_in() == 0
    bridge.rendered()
    assert bridge.ready_in() > 0
    clock[0] += 0.2
    assert bridge.ready_in() == 0


def test_preferences_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    prefs = Preferences.load(path)
    assert prefs.last_namespace("ctx") is None and not prefs.has_namespace("ctx")
    prefs.remember_namespace("ctx", "shop")
    prefs.toggle_favourite("ctx", "shop")
    prefs.toggle_favourite("ctx", "payments")
    prefs.remember_namespace("other", None)
    prefs.save()
    again = Preferences.load(path)
    assert again.last_namespace("ctx") == "shop"
    assert again.favourites("ctx") == ["shop", "payments"]
    assert again.has_namespace("other") and again.last_namespace("other") is None
    assert again.last_context() == "other"
    assert again.toggle_favourite("ctx", "shop") is False
    assert again.favourites("ctx") == ["payments"]


def test_corrupt_state_file_is_an_empty_state(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"ui": {"contexts": {"ctx": {"favourites": "oops", "namespace": 3}}}}')
    prefs = Preferences.load(path)
    assert prefs.favourites("ctx") == [] and prefs.last_namespace("ctx") is None


def test_command_completion_and_aliases() -> None:
    assert completions(":de", [], []) == ["deploy", "deployments", "deployment"]
    assert completions("ns sh", ["shop", "shipping", "payments"], []) == ["ns shop", "ns shipping"]
    assert completions("ctx p", [], ["prod", "dev"]) == ["ctx prod"]
    spec = resolve("dp")
    assert spec is not None and spec.name == "deploy"
    assert resolve("nope") is None


def test_format_helpers_are_literal_and_bounded() -> None:
    assert clean("a\nb\x1b]52;c;x\x07c") == "a bc"
    assert short_image("registry.example.com/team/api:1.4.2") == "api:1.4.2"
    assert short_image("ghcr.io/a/b@sha256:0123456789abcdef0123") == "b@0123456789ab"
    assert images_text(["x/[b]:1", "[@click=app.quit]y"]).plain == "[b]:1, [@click=app.quit]y"
    assert usage_bar(97.0, 10).plain.endswith(" 97%")
    assert usage_bar(None, 10).plain.strip() == "-"
