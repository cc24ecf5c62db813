"""config.toml is checked when it is read: every key kdash knows is accepted and reaches its setting;
an unknown key or a wrong type at any level is one sentence (with the nearest known key) and exit 2,
before kdash touches a cluster or starts the TUI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from kdash.alerts.config import AlertsConfig
from kdash.config import load_config
from kdash.config_schema import TOP_LEVEL
from kdash.errors import ConfigError
from kdash.health.config import HealthConfig, split_ids
from kdash.journal.settings import JournalSettings
from kdash.k8s.settings import ServiceSettings

FIXTURES = Path(__file__).parent / "config" / "fixtures"
FULL = FIXTURES / "full.toml"
FULL_DATA: dict[str, Any] = tomllib.loads(FULL.read_text(encoding="utf-8"))


def test_the_full_fixture_names_every_key_kdash_reads() -> None:
    """A setting added without a fixture line (and so without a test) fails here."""
    assert set(FULL_DATA) == set(TOP_LEVEL)
    assert set(FULL_DATA["health"]) == {f.name for f in fields(HealthConfig)}
    assert set(FULL_DATA["service"]) == {f.name for f in fields(ServiceSettings)}
    assert set(FULL_DATA["alerts"]) == {f.name for f in fields(AlertsConfig)}
    assert set(FULL_DATA["journal"]) == {f.name for f in fields(JournalSettings)}


@pytest.mark.parametrize(
    "key", [k for k in TOP_LEVEL if k not in ("health", "service", "keymap", "alerts", "journal")]
)
def test_each_top_level_key_is_accepted(key: str) -> None:
    assert getattr(load_config(FULL), key) == FULL_DATA[key]


@pytest.mark.parametrize("key", sorted(FULL_DATA["health"]))
def test_each_health_key_is_accepted(key: str) -> None:
    health = HealthConfig.from_mapping(load_config(FULL).health)
    expected = FULL_DATA["health"][key]
    if key in ("disabled", "only"):
        expected = split_ids(expected)
    elif key == "required_annotations":
        expected = tuple((g,) if isinstance(g, str) else tuple(g) for g in expected)
    assert getattr(health, key) == expected


@pytest.mark.parametrize("key", sorted(FULL_DATA["service"]))
def test_each_service_key_is_accepted(key: str) -> None:
    settings = ServiceSettings.from_mapping(load_config(FULL).service)
    expected = FULL_DATA["service"][key]
    assert getattr(settings, key) == (tuple(expected) if isinstance(expected, list) else expected)


def test_keymap_entries_are_accepted_as_textual_key_lists() -> None:
    assert load_config(FULL).keymap == {
        "row-logs": "v",
        "row-describe": "D,ctrl+d",
        "help": "f1,question_mark",
    }


def test_the_readme_example_is_a_valid_config(tmp_path: Path) -> None:
    from kdash.ui.keymap import check_keymap

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("## Configuration", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    config = load_config(_write(tmp_path, example))
    assert config.keymap and check_keymap(config.keymap, config.source) == config.keymap


def test_health_accepts_dashes_and_the_disable_alias(tmp_path: Path) -> None:
    path = _write(tmp_path, '[health]\nrestarts-threshold = 4\ndisable = "labels-missing"\n')
    health = HealthConfig.from_mapping(load_config(path).health)
    assert (health.restarts_threshold, health.disabled) == (4, frozenset({"labels-missing"}))


def _key_of(text: str) -> str:
    """A case's id: the dotted key its TOML sets, e.g. `health.restarts_threshold`."""
    lines = text.splitlines()
    table = lines[0].strip("[]") + "." if lines[0].startswith("[") else ""
    key = next(line for line in lines if "=" in line).split("=")[0].strip()
    return f"{table}{key}"


TYPOS = [
    ("typo-top.toml", "unknown setting 'namspace'; did you mean 'namespace'?"),
    ("typo-table.toml", "unknown table [helth]; did you mean [health]?"),
    (
        "typo-health.toml",
        "unknown setting 'restart_threshold' in [health]; did you mean 'restarts_threshold'?",
    ),
    ("typo-service.toml", "unknown setting 'page_sise' in [service]; did you mean 'page_size'?"),
]

