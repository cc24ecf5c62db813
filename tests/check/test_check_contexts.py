"""`kdash check --contexts a,b` / `--all-contexts` on three real simulators behind one kubeconfig:
one report per context plus a summary, the worst exit code, the context named on every finding,
and an unreachable context reported in its row without ending the run."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from kdash.cli import main
from kdash.sim.fleet import ClusterSpec, SimFleet, start_fleet

SPECS = (
    ClusterSpec("calm", "big", pods=10),  # warnings, no error finding
    ClusterSpec("crashy", "big", pods=40),  # a crash loop: error findings
    ClusterSpec("locked", "empty", faults="forbid=events"),
)


@pytest.fixture(scope="module")
def sims() -> Iterator[SimFleet]:
    fleet = start_fleet(SPECS)
    try:
        yield fleet
    finally:
        fleet.stop()


def check(sims: SimFleet, *args: str) -> int:
    return main(["check", "--kubeconfig", str(sims.kubeconfig_path), "-A", *args])


def test_json_names_the_context_on_every_finding_and_exits_with_the_worst(
    sims: SimFleet, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = check(sims, "--contexts", "calm,crashy", "-o", "json")
    doc = json.loads(capsys.readouterr().out)
    assert rc == 1 and doc["exit_code"] == 1  # crashy breaks --fail-on error; calm does not
    assert [c["context"] for c in doc["contexts"]] == ["calm", "crashy"]
    assert [c["exit_code"] for c in doc["contexts"]] == [0, 1]
    for report in doc["contexts"]:
        assert report["findings"]
        assert {f["context"] for f in report["findings"]} == {report["context"]}
    crashy = doc["contexts"][1]
    assert any(f["rule"] == "pod-crashloop" for f in crashy["findings"])
    assert not any(f["rule"] == "pod-crashloop" for f in doc["contexts"][0]["findings"])
    summary = {row["context"]: row for row in doc["summary"]}
    assert summary["crashy"]["error"] >= 1 and summary["calm"]["error"] == 0
    assert summary["crashy"]["grade"] == crashy["grade"]


def test_a_calm_context_alone_exits_0(sims: SimFleet, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(sims, "--contexts", "calm") == 0
    out = capsys.readouterr().out
    assert "== calm:" in out and "Summary" in out and "crashy" not in out


def test_all_contexts_text_has_a_report_each_and_a_summary(
    sims: SimFleet, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = check(sims, "--all-contexts")
    out, err = capsys.readouterr()
    assert rc == 1
    for name in ("calm", "crashy", "locked"):
        assert f"== {name}:" in out
    summary = out[out.index("Summary") :]
    assert "threshold broken" in summary and "calm" in summary and "locked" in summary
    assert "[locked] events not checked (forbidden)" in err  # each note says whose it is


def test_an_unreachable_context_is_a_row_and_exit_2(
    sims: SimFleet, capsys: pytest.CaptureFixture[str]
) -> None:
    sims.sims["locked"].go_down(None)
    try:
        rc = check(sims, "--contexts", "locked,calm", "-o", "json")
    finally:
        sims.sims["locked"].recover()
    doc = json.loads(capsys.readouterr().out)
    assert rc == 2 and doc["exit_code"] == 2
    locked, calm = doc["contexts"]
    assert locked["exit_code"] == 2 and "connection refused" in locked["error"].lower()
    assert calm["exit_code"] == 0 and calm["findings"]  # the others are still checked


def test_bad_context_lists_and_formats_are_one_sentence(
    sims: SimFleet, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(sims, "--contexts", "calm,nowhere") == 2
    err = capsys.readouterr().err
    assert 'Context "nowhere" is not in the kubeconfig' in err and "Traceback" not in err
    assert check(sims, "--contexts", " , ") == 2
    assert "needs context names" in capsys.readouterr().err
    assert check(sims, "--contexts", "calm", "-o", "junit") == 2
    assert "use text, json or markdown" in capsys.readouterr().err


def test_markdown_summary_table(sims: SimFleet, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(sims, "--contexts", "crashy,locked", "-o", "markdown") == 1
    out = capsys.readouterr().out
    assert out.startswith("| context | result |")
    assert "| crashy | threshold broken |" in out and "### locked" in out
