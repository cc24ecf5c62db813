"""The incremental scorer against `evaluate()`: random histories of a small cluster, and after each
scored step the report must be equal to a full evaluation of the same snapshot (findings in the
same order, the same scores, summary, namespace means...). The history mixes every cross-object
read the rules make (HPA targets, PDB selectors, quotas, LimitRange defaults, CronJobs and their
Jobs, pods whose workload comes and goes, crash log tails, the clock, and what the cluster-scope
rules read: Services, Ingresses, NetworkPolicies, ConfigMaps, RBAC, PDB budgets, and kind states
that come and go), exemption annotations and configs with rules switched off. Steps can be left unscored, so change sets arrive merged, and
change sets can name keys that did not change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kdash.health import HealthConfig, HealthReport, evaluate
from kdash.health.incremental import IncrementalScorer
from kdash.health.tally import Tally
from kdash.model.autoscaling import HpaMetric, HpaRecord
from kdash.model.build.network import Backend, IngressPath, IngressRecord
from kdash.model.cluster import ConfigMapRecord, NetworkPolicyRecord, ServiceRecord
from kdash.model.meta import Condition, LabelSelector, ObjectKey, OwnerRef
from kdash.model.pods import ContainerState, ContainerStatus, PodRecord, RestartRecord
from kdash.model.quotas import LimitRangeRecord, QuotaRecord
from kdash.model.rbac import BindingRecord, PolicyRule, RoleRecord, Subject
from kdash.model.snapshot import ClusterSnapshot, KindState, SyncPhase
from kdash.model.source import ChangeSet
from kdash.model.workloads import WorkloadRecord

from .factories import (
    ALL_KINDS,
    GOOD_ANNOTATIONS,
    NOW,
    container,
    crashing,
    init_container,
    limitrange,
    meta,
    pdb,
    pod,
    quota,
    quota_item,
    running,
    template,
    workload,
)

NAMESPACES = ("shop", "pay")
IGNORES: tuple[dict[str, str], ...] = (
    {},
    {"kdash.io/ignore": "pod-crashloop,replicas-single"},
    {"kdash.io/ignore": "*"},
    {"polaris.fairwinds.com/exempt": "true"},
)
CONFIGS = (
    HealthConfig(),
    HealthConfig(disabled=frozenset({"pod-crashloop", "annotations-missing"})),
    HealthConfig(
        disabled=frozenset({"pod-image-pull-failing", "init-container-stuck"}), restarts_threshold=2
    ),
    HealthConfig(only=frozenset({"pod-pending-long", "pod-not-ready", "hpa-target-missing", "job-failed"})),
)
OWNERS: tuple[tuple[str, str] | None, ...] = (
    None,
    ("Deployment", "web"),
    ("Deployment", "api"),
    ("Deployment", "ghost"),
    ("StatefulSet", "db"),
    ("DaemonSet", "agent"),
    ("Job", "nightly-1"),
    ("Job", "nightly-2"),
)
ns_ = st.sampled_from(NAMESPACES[:1] * 4 + NAMESPACES[1:])  # mostly one: more objects meet
minutes = st.sampled_from((1, 4, 6, 30, 600))
annotations = st.sampled_from(IGNORES).map(lambda extra: {**GOOD_ANNOTATIONS, **extra})


def _ago(m: int) -> datetime:
    return NOW - timedelta(minutes=m)


def _status(kind: str, m: int, restarts: int) -> dict[str, Any]:
    """Pod fields for one runtime situation, `m` minutes old."""
    if kind == "crash":
        return {
            "containers": (crashing(restarts=restarts),),
            "conditions": (Condition("Ready", "False", last_transition=_ago(m)),),
        }
    if kind == "pending":
        sched = Condition("PodScheduled", "False", "Unschedulable", "0/3 nodes are available")
        return {"phase": "Pending", "containers": (), "conditions": (sched,)}
    if kind == "notready":
        return {
            "containers": (running(ready=False),),
            "conditions": (Condition("Ready", "False", last_transition=_ago(m)),),
        }
    if kind == "oom":
        return {"containers": (running(last_termination=ContainerState("terminated", reason="OOMKilled")),)}
    if kind == "pull":
        waiting = ContainerState("waiting", reason="ImagePullBackOff", message="manifest unknown")
        return {"phase": "Pending", "containers": (ContainerStatus("app", image="x:1", state=waiting),)}
    if kind == "init":
        init = ContainerStatus("migrate", state=ContainerState("running"), init=True)
        return {
            "phase": "Pending",
            "containers": (),
            "init_containers": (init,),
            "spec": template(container(), init_containers=(init_container(),)),
        }
    if kind == "restarts":
        return {"containers": (running(restart_count=restarts),)}
    return {}


@st.composite
def pods(draw: st.DrawFn) -> PodRecord:
    owner = draw(st.sampled_from(OWNERS))
    kw = _status(draw(st.sampled_from(("ok", "crash", "pending", "notready", "oom", "pull", "init", "restarts"))),
                 draw(minutes), draw(st.sampled_from((1, 3, 7))))  # fmt: skip
    name = draw(st.sampled_from(("a", "b", "c")))
    meta_kw = {"namespace": draw(ns_), "created": _ago(draw(minutes)), "annotations": draw(annotations)}
    if draw(st.booleans()) and "spec" not in kw:
        kw["spec"] = template(container(image="nginx:latest", readiness=None, requests={}))
    return pod(f"{owner[1] if owner else 'bare'}-{name}", owner, meta_kw=meta_kw, **kw)


@st.composite
def workloads(draw: st.DrawFn) -> WorkloadRecord:
    kind, name = draw(st.sampled_from(OWNERS[1:] + (("CronJob", "nightly"),)))  # type: ignore[misc]
    meta_kw: dict[str, Any] = {"namespace": draw(ns_), "annotations": draw(annotations)}
    if draw(st.integers(0, 4)) == 0:
        meta_kw["labels"] = {}
    kw: dict[str, Any] = {}
    if kind == "Job":
        if draw(st.integers(0, 2)):
            meta_kw["owners"] = (OwnerRef("CronJob", "nightly", "uid-cron", controller=True),)
        meta_kw["created"] = _ago(draw(minutes))
        kw["job_failed"] = draw(st.booleans())
    if kind in ("Deployment", "StatefulSet"):
        kw["desired"] = draw(st.sampled_from((1, 3)))
        kw["available"] = draw(st.sampled_from((1, 3)))
        kw["replicas_applied"] = draw(st.booleans())
    if kind == "StatefulSet":
        kw["volume_claim_templates"] = draw(st.sampled_from((0, 1)))
        kw["service_name"] = draw(st.sampled_from(("", "db", "web")))
    variant = draw(st.sampled_from(("clean", "sloppy", "no-cpu", "privileged")))
    if variant == "sloppy":
        kw["template"] = template(container(image="nginx:latest", readiness=None, liveness=None, requests={}))
    elif variant == "no-cpu":
        kw["template"] = template(
            container(requests={"memory": "1Gi"}, limits={}), labels={"app.kubernetes.io/name": "api"}
        )
    elif variant == "privileged":
        kw["template"] = template(
            container(privileged=True), container("side", privileged=True), host_network=True
        )
    return workload(kind, name, meta_kw=meta_kw, **kw)


@st.composite
def hpas(draw: st.DrawFn) -> HpaRecord:
    target_kind, target = draw(st.sampled_from((("Deployment", "web"), ("Deployment", "api"), ("Deployment", "ghost"),
                                                ("StatefulSet", "db"), ("ReplicaSet", "web-rs"))))  # fmt: skip
    lo, hi = draw(st.sampled_from(((2, 10), (3, 3), (1, 4))))
    current = draw(st.sampled_from(("40%", None)))
    active = draw(st.sampled_from(("True", "False")))
    return HpaRecord(
        meta=meta("HorizontalPodAutoscaler", draw(st.sampled_from(("h1", "h2"))), draw(ns_)),
        target_kind=target_kind,
        target_name=target,
        min_replicas=lo,
        max_replicas=hi,
        current_replicas=draw(st.sampled_from((hi, 2))),
        desired_replicas=hi,
        metrics=(HpaMetric("Resource", "cpu", "70%", current, "Utilization", "cpu 40%/70%"),),
        conditions=(
            Condition("ScalingActive", active, "FailedGetResourceMetric" if active == "False" else "Valid"),
        ),
    )


@st.composite
def quotas(draw: st.DrawFn) -> QuotaRecord:
    items = draw(
        st.lists(
            st.sampled_from(
                (
                    quota_item("requests.cpu", "900m", "1"),
                    quota_item("requests.cpu", "1", "4"),
                    quota_item("limits.memory", "3Gi", "4Gi"),
                    quota_item("pods", "19", "20"),
                    quota_item("memory", "1Gi", "1Gi"),
                )
            ),  # fmt: skip
            max_size=3,
            unique=True,
        )
    )
    return quota(draw(st.sampled_from(("compute", "other"))), *items, namespace=draw(ns_))


@st.composite
def limitranges(draw: st.DrawFn) -> LimitRangeRecord:
    kw = draw(
        st.sampled_from(
            ({"default_request": {"cpu": "100m"}}, {"default": {"memory": "1Gi"}}, {"min": {"cpu": "1m"}}, {})
        )
    )
    return limitrange(draw(st.sampled_from(("defaults", "more"))), draw(ns_), **kw)


@st.composite
def pdbs(draw: st.DrawFn) -> Any:
    rec = pdb(
        draw(st.sampled_from(("p1", "p2"))), {"app.kubernetes.io/name": draw(st.sampled_from(("web", "api")))}
    )
    budget = draw(st.sampled_from((("", "1"), ("", "0"), ("2", ""), ("100%", ""), ("1", ""))))
    return replace(
        rec,
        meta=replace(rec.meta, namespace=draw(ns_), annotations=draw(annotations)),
        disruptions_allowed=draw(st.integers(0, 2)),
        min_available=budget[0],
        max_unavailable=budget[1],
        has_status=draw(st.booleans()),
        expected_pods=3,
        current_healthy=draw(st.sampled_from((2, 3))),
    )


APPS = st.sampled_from(("web", "api", "gone"))


def _selector(app: str) -> LabelSelector:
    return LabelSelector({"app.kubernetes.io/name": app})


@st.composite
def services(draw: st.DrawFn) -> ServiceRecord:
    return ServiceRecord(
        meta("Service", draw(st.sampled_from(("web", "db"))), draw(ns_), annotations=draw(annotations)),
        cluster_ip=draw(st.sampled_from(("10.0.0.1", "None"))),
        selector=_selector(draw(APPS)) if draw(st.integers(0, 4)) else LabelSelector(),
        port_numbers=(80,),
        port_names=("http",),
    )


@st.composite
def ingresses(draw: st.DrawFn) -> IngressRecord:
    backend = Backend(draw(st.sampled_from(("web", "db", "gone"))), draw(st.sampled_from((80, 8080, None))))
    return IngressRecord(
        meta("Ingress", draw(st.sampled_from(("i1", "i2"))), draw(ns_)),
        paths=(IngressPath("shop.example.com", "/", "Prefix", backend),),
    )


@st.composite
def netpols(draw: st.DrawFn) -> NetworkPolicyRecord:
    selector = _selector(draw(APPS)) if draw(st.booleans()) else LabelSelector()
    return NetworkPolicyRecord(
        meta("NetworkPolicy", draw(st.sampled_from(("n1", "n2"))), draw(ns_)), selector
    )


@st.composite
def configmaps(draw: st.DrawFn) -> ConfigMapRecord:
    keys = draw(st.sampled_from((("DB_PASSWORD",), ("ca.crt",), ("api-token", "PASSWORD_FILE"))))
    return ConfigMapRecord(meta("ConfigMap", draw(st.sampled_from(("c1", "c2"))), draw(ns_)), keys)


@st.composite
def rbac(draw: st.DrawFn) -> RoleRecord | BindingRecord:
    if draw(st.booleans()):
        kind = draw(st.sampled_from(("Role", "ClusterRole")))
        verbs = draw(st.sampled_from((("get",), ("*",), ("create",))))
        rules = (PolicyRule(("",), draw(st.sampled_from((("pods",), ("pods/exec",), ("secrets",)))), verbs),)
        ns = "" if kind == "ClusterRole" else draw(ns_)
        return RoleRecord(meta(kind, draw(st.sampled_from(("cluster-admin", "debug"))), ns), rules)
    kind = draw(st.sampled_from(("RoleBinding", "ClusterRoleBinding")))
    subject = draw(
        st.sampled_from(
            (
                Subject("ServiceAccount", "default", "shop"),
                Subject("ServiceAccount", "ci", "pay"),
                Subject("Group", "system:serviceaccounts"),
                Subject("Group", "system:masters"),
            )
        )
    )
    role_kind = (
        "ClusterRole" if kind == "ClusterRoleBinding" else draw(st.sampled_from(("Role", "ClusterRole")))
    )
    ns = "" if kind == "ClusterRoleBinding" else draw(ns_)
    name = draw(st.sampled_from(("cluster-admin", "debug")))
    return BindingRecord(
        meta(kind, f"b-{name}", ns, annotations=draw(annotations)), role_kind, name, (subject,)
    )


@st.composite
def states(draw: st.DrawFn) -> dict[str, KindState]:
    """Mostly every kind live (or no states at all, as for manifests); sometimes one of the kinds the
    cluster rules read is forbidden, still syncing or failing."""
    if draw(st.integers(0, 3)) == 0:
        return {}
    out = {k: KindState(k, SyncPhase.LIVE) for k in ALL_KINDS}
    kind = draw(
        st.sampled_from(("services", "networkpolicies", "clusterrolebindings", "roles", "pods", "configmaps"))
    )
    out[kind] = KindState(
        kind, draw(st.sampled_from((SyncPhase.FORBIDDEN, SyncPhase.SYNCING, SyncPhase.LIVE)))
    )
    return out


def _replicaset(ns: str) -> WorkloadRecord:
    return workload("ReplicaSet", "web-rs", meta_kw={"namespace": ns})


FIELDS = {
    WorkloadRecord: "workloads",
    PodRecord: "pods",
    HpaRecord: "hpas",
    QuotaRecord: "quotas",
    LimitRangeRecord: "limitranges",
    ServiceRecord: "services",
    IngressRecord: "ingresses",
    NetworkPolicyRecord: "netpols",
    ConfigMapRecord: "configmaps",
    RoleRecord: "roles",
    BindingRecord: "bindings",
}
CROSS_MAPS = ("services", "ingresses", "netpols", "configmaps", "roles", "bindings")


class World:
    """A mutable cluster; `snapshot()` publishes it and `take()` the ChangeSet since the last publish."""

    def __init__(self) -> None:
        self.maps: dict[str, dict[ObjectKey, Any]] = {
            f: {}
            for f in (
                "pods",
                "workloads",
                "replicasets",
                "hpas",
                "quotas",
                "limitranges",
                "pdbs",
                *CROSS_MAPS,
            )
        }
        self.states: dict[str, KindState] = {}
        self.restarts: tuple[RestartRecord, ...] = ()
        self.taken_at: datetime | None = NOW
        self.context = "ctx"
        self.generation = 0
        self._last: dict[str, dict[ObjectKey, Any]] = {f: {} for f in self.maps}
        self._scope_changed = False

    def put(self, record: Any) -> None:
        if isinstance(record, WorkloadRecord) and record.kind == "ReplicaSet":
            self.maps["replicasets"][record.meta.key] = record
        elif isinstance(record, WorkloadRecord):
            self.maps["workloads"][ObjectKey(record.kind, record.meta.namespace, record.meta.name)] = record
        else:
            self.maps[FIELDS.get(type(record), "pdbs")][record.meta.key] = record

    def switch(self) -> None:
        self.context += "+"
        for m in self.maps.values():
            m.clear()
        self.restarts = ()
        self._scope_changed = True

    def publish(self, spurious: list[ObjectKey]) -> tuple[ClusterSnapshot, ChangeSet]:
        self.generation += 1
        added: set[ObjectKey] = set()
        modified: set[ObjectKey] = set(spurious)
        deleted: set[ObjectKey] = set()
        for f, now in self.maps.items():
            before = self._last[f]
            added |= now.keys() - before.keys()
            deleted |= before.keys() - now.keys()
            modified |= {k for k in now.keys() & before.keys() if now[k] is not before[k]}
            self._last[f] = dict(now)
        changes = ChangeSet(
            self.generation,
            frozenset(added),
            frozenset(modified - added - deleted),
            frozenset(deleted),
            scope_changed=self._scope_changed,
        )
        self._scope_changed = False
        snap = ClusterSnapshot(
            generation=self.generation,
            context=self.context,
            taken_at=self.taken_at,
            restarts=self.restarts,
            states=MappingProxyType(dict(self.states)),
            **{f: MappingProxyType(dict(m)) for f, m in self.maps.items()},  # type: ignore[arg-type]
        )
        return snap, changes


def _keys(world: World) -> list[ObjectKey]:
    return sorted(k for m in world.maps.values() for k in m)


def _apply(world: World, data: st.DataObject, op: str) -> None:
    """One random change to the world."""
    if op == "put":
        record = data.draw(
            st.one_of(pods(), pods(), workloads(), workloads(), hpas(), quotas(), limitranges(), pdbs())
        )
        world.put(record)
    elif op == "cross":
        world.put(
            data.draw(st.one_of(services(), ingresses(), netpols(), configmaps(), rbac(), rbac(), pdbs()))
        )
    elif op == "states":
        world.states = data.draw(states())
    elif op == "replicaset":
        world.put(_replicaset(data.draw(ns_)))
    elif op in ("delete", "touch") and _keys(world):
        key = data.draw(st.sampled_from(_keys(world)))
        m = next(m for m in world.maps.values() if key in m)
        if op == "delete":
            del m[key]
        else:  # a new instance with the same content: a watch event that changed nothing we read
            m[key] = replace(m[key])
    elif op == "crashlog" and world.maps["pods"]:
        key = data.draw(st.sampled_from(sorted(world.maps["pods"])))
        tail = data.draw(st.sampled_from(((), ("panic: nil map",), ("", "fatal: config missing"))))
        rec = RestartRecord(key.namespace, key.name, "app", 7, "CrashLoopBackOff", crash_log=tail)
        others = tuple(r for r in world.restarts if (r.namespace, r.pod) != (key.namespace, key.name))
        world.restarts = others + (rec,) if tail else others
    elif op == "clock":
        step = data.draw(st.sampled_from((0, 1, 2, 5, 60)))
        world.taken_at = (
            None if data.draw(st.integers(0, 9)) == 0 else (world.taken_at or NOW) + timedelta(minutes=step)
        )
    elif op == "switch":
        world.switch()


OPS = ("put", "put", "put", "put", "cross", "cross", "delete", "delete", "touch", "replicaset", "crashlog", "clock",
       "switch", "states")  # fmt: skip


def _same_instances(before: HealthReport, after: HealthReport) -> None:
    """Objects whose findings did not change keep the very same Finding and ObjectScore objects."""
    for key, found in after.by_object.items():
        old = before.by_object.get(key)
        if old is not None and old == found:
            assert all(a is b for a, b in zip(old, found, strict=True)), key
            assert before.scores[key] is after.scores[key], key


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(data=st.data(), steps=st.integers(1, 40))
def test_incremental_equals_full_evaluation(data: st.DataObject, steps: int) -> None:
    world = World()
    # Tally.apply edits its sorted lists object by object, or rebuilds them once for many objects
    scorer = IncrementalScorer(batch_at=data.draw(st.sampled_from([1, 3, Tally.BATCH]), label="batch_at"))
    config = CONFIGS[0]
    pending: list[ChangeSet] = []
    previous: HealthReport | None = None
    for _ in range(steps):
        op = data.draw(st.sampled_from(OPS + ("config",)))
        if op == "config":
            config = data.draw(st.sampled_from(CONFIGS))
        else:
            _apply(world, data, op)
        spurious = data.draw(st.lists(st.sampled_from(_keys(world)), max_size=2)) if _keys(world) else []
        snap, changes = world.publish(spurious)
        pending.append(changes)
        if data.draw(st.integers(0, 3)) == 0:
            continue  # not scored now: the next run gets the change sets merged
        now = None if data.draw(st.booleans()) else snap.taken_at
        incremental = scorer.can_update(snap, config) and not any(c.scope_changed for c in pending)
        got = scorer.update(snap, pending, config, now)
        want = evaluate(snap, config, now)
        assert scorer.last_full is not incremental
        assert got.findings == want.findings
        assert got.objects == want.objects
        assert got == want
        if previous is not None and incremental:
            _same_instances(previous, got)
        previous, pending = got, []


def test_a_change_re_lints_only_what_it_touches() -> None:
    """The scorer's bookkeeping, not a timing: one crash-looping pod among many changes one object."""
    world = World()
    for i in range(20):
        world.put(workload("Deployment", f"web{i}", meta_kw={"namespace": "shop"}))
        world.put(pod(f"web{i}-a", ("Deployment", f"web{i}")))
    scorer = IncrementalScorer()
    snap, _ = world.publish([])
    before = scorer.update(snap, None)
    world.put(pod("web3-a", ("Deployment", "web3"), containers=(crashing(),)))
    snap, changes = world.publish([])
    after = scorer.update(snap, [changes])
    assert not scorer.last_full and after == evaluate(snap)
    changed = {k for k in after.by_object if after.by_object[k] is not before.by_object.get(k)}
    assert changed == {ObjectKey("Deployment", "shop", "web3")}
    web3 = ObjectKey("Deployment", "shop", "web3")
    new = [f for f in after.by_object[web3] if f not in before.by_object[web3]]
    assert sorted(f.rule for f in new) == ["pod-crashloop", "pod-restarts-high"]
    kept = [f for f in after.by_object[web3] if f in before.by_object[web3]]
    assert kept and all(any(f is g for g in before.by_object[web3]) for f in kept)  # same instances
    assert after.findings_for(ObjectKey("Pod", "shop", "web3-a"))[0].rule == "pod-crashloop"


def test_full_run_without_change_sets_or_on_a_new_config() -> None:
    world = World()
    world.put(workload())
    snap, changes = world.publish([])
    scorer = IncrementalScorer()
    scorer.update(snap, [changes])
    assert scorer.last_full  # nothing scored yet
    snap2, changes2 = world.publish([])
    scorer.update(snap2, [changes2])
    assert not scorer.last_full
    scorer.update(snap2, None)
    assert scorer.last_full  # changes not known
    report = scorer.update(snap2, [], HealthConfig(disabled=frozenset({"replicas-single"})))
    assert scorer.last_full and report == evaluate(
        snap2, HealthConfig(disabled=frozenset({"replicas-single"}))
    )
    assert (scorer.full_runs, scorer.incremental_runs) == (3, 1)
