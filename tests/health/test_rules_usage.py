"""The usage rules on constructed records and usage views: each rule fires and has a near miss,
findings roll up to the workload, are exempt-able and scored, vanish without metrics, and the
incremental scorer re-runs them on a metrics poll and stays equal to `evaluate()`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kdash.health import RULES, HealthConfig, evaluate
from kdash.health.incremental import IncrementalScorer
from kdash.health.usage_facts import tidy_cpu, tidy_memory
from kdash.model.cluster import NodeRecord
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.snapshot import ClusterSnapshot
from kdash.model.source import ChangeSet
from kdash.model.usage import NodeUsage, PodUsage, Sample, Usage, UsageHistory, UsageView, pod_series

from .factories import NOW, container, meta, pdb, pod, snapshot, template, workload

MI = 1024.0 * 1024.0
T0 = NOW.timestamp()
WEB = [workload(), pdb()]  # a clean Deployment "web" (3 replicas) with its PDB


def node(name: str = "n1", cpu: str = "2", memory: str = "4Gi") -> NodeRecord:
    """A node with allocatable resources."""
    return NodeRecord(
        meta=meta("Node", name, namespace=""), ready=True, allocatable={"cpu": cpu, "memory": memory}
    )


def used(p: PodRecord, cpu_m: float = 10.0, mem_mi: float = 50.0, container_name: str = "app") -> PodUsage:
    return PodUsage(p.meta.key, T0, 15.0, {container_name: Usage(cpu_m, mem_mi * MI)})


def with_usage(
    snap: ClusterSnapshot,
    pods: Iterable[PodUsage] = (),
    nodes: Iterable[Any] = (),
    node_usage: Iterable[NodeUsage] = (),
    history: UsageHistory | None = None,
    available: bool = True,
) -> ClusterSnapshot:
    view = UsageView(
        available=available,
        pods=MappingProxyType({u.key: u for u in pods}),
        nodes=MappingProxyType({n.name: n for n in node_usage}),
        history=history,
    )
    node_map = MappingProxyType({n.meta.key: n for n in nodes})
    return replace(snap, usage=view, nodes=node_map)


def steady(
    keys: Iterable[ObjectKey], minutes: float, cpu_m: float, mem_mi: float, every: float = 15.0
) -> UsageHistory:
    """A history of the same usage for each pod's container "app", `minutes` long."""
    history = UsageHistory(capacity=1000)
    count = int(minutes * 60 / every) + 1
    for key in keys:
        for i in range(count):
            history.add(pod_series(key, "app"), Sample(T0 - (count - 1 - i) * every, cpu_m, mem_mi * MI))
    return history


P = pod("web-1", node="n1")
BIG = container(requests={"cpu": "1", "memory": "1Gi"}, limits={"cpu": "2", "memory": "2Gi"})
BIG_WEB = workload(template=template(BIG))
BIG_P = pod("web-1", node="n1", spec=template(BIG))


def mem_case(mem_mi: float, **kw: Any) -> Callable[[], ClusterSnapshot]:
    return lambda: with_usage(snapshot(*WEB, P), [used(P, mem_mi=mem_mi)], **kw)


def cpu_pod(limit: str | None) -> PodRecord:
    limits = {"memory": "256Mi", **({"cpu": limit} if limit else {})}
    return pod("web-1", node="n1", spec=template(container(limits=limits)))


def cpu_case(cpu_m: float, limit: str | None = "500m") -> Callable[[], ClusterSnapshot]:
    p = cpu_pod(limit)
    return lambda: with_usage(snapshot(*WEB, p), [used(p, cpu_m=cpu_m)])


def crowded(
    mem_mi: float, alloc: str = "1Gi", usage_gi: float | None = None
) -> Callable[[], ClusterSnapshot]:
    """web-1 (request 128Mi, limit 256Mi) and five other pods (limit 256Mi each) on n1."""
    others = [pod(f"api-{i}", ("Deployment", "api"), node="n1") for i in range(5)]

    def build() -> ClusterSnapshot:
        snap = snapshot(*WEB, workload(name="api"), P, *others)
        nu = [NodeUsage("n1", T0, 15.0, Usage(100.0, usage_gi * 1024 * MI))] if usage_gi is not None else []
        return with_usage(snap, [used(P, mem_mi=mem_mi)], nodes=[node(memory=alloc)], node_usage=nu)

    return build


