"""What the exporter says when the cluster cannot all be read, and when it cannot start."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kdash.exporter.server import MetricsServer, parse_listen
from kdash.sim import start_sim
from tests.exporter.conftest import Exporter, value
from tests.helpers import wait_for


def test_a_forbidden_kind_shows_in_sync_state_and_the_rest_is_served() -> None:
    with start_sim("demo", faults="forbid=resourcequotas") as sim:
        proc = Exporter("--kubeconfig", str(sim.kubeconfig_path), "-A")
        try:
            metrics = proc.ready()  # forbidden is a final answer: the exporter is ready
        finally:
            assert proc.end() == 0
    assert value(metrics, "kdash_sync_state", kind="resourcequotas", state="forbidden") == 1
    assert value(metrics, "kdash_sync_state", kind="resourcequotas", state="live") == 0
    assert value(metrics, "kdash_sync_phase", kind="resourcequotas") == 3
    # the near miss: the kinds that could be read are live, and scored
    assert value(metrics, "kdash_sync_state", kind="pods", state="forbidden") == 0
    assert value(metrics, "kdash_sync_state", kind="pods", state="live") == 1
    kinds = {dict(k)["kind"] for k in metrics["kdash_object_score"]}
    assert "ResourceQuota" not in kinds and "Deployment" in kinds


def _kdash(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kdash", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_an_unreachable_cluster_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    done = _kdash("exporter", "--kubeconfig", str(tmp_path / "missing.yaml"))
    assert done.returncode == 2
    assert "missing.yaml" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("listen", ["9808", "localhost:http", "127.0.0.1:70000", "::"])
def test_a_bad_listen_address_is_a_usage_error(listen: str) -> None:
    done = _kdash("exporter", "--demo", "--listen", listen)
    assert done.returncode == 2
    assert "--listen takes HOST:PORT" in done.stderr and "Traceback" not in done.stderr


def test_parse_listen() -> None:
    assert parse_listen("127.0.0.1:9808") == ("127.0.0.1", 9808)
    assert parse_listen("[::1]:9808") == ("::1", 9808)
    assert parse_listen(":9808") == ("", 9808)


def test_a_port_in_use_is_one_sentence() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        done = _kdash("exporter", "--demo", "--listen", f"127.0.0.1:{port}")
    assert done.returncode == 2
    assert f"Cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr


def test_readyz_is_503_until_the_first_report(tmp_path: Path) -> None:
    """The endpoint alone (no cluster): not ready before a ready `Samples` is in, ready after."""
    import urllib.error
    import urllib.request

    from kdash.exporter.collector import Latest
    from kdash.exporter.samples import Samples

    latest = Latest()
    server = MetricsServer("127.0.0.1", 0, latest)
    server.start()
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.url}/readyz", timeout=10)
        assert refused.value.code == 503
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as alive:
            assert alive.status == 200  # alive while not ready: liveness must not kill a syncing pod
        latest.samples = Samples(ready=True)
        with urllib.request.urlopen(f"{server.url}/readyz", timeout=10) as ready:
            assert ready.status == 200
    finally:
        server.close()


def test_a_lost_connection_shows_in_the_metrics_and_the_scores_stay() -> None:
    with start_sim("demo") as sim:
        proc = Exporter("--kubeconfig", str(sim.kubeconfig_path), "-n", "shop")
        try:
            before = proc.ready()
            assert value(before, "kdash_cluster_reachable") == 1
            sim.go_down(None)
            down = wait_for(
                lambda: (m := proc.metrics()) and value(m, "kdash_cluster_reachable") == 0 and m,
                what="kdash_cluster_reachable 0",
            )
            assert proc.get("/healthz")[0] == 200  # alive: a restart would not bring the server back
            assert value(down, "kdash_cluster_score") == value(before, "kdash_cluster_score")  # last seen
            assert "connection lost" in proc.stderr_text()
            sim.recover()
            wait_for(lambda: value(proc.metrics(), "kdash_cluster_reachable") == 1, what="reachable again")
            wait_for(lambda: "connection regained" in proc.stderr_text(), what="the regained line")
        finally:
            assert proc.end() == 0
