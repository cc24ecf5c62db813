"""Renderers treat cluster strings as untrusted; manifest reading copes with real-world YAML."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console

from kdash.check.manifests import load_manifests, split_documents
from kdash.check.render import render_json, render_junit, render_markdown, render_text
from kdash.health import HealthConfig, HealthReport
from kdash.model.findings import Finding, ObjectScore, Severity

HOSTILE = "[bold red]boom[/] \x1b[31m<script>|x|</script> \x00\x07 `*_"


def hostile_report() -> HealthReport:
    f = Finding(
        "pod-crashloop", Severity.ERROR, "Deployment", "ns", HOSTILE, f"pod {HOSTILE} crashed", "w", "f", "c"
    )
    obj = ObjectScore("Deployment", "ns", HOSTILE, 70.0, "C", f)
    return HealthReport(findings=(f,), objects=(obj,), score=70.0, grade="C", namespace_scores={"ns": 70.0})


def test_text_never_interprets_markup() -> None:
    buf = io.StringIO()
    render_text(hostile_report(), Console(file=buf, width=400, color_system=None))
    out = buf.getvalue()
    assert "[bold red]boom[/]" in out
    assert "\x1b" not in out  # no escape sequence from the cluster reaches the terminal


def test_junit_is_valid_xml_with_escaped_text() -> None:
    root = ET.fromstring(render_junit(hostile_report()).split("\n", 1)[1])
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None
    assert "<script>|x|</script>" in (failure.get("message") or "")
    assert "\x00" not in (failure.text or "")


def test_junit_drops_escapes_and_bidi_controls() -> None:
    """CI pages show JUnit text as is: an ESC sequence or a bidi override there reorders or hides
    what the reader sees (Trojan Source), so the report carries neither."""
    f = Finding(
        "r",
        Severity.ERROR,
        "Deployment",
        "ns",
        "web\u202egnp.exe",
        "m \x1b]0;pwned\x07 \u2066x\u2069",
        "w",
        "f",
    )
    obj = ObjectScore("Deployment", "ns", "web\u202egnp.exe", 70.0, "C", f)
    xml = render_junit(HealthReport(findings=(f,), objects=(obj,), score=70.0, grade="C"))
    for bad in ("\u202e", "\u2066", "\u2069", "\x1b", "pwned\x07"):
        assert bad not in xml
    assert "webgnp.exe" in xml


def test_markdown_escapes_table_and_html() -> None:
    md = render_markdown(hostile_report())
    row = next(line for line in md.splitlines() if "crashed" in line)
    assert row.count(" | ") == 5  # the pipes in the name did not add columns
    assert "<script>" not in md


def test_json_keeps_strings_verbatim() -> None:
    doc = json.loads(render_json(hostile_report()))
    assert doc["findings"][0]["name"] == HOSTILE
    assert doc["objects"] == [{"kind": "Deployment", "namespace": "ns", "name": HOSTILE, "score": 70.0}]


def test_helm_output_and_empty_documents() -> None:
    text = "---\n# Source: a.yaml\nkind: Pod\n---\n---\n# Source: b.yaml\n\n---\nkind: Service\n"
    docs = split_documents(text)
    assert [d.text.strip().splitlines()[-1] if d.text.strip() else "" for d in docs] == [
        "kind: Pod",
        "",
        "# Source: b.yaml",
        "kind: Service",
    ]
    assert [d.line for d in docs] == [2, 5, 6, 9]


def test_list_kind_json_and_unknown_kinds(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "List",
                "items": [
                    {"kind": "Pod", "metadata": {"name": "p", "namespace": "x"}, "spec": {"containers": []}},
                    {"kind": "ConfigMap", "metadata": {"name": "c"}},
                    {"kind": "Widget", "metadata": {"name": "w"}},
                ],
            }
        )
    )
    loaded = load_manifests([str(path)])
    assert list(loaded.snapshot.pods) != []
    assert loaded.problems == [f"{path}: document 1 item 3: unknown kind Widget (w)"]
    assert not loaded.unreadable
    assert loaded.skipped == 0  # ConfigMaps are read (key names) for configmap-credential-keys
    assert [k.name for k in loaded.snapshot.configmaps] == ["c"]


def test_health_config_from_mapping() -> None:
    cfg = HealthConfig.from_mapping(
        {
            "disabled": ["termination-message-missing"],
            "restarts-threshold": 3,
            "quota_warn": 70,
            "required_annotations": ["owner", ["description", "*/description"]],
        }
    )
    assert cfg.disabled == {"termination-message-missing"}
    assert cfg.restarts_threshold == 3
    assert cfg.quota_warn == 70.0
    assert cfg.required_annotations == (("owner",), ("description", "*/description"))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"disabled": ["no-such-rule"]}, "unknown rule(s) no-such-rule"),
        ({"restarts_threshold": "5"}, "restarts_threshold: expected a whole number"),
        ({"restarts_threshold": True}, "restarts_threshold: expected a whole number"),
        ({"restarts_threshold": 0}, "must be at least 1"),
        ({"quota_warn": 96}, "must not exceed health.quota_error"),
        ({"quota_error": 120}, "percentages"),
        ({"pending_minutes": -1}, "must not be negative"),
        ({"required_annotations": "owner"}, "expected a list"),
        ({"required_annotations": [[]]}, "each entry must be a key or a list of keys"),
        ({"show_ignored": "yes"}, "expected true or false"),
        ({"colour": "red"}, "unknown setting 'colour'"),
    ],
)
def test_health_config_rejects_bad_values(table: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match="health") as exc:
        HealthConfig.from_mapping(table)
    assert message in str(exc.value)
