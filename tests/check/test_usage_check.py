"""`kdash check` and usage: the note in every format (metrics or not, how much history), and the
usage findings of the simulated cluster through the real client."""

from __future__ import annotations

import io
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from rich.console import Console

from kdash.check.render import render_json, render_junit, render_markdown, render_text
from kdash.check.scope import CheckScope
from kdash.check.usage_note import UNAVAILABLE, usage_note
from kdash.cli import main
from kdash.health import HealthConfig, HealthReport, evaluate
from kdash.health.usage_facts import fmt_memory
from kdash.k8s.kubeconfig import load_target
from kdash.k8s.service import ClusterService
from kdash.k8s.settings import ServiceSettings
from kdash.model.findings import Finding
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.usage import NodeUsage, PodUsage, Sample, Usage, UsageHistory, UsageView, pod_series
from kdash.sim import start_sim
from tests.helpers import wait_for

T0 = 1_750_000_000.0


def view(
    samples: int, every: float = 15.0, available: bool = True, message: str = "metrics unavailable"
) -> UsageView:
    key = ObjectKey("Pod", "shop", "web-1")
    history = UsageHistory()
    for i in range(samples):
        history.add(pod_series(key), Sample(T0 + i * every, 10.0, 1e6))
    return UsageView(
        available=available,
        message=message,
        pods=MappingProxyType({key: PodUsage(key, T0, 15.0, {"app": Usage(10.0, 1e6)})}),
        nodes=MappingProxyType({"n1": NodeUsage("n1", T0, 15.0, Usage(100.0, 1e9))}),
        history=history,
    )


def test_note_without_metrics() -> None:
    note = usage_note(UsageView(), HealthConfig())
    assert note.text == UNAVAILABLE == "metrics unavailable: usage rules skipped"
    assert note.as_json() == {"available": False, "note": UNAVAILABLE}
    forbidden = usage_note(UsageView(message="metrics forbidden: pods.metrics.k8s.io"), HealthConfig())
    assert (
        forbidden.text == "metrics unavailable: usage rules skipped (metrics forbidden: pods.metrics.k8s.io)"
    )


def test_note_of_a_one_shot_check_says_right_sizing_needs_history() -> None:
    note = usage_note(view(1), HealthConfig())
    assert note.text == (
        "usage: metrics for 1 pod and 1 node, 1 sample; right-sizing needs 30 min of history "
        "(--usage-window, or the dashboard, which keeps it while it runs)"
    )
    assert note.as_json() == {
        "available": True,
        "note": note.text,
        "pods": 1,
        "nodes": 1,
        "samples": 1,
        "history_seconds": 0.0,
        "rightsizing_minutes": 30.0,
    }


def test_note_with_enough_history() -> None:
    assert usage_note(view(9), HealthConfig()).text.startswith(
        "usage: metrics for 1 pod and 1 node, 9 samples over 2 min;"
    )
    long = usage_note(view(161), HealthConfig())
    assert long.text == "usage: metrics for 1 pod and 1 node, 161 samples over 40 min"
    assert usage_note(view(5), HealthConfig(rightsizing_minutes=1)).text.endswith("5 samples over 60 s")


def _outputs(scope: CheckScope) -> dict[str, str]:
    report = HealthReport()
    buf = io.StringIO()
    render_text(report, Console(file=buf, width=200, color_system=None), scope=scope)
    return {
        "text": buf.getvalue(),
        "json": render_json(report, scope=scope),
        "markdown": render_markdown(report, scope=scope),
        "junit": render_junit(report, scope=scope),
    }


def test_every_format_carries_the_note() -> None:
    out = _outputs(CheckScope(usage=usage_note(UsageView(), HealthConfig())))
    assert UNAVAILABLE in out["text"] and UNAVAILABLE in out["markdown"]
    assert json.loads(out["json"])["usage"] == {"available": False, "note": UNAVAILABLE}
    suite = ET.fromstring(out["junit"].split("\n", 1)[1]).find("./testsuite")
    assert suite is not None
    assert [(p.get("name"), p.get("value")) for p in suite.iter("property")] == [("usage", UNAVAILABLE)]


