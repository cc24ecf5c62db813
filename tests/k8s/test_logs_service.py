"""The log service against the simulated cluster: membership, resume, previous, bounds, threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from kdash.k8s.kubeconfig import KubeTarget, load_target
from kdash.k8s.logs import LogService, MultiStream
from kdash.k8s.service import ClusterService
from kdash.k8s.settings import ServiceSettings
from kdash.model.meta import ObjectKey
from kdash.model.source import LogLine, LogTarget
from kdash.sim.runner import SimCluster, start_sim
from tests.helpers import wait_for

pytestmark = pytest.mark.timeout(120)


class Sink:
    """Collects batches from a stream thread."""

    def __init__(self) -> None:
        self.lines: list[LogLine] = []
        self.lock = threading.Lock()

    def __call__(self, batch: list[LogLine]) -> None:
        with self.lock:
            self.lines.extend(batch)

    def texts(self, pod: str | None = None, *, events: bool = False) -> list[str]:
        with self.lock:
            return [
                ln.text for ln in self.lines if (pod is None or ln.pod == pod) and bool(ln.event) == events
            ]


@pytest.fixture(scope="module")
def sim() -> Iterator[SimCluster]:
    cluster = start_sim("demo")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def target(sim: SimCluster) -> KubeTarget:
    return load_target(kubeconfig=str(sim.kubeconfig_path))


@pytest.fixture(scope="module")
def cluster(target: KubeTarget) -> Iterator[ClusterService]:
    service = ClusterService(target, settings=ServiceSettings(kinds=("pods", "replicasets", "deployments")))
    service.start()
    assert service.wait_until_synced(30)
    yield service
    service.stop()


def first_pod(sim: SimCluster, prefix: str, namespace: str = "shop") -> dict[str, Any]:
    for pod in sim.list("pods", namespace):
        if pod["metadata"]["name"].startswith(prefix):
            return pod
    raise AssertionError(f"no {prefix} pod")


def no_log_threads() -> bool:
    return not [t for t in threading.enumerate() if t.name.startswith(("kdash-log", "kdash-logs"))]


def test_single_container_follow_sees_appended_lines(sim: SimCluster, target: KubeTarget) -> None:
    pod = first_pod(sim, "checkout")["metadata"]["name"]
    svc = LogService(target, flush_interval=0.02)
    sink = Sink()
    stream = svc.open(LogTarget("shop", pod=pod, container="checkout", tail_lines=0), sink)
    wait_for(lambda: stream.connected, "the stream to connect")
    sim.append_log("shop", pod, "checkout", ["one", "two", "[bold red]three[/]"])
    wait_for(lambda: len(sink.texts()) >= 3, "three lines")
    assert sink.texts() == ["one", "two", "[bold red]three[/]"]
    assert all(ln.timestamp is not None and ln.pod == pod for ln in sink.lines)
    stream.stop(wait=True)
    assert stream.threads_alive == 0


def test_dropped_stream_resumes_without_duplicates_or_gaps(sim: SimCluster, target: KubeTarget) -> None:
    pod = first_pod(sim, "cart")["metadata"]["name"]
    svc = LogService(target, flush_interval=0.02, backoff=(0.1, 0.5))
    sink = Sink()
    stream = svc.open(LogTarget("shop", pod=pod, container="cart", tail_lines=5), sink)
    wait_for(lambda: len(sink.texts()) >= 5, "the tail")
    before = sink.texts()
    sent = [f"a{i}" for i in range(20)]
    sim.append_log("shop", pod, "cart", sent)
    wait_for(lambda: len(sink.texts()) >= 25, "batch a")
    sim.go_down(0.5)
    during = [f"b{i}" for i in range(20)]
    sim.append_log("shop", pod, "cart", during)  # written while nobody can read
    time.sleep(0.8)
    after = [f"c{i}" for i in range(20)]
    sim.append_log("shop", pod, "cart", after)
    wait_for(lambda: len(sink.texts()) >= 65, "every line after the outage")
    time.sleep(0.3)  # any duplicate would arrive now
    assert sink.texts() == before + sent + during + after
    stream.stop(wait=True)


def test_multi_pod_follow_joins_new_pods_and_marks_gone_ones(
    sim: SimCluster, target: KubeTarget, cluster: ClusterService
) -> None:
    svc = LogService(target, cluster, flush_interval=0.02, resolve_interval=0.5)
    sink = Sink()
    stream = svc.open(LogTarget("shop", label_selector="app=web", container="nginx", tail_lines=1), sink)
    wait_for(lambda: stream.status.startswith("following 3 containers"), "three web pods")
    template = first_pod(sim, "web-")
    new = {**template, "metadata": {**template["metadata"], "name": "web-extra-1", "uid": "uid-web-extra-1"}}
    new["metadata"].pop("resourceVersion", None)
    sim.apply({"kind": "Pod", "apiVersion": "v1", **new})
    wait_for(lambda: "web-extra-1/nginx: joined" in sink.texts(events=True), "the new pod to join")
    wait_for(lambda: stream.connected and stream.status.startswith("following 4 containers"), "four")
    sim.append_log("shop", "web-extra-1", "nginx", ["hello from the new pod"])
    wait_for(lambda: "hello from the new pod" in sink.texts("web-extra-1"), "its line")
    sim.delete("pods", "shop", "web-extra-1")
    wait_for(
        lambda: any("web-extra-1/nginx: stopped" in t for t in sink.texts(events=True)), "the leave mark"
    )
    wait_for(lambda: stream.status.startswith("following 3 containers"), "back to three")
    stream.stop(wait=True)
    assert stream.threads_alive == 0


def test_workload_target_and_stream_cap(sim: SimCluster, target: KubeTarget, cluster: ClusterService) -> None:
    web = ObjectKey("Deployment", "shop", "web")
    svc = LogService(target, cluster, max_streams=2, flush_interval=0.02)
    sink = Sink()
    stream = svc.open(LogTarget("shop", workload=web, tail_lines=1), sink)
    wait_for(lambda: stream.status.startswith("following 2 of 6 containers"), "the cap notice")
    assert len(stream.containers) == 6
    stream.stop(wait=True)


def test_previous_logs_after_a_crash(sim: SimCluster, target: KubeTarget, cluster: ClusterService) -> None:
    pod = first_pod(sim, "recommender")["metadata"]["name"]
    sim.append_log("shop", pod, "recommender", ["about to crash", "panic: boom"])
    sim.restart_container("shop", pod, "recommender", reason="Error", exit_code=2)
    svc = LogService(target, cluster)
    lines = svc.fetch_previous("shop", pod, "recommender", tail=2)
    assert lines == ["about to crash", "panic: boom"]
    sink = Sink()
    stream = svc.open(LogTarget("shop", pod=pod, container="recommender", previous=True, follow=False), sink)
    wait_for(lambda: "panic: boom" in sink.texts(), "the previous instance's log")
    assert stream.status.startswith("reading 1 container")
    stream.stop(wait=True)


def test_ring_buffer_drops_oldest_and_counts(sim: SimCluster, target: KubeTarget) -> None:
    pod = first_pod(sim, "frontend")["metadata"]["name"]
    svc = LogService(target, buffer_lines=50, flush_interval=0.01)
    gate = threading.Event()
    sink = Sink()
    calls = []

    def slow_reader(batch: list[LogLine]) -> None:
        calls.append(len(batch))
        gate.wait(30)  # the UI is stuck: lines pile up in the stream's ring
        sink(batch)

    stream = svc.open(LogTarget("shop", pod=pod, container="frontend", tail_lines=0), slow_reader)
    wait_for(lambda: stream.connected, "connect")
    sim.append_log("shop", pod, "frontend", ["first"])
    wait_for(lambda: bool(calls), "the reader to block on the first batch")
    sim.append_log("shop", pod, "frontend", [f"line {i}" for i in range(300)])
    wait_for(lambda: stream.received >= 301, "every line read from the socket")
    gate.set()
    wait_for(lambda: len(sink.texts()) + stream.dropped >= 301, "the ring to drain")
    texts = sink.texts()
    assert stream.dropped == 301 - len(texts) > 0
    assert texts[0] == "first"
    assert texts[-1] == "line 299"
    assert len(texts) == 51  # the first batch, then the newest 50
    stream.stop(wait=True)


def test_stop_all_leaves_no_threads(sim: SimCluster, target: KubeTarget, cluster: ClusterService) -> None:
    svc = LogService(target, cluster)
    streams: list[MultiStream] = [
        svc.open(LogTarget("shop", label_selector="app=web"), Sink()),
        svc.open(LogTarget("shop"), Sink()),
    ]
    wait_for(lambda: all(s.status.startswith("following") for s in streams), "streams to start")
    svc.stop_all()
    assert all(s.threads_alive == 0 for s in streams)
    wait_for(no_log_threads, "log threads to end", 5)


def test_unknown_pod_reports_an_error(target: KubeTarget) -> None:
    svc = LogService(target, backoff=(0.05, 0.1))
    sink = Sink()
    stream = svc.open(LogTarget("shop", pod="no-such-pod", container="x"), sink)
    wait_for(lambda: bool(sink.texts(events=True)), "an error line")
    assert "not found" in sink.texts(events=True)[0]
    assert "no-such-pod/x" in stream.status
    stream.stop(wait=True)


def test_every_request_carries_the_kdash_user_agent(sim: SimCluster, target: KubeTarget) -> None:
    """Lists, watches, /version, pod lookups and every kind of log read: one raw API path, one agent."""
    from kdash import __version__

    sim.clear_audit()
    settings = ServiceSettings(kinds=("pods", "deployments"), watch_timeout_seconds=2, read_timeout_seconds=4)
    service = ClusterService(target, settings=settings)
    service.start()
    try:
        assert service.wait_until_synced(30)
        svc = LogService(target, flush_interval=0.02)  # no cluster service: it lists pods itself
        sink = Sink()
        stream = svc.open(LogTarget("shop", label_selector="app=web", container="nginx", tail_lines=1), sink)
        wait_for(lambda: stream.connected, "the streams to connect")
        pod = first_pod(sim, "recommender")["metadata"]["name"]
        sim.restart_container("shop", pod, "recommender")
        svc.fetch_previous("shop", pod, "recommender", tail=2)
        stream.stop(wait=True)
        wait_for(lambda: bool(service.server_version()), "the server version")
        wait_for(lambda: any(a["verb"] == "watch" for a in sim.audit), "a watch to end (audited then)")
    finally:
        service.stop()
    audit = sim.audit
    paths = {a["path"] for a in audit}
    assert "/version" in paths
    assert any(p.endswith("/log") for p in paths)
    assert {a["verb"] for a in audit} >= {"list", "watch", "get"}
    assert {a["user_agent"] for a in audit} == {f"kdash/{__version__}"}


def test_a_429_storm_with_a_huge_retry_after_does_not_freeze_a_log_stream(
    sim: SimCluster, target: KubeTarget
) -> None:
    """A log request answered 429 with `Retry-After: 100000` says so and retries within its back-off
    (urllib3's own retries would sleep out the 28 hours, deaf to stop())."""
    pod = first_pod(sim, "checkout")["metadata"]["name"]
    svc = LogService(target, flush_interval=0.02, backoff=(0.1, 0.5))
    sink = Sink()
    sim.set_faults("throttle-rate=1,retry-after=100000")
    try:
        stream = svc.open(LogTarget("shop", pod=pod, container="checkout", tail_lines=0), sink)
        wait_for(lambda: "Too many requests" in stream.status, "the 429 in the stream's status")
    finally:
        sim.set_faults(None)
    wait_for(lambda: stream.connected and "Too many" not in stream.status, "the stream once the storm ends")
    sim.append_log("shop", pod, "checkout", ["after the storm"])
    wait_for(lambda: "after the storm" in sink.texts(), "a line after the storm")
    stream.stop(wait=True)
    assert stream.threads_alive == 0


def test_a_workload_target_waits_for_the_pod_list_before_saying_none_match() -> None:
    """While the pods are still being listed, no match is not "no running containers match"."""
    slow = start_sim("demo")
    try:
        slow.set_faults("latency=1500ms")  # every answer, the pod list too, takes a while
        target = load_target(kubeconfig=str(slow.kubeconfig_path))
        service = ClusterService(
            target, settings=ServiceSettings(kinds=("pods", "replicasets", "deployments"))
        )
        service.start()
        try:
            svc = LogService(target, service, flush_interval=0.02, resolve_interval=0.2)
            stream = svc.open(
                LogTarget("shop", workload=ObjectKey("Deployment", "shop", "web"), tail_lines=1), Sink()
            )
            wait_for(lambda: stream.status == "waiting for the pod list…", "the waiting note")
            slow.set_faults("")
            wait_for(lambda: stream.status.startswith("following 6 containers"), "the web pods, once listed")
            stream.stop(wait=True)
        finally:
            service.stop()
    finally:
        slow.stop()