WRONG_TYPES = [
    (
        'log_buffer_lines = "lots"\n',
        "log_buffer_lines: expected a whole number (log_buffer_lines = 10000), got 'lots'.",
    ),
    (
        "log_buffer_lines = true\n",
        "log_buffer_lines: expected a whole number (log_buffer_lines = 10000), got True.",
    ),
    ("max_log_streams = 0\n", "max_log_streams: must be at least 1, got 0."),
    ("namespace = 5\n", 'namespace: expected a name in quotes (namespace = "shop"), got 5.'),
    (
        'namespace = "Shop"\n',
        "namespace: 'Shop' is not a namespace name (lowercase letters, digits and '-').",
    ),
    ("service = 5\n", "service: expected a table ([service]), got 5."),
    ("page_size = 500\n", "unknown setting 'page_size'; did you mean 'page_size' under [service]?"),
    (
        '[health]\nrestarts_threshold = "five"\n',
        "health.restarts_threshold: expected a whole number, got 'five'.",
    ),
    (
        '[health]\ndisabled = ["labels-mising"]\n',
        "health.disabled: unknown rule(s) labels-mising; did you mean labels-missing?",
    ),
    ('[service]\npage_size = "big"\n', "service.page_size: expected a whole number, got 'big'."),
    ("[service]\npoll_interval = -1\n", "service.poll_interval: expected a positive number, got -1."),
    (
        '[service]\nnamespaces = "shop"\n',
        "service.namespaces: expected a list of names in quotes, got 'shop'.",
    ),
    ('[service]\nkinds = ["pod"]\n', "service.kinds: unknown kind 'pod'; did you mean 'pods'?"),
    (
        "[keymap]\nrow-logs = 5\n",
        'keymap.row-logs: expected a key in quotes or a list of keys (e.g. row-logs = "v"), got 5.',
    ),
]


@pytest.mark.parametrize(("fixture", "sentence"), TYPOS, ids=[t[0] for t in TYPOS])
def test_a_typo_in_each_table_is_one_sentence(fixture: str, sentence: str) -> None:
    path = FIXTURES / fixture
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert str(exc.value) == f"{path}: {sentence}"


@pytest.mark.parametrize(("text", "sentence"), WRONG_TYPES, ids=[_key_of(t[0]) for t in WRONG_TYPES])
def test_a_wrong_type_is_one_sentence(tmp_path: Path, text: str, sentence: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert str(exc.value) == f"{path}: {sentence}"


CLI_CASES = [
    *(((FIXTURES / f).read_text(encoding="utf-8"), s) for f, s in TYPOS),
    (
        (FIXTURES / "typo-keymap.toml").read_text(encoding="utf-8"),
        "unknown binding id 'row-log' in [keymap]; did you mean 'row-logs'?",
    ),
    ('[keymap]\nrow-logs = "ctl+v"\n', "keymap.row-logs: 'ctl+v' is not a key; did you mean 'ctrl+v'?"),
    (
        '[keymap]\nrow-logs = "d"\n',
        "keymap.row-logs: 'd' is already row-describe on DashboardScreen; rebind that too or pick another key.",
    ),
    ('theme = "nrod"\n', "theme: unknown theme 'nrod'; did you mean 'nord'?"),
    ('[service]\nbackoff_max = "30s"\n', "service.backoff_max: expected a number, got '30s'."),
]


@pytest.mark.parametrize(("text", "sentence"), CLI_CASES, ids=[_key_of(c[0]) for c in CLI_CASES])
def test_kdash_demo_refuses_a_bad_config_with_one_sentence_and_exit_2(
    tmp_path: Path, text: str, sentence: str
) -> None:
    """The TUI does not start (it would hang here, with no terminal): one line on stderr, exit 2."""
    path = _write(tmp_path / "kdash", text, name="config.toml")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run(
        [sys.executable, "-m", "kdash", "--demo"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"kdash: {path}: {sentence}\n")


def test_kdash_check_refuses_the_same_files(tmp_path: Path) -> None:
    path = _write(tmp_path, (FIXTURES / "typo-top.toml").read_text(encoding="utf-8"))
    done = subprocess.run(
        [sys.executable, "-m", "kdash", "check", "--demo", "--config", str(path)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"kdash: {path}: unknown setting 'namspace'; did you mean 'namespace'?\n"


def _write(directory: Path, text: str, name: str = "config.toml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path