def test_manifests_have_no_usage_note() -> None:
    out = _outputs(CheckScope())
    assert "usage" not in json.loads(out["json"])
    assert "metrics" not in out["text"] + out["markdown"] + out["junit"]


# -- on the simulated cluster, through the real client ----------------------------------------------

SETTINGS = ServiceSettings(
    watch_timeout_seconds=4.0,
    read_timeout_seconds=6.0,
    request_timeout_seconds=5.0,
    connect_timeout_seconds=2.0,
    backoff_initial=0.1,
    backoff_max=0.5,
    poll_interval=0.5,
    metrics_interval=0.2,  # metrics-server's 15 s, sped up: the sim's clock is stepped by hand
    max_notify_hz=20.0,
    join_timeout=5.0,
)


class Stepped:
    """A still demo sim whose clock the test moves, and a ClusterService polling its metrics."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.svc = ClusterService(load_target(kubeconfig=str(sim.kubeconfig_path)), None, settings=SETTINGS)
        self.svc.start()
        assert self.svc.wait_until_synced(timeout=30)
        self.t = 0.0

    def to(self, t: float) -> ClusterSnapshot:
        """Run the sim's engine to simulated time `t`; the snapshot once the service has polled
        that time's sample (a new one every 15 simulated seconds)."""
        self.t = self.sim.step(t - self.t)
        model = self.sim.state.metrics
        sample = math.floor(model.timestamp().timestamp())  # the API writes whole seconds

        def polled() -> ClusterSnapshot | None:
            snap: ClusterSnapshot = self.svc.snapshot()
            ats = [u.at for u in snap.usage.pods.values()]
            return snap if ats and max(ats) >= sample else None

        return wait_for(polled, f"the sample of sim time {t:g}")


@pytest.fixture
def stepped() -> Iterator[Stepped]:
    with start_sim("demo") as sim:
        s = Stepped(sim)
        try:
            yield s
        finally:
            s.svc.stop()


def _memory_findings(snap: ClusterSnapshot, container: str) -> list[Finding]:
    report = evaluate(snap)
    return [f for f in report.findings if f.rule == "usage-memory-near-limit" and f.container == container]


def test_the_creeping_pod_turns_warning_then_error_before_its_oomkill(stepped: Stepped) -> None:
    ns, pod_name, container = stepped.sim.state.metrics.creep
    key = ObjectKey("Pod", ns, pod_name)
    start = stepped.svc.snapshot()
    assert start.usage.available
    assert _memory_findings(start, container) == []  # 62 % of its limit
    seen = []
    for t in (100.0, 140.0):  # the samples of t=90 (81 %) and t=135 (90 %)
        snap = stepped.to(t)
        used = snap.usage.pods[key].containers[container].memory
        (f,) = _memory_findings(snap, container)
        assert f.kind == "Deployment" and f.namespace == ns  # rolled up from the pod
        assert f"uses {fmt_memory(used)} of its 256Mi memory limit" in f.message  # the API's number
        seen.append(f.severity.label)
    assert seen == ["warning", "error"]
    stepped.sim.step(50.0)  # t=190: OOMKilled at 180

    def killed() -> ClusterSnapshot | None:
        snap: ClusterSnapshot = stepped.svc.snapshot()
        pod = snap.pods.get(key)
        last = (
            next((c.last_termination for c in pod.containers if c.name == container), None) if pod else None
        )
        return snap if last is not None and last.reason == "OOMKilled" else None

    after = wait_for(killed, "the OOMKill")
    # (a list `>=` compared the first rule by name: it failed whenever pod-crashloop sorted first)
    rules = [f.rule for f in evaluate(after).findings if f.container == container and f.namespace == ns]
    assert "pod-oomkilled" in rules


