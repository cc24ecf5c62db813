"""`kdash check -f` on tests/check/manifests: a small shop, a database, batch work, quotas, plus a
malformed document and an unknown kind. Expected values are computed by hand below.

Objects and scores (penalties: error 30, warning 10, info 2, an object's infos together at most 10).
Every workload also gets the hints no manifest here addresses (infos): no priorityClass, no seccomp
profile, the default service account's token mounted, no CPU limit, no ephemeral-storage request or
limit, capabilities not dropped, a writable root filesystem; and, in shop and data, no NetworkPolicy.
  shop/Deployment web            80  hpa-replicas-applied W (sets replicas: 3 and an HPA scales it),
                                     9 infos (the hints, netpol-missing, replicas-not-spread) -> -10
  shop/Deployment cart           50  service-no-readiness E (Service cart sends it traffic, no readiness
                                     probe: it stands for probe-readiness-missing, not reported),
                                     image-tag-latest W (registry.local:5000/shop/cart has a port, no
                                     tag), 8 infos -> -10; replicas-single is ignored (kdash.io/ignore)
  shop/HorizontalPodAutoscaler    100  no status in a manifest: runtime HPA rules stay silent
  shop/ResourceQuota shop-quota    70  requests.cpu 3800m of 4 = 95 % -> quota-near-limit at error
  data/StatefulSet postgres        90  10 infos (the hints, netpol-missing, graceful-shutdown-missing:
                                     serves 5432 with no preStop, termination-message-missing) -> -10
  batch/Job report                 80  job-failed W (status: Failed BackoffLimitExceeded); no probes needed;
                                     7 infos -> -10 (no memory limit, but LimitRange batch-defaults gives
                                     one, which also satisfies batch-quota's limits.memory)
  batch/CronJob cleanup            90  image pinned by digest; 8 infos (the hints, no startingDeadlineSeconds)
  batch/ResourceQuota batch-quota 100  no status
Cluster: (80 + 50 + 100 + 70 + 90 + 80 + 90 + 100) / 8 = 660 / 8 = 82.5 -> B
Summary: 2 errors, 3 warnings, 42 info.
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

EXPECTED_FINDINGS = {  # errors and warnings; the infos are counted per object
    ("service-no-readiness", "error", "Deployment", "shop", "cart", None),
    ("quota-near-limit", "error", "ResourceQuota", "shop", "shop-quota", None),
    ("image-tag-latest", "warning", "Deployment", "shop", "cart", "cart"),
    ("hpa-replicas-applied", "warning", "Deployment", "shop", "web", None),
    ("job-failed", "warning", "Job", "batch", "report", None),
}
HINTS = {
    "priority-class-missing",
    "security-seccomp-missing",
    "security-service-account-token",
    "resources-cpu-limit-missing",
    "resources-ephemeral-storage-missing",
    "security-capabilities-not-dropped",
    "security-readonly-root-fs",
}
EXPECTED_INFOS = {
    ("Deployment", "web"): HINTS | {"netpol-missing", "replicas-not-spread"},
    ("Deployment", "cart"): HINTS | {"netpol-missing"},
    ("StatefulSet", "postgres"): HINTS
    | {"netpol-missing", "graceful-shutdown-missing", "termination-message-missing"},
    ("Job", "report"): HINTS,
    ("CronJob", "cleanup"): HINTS | {"cronjob-deadline-missing"},
}
EXPECTED_OBJECTS = [
    ("Deployment", "shop", "cart", 50.0),
    ("ResourceQuota", "shop", "shop-quota", 70.0),
    ("Job", "batch", "report", 80.0),
    ("Deployment", "shop", "web", 80.0),
    ("CronJob", "batch", "cleanup", 90.0),
    ("StatefulSet", "data", "postgres", 90.0),
]


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(["check", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def findings(doc: dict[str, object]) -> set[tuple[object, ...]]:
    """The errors and warnings."""
    return {
        (f["rule"], f["severity"], f["kind"], f["namespace"], f["name"], f["container"])  # type: ignore[index]
        for f in doc["findings"]  # type: ignore[attr-defined]
        if f["severity"] != "info"  # type: ignore[index]
    }


def infos(doc: dict[str, object]) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for f in doc["findings"]:  # type: ignore[attr-defined]
        if f["severity"] == "info":
            out.setdefault((f["kind"], f["name"]), set()).add(f["rule"])
    return out


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
    assert doc["score"] == 82.5
    assert isinstance(doc["score"], float)
    assert doc["grade"] == "B"
    assert doc["summary"] == {"error": 2, "warning": 3, "info": 42}
    assert findings(doc) == EXPECTED_FINDINGS
    assert infos(doc) == EXPECTED_INFOS
    assert [list(f) for f in doc["findings"]][0] == [
        "rule", "severity", "kind", "namespace", "name", "container", "message", "why", "fix"
    ]  # fmt: skip
    assert doc["findings"][0]["severity"] == "error"  # worst first
    objects = [(o["kind"], o["namespace"], o["name"], o["score"]) for o in doc["objects"]]
    assert objects[:6] == EXPECTED_OBJECTS  # worst first
    assert len(objects) == 8
    assert {o[3] for o in objects[6:]} == {100.0}
    assert "broken.yaml: document 2 (line 12): invalid YAML" in err
    assert "unknown.yaml: document 1: unknown kind Frobnicator (widget)" in err
    assert "ConfigMap" not in err  # a standard kind with nothing to lint is skipped quietly


def test_threshold_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys, "-f", *_each(GOOD), "-o", "json")[0] == 1  # the quota error
    data = str(DIR / "data.yaml")
    assert check(capsys, "-f", data)[0] == 0  # infos only
    assert check(capsys, "-f", data, "--fail-on", "warning")[0] == 0
    assert check(capsys, "-f", data, "--fail-on", "info")[0] == 1
    assert check(capsys, "-f", data, "--min-score", "90")[0] == 0  # ten infos cost 10, not 20
    assert check(capsys, "-f", data, "--min-score", "90.1")[0] == 1


def test_disable_and_only(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = check(capsys, "-f", *_each(GOOD), "-o", "json", "--disable", "quota-near-limit")
    assert rc == 1  # service-no-readiness is an error too
    rc, out, _ = check(
        capsys, "-f", *_each(GOOD), "-o", "json", "--disable", "quota-near-limit,service-no-readiness"
    )
    doc = json.loads(out)
    assert rc == 0  # no error left
    assert doc["score"] == 88.8  # cart 70, shop-quota 100: (710 / 8 = 88.75) rounded
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
    # Without quotas.yaml no LimitRange gives `report` a memory limit: one info more, still capped:
    # report 100 - 10 - 10 = 80, cleanup 90; (80 + 90) / 2
    assert findings(doc) == {("job-failed", "warning", "Job", "batch", "report", None)}
    assert infos(doc)[("Job", "report")] == HINTS | {"resources-limits-missing"}
    assert doc["score"] == 85.0
    assert rc == 0


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc, out, err = check(capsys, "-f", str(tmp_path / "nope.yaml"))
    assert rc == 2
    assert out == ""
    assert "nope.yaml: no such file or directory" in err


def test_junit(capsys: pytest.CaptureFixture[str]) -> None:
    """One testcase per object x rule (one <failure> each), and one passing testcase per object
    with no finding; the same findings as the JSON report, nothing dropped or merged away."""
    _, out, _ = check(capsys, "-f", *_each(GOOD), "-o", "json")
    doc = json.loads(out)
    rc, out, _ = check(capsys, "-f", *_each(GOOD), "-o", "junit")
    root = ET.fromstring(out.split("\n", 1)[1])
    cases = root.findall("./testsuite/testcase")
    assert rc == 1
    key = "{kind}/{namespace}/{name}".format
    pairs = {(key(**f), f["rule"]) for f in doc["findings"]}
    failing = {(c.get("classname"), c.get("name")) for c in cases if c.findall("failure")}
    assert failing == pairs
    assert all(len(c.findall("failure")) <= 1 for c in cases)
    assert ("Deployment/shop/cart", "image-tag-latest") in failing
    assert ("Deployment/shop/cart", "replicas-single") not in failing  # ignored (kdash.io/ignore)
    clean = {key(**o) for o in doc["objects"]} - {k for k, _ in pairs}
    passing = {(c.get("classname"), c.get("name")) for c in cases if not list(c)}
    assert passing == {(k, "all rules") for k in clean}
    assert len(cases) == len(pairs) + len(clean)
    assert root.get("failures") == str(len(pairs)) and root.get("tests") == str(len(cases))
    report = next(c for c in cases if c.get("classname") == "Job/batch/report")
    assert report.get("file") == str(DIR / "batch.yaml") and report.get("line") == "2"


def test_markdown_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    _, md, _ = check(capsys, "-f", *_each(GOOD), "-o", "markdown")
    assert md.startswith("# kdash health report")
    assert "| ResourceQuota/shop-quota | 70 | error | `quota-near-limit` |" in md
    _, text, _ = check(capsys, "-f", *_each(GOOD))
    assert "Score 82.5 (B): 2 errors, 3 warnings, 42 info, 1 ignored; 8 objects checked" in text
    assert text.index("namespace shop") < text.index("namespace data")  # worst namespace first


def _each(files: list[str]) -> list[str]:
    """['a', 'b'] -> ['a', '-f', 'b'] (after the first -f)."""
    out: list[str] = []
    for f in files:
        out += [f, "-f"] if f != files[-1] else [f]
    return out
