"""`kdash check -o sarif`: valid SARIF 2.1.0 (the official OASIS schema, shipped as a fixture),
a descriptor for every rule with help and a helpUri into docs/rules.md, results that point at
the manifest file and the line of their object's document, logical locations for a live cluster,
and no escape sequence from the input in any text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kdash.check.locate import find_container
from kdash.check.render import summary_line
from kdash.check.sarif import SARIF_SCHEMA, artifact_uri, render_sarif
from kdash.check.scope import CheckScope
from kdash.cli import main
from kdash.health import RULES, HealthReport
from kdash.health.check_rules import CHECK_RULES
from kdash.model.findings import Finding, ObjectScore, Severity
from kdash.model.meta import ObjectKey
from kdash.sim import start_sim

ROOT = Path(__file__).parents[2]
SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json").read_text())
MANIFESTS = Path(__file__).parent / "manifests"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def validate(doc: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(doc)


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    rc = main(["check", *argv])
    out, _ = capsys.readouterr()
    return rc, json.loads(out)


def test_schema_fixture_is_the_official_one() -> None:
    assert SCHEMA["id"] == SARIF_SCHEMA
    assert SCHEMA["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"


def test_schema_rejects_a_broken_log() -> None:
    """The validation below can fail: a result without a message is not SARIF."""
    doc = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "r"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        validate(doc)


@pytest.mark.parametrize("extra", [(), ("--show-ignored",)], ids=["default", "show-ignored"])
def test_manifest_report_validates_and_matches_json(
    capsys: pytest.CaptureFixture[str], extra: tuple[str, ...]
) -> None:
    files = [a for p in sorted(MANIFESTS.glob("*.yaml")) for a in ("-f", str(p))]  # broken.yaml: incomplete
    _, as_json = check(capsys, *files, "-o", "json", *extra)
    rc, sarif = check(capsys, *files, "-o", "sarif", *extra)
    validate(sarif)
    assert rc == 2  # the same exit code as every other format: broken.yaml is not read
    (run,) = sarif["runs"]
    results = run["results"]
    assert [(r["ruleId"], r["level"], r["properties"]["name"]) for r in results] == [
        (f["rule"], LEVELS[f["severity"]], f["name"]) for f in as_json["findings"]
    ]
    rules = run["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert run["invocations"][0]["executionSuccessful"] is False
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "error" and "broken.yaml: document 2" in note["message"]["text"]
    assert run["properties"]["score"] == as_json["score"]
    suppressed = [r for r in results if "suppressions" in r]
    assert bool(suppressed) is bool(extra)  # the cart's ignored replicas-single, only when asked
    assert all(r["ruleId"] == "replicas-single" for r in suppressed)


def test_every_rule_is_described_with_help_and_a_live_anchor(capsys: pytest.CaptureFixture[str]) -> None:
    _, sarif = check(capsys, "-f", str(MANIFESTS / "batch.yaml"), "-o", "sarif")
    validate(sarif)
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert set(RULES) <= set(rules)  # every health rule, fired or not, so a reader can explain it
    headings = {
        line.removeprefix("### `").removesuffix("`")
        for line in (ROOT / "docs" / "rules.md").read_text().splitlines()
        if line.startswith("### `")
    }
    for rule in RULES.values():
        d = rules[rule.id]
        assert d["helpUri"] == f"docs/rules.md#{rule.id}"
        assert rule.id in headings  # the anchor exists: rules.md headings are the rule ids
        assert d["defaultConfiguration"]["level"] == LEVELS[rule.severity.label]
        assert rule.why in d["help"]["text"] and " ".join(rule.fix.split()) in d["help"]["text"]
        assert d["shortDescription"]["text"] == rule.fires
        assert d["fullDescription"]["text"] == rule.why
    for rule in CHECK_RULES.values():  # kdash check's own rules have a section too
        assert rules[rule.id]["helpUri"] == f"docs/rules.md#{rule.id}" and rule.id in headings
    security = next(r for r in RULES.values() if r.category == "security")
    assert "security" in rules[security.id]["properties"]["tags"]
    assert "security-severity" in rules[security.id]["properties"]
    probes = next(r for r in RULES.values() if r.category == "probes")
    assert "security-severity" not in rules[probes.id]["properties"]


def test_rules_url_sets_an_absolute_help_uri(capsys: pytest.CaptureFixture[str]) -> None:
    base = "https://git.example.com/acme/kdash/blob/main/docs/rules.md"
    _, sarif = check(capsys, "-f", str(MANIFESTS / "batch.yaml"), "-o", "sarif", "--rules-url", base)
    rule = sarif["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["helpUri"] == f"{base}#{rule['id']}"


MULTI = """# Helm output: comments, an empty document, two deployments and a job
---
# Source: chart/templates/first.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: first, namespace: shop}
spec:
  selector: {matchLabels: {app: first}}
  template:
    metadata: {labels: {app: first}}
    spec: {containers: [{name: c, image: "nginx"}]}
---
---
# Source: chart/templates/second.yaml

apiVersion: apps/v1
kind: Deployment
metadata:
  name: second
  namespace: shop
spec:
  selector: {matchLabels: {app: second}}
  template:
    metadata: {labels: {app: second}}
    spec:
      containers:
        - name: c
          image: nginx