def test_the_wasteful_deployment_gets_a_suggested_request(stepped: Stepped) -> None:
    cfg = HealthConfig(rightsizing_minutes=10)
    snap = stepped.to(120.0)
    assert not [f for f in evaluate(snap, cfg).findings if f.rule == "usage-requests-oversized"]  # 2 min seen
    for minute in range(3, 24):  # a sample a minute: 21 minutes, at least 10 of them in whole blocks
        snap = stepped.to(minute * 60.0)
    found = [f for f in evaluate(snap, cfg).findings if f.rule == "usage-requests-oversized"]
    assert [(f.kind, f.namespace, f.name, f.container) for f in found] == [
        ("Deployment", "kube-system", "coredns", "coredns")
    ]
    message = found[0].message
    assert re.fullmatch(
        r"container coredns: cpu p95 \d+m, request 100m: suggest (1|2)0m; memory p95 [\d.]+Mi, request "
        r"128Mi: suggest 16Mi \((1[05]|20) min of samples from 2 pods\)",
        message,
    ), message
    assert not [f for f in evaluate(snap).findings if f.rule == "usage-requests-oversized"]  # 30 min: not yet


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    rc = main(["check", *args, "-o", "json"])
    out, err = capsys.readouterr()
    return rc, json.loads(out), err


def test_check_reports_usage_findings_on_the_sim(
    stepped: Stepped, capsys: pytest.CaptureFixture[str]
) -> None:
    stepped.to(140.0)  # the creeping container at 90 % of its limit
    rc, doc, err = _check(capsys, "--kubeconfig", str(stepped.sim.kubeconfig_path), "-A")
    assert rc == 1
    usage = doc["usage"]
    assert usage["available"] is True and usage["pods"] > 10 and usage["nodes"] == 3
    assert usage["samples"] == 1 and "right-sizing needs 30 min of history" in usage["note"]
    assert [f["severity"] for f in doc["findings"] if f["rule"] == "usage-memory-near-limit"] == ["error"]
    assert doc["complete"] is True and "metrics" not in err


def test_check_without_metrics_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    with start_sim("demo", faults="metrics=off") as sim:
        rc, doc, err = _check(capsys, "--kubeconfig", str(sim.kubeconfig_path), "-A")
        text_rc = main(["check", "--kubeconfig", str(sim.kubeconfig_path), "-A"])
        text, _ = capsys.readouterr()
    assert rc == text_rc == 1  # the demo's errors; missing metrics are no error
    assert doc["usage"] == {
        "available": False,
        "note": "metrics unavailable: usage rules skipped (metrics.k8s.io is not served)",
    }
    assert doc["complete"] is True and "metrics" not in err
    assert not [f for f in doc["findings"] if f["rule"].startswith("usage-")]
    assert {f["rule"] for f in doc["findings"]} >= {"pod-crashloop", "quota-near-limit"}  # the rest is there
    assert text.count("metrics unavailable: usage rules skipped") == 1


def test_usage_window_collects_history_for_right_sizing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A live sim ten simulated minutes a second: six seconds of --usage-window is an hour of metrics."""
    config = tmp_path / "config.toml"
    config.write_text("[service]\nmetrics_interval = 0.2\n", encoding="utf-8")
    with start_sim("demo", engine=True, time_scale=600) as sim:
        rc, doc, err = _check(
            capsys,
            "--kubeconfig",
            str(sim.kubeconfig_path),
            "-A",
            "--config",
            str(config),
            "--usage-window",
            "6s",
        )
    assert "sampling usage for 6 s" in err
    assert doc["usage"]["samples"] >= 10 and doc["usage"]["history_seconds"] >= 40 * 60
    assert "right-sizing needs" not in doc["usage"]["note"]
    oversized = [f for f in doc["findings"] if f["rule"] == "usage-requests-oversized"]
    assert [(f["namespace"], f["name"]) for f in oversized] == [("kube-system", "coredns")]
    assert "suggest" in oversized[0]["message"]