def wasteful(minutes: float, cpu_m: float = 98.0, mem_mi: float = 40.0) -> Callable[[], ClusterSnapshot]:
    pods = [pod(f"web-{i}", node="n1", spec=template(BIG)) for i in range(3)]
    return lambda: with_usage(
        snapshot(BIG_WEB, pdb(), *pods),
        [used(p, cpu_m, mem_mi) for p in pods],
        history=steady([p.meta.key for p in pods], minutes, cpu_m, mem_mi),
    )


# fmt: off
USAGE_CASES: list[tuple[str, str, Callable[[], ClusterSnapshot], int]] = [
    ("usage-memory-near-limit", "82% of the limit", mem_case(210), 1),
    ("usage-memory-near-limit", "94% of the limit", mem_case(240), 1),
    ("usage-memory-near-limit", "78% of the limit", mem_case(200), 0),
    ("usage-memory-near-limit", "metrics unavailable", mem_case(240, available=False), 0),
    ("usage-memory-near-limit", "no memory limit", lambda: with_usage(snapshot(*WEB, pod("web-1", spec=template(container(limits={}))))), 0),
    ("usage-cpu-throttled", "98% of the limit", cpu_case(490), 1),
    ("usage-cpu-throttled", "80% of the limit", cpu_case(400), 0),
    ("usage-cpu-throttled", "no cpu limit", cpu_case(5000, None), 0),
    ("usage-above-request-overcommitted", "above request, limits over allocatable", crowded(200), 1),
    ("usage-above-request-overcommitted", "above request, node usage over allocatable", crowded(200, alloc="8Gi", usage_gi=9), 1),
    ("usage-above-request-overcommitted", "below request", crowded(100), 0),
    ("usage-above-request-overcommitted", "node has room", crowded(200, alloc="8Gi"), 0),
    ("usage-requests-oversized", "42 min of history, request 10x the use", wasteful(42), 1),
    ("usage-requests-oversized", "10 min of history", wasteful(10), 0),
    ("usage-requests-oversized", "request fits the use", wasteful(42, cpu_m=600, mem_mi=700), 0),
]
# fmt: on


@pytest.mark.parametrize(
    ("rule", "case", "build", "expected"), USAGE_CASES, ids=[f"{c[0]}: {c[1]}" for c in USAGE_CASES]
)
def test_usage_rule(rule: str, case: str, build: Callable[[], ClusterSnapshot], expected: int) -> None:
    report = evaluate(build(), now=NOW)
    found = [f for f in report.findings if f.rule == rule]
    assert len(found) == expected, [f.message for f in found]


def test_every_usage_rule_has_a_case_and_a_near_miss() -> None:
    usage_rules = {r for r in RULES if RULES[r].category == "usage"}
    assert usage_rules == {c[0] for c in USAGE_CASES if c[3]} == {c[0] for c in USAGE_CASES if not c[3]}


def test_memory_turns_warning_then_error_with_the_numbers() -> None:
    warn = evaluate(mem_case(210)(), now=NOW).findings_for(ObjectKey("Deployment", "shop", "web"))
    err = evaluate(mem_case(240)(), now=NOW).findings_for(ObjectKey("Deployment", "shop", "web"))
    assert [(f.severity.label, f.container) for f in warn] == [("warning", "app")]
    assert (
        warn[0].message == "pod web-1, container app uses 210Mi of its 256Mi memory limit (82%): OOMKill risk"
    )
    assert [f.severity.label for f in err] == ["error"]
    assert "(93%): OOMKill risk" in err[0].message
    assert "OOM-killed" in err[0].why and "limits.memory" in err[0].fix


def test_thresholds_come_from_the_config() -> None:
    cfg = HealthConfig(usage_memory_warn=70, usage_memory_error=80, usage_cpu_limit=75)
    mem = evaluate(mem_case(210)(), cfg, now=NOW).findings
    assert [f.severity.label for f in mem if f.rule == "usage-memory-near-limit"] == ["error"]
    cpu = evaluate(cpu_case(400)(), cfg, now=NOW).findings
    assert [f.message for f in cpu if f.rule == "usage-cpu-throttled"] == [
        "pod web-1, container app uses 400m of its 500m CPU limit (80%): throttled"
    ]
    with pytest.raises(ValueError, match="must not exceed"):
        HealthConfig(usage_memory_warn=95)


