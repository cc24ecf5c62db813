"""The [alerts] table: every key reaches its setting, and a mistake is one sentence naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from kdash.alerts.config import AlertsConfig
from kdash.config import load_config
from kdash.errors import ConfigError

FULL = Path(__file__).parent.parent / "config" / "fixtures" / "full.toml"


def test_every_key_of_the_full_fixture_reaches_its_setting() -> None:
    cfg = load_config(FULL).alerts
    assert cfg == AlertsConfig(
        disable=frozenset({"PodUnready"}),
        restart_jump=4,
        restart_window_minutes=15,
        pending_minutes=7.5,
        unready_minutes=6,
        crashloop_clear_minutes=3,
        hpa_max_minutes=20,
        quota_percent=90,
        resolved_keep=50,
        resolved_minutes=30,
        bell=True,
        notify=True,
        command="cat >> /tmp/alerts.jsonl",
        command_timeout=5,
        command_max_per_minute=10,
    )
    assert not cfg.enabled("PodUnready") and cfg.enabled("CrashLoopBackOff")


def test_no_alerts_table_means_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('namespace = "shop"\n', encoding="utf-8")
    assert load_config(path).alerts == AlertsConfig()


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        (
            "[alerts]\npending_minute = 5\n",
            "unknown setting 'pending_minute' in [alerts]; did you mean 'pending_minutes'?",
        ),
        (
            '[alerts]\ndisable = ["CrashLoop"]\n',
            "alerts.disable: unknown condition(s) CrashLoop; did you mean CrashLoopBackOff?",
        ),
        ('[alerts]\nbell = "yes"\n', "alerts.bell: expected true or false, got 'yes'."),
        (
            "[alerts]\nquota_percent = 120\n",
            "alerts.quota_percent: expected a percentage above 0 and at most 100, got 120.",
        ),
        ("[alerts]\nrestart_jump = 2.5\n", "alerts.restart_jump: expected a whole number, got 2.5."),
        ("[alerts]\npending_minutes = -1\n", "alerts.pending_minutes: must be above 0, got -1."),
        ("[alerts]\nresolved_keep = 0\n", "alerts.resolved_keep: must be at least 1, got 0."),
        ("[alerts]\ncommand = 3\n", 'alerts.command: expected a command in quotes (command = "..."), got 3.'),
        (
            "pending_minutes = 5\n",
            "unknown setting 'pending_minutes'; did you mean 'pending_minutes' under [health]?",
        ),
        ("[alert]\nbell = true\n", "unknown table [alert]; did you mean [alerts]?"),
    ],
)
def test_a_mistake_is_one_sentence(tmp_path: Path, text: str, sentence: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert str(exc.value) == f"{path}: {sentence}"
