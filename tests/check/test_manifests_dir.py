"""`kdash check -f` on tests/check/manifests: a small shop, a database, batch work, quotas, plus a
malformed document and an unknown kind. Expected values are computed by hand below.

Objects and scores (penalties: error 30, warning 10, info 2):
  shop/Deployment web           100  clean (3 replicas, PDB selects it, HPA min 3 reads its cpu request)
  shop/Deployment cart           80  image-tag-latest (registry.local:5000/shop/cart has a port, no tag) W,
                                     probe-readiness-missing W; replicas-single is ignored (kdash.io/ignore)
  shop/HorizontalPodAutoscaler    100  no status in a manifest: runtime HPA rules stay silent
  shop/ResourceQuota shop-quota    70  requests.cpu 3800m of 4 = 95 % -> quota-near-limit at error
  data/StatefulSet postgres        96  graceful-shutdown-missing I (serves 5432, no preStop),
                                     termination-message-missing I (policy omitted = File)
  batch/Job report                 90  job-failed W (status: Failed BackoffLimitExceeded); no probes needed;
                                     no memory limit, but LimitRange batch-defaults gives one, which also
                                     satisfies batch-quota's limits.memory
  batch/CronJob cleanup           100  image pinned by digest
  batch/ResourceQuota batch-quota 100  no status
Cluster: (100 + 80 + 100 + 70 + 96 + 90 + 100 + 100) / 8 = 736 / 8 = 92.0 -> A
Namespaces: shop (100+80+100+70)/4 = 87.5, data 96.0, batch (90+100+100)/3 = 96.67 -> 96.7
Summary: 1 error, 3 warnings, 2 info.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kdash.cli import main

DIR = Path(__file__).parent / "manifests"
GOOD = [str(DIR / f) for f in ("shop.yaml", "data.yaml", "batch.yaml", "quotas.yaml", "unknown.yaml")]

EXPECTED_FINDINGS = {
    ("quota-near-limit", "error", "ResourceQuota", "shop", "shop-quota", None),
    ("image-tag-latest", "warning", "Deployment", "shop", "cart", "cart"),
    ("probe-readiness-missing", "warning", "Deployment", "shop", "cart", "cart"),
    ("job-failed", "warning", "Job", "batch", "report", None),
    ("graceful-shutdown-missing", "info", "StatefulSet", "data", "postgres", "postgres"),
    ("termination-message-missing", "info", "StatefulSet", "data", "postgres", "postgres"),
}
EXPECTED_OBJECTS = [
    ("ResourceQuota", "shop", "shop-quota", 70.0),
    ("Deployment", "shop", "cart", 80.0),
    ("Job", "batch", "report", 90.0),
    ("StatefulSet", "data", "postgres", 96.0),
]


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(["check", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def findings(doc: dict[str, object]) -> set[tuple[object, ...]]:
    return {
        (f["rule"], f["severity"], f["kind"], f["namespace"], f["name"], f["container"])  # type: ignore[index]
        for f in doc["findings"]  # type: ignore[attr-defined]
    }


def test_directory_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = check(capsys, "-f", str(DIR), "-o", "json")
    assert rc == 2  # broken.yaml could not be parsed: the report is printed, the run still fails
    doc = json.loads(out)
    assert list(doc) == [
        "score",
        "grade",
        "summary",
        "findings",
        "objects",
        "complete",
        "not_checked",
        "namespaces",
    ]
    assert doc["complete"] is False  # and it says what is missing
    assert doc["not_checked"] == [
        {"what": f"{DIR / 'broken.yaml'}: document 2 (line 12)", "why": doc["not_checked"][0]["why"]}
    ]
    assert doc["not_checked"][0]["why"].startswith("invalid YAML: ")
    assert doc["namespaces"] is None
    assert doc["score"] == 92.0
    assert isinstance(doc["score"], float)
    assert doc["grade"] == "A"
    assert doc["summary"] == {"error": 1, "warning": 3, "info": 2}
    assert findings(doc) == EXPECTED_FINDINGS
    assert [list(f) for f in doc["findings"]][0] == [
        "rule", "severity", "kind", "namespace", "name", "container", "message", "why", "fix"
    ]  # fmt: skip
    assert doc["findings"][0]["rule"] == "quota-near-limit"  # worst first
    objects = [(o["kind"], o["namespace"], o["name"], o["score"]) for o in doc["objects"]]
    assert objects[:4] == EXPECTED_OBJECTS  # worst first
    assert len(objects) == 8
    assert {o[3] for o in objects[4:]} == {100.0}
    assert "broken.yaml: document 2 (line 12): invalid YAML" in err
    assert "unknown.yaml: document 1: unknown kind Frobnicator (widget)" in err
    assert "ConfigMap" not in err  # a standard kind with nothing to lint is skipped quietly


def test_threshold_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys, "-f", *_each(GOOD), "-o", "json")[0] == 1  # the quota error
    data = str(DIR / "data.yaml")
    assert check(capsys, "-f", data)[0] == 0  # infos only
    assert check(capsys, "-f", data, "--fail-on", "warning")[0] == 0
    assert check(capsys, "-f", data, "--fail-on", "info")[0] == 1
    assert check(capsys, "-f", data, "--min-score", "96")[0] == 0
    assert check(capsys, "-f", data, "--min-score", "96.1")[0] == 1


def test_disable_and_only(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = check(capsys, "-f", *_each(GOOD), "-o", "json", "--disable", "quota-near-limit")
    doc = json.loads(out)
    assert rc == 0  # no error left
    assert doc["score"] == 95.8  # (766 / 8 = 95.75) rounded
    rc, out, _ = check(capsys, "-f", *_each(GOOD), "-o", "json", "--only", "job-failed,pod-crashloop")
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["job-failed"]
    assert rc == 0


def test_unknown_rule_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = check(capsys, "-f", str(DIR / "data.yaml"), "--disable", "probe-readyness-missing")
    assert rc == 2
    assert out == ""
    assert "unknown rule(s) probe-readyness-missing" in err


def test_show_ignored(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = check(capsys, "-f", str(DIR / "shop.yaml"), "-o", "json", "--show-ignored")
    ignored = [f for f in json.loads(out)["findings"] if f.get("ignored")]
    assert [(f["rule"], f["name"]) for f in ignored] == [("replicas-single", "cart")]
    _, out, _ = check(capsys, "-f", str(DIR / "shop.yaml"), "-o", "json")
    assert all("ignored" not in f for f in json.loads(out)["findings"])


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO((DIR / "batch.yaml").read_text()))
    rc, out, _ = check(capsys, "-f", "-", "-o", "json")
    doc = json.loads(out)
    # Without quotas.yaml no LimitRange gives `report` a memory limit: 100 - 10 - 2 = 88; (88 + 100) / 2
    assert findings(doc) == {
        ("job-failed", "warning", "Job", "batch", "report", None),
        ("resources-limits-missing", "info", "Job", "batch", "report", "report"),
    }
    assert doc["score"] == 94.0
    assert rc == 0


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc, out, err = check(capsys, "-f", str(tmp_path / "nope.yaml"))
    assert rc == 2
    assert out == ""
    assert "nope.yaml: no such file or directory" in err


def test_junit(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = check(capsys, "-f", *_each(GOOD), "-o", "junit")
    root = ET.fromstring(out.split("\n", 1)[1])
    cases = root.findall("./testsuite/testcase")
    assert rc == 1
    assert len(cases) == 8
    assert root.get("failures") == "6"
    failing = {c.get("name"): len(c.findall("failure")) for c in cases if c.findall("failure")}
    assert failing == {
        "ResourceQuota/shop/shop-quota": 1,
        "Deployment/shop/cart": 2,
        "Job/batch/report": 1,
        "StatefulSet/data/postgres": 2,
    }


def test_markdown_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    _, md, _ = check(capsys, "-f", *_each(GOOD), "-o", "markdown")
    assert md.startswith("# kdash health report")
    assert "| ResourceQuota/shop-quota | 70 | error | `quota-near-limit` |" in md
    _, text, _ = check(capsys, "-f", *_each(GOOD))
    assert "Score 92.0 (A): 1 error, 3 warnings, 2 info, 1 ignored; 8 objects checked" in text
    assert text.index("namespace shop") < text.index("namespace data")  # worst namespace first


def _each(files: list[str]) -> list[str]:
    """['a', 'b'] -> ['a', '-f', 'b'] (after the first -f)."""
    out: list[str] = []
    for f in files:
        out += [f, "-f"] if f != files[-1] else [f]
    return out