def test_overcommitted_message_names_the_node_and_why() -> None:
    (f,) = [
        f for f in evaluate(crowded(200)(), now=NOW).findings if f.rule == "usage-above-request-overcommitted"
    ]
    assert (f.kind, f.name, f.container) == ("Deployment", "web", None)
    assert f.message == (
        "pod web-1 uses 200Mi memory (request 128Mi) above its requests on node n1, which is over-committed "
        "(memory limits 150% of allocatable 1Gi)"
    )
    (g,) = [
        f
        for f in evaluate(crowded(200, alloc="8Gi", usage_gi=9)(), now=NOW).findings
        if f.rule == f.rule and f.rule.startswith("usage-above")
    ]
    assert "memory usage 112% of allocatable 8Gi" in g.message


def test_right_sizing_says_how_much_was_seen_and_suggests() -> None:
    found = evaluate(wasteful(42)(), now=NOW).findings_for(ObjectKey("Deployment", "shop", "web"))
    (f,) = [f for f in found if f.rule == "usage-requests-oversized"]
    assert f.severity.label == "info" and f.container == "app"
    assert f.message == (
        "container app: cpu p95 98m, request 1 CPU: suggest 120m; memory p95 40Mi, request 1Gi: "
        "suggest 48Mi (40 min of samples from 3 pods)"  # whole 5-minute blocks of the 42 minutes
    )


def test_right_sizing_needs_the_configured_history() -> None:
    snap = wasteful(10)()
    assert not [f for f in evaluate(snap, now=NOW).findings if f.rule == "usage-requests-oversized"]
    cfg = HealthConfig(rightsizing_minutes=5)
    assert [f.rule for f in evaluate(snap, cfg, now=NOW).findings if f.rule == "usage-requests-oversized"]
    one_sample = replace(snap, usage=replace(snap.usage, history=steady([BIG_P.meta.key], 0, 98, 40)))
    assert not [
        f
        for f in evaluate(one_sample, HealthConfig(rightsizing_minutes=0), now=NOW).findings
        if f.rule == "usage-requests-oversized"
    ]


def test_memory_suggestion_is_never_below_the_peak() -> None:
    pods = [pod(f"web-{i}", node="n1", spec=template(BIG)) for i in range(2)]
    history = UsageHistory(capacity=1000)
    for i in range(161):  # 40 minutes, with one spike to 300Mi in the middle
        history.add(
            pod_series(pods[0].meta.key, "app"), Sample(T0 - 2400 + i * 15, 98, (300 if i == 80 else 40) * MI)
        )
    snap = with_usage(snapshot(BIG_WEB, pdb(), *pods), [used(p, 98, 40) for p in pods], history=history)
    (f,) = [f for f in evaluate(snap, now=NOW).findings if f.rule == "usage-requests-oversized"]
    assert "memory p95 40Mi, request 1Gi: suggest 320Mi" in f.message
    assert f.message.endswith("(40 min of samples from 1 pod)")


def test_tidy_suggestions() -> None:
    assert [tidy_cpu(m) for m in (0, 3, 117.6, 201, 980, 1001, 1234)] == [10, 10, 120, 250, 1000, 1100, 1300]
    assert [tidy_memory(m * MI) / MI for m in (0, 20, 250, 300, 2100)] == [16, 32, 256, 320, 2304]


def test_pods_roll_up_with_severities_apart() -> None:
    pods = [pod(f"web-{i}", node="n1") for i in range(3)]
    snap = with_usage(
        snapshot(*WEB, *pods),
        [used(pods[0], mem_mi=210), used(pods[1], mem_mi=220), used(pods[2], mem_mi=240)],
    )
    report = evaluate(snap, now=NOW)
    found = report.findings_for(ObjectKey("Deployment", "shop", "web"))
    assert [(f.severity.label, f.message.split(":")[0]) for f in found] == [
        ("error", "pod web-2, container app uses 240Mi of its 256Mi memory limit (93%)"),
        ("warning", "pod web-0, container app uses 210Mi of its 256Mi memory limit (82%)"),
    ]
    assert found[1].message.endswith("(and 1 more pod)")
    assert report.score_for(ObjectKey("Deployment", "shop", "web")).score == 60.0  # type: ignore[union-attr]
    assert [f.rule for f in report.findings_for(pods[2].meta.key)] == [
        "usage-memory-near-limit"
    ]  # colours the pod row


