"""`kdash check --push-gateway URL` against a small local HTTP receiver standing in for a Pushgateway:
one PUT of the report's metrics, the same numbers as the printed report; a refused or absent
gateway is one sentence and exit 2, after the report."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kdash.cli import main
from kdash.k8s.kubeconfig import load_target

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


class Receiver(ThreadingHTTPServer):
    """Records every request (method, path, body); answers `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[tuple[str, str, bytes]] = []
        super().__init__(("127.0.0.1", 0), _Record)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Record(BaseHTTPRequestHandler):
    server: Receiver

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.requests.append((self.command, self.path, self.rfile.read(length)))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_POST = _record  # noqa: N815 - the stdlib's names

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _samples(body: bytes) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            out.setdefault(s.name, {})[tuple(sorted(s.labels.items()))] = s.value
    return out


def test_the_live_report_is_pushed_once(
    sim: Any, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    kubeconfig = str(sim.kubeconfig_path)
    rc = main(["check", "--kubeconfig", kubeconfig, "-A", "-o", "json", "--push-gateway", receiver.url])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 1  # the report's own exit code (the demo has errors): the push changed nothing
    context = load_target(kubeconfig=kubeconfig).context
    [(method, path, body)] = receiver.requests
    assert (method, path) == ("PUT", f"/metrics/job/kdash/instance/{context}")
    pushed = _samples(body)
    assert pushed["kdash_cluster_score"][()] == doc["score"]
    objects = {(o["namespace"], o["kind"], o["name"]): o["score"] for o in doc["objects"]}
    assert {
        (d["namespace"], d["kind"], d["name"]): v
        for d, v in ((dict(k), v) for k, v in pushed["kdash_object_score"].items())
    } == objects
    assert sum(pushed["kdash_findings"].values()) == sum(doc["summary"].values())
    assert pushed["kdash_alerts_open"][(("severity", "error"),)] > 0
    assert pushed["kdash_sync_state"][(("kind", "pods"), ("state", "live"))] == 1
    assert "kdash_scrape_duration_seconds" not in pushed  # nothing was scraped


def test_manifests_are_pushed_without_an_instance(
    receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["check", "-f", str(DEPLOY), "-o", "json", "--push-gateway", receiver.url])
    capsys.readouterr()
    assert rc == 0
    [(method, path, body)] = receiver.requests
    assert (method, path) == ("PUT", "/metrics/job/kdash")
    assert _samples(body)["kdash_cluster_score"][()] >= 90


def test_a_refusing_gateway_is_exit_2_after_the_report(
    receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    receiver.status = 500
    rc = main(["check", "-f", str(DEPLOY), "-o", "json", "--push-gateway", receiver.url])
    out, err = capsys.readouterr()
    assert rc == 2
    assert json.loads(out)["grade"] == "A"  # the report was printed first
    last = err.strip().splitlines()[-1]  # after the notes about kinds kdash does not lint
    assert last == f"kdash: Could not push the metrics to {receiver.url}: HTTP 500 Internal Server Error."


def test_an_absent_gateway_is_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rc = main(["check", "-f", str(DEPLOY), "--push-gateway", f"http://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "Could not push the metrics to" in err and "Traceback" not in err
