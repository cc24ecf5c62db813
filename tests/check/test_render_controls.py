"""`kdash check` reports printed to a terminal carry no cluster string's control sequences (issue 10,
item 11): the text and Markdown outputs go to stdout, often straight to a terminal or a CI log."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from kdash.check.render import render_markdown, render_text
from kdash.cli import main
from kdash.health import HealthReport
from kdash.model.findings import Finding, ObjectScore, Severity

PAYLOAD = "\x1b]0;pwned\x1b\\\x1b]52;c;cGF3bmVk\x07\x1b[2J\x9b2J\u202e\u2066\u200b\ufeff"
NAME = f"web{PAYLOAD}x"
_BAD = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def report() -> HealthReport:
    f = Finding(
        "pod-crashloop", Severity.ERROR, "Deployment", "ns", NAME, f"pod {NAME} crashed", "w", "f", NAME
    )
    obj = ObjectScore("Deployment", "ns", NAME, 70.0, "C", f)
    return HealthReport(findings=(f,), objects=(obj,), score=70.0, grade="C", namespace_scores={"ns": 70.0})


@pytest.mark.parametrize("output", ["text", "markdown"])
def test_terminal_outputs_drop_control_sequences(output: str) -> None:
    if output == "text":
        buf = io.StringIO()
        render_text(report(), Console(file=buf, width=400, color_system=None))
        out = buf.getvalue()
    else:
        out = render_markdown(report())
    assert _BAD.search(out) is None, repr(out)
    assert "pwned" not in out and "cGF3bmVk" not in out
    assert "webx" in out


def test_stderr_messages_drop_control_sequences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A manifest's file name (a checked-out repo's, say) and the parser's sentence about it reach
    stderr cleaned."""
    bad = tmp_path / f"evil{PAYLOAD}x.yaml"
    bad.write_text(f"kind: Deployment\nmetadata: {{name: {NAME!r}\n", encoding="utf-8")  # unclosed flow map
    good = tmp_path / "ok.yaml"
    good.write_text("kind: Namespace\napiVersion: v1\nmetadata: {name: shop}\n", encoding="utf-8")
    main(["check", "-f", str(bad), "-f", str(good)])
    err = capsys.readouterr().err
    assert "evilx.yaml" in err, err
    assert _BAD.search(err.replace("\n", "")) is None, repr(err)
    assert "pwned" not in err