def test_exemption_annotations_silence_usage_rules() -> None:
    quiet = template(annotations={"kdash.io/ignore": "usage-memory-near-limit,usage-requests-oversized"})
    p = replace(P, spec=replace(P.spec, annotations=quiet.annotations))
    wl = workload(template=replace(template(), annotations=quiet.annotations))
    report = evaluate(with_usage(snapshot(wl, pdb(), p), [used(p, mem_mi=240)]), now=NOW)
    (f,) = report.findings
    assert f.rule == "usage-memory-near-limit" and f.ignored
    assert report.score == 100.0 and report.summary["error"] == 0


def test_nothing_without_metrics_even_with_history() -> None:
    snap = wasteful(42)()
    off = replace(snap, usage=replace(snap.usage, available=False))
    assert not [f for f in evaluate(off, now=NOW).findings if f.rule.startswith("usage-")]


def test_disabled_usage_rules_do_not_run() -> None:
    cfg = HealthConfig(disabled=frozenset({"usage-memory-near-limit"}))
    assert not [f for f in evaluate(mem_case(240)(), cfg, now=NOW).findings if f.rule.startswith("usage-")]


# -- the incremental scorer -------------------------------------------------------------------------


@dataclass
class UsageWorld:
    """Pods of web/api and a bare pod on two nodes, with metrics polls."""

    pods: dict[ObjectKey, PodRecord] = field(default_factory=dict)
    nodes: dict[ObjectKey, NodeRecord] = field(default_factory=dict)
    usage: UsageView = UsageView()
    history: UsageHistory = field(default_factory=lambda: UsageHistory(capacity=40))
    clock: float = T0
    generation: int = 0
    last: dict[ObjectKey, Any] = field(default_factory=dict)

    def records(self) -> dict[ObjectKey, Any]:
        return {**self.pods, **self.nodes}

    def poll(self, mem: dict[ObjectKey, float], cpu: float, available: bool) -> None:
        for _ in range(10):  # ten minutes a poll: right-sizing gets its history in a few steps
            self.clock += 60.0
            pods = [
                PodUsage(k, self.clock, 15.0, {"app": Usage(cpu, m * MI)})
                for k, m in mem.items()
                if k in self.pods
            ]
            self.history.add_pods(pods)
        nodes = [
            NodeUsage(k.name, self.clock, 15.0, Usage(cpu * 3, sum(mem.values()) * MI)) for k in self.nodes
        ]
        self.usage = UsageView(
            available=available,
            pods=MappingProxyType({p.key: p for p in pods}),
            nodes=MappingProxyType({n.name: n for n in nodes}),
            history=self.history,
        )

    def publish(self, polled: bool) -> tuple[ClusterSnapshot, ChangeSet]:
        self.generation += 1
        now = self.records()
        added = now.keys() - self.last.keys()
        deleted = self.last.keys() - now.keys()
        modified = {k for k in now.keys() & self.last.keys() if now[k] is not self.last[k]}
        self.last = now
        snap = snapshot(workload(), workload(name="api"), pdb(), *self.pods.values())
        snap = replace(
            snap, generation=self.generation, usage=self.usage, nodes=MappingProxyType(dict(self.nodes))
        )
        return snap, ChangeSet(
            self.generation, frozenset(added), frozenset(modified), frozenset(deleted), usage_changed=polled
        )


SPECS = (
    template(container()),
    template(BIG),
    template(container(limits={"cpu": "100m", "memory": "256Mi"})),
    replace(template(container()), annotations={"kdash.io/ignore": "usage-memory-near-limit"}),
)
NAMES = (
    ("web-a", ("Deployment", "web")),
    ("web-b", ("Deployment", "web")),
    ("api-a", ("Deployment", "api")),
    ("solo", None),
)


