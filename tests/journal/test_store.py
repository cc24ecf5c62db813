"""The journal file: round trip, size cap, torn and hostile lines, safe names, concurrent writers."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kdash.journal import CrashJournal, JournalEntry, JournalSettings, context_filename, entries_for_pod
from kdash.k8s.redact import redact
from kdash.model.meta import Meta, OwnerRef
from kdash.model.pods import ContainerState, ContainerStatus, PodRecord

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HOSTILE = (
    "\x1b]52;c;cGF5bG9hZA==\x07\x1b[2J\x1b[31mred\x1b[0m \u202eevil\u202c [bold]markup[/bold] "
    "Authorization: Bearer abcdefghijklmnop0123 \x9b6n"
)


def entry(n: int, **kw: object) -> JournalEntry:
    base = JournalEntry(
        time=T0 + timedelta(minutes=n),
        context="dev",
        namespace="shop",
        pod=f"cart-{n}",
        container="cart",
        restarts=n,
        owner_kind="Deployment",
        owner_name="cart",
        reason="Error",
        exit_code=1,
        message="redis down",
        log_tail=(f"line {n}", "fatal: redis down"),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def journal(tmp_path: Path, **settings: int) -> CrashJournal:
    return CrashJournal(tmp_path / "crashes", JournalSettings(**settings), redact=redact)  # type: ignore[arg-type]


def test_round_trip_keeps_every_field_and_the_order(tmp_path: Path) -> None:
    j = journal(tmp_path)
    first = entry(1, signal=9, started=T0, finished=T0 + timedelta(seconds=5), image="cart:1.2", node="n1")
    assert j.append(first) == first
    j.append(entry(2))
    read = j.read("dev")
    assert read.entries == (first, entry(2))
    assert read.skipped == 0
    assert read.path == tmp_path / "crashes" / context_filename("dev")
    assert (read.path.stat().st_mode & 0o777) == 0o600
    assert j.read("prod").entries == ()  # per context


def test_size_cap_drops_the_oldest_and_the_file_stays_valid(tmp_path: Path) -> None:
    j = journal(tmp_path, max_bytes=16_384, tail_lines=50)
    big = tuple(f"log line {i} " + "x" * 60 for i in range(50))
    for n in range(40):
        j.append(entry(n, log_tail=big))
    path = j.path_for("dev")
    assert path.stat().st_size <= 16_384
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""  # ends with a newline
    assert all(json.loads(line) for line in lines[:-1])  # every line whole
    read = j.read("dev")
    kept = [e.restarts for e in read.entries]
    assert kept == list(range(40 - len(kept), 40))  # the newest, in order
    assert 2 <= len(kept) < 40
    assert read.entries[-1].log_tail[-1] == big[-1]  # an entry over its cap lost its oldest lines
    assert not list(path.parent.glob("*.tmp"))


def test_torn_last_line_and_foreign_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    j = journal(tmp_path)
    j.append(entry(1))
    path = j.path_for("dev")
    with open(path, "ab") as f:
        f.write(b"not json\n\xff\xfe\x00binary\n")
        f.write(b'{"time": "2026-11-29T12:00:00Z", "context": "dev", "namespace": 7}\n')  # wrong type
        f.write(b"[1, 2]\n")
        f.write(json.dumps(entry(9, context="other").to_json()).encode() + b"\n")  # another context's
        f.write(b'{"v":1,"time":"2026-11-29T12:05:00Z","context":"dev","namesp')  # a killed writer
    read = j.read("dev")
    assert [e.restarts for e in read.entries] == [1]
    assert read.skipped == 6
    j.append(entry(2))  # the torn line is ended first: the new entry stays whole
    assert [e.restarts for e in j.read("dev").entries] == [1, 2]


def test_hostile_strings_are_neutralised_on_write_and_on_read(tmp_path: Path) -> None:
    j = journal(tmp_path)
    j.append(entry(1, pod="cart\x1b[2J-1", message=HOSTILE + "\nsecond line", log_tail=(HOSTILE,)))
    raw = j.path_for("dev").read_bytes()
    assert raw.isascii()
    for bad in (b"\\u001b", b"\\u009b", b"\\u202e", b"abcdefghijklmnop0123"):
        assert bad not in raw, bad
    written = j.read("dev").entries[0]
    assert written.pod == "cart-1"
    assert written.log_tail[0] == "red evil [bold]markup[/bold] Authorization: *** "
    assert written.message.splitlines()[1] == "second line"
    # A foreign file written by someone else: cleaned and redacted when read.
    foreign = entry(2).to_json() | {"reason": HOSTILE, "log_tail": [HOSTILE], "message": HOSTILE}
    with open(j.path_for("dev"), "a", encoding="utf-8") as f:
        f.write(json.dumps(foreign, ensure_ascii=False) + "\n")
    read = j.read("dev").entries[1]
    for text in (read.reason, read.message, read.log_tail[0]):
        assert "\x1b" not in text and "\u202e" not in text and "\x9b" not in text
        assert "abcdefghijklmnop0123" not in text


@pytest.mark.parametrize(
    "context", ["../../../etc/passwd", "/abs/path", "..", "a/../../b", "\x00", "", "ctx\\..\\x"]
)
def test_a_hostile_context_name_stays_inside_the_directory(tmp_path: Path, context: str) -> None:
    j = journal(tmp_path)
    j.append(entry(1, context=context))
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files and all(p.parent == tmp_path / "crashes" for p in files), files
    assert j.read(context).entries[0].restarts == 1


def test_contexts_that_clean_to_the_same_name_do_not_share_a_file(tmp_path: Path) -> None:
    j = journal(tmp_path)
    j.append(entry(1, context="a/b"))
    j.append(entry(2, context="a_b"))
    assert [e.restarts for e in j.read("a/b").entries] == [1]
    assert [e.restarts for e in j.read("a_b").entries] == [2]
    assert [e.context for e in j.read_all().entries] == ["a/b", "a_b"]


def test_disabled_journal_writes_nothing(tmp_path: Path) -> None:
    j = CrashJournal(tmp_path / "crashes", JournalSettings(enabled=False), redact=redact)
    assert j.append(entry(1)) is None
    assert not (tmp_path / "crashes").exists()


WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from kdash.journal import CrashJournal, JournalEntry, JournalSettings
from kdash.k8s.redact import redact
j = CrashJournal(Path(sys.argv[1]), JournalSettings(max_bytes=16384), redact=redact)
for n in range(60):
    j.append(JournalEntry(time=datetime.now(UTC), context="dev", namespace="shop", pod=f"w{sys.argv[2]}-{n}",
                          container="c", restarts=n, log_tail=tuple("y" * 80 for _ in range(8))))
"""


