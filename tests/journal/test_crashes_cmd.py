"""`kdash crashes`: where the journal is, empty or not, filters, JSON lines, and no Textual."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kdash.cli import main
from kdash.crashes import parse_since
from kdash.journal import CrashJournal, JournalEntry, journal_dir
from kdash.k8s.redact import redact

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CrashJournal:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    return CrashJournal(journal_dir(), redact=redact)


def entry(context: str, pod: str, age: timedelta, namespace: str = "shop", **kw: str) -> JournalEntry:
    return JournalEntry(
        time=NOW - age,
        context=context,
        namespace=namespace,
        pod=pod,
        container="app",
        restarts=3,
        reason="Error",
        exit_code=1,
        log_tail=("bye",),
        **kw,  # type: ignore[arg-type]
    )


def test_an_empty_journal_says_so_and_where_it_lives(
    journal: CrashJournal, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["crashes", "--context", "dev"]) == 0
    out = capsys.readouterr().out
    assert out == f"The crash journal of context 'dev' is empty ({journal.path_for('dev')}).\n"
    assert main(["crashes", "--context", "dev", "-o", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "is empty" in captured.err


def test_filters_order_and_contexts(journal: CrashJournal, capsys: pytest.CaptureFixture[str]) -> None:
    journal.append(entry("dev", "old", timedelta(hours=5)))
    journal.append(entry("dev", "new", timedelta(minutes=5)))
    journal.append(entry("dev", "elsewhere", timedelta(minutes=4), namespace="web"))
    journal.append(entry("prod", "prod-pod", timedelta(minutes=3)))
    assert main(["--context", "dev", "crashes", "-o", "json"]) == 0  # the option before the subcommand
    assert [json.loads(line)["pod"] for line in capsys.readouterr().out.splitlines()] == [
        "old",
        "new",
        "elsewhere",
    ]
    assert main(["crashes", "--context", "dev", "--since", "1h", "-n", "shop", "-o", "json"]) == 0
    assert [json.loads(line)["pod"] for line in capsys.readouterr().out.splitlines()] == ["new"]
    assert main(["crashes", "--all-contexts"]) == 0
    text = capsys.readouterr().out
    assert "[prod]" in text and text.index("old") < text.index("new") < text.index("prod-pod")
    assert text.rstrip().endswith("4 crashes.")


def test_a_hostile_file_is_printed_neutralised_and_its_bad_lines_counted(
    journal: CrashJournal, capsys: pytest.CaptureFixture[str]
) -> None:
    journal.append(entry("dev", "ok", timedelta(minutes=1)))
    hostile = entry("dev", "evil", timedelta(0)).to_json() | {
        "reason": "\x1b]0;pwned\x07Bad\u202e",
        "log_tail": ["\x1b[2J\x1b[31mtoken Bearer abcdefghijk123\x1b[0m"],
    }
    with open(journal.path_for("dev"), "a", encoding="utf-8") as f:
        f.write(json.dumps(hostile, ensure_ascii=False) + "\n{broken\n")
    assert main(["crashes", "--context", "dev"]) == 0
    captured = capsys.readouterr()
    assert (
        "\x1b" not in captured.out and "\u202e" not in captured.out and "abcdefghijk123" not in captured.out
    )
    assert "Bad, exit code 1" in captured.out and "    | token Bearer ***" in captured.out
    assert "skipped 1 unreadable line in" in captured.err


def test_bad_since_is_one_sentence(journal: CrashJournal, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crashes", "--context", "dev", "--since", "yesterday"]) == 2
    assert capsys.readouterr().err.startswith("kdash: --since: 'yesterday' is neither an age")
    assert parse_since("1h30m", NOW) == NOW - timedelta(minutes=90)
    assert parse_since("2026-11-29T12:00:00Z", NOW) == datetime(2026, 11, 29, 12, tzinfo=UTC)


def test_no_kubeconfig_and_no_context_is_one_sentence(
    journal: CrashJournal, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["crashes"]) == 2
    assert "pass --context NAME (or --all-contexts)" in capsys.readouterr().err


def test_a_bad_journal_table_stops_with_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[journal]\nmax_byte = 100000\n", encoding="utf-8")
    assert main(["crashes", "--context", "dev", "--config", str(config)]) == 2
    assert "journal: unknown setting 'max_byte'; did you mean 'max_bytes'?" in capsys.readouterr().err


def test_kdash_crashes_runs_without_textual(journal: CrashJournal) -> None:
    journal.append(entry("dev", "ok", timedelta(minutes=1)))
    code = (
        "import sys; from kdash.cli import main; rc = main(['crashes', '--context', 'dev', '-o', 'json']); "
        "print(sorted(m for m in sys.modules if m.startswith(('textual', 'kdash.ui', 'kubernetes'))), file=sys.stderr); "
        "sys.exit(rc)"
    )
    env = {
        "XDG_STATE_HOME": str(journal.directory.parent.parent),
        "PATH": "/usr/bin:/bin",
        "HOME": "/nonexistent",
    }
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["pod"] == "ok"
    assert out.stderr.strip() == "[]"
