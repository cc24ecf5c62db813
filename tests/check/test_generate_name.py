"""Manifest objects named by `metadata.generateName` (Jobs for `kubectl create`) are checked as
`<prefix>*`; an object with neither a name nor a generateName is an error in every report format
and exits 1, so a CI gate never passes a file the API server would reject."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from kdash.cli import main
from kdash.model.build.manifests import NAME_MISSING, records_from_manifests
from kdash.model.meta import ObjectKey

JOB = """apiVersion: batch/v1
kind: Job
metadata:
  {meta}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: "migrate:latest"
"""
NAMED = JOB.format(meta="name: seed\n  namespace: batch")
GENERATED = JOB.format(meta="generateName: migrate-\n  namespace: batch")
NAMELESS = JOB.format(meta="namespace: batch")


def check(capsys: pytest.CaptureFixture[str], path: Path, *argv: str) -> tuple[int, str, str]:
    rc = main(["check", "-f", str(path), *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def write(tmp_path: Path, *docs: str) -> Path:
    path = tmp_path / "jobs.yaml"
    path.write_text("---\n".join(docs))
    return path


def job(name: str | None = None, generate: Any = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"namespace": "batch"}
    if name is not None:
        meta["name"] = name
    if generate is not None:
        meta["generateName"] = generate
    return {"kind": "Job", "metadata": meta, "spec": {"template": {"spec": {"containers": []}}}}


def test_builder_names_generated_objects_and_keeps_each() -> None:
    placed: dict[str, ObjectKey] = {}
    snapshot, problems = records_from_manifests(
        [job("seed"), job(generate="migrate-"), job(generate="migrate-"), job(generate=7), job()], placed
    )
    assert set(snapshot.workloads) == {
        ObjectKey("Job", "batch", "seed"),
        ObjectKey("Job", "batch", "migrate-*"),
        ObjectKey("Job", "batch", "migrate-* (2)"),  # `kubectl create` twice makes two Jobs
    }
    assert problems == [f"document 4: Job {NAME_MISSING}", f"document 5: Job {NAME_MISSING}"]
    assert placed["document 2"] == ObjectKey("Job", "batch", "migrate-*")
    assert placed["document 4"] == ObjectKey("Job", "batch", "")  # where the nameless one was
    assert not [p for p in problems if "duplicate" in p]


def test_a_name_wins_over_generate_name() -> None:
    snapshot, problems = records_from_manifests([job("seed", generate="seed-")])
    assert set(snapshot.workloads) == {ObjectKey("Job", "batch", "seed")} and problems == []


def test_generated_job_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = check(capsys, write(tmp_path, NAMED, GENERATED), "-o", "json")
    doc = json.loads(out)
    assert rc == 0 and err == ""  # warnings only; nothing skipped, nothing to say on stderr
    assert {o["name"] for o in doc["objects"]} == {"seed", "migrate-*"}
    assert ("image-tag-latest", "migrate-*") in {(f["rule"], f["name"]) for f in doc["findings"]}
    assert doc["complete"] is True


def test_nameless_object_is_an_error_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, NAMED, NAMELESS)
    rc, out, err = check(capsys, path, "-o", "json")
    assert rc == 1  # an error finding: not a quiet pass (exit 0), not an unreadable input (exit 2)
    assert f"jobs.yaml: document 2: Job {NAME_MISSING}" in err
    doc = json.loads(out)
    (error,) = [f for f in doc["findings"] if f["rule"] == "manifest-name-missing"]
    assert error["severity"] == "error" and error["kind"] == "Job" and error["namespace"] == "batch"
    assert error["name"] == f"(unnamed: {path}: document 2)"
    assert "neither metadata.name nor metadata.generateName" in error["message"]
    assert doc["summary"]["error"] >= 1
    assert doc["complete"] is True  # it was read: the report is complete, and says the file is wrong
    assert [o["name"] for o in doc["objects"]] == ["seed"]  # not scored: nothing in it was checked


def test_nameless_object_in_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, NAMELESS)
    rc, text, _ = check(capsys, path)
    assert rc == 1
    flat = " ".join(text.split())
    assert "manifest-name-missing" in flat and "not scored" in flat
    assert "No grade: 1 error, 0 warnings, 0 info; 0 objects checked" in flat
    _, md, _ = check(capsys, path, "-o", "markdown")
    assert "| not scored | error | `manifest-name-missing` |" in md
    _, xml, _ = check(capsys, path, "-o", "junit")
    (case,) = ET.fromstring(xml.split("\n", 1)[1]).findall("./testsuite/testcase")
    assert case.get("name") == "manifest-name-missing" and case.find("failure") is not None
    assert case.get("line") == "1"
    _, sarif, _ = check(capsys, path, "-o", "sarif")
    (result,) = json.loads(sarif)["runs"][0]["results"]
    assert result["ruleId"] == "manifest-name-missing" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    rules = json.loads(sarif)["runs"][0]["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == "manifest-name-missing"


def test_fail_on_none_still_reports_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Like every finding, the error obeys --fail-on: `none` reports without failing."""
    rc, out, _ = check(capsys, write(tmp_path, NAMELESS), "-o", "json", "--fail-on", "none")
    assert rc == 0
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["manifest-name-missing"]


def test_generate_name_that_is_not_a_string_is_no_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = check(capsys, write(tmp_path, JOB.format(meta="generateName: [a]")), "-o", "json")
    assert rc == 1
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["manifest-name-missing"]