def test_concurrent_processes_keep_the_file_valid_and_capped(tmp_path: Path) -> None:
    directory = tmp_path / "crashes"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(directory), str(i)]) for i in range(4)]
    assert [p.wait(120) for p in procs] == [0, 0, 0, 0]
    j = CrashJournal(directory, JournalSettings(max_bytes=16_384), redact=redact)
    read = j.read("dev")
    assert read.skipped == 0
    assert j.path_for("dev").stat().st_size <= 16_384
    # each writer's surviving entries are its newest ones, in its own order
    for i in range(4):
        mine = [e.restarts for e in read.entries if e.pod.startswith(f"w{i}-")]
        assert mine == sorted(mine)
        assert not mine or mine[-1] == 59


def pod(name: str, owner: str | None, containers: tuple[str, ...] = ("cart",)) -> PodRecord:
    return PodRecord(
        meta=Meta("Pod", "shop", name),
        containers=tuple(ContainerStatus(c) for c in containers),
        workload=OwnerRef("Deployment", owner, "uid") if owner else None,
    )


def test_entries_for_a_pod_include_earlier_pods_of_its_workload() -> None:
    entries = [
        entry(1, pod="cart-old"),
        entry(2, pod="cart-now"),
        entry(3, pod="cart-old", container="sidecar"),  # a container this pod does not have
        entry(4, pod="web-1", owner_name="web"),
        entry(5, pod="cart-x", namespace="other"),
    ]
    now = pod("cart-now", "cart")
    assert [e.restarts for e in entries_for_pod(entries, now)] == [2, 1]  # newest first
    assert [e.restarts for e in entries_for_pod(entries, pod("cart-now", None))] == [2]


def test_termination_state_comes_from_the_pod_record(tmp_path: Path) -> None:
    ended = ContainerState("terminated", "OOMKilled", "out of memory", 137, 9, T0, T0 + timedelta(seconds=3))
    record = replace(
        pod("cart-1", "cart"),
        node="node-1",
        containers=(ContainerStatus("cart", image="cart:2", restart_count=4, last_termination=ended),),
    )
    j = journal(tmp_path)
    written = j.record_crash("dev", record, "cart", 4, ["bye"], now=T0)
    assert written is not None
    got = j.read("dev").entries[0]
    assert (got.reason, got.exit_code, got.signal, got.message) == ("OOMKilled", 137, 9, "out of memory")
    assert (got.started, got.finished, got.image, got.node) == (
        T0,
        T0 + timedelta(seconds=3),
        "cart:2",
        "node-1",
    )
    assert (got.owner_kind, got.owner_name, got.restarts, got.log_tail) == ("Deployment", "cart", 4, ("bye",))
