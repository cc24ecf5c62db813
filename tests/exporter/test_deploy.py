"""deploy/: kdash grades its own manifests A, the RBAC is read-only without Secrets, the pods are
hardened, the image is pinned, and the Prometheus rules and Grafana dashboard only use metrics the
exporter really serves."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kdash.cli import main
from kdash.exporter.collector import Latest, registry_for
from kdash.exporter.samples import build_samples
from kdash.health import HealthReport
from kdash.k8s.resources import METRICS_RESOURCES, RESOURCES
from kdash.model.snapshot import KindState

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
READ = ["get", "list", "watch"]


def docs() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(DEPLOY.rglob("*.yaml")):
        out += [d for d in yaml.safe_load_all(path.read_text()) if d]
    out.append(json.loads((DEPLOY / "grafana" / "kdash-dashboard.json").read_text()))
    return out


def one(kind: str, name: str) -> dict[str, Any]:
    [found] = [d for d in docs() if d.get("kind") == kind and d["metadata"]["name"] == name]
    return found


def test_kdash_check_grades_deploy_a(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["check", "-f", str(DEPLOY), "-o", "json"])
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert rc == 0, err
    assert doc["grade"] == "A" and doc["complete"] is True, doc
    kinds = {(o["kind"], o["name"]) for o in doc["objects"]}
    assert kinds >= {("Deployment", "kdash-exporter"), ("CronJob", "kdash-check")}  # both were graded
    assert doc["summary"]["error"] == 0 and doc["summary"]["warning"] == 0
    assert "Kustomization" not in err  # kustomize's own file is not a cluster object: no note


def test_the_cluster_role_reads_what_kdash_reads_and_no_secrets() -> None:
    role = one("ClusterRole", "kdash-read")
    granted: set[tuple[str, str]] = set()
    for rule in role["rules"]:
        assert set(rule["verbs"]) <= set(READ), rule  # get/list/watch only
        assert "*" not in rule["apiGroups"] and "*" not in rule["resources"]
        for group in rule["apiGroups"]:
            granted |= {(group, r) for r in rule["resources"]}
    assert not {r for _, r in granted if r == "secrets" or "/" in r}  # no Secrets, no subresources
    wanted = {
        (info.group_version.rpartition("/")[0] if "/" in info.group_version else "", info.url_plural)
        for name, info in RESOURCES.items()
    }
    assert wanted <= granted, wanted - granted
    assert len(granted) == len(wanted)  # nothing kdash does not read
    assert {r for g, r in granted if g == "metrics.k8s.io"} == {r.split(".")[0] for r in METRICS_RESOURCES}


def test_the_binding_gives_the_role_to_the_service_account() -> None:
    binding = one("ClusterRoleBinding", "kdash-read")
    assert binding["roleRef"]["name"] == "kdash-read"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "kdash", "namespace": "kdash"}]
    assert one("ServiceAccount", "kdash")["automountServiceAccountToken"] is False  # pods opt in


def _pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    pod: dict[str, Any] = spec["template"]["spec"]
    return pod


@pytest.mark.parametrize(("kind", "name"), [("Deployment", "kdash-exporter"), ("CronJob", "kdash-check")])
def test_the_pods_are_hardened(kind: str, name: str) -> None:
    pod = _pod_spec(one(kind, name))
    assert pod["serviceAccountName"] == "kdash" and pod["automountServiceAccountToken"] is True
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    [container] = pod["containers"]
    sc = container["securityContext"]
    assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True
    assert sc["capabilities"] == {"drop": ["ALL"]} and sc["runAsNonRoot"] is True
    for bound in ("requests", "limits"):
        assert set(container["resources"][bound]) == {"cpu", "memory", "ephemeral-storage"}
    assert not container["image"].endswith(":latest") and ":" in container["image"].rsplit("/", 1)[-1]


def test_the_exporter_probes_and_the_check_command() -> None:
    exporter = _pod_spec(one("Deployment", "kdash-exporter"))["containers"][0]
    assert exporter["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert exporter["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert exporter["args"][0] == "exporter" and "0.0.0.0:9808" in exporter["args"]
    check = one("CronJob", "kdash-check")
    assert check["spec"]["startingDeadlineSeconds"] > 0
    args = _pod_spec(check)["containers"][0]["args"]
    assert args[:3] == ["check", "--all-namespaces", "--output=json"]


def test_the_dockerfile_pins_its_base_and_runs_as_non_root() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    bases = re.findall(r"^ARG BASE=(\S+)", text, re.M)
    assert len(bases) == 1 and re.fullmatch(r"python:3\.11[\w.-]*-slim[\w.-]*@sha256:[0-9a-f]{64}", bases[0])
    assert re.findall(r"^FROM (\S+)", text, re.M) == ["${BASE}", "${BASE}"]
    assert "latest" not in re.sub(r"#.*", "", text)
    assert re.search(r"^USER \$\{UID\}", text, re.M) and re.search(r"^ARG UID=[1-9]\d*$", text, re.M)


def test_the_kustomization_lists_every_cluster_manifest() -> None:
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    manifests = {p.name for p in DEPLOY.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == manifests


def _exported_names() -> set[str]:
    """Every metric name a scrape serves (from a report with one of each kind of series)."""
    samples = build_samples(HealthReport(), {"pods": KindState("pods")}, [("ns", "p", "c", 1)], timestamp=1.0)
    from prometheus_client import generate_latest

    text = generate_latest(registry_for(Latest(samples))).decode()
    return set(re.findall(r"^# TYPE (\w+) ", text, re.M)) | {
        n + "_total" for n in re.findall(r"^# TYPE (\w+) counter", text, re.M)
    }


def test_prometheus_rules_and_grafana_use_exported_metrics() -> None:
    names = _exported_names()
    rules = one("PrometheusRule", "kdash")
    exprs = [r["expr"] for g in rules["spec"]["groups"] for r in g["rules"]]
    assert len(exprs) >= 8
    dashboard = json.loads(one("ConfigMap", "kdash-grafana-dashboard")["data"]["kdash.json"])
    exprs += [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    exprs.append(dashboard["templating"]["list"][1]["query"]["query"])
    used = {m for e in exprs for m in re.findall(r"\bkdash_\w+", e)}
    assert used and used <= names, used - names
    assert {"kdash_cluster_score", "kdash_findings", "kdash_sync_state"} <= used


def test_the_dashboard_file_is_what_its_script_writes(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "dashboard.json"
    subprocess.run(
        [sys.executable, str(DEPLOY / "grafana" / "make_dashboard.py"), str(out)], check=True, timeout=60
    )
    assert out.read_text() == (DEPLOY / "grafana" / "kdash-dashboard.json").read_text()


def test_the_grade_is_earned_a_stripped_copy_is_not_a(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The near miss: the same manifests without their hardening, probes and resources grade worse."""
    stripped = []
    for name in ("exporter.yaml", "cronjob.yaml"):
        for doc in yaml.safe_load_all((DEPLOY / name).read_text()):
            if doc["kind"] in ("Deployment", "CronJob"):
                pod = _pod_spec(doc)
                pod.pop("securityContext")
                for c in pod["containers"]:
                    for key in ("securityContext", "resources", "readinessProbe", "livenessProbe"):
                        c.pop(key, None)
            stripped.append(doc)
    (tmp_path / "app.yaml").write_text(yaml.safe_dump_all(stripped))
    main(["check", "-f", str(tmp_path), "-o", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["grade"] != "A"
    rules = {f["rule"] for f in doc["findings"]}
    assert {"service-no-readiness", "resources-requests-missing", "security-readonly-root-fs"} <= rules
    assert "probe-readiness-missing" not in rules  # behind its Service, service-no-readiness stands for it