"""


def test_locations_point_at_each_objects_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(MULTI)
    lines = MULTI.splitlines()
    rc, sarif = check(capsys, "-f", str(path), "-o", "sarif", "--fail-on", "warning")
    validate(sarif)
    assert rc == 1  # --fail-on applies as with every format
    run = sarif["runs"][0]
    latest = {r["properties"]["name"]: r for r in run["results"] if r["ruleId"] == "image-tag-latest"}
    assert set(latest) == {"first", "second"}
    whole = {r["properties"]["name"]: r for r in run["results"] if "container" not in r["properties"]}
    assert set(whole) == {"first", "second"}  # object-level findings (labels, annotations ...)
    # (object, its document's first line, its container's line: flow style has none of its own)
    for name, first_line, container_line in (("first", 4, 4), ("second", 16, 27)):
        assert lines[first_line - 1] == "apiVersion: apps/v1"  # past the `# Source:` and blank lines
        for result, line in ((whole[name], first_line), (latest[name], container_line)):
            (loc,) = result["locations"]
            physical = loc["physicalLocation"]
            assert physical["region"]["startLine"] == line
            assert physical["artifactLocation"]["uri"] == path.as_uri()
            index = physical["artifactLocation"]["index"]
            assert run["artifacts"][index]["location"]["uri"] == path.as_uri()
            assert loc["logicalLocations"] == [
                {"name": name, "fullyQualifiedName": f"Deployment/shop/{name}", "kind": "resource"}
            ]
    assert lines[27 - 1] == "        - name: c"


def test_container_lines_in_block_lists() -> None:
    doc = [
        "kind: Deployment",
        "spec:",
        "  template:",
        "    spec:",
        "      initContainers:",
        "      - name: init",
        "      containers:",
        "        - env:",
        "            - name: web  # an env var of that name comes first",
        "          name: web # kubectl sorts the keys",
        "        - name: 'side car'",
        "---",
        "containers:",
        "  - name: other",
    ]
    assert [find_container(doc, 1, c) for c in ("init", "web", "side car")] == [6, 10, 11]
    assert find_container(doc, 1, "other") is None  # in the next document
    assert find_container(doc, 13, "other") == 14
    assert find_container(["containers: [{name: web}]"], 1, "web") is None  # flow style: the object's line


def test_relative_paths_stay_relative(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert artifact_uri("./k8s/my app.yaml") == "k8s/my%20app.yaml"  # GitHub resolves it in the repo
    assert artifact_uri(str(tmp_path / "a.yaml")) == (tmp_path / "a.yaml").as_uri()


def test_stdin_has_no_file_to_point_at(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MULTI.encode())))
    _, sarif = check(capsys, "-f", "-", "-o", "sarif")
    validate(sarif)
    results = sarif["runs"][0]["results"]
    assert results and all("physicalLocation" not in r["locations"][0] for r in results)
    assert all(r["locations"][0]["logicalLocations"] for r in results)


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    with start_sim("demo") as cluster:
        yield cluster


def test_live_cluster_results_have_logical_locations(sim: Any, capsys: pytest.CaptureFixture[str]) -> None:
    rc, sarif = check(capsys, "--kubeconfig", str(sim.kubeconfig_path), "-A", "-o", "sarif")
    validate(sarif)
    assert rc == 1  # the demo has errors
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"pod-crashloop", "quota-near-limit"}
    for r in results:
        (loc,) = r["locations"]
        assert "physicalLocation" not in loc  # a cluster has no file
        (logical,) = loc["logicalLocations"]
        props = r["properties"]
        assert logical["fullyQualifiedName"] == str(
            ObjectKey(props["kind"], props["namespace"], props["name"])
        )


HOSTILE = "web\u202egnp.exe \x1b]0;pwned\x07 \x1b[31mred\x1b[0m \u2066x\u2069 \ud800"


def test_hostile_text_is_cleaned_and_still_valid() -> None:
    f = Finding(
        "pod-crashloop", Severity.ERROR, "Deployment", HOSTILE, HOSTILE, f"pod {HOSTILE}", "w", "f", HOSTILE
    )
    obj = ObjectScore("Deployment", HOSTILE, HOSTILE, 70.0, "C", f)
    report = HealthReport(findings=(f,), objects=(obj,), score=70.0, grade="C")
    scope = CheckScope(not_checked=((HOSTILE, HOSTILE),))
    where = {ObjectKey("Deployment", HOSTILE, HOSTILE): (f"dir/{HOSTILE}.yaml", 3)}
    out = render_sarif(report, scope=scope, locations=where)
    for bad in ("\u202e", "\u2066", "\u2069", "\x1b", "\x07", "\\u001b", "\\u0007", "\\u202e", "\\ud800"):
        assert bad not in out
    doc = json.loads(out)
    validate(doc)
    result = doc["runs"][0]["results"][0]
    assert "webgnp.exe" in result["message"]["text"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("dir/web")
    assert summary_line(report)  # the other formats render the same report


def test_no_objects_no_grade() -> None:
    doc = json.loads(render_sarif(HealthReport()))
    validate(doc)
    assert doc["runs"][0]["results"] == []
    assert doc["runs"][0]["properties"]["grade"] is None