@st.composite
def usage_steps(draw: st.DrawFn) -> list[tuple[str, Any]]:
    ops = []
    for _ in range(draw(st.integers(3, 16))):
        op = draw(st.sampled_from(("pod", "pod", "delete", "node", "poll", "poll", "poll", "off")))
        if op == "pod":
            name, owner = draw(st.sampled_from(NAMES))
            ops.append(
                (op, (name, owner, draw(st.sampled_from(SPECS)), draw(st.sampled_from(("n1", "n2", "")))))
            )
        elif op == "node":
            ops.append(
                (
                    op,
                    (
                        draw(st.sampled_from(("n1", "n2"))),
                        draw(st.sampled_from(("300Mi", "1Gi", "8Gi", None))),
                    ),
                )
            )
        elif op == "delete":
            ops.append((op, draw(st.sampled_from([n for n, _ in NAMES]))))
        else:  # a poll; "off": metrics.k8s.io went away
            mem = draw(st.sampled_from((30.0, 150.0, 210.0, 240.0, 900.0)))
            ops.append((op, (mem, draw(st.sampled_from((5.0, 99.0, 400.0))))))
    return ops


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=usage_steps(), score_every=st.sampled_from((1, 2)))
def test_incremental_equals_full_evaluation_with_usage(
    steps: list[tuple[str, Any]], score_every: int
) -> None:
    world, scorer = UsageWorld(), IncrementalScorer()
    cfg = HealthConfig(rightsizing_minutes=20)
    pending: list[ChangeSet] = []
    for i, (op, arg) in enumerate(steps):
        polled = False
        if op == "pod":
            name, owner, spec, node_name = arg
            p = pod(name, owner, spec=spec, node=node_name)
            world.pods[p.meta.key] = p
        elif op == "delete":
            world.pods.pop(ObjectKey("Pod", "shop", arg), None)
        elif op == "node":
            name, memory = arg
            key = ObjectKey("Node", "", name)
            if memory is None:
                world.nodes.pop(key, None)
            else:
                world.nodes[key] = node(name, memory=memory)
        else:
            world.poll(dict.fromkeys(world.pods, arg[0]), arg[1], available=op == "poll")
            polled = True
        snap, changes = world.publish(polled)
        pending.append(changes)
        if i % score_every:
            continue
        got = scorer.update(snap, pending, cfg, NOW)
        want = evaluate(snap, cfg, NOW)
        assert got.findings == want.findings
        assert got == want
        pending = []


def test_a_poll_re_runs_only_the_usage_rules() -> None:
    """Bookkeeping, not timing: a poll re-lints no lint target and no pod's runtime rules."""
    world, scorer = UsageWorld(), IncrementalScorer()
    for name, owner in NAMES:
        p = pod(name, owner, node="n1")
        world.pods[p.meta.key] = p
    world.poll(dict.fromkeys(world.pods, 30.0), 5.0, available=True)
    snap, changes = world.publish(True)
    scorer.update(snap, [changes], now=NOW)
    world.poll(
        {ObjectKey("Pod", "shop", "web-a"): 240.0, **{k: 30.0 for k in world.pods if k.name != "web-a"}},
        5.0,
        True,
    )
    snap, changes = world.publish(True)
    report = scorer.update(snap, [changes], now=NOW)
    assert not scorer.last_full and report == evaluate(snap, now=NOW)
    assert scorer.last_relinted == 1  # one pod's usage hits changed; nothing else was re-linted
    assert [
        f.rule
        for f in report.findings_for(ObjectKey("Deployment", "shop", "web"))
        if f.rule.startswith("usage")
    ] == ["usage-memory-near-limit"]


def test_node_and_pod_changes_between_polls_move_over_commitment() -> None:
    """No poll in between: a node's allocatable shrinking, then pods leaving it, re-judge its pods."""
    world, scorer = UsageWorld(), IncrementalScorer()
    for name, owner in NAMES[:3]:
        p = pod(name, owner, node="n1")
        world.pods[p.meta.key] = p
    world.nodes[ObjectKey("Node", "", "n1")] = node(memory="8Gi")
    world.poll(dict.fromkeys(world.pods, 200.0), 5.0, available=True)
    rule = "usage-above-request-overcommitted"
    steps: list[Callable[[], None]] = [
        lambda: world.nodes.update({ObjectKey("Node", "", "n1"): node(memory="700Mi")}),  # 768Mi of limits
        lambda: world.pods.pop(ObjectKey("Pod", "shop", "web-b")),  # 512Mi, and 600Mi used: not over
        lambda: world.pods.update(
            {ObjectKey("Pod", "shop", "web-b"): pod("web-b", ("Deployment", "web"), node="n1")}
        ),
    ]
    seen = []
    snap, changes = world.publish(True)
    scorer.update(snap, [changes], now=NOW)
    for step in steps:
        step()
        snap, changes = world.publish(False)
        report = scorer.update(snap, [changes], now=NOW)
        assert not scorer.last_full and report == evaluate(snap, now=NOW)
        seen.append(sorted(f.name for f in report.findings if f.rule == rule))
    assert seen == [["api", "web"], [], ["api", "web"]]
