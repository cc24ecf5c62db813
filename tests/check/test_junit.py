"""`kdash check -o junit`: one testcase per object x rule, each with at most one <failure>, and a
passing testcase for each object with no finding; hostile names and messages stay safe."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kdash.check.junit import PASSED
from kdash.check.render import render_junit
from kdash.check.scope import CheckScope
from kdash.health import HealthReport
from kdash.model.findings import Finding, ObjectScore, Severity
from kdash.model.meta import ObjectKey


def finding(rule: str, name: str, container: str | None = None, **kw: object) -> Finding:
    severity = kw.pop("severity", Severity.WARNING)
    assert isinstance(severity, Severity)
    ignored = bool(kw.pop("ignored", False))
    msg = f"Deployment shop/{name}, container {container} breaks {rule}"
    return Finding(rule, severity, "Deployment", "shop", name, msg, "why", "fix", container, ignored)


def report(*findings: Finding, objects: tuple[str, ...] = ("web", "api")) -> HealthReport:
    objs = tuple(ObjectScore("Deployment", "shop", n, 80.0, "B") for n in objects)
    return HealthReport(findings=findings, objects=objs, score=80.0, grade="B")


def cases(xml: str) -> tuple[ET.Element, list[ET.Element]]:
    root = ET.fromstring(xml.split("\n", 1)[1])
    return root, root.findall("./testsuite/testcase")


def test_one_testcase_per_object_and_rule() -> None:
    r = report(
        finding("probe-readiness-missing", "web", "a"),
        finding("probe-readiness-missing", "web", "b"),  # same rule, another container: same case
        finding("security-privileged", "web", "a", severity=Severity.ERROR),
    )
    root, got = cases(render_junit(r))
    names = [(c.get("classname"), c.get("name")) for c in got]
    assert names == [
        ("Deployment/shop/web", "probe-readiness-missing"),
        ("Deployment/shop/web", "security-privileged"),
        ("Deployment/shop/api", PASSED),  # no finding: one passing testcase
    ]
    assert [len(c.findall("failure")) for c in got] == [1, 1, 0]
    probe = got[0].find("failure")
    assert probe is not None
    assert probe.get("message", "").endswith("breaks probe-readiness-missing (and 1 more)")
    assert "container a" in (probe.text or "") and "container b" in (probe.text or "")
    assert got[1].find("failure").get("type") == "error"  # type: ignore[union-attr]
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "2", "0")
    suite = root.find("testsuite")
    assert suite is not None and suite.get("skipped") == "0"


def test_ignored_findings_are_skipped_only_when_shown() -> None:
    r = report(finding("replicas-single", "web", ignored=True), objects=("web",))
    _, hidden = cases(render_junit(r))
    assert [(c.get("name"), list(c)) for c in hidden] == [(PASSED, [])]
    root, shown = cases(render_junit(r, show_ignored=True))
    assert [c.get("name") for c in shown] == ["replicas-single"]
    assert shown[0].find("skipped") is not None and shown[0].find("failure") is None
    assert root.find("testsuite").get("skipped") == "1"  # type: ignore[union-attr]


def test_not_checked_and_unscored_findings_are_testcases() -> None:
    orphan = Finding(
        "manifest-name-missing", Severity.ERROR, "Job", "batch", "(unnamed: a.yaml: document 2)", "m"
    )
    r = HealthReport(findings=(orphan,), objects=(), score=100.0, grade="A")
    scope = CheckScope(not_checked=(("b.yaml", "invalid YAML"),))
    where = {ObjectKey("Job", "batch", "(unnamed: a.yaml: document 2)"): ("a.yaml", 7)}
    root, got = cases(render_junit(r, scope=scope, locations=where))
    assert [(c.get("classname"), c.get("name")) for c in got] == [
        ("kdash.not-checked", "b.yaml"),
        ("Job/batch/(unnamed: a.yaml: document 2)", "manifest-name-missing"),
    ]
    assert (got[1].get("file"), got[1].get("line")) == ("a.yaml", "7")
    assert (root.get("errors"), root.get("failures")) == ("1", "1")


def test_hostile_names_and_messages_stay_safe() -> None:
    evil = "web\u202egnp.exe \x1b]0;pwned\x07 \x1b[2J<script>&\x00 \u2066x\u2069"
    f = Finding("pod-crashloop", Severity.ERROR, "Deployment", evil, evil, f"pod {evil}", evil, evil, evil)
    obj = ObjectScore("Deployment", evil, evil, 70.0, "C", f)
    xml = render_junit(HealthReport(findings=(f,), objects=(obj,), score=70.0, grade="C"))
    for bad in ("\u202e", "\u2066", "\u2069", "\x1b", "\x07", "\x00", "<script>"):
        assert bad not in xml  # `<script>` only as &lt;script&gt;
    _, (case,) = cases(xml)
    assert "webgnp.exe" in (case.get("classname") or "")
    assert "<script>&" in (case.find("failure").get("message") or "")  # type: ignore[union-attr]
