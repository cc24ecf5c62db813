"""`kdash exporter` as a real process against a simulated cluster, and how tests read its endpoint."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kdash.sim import start_sim
from tests.helpers import wait_for

SERVING = re.compile(rb"serving (http://[^/\s]+)/metrics")


class Exporter:
    """A `kdash exporter` process; `url` is its base address once it said where it listens."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kdash", "exporter", "--listen", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(os.environ),
        )
        self.err: list[bytes] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        found = wait_for(self._url, what="the exporter to say where it listens")
        self.url = found

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in iter(self.proc.stderr.readline, b""):
            self.err.append(line)

    def _url(self) -> str | None:
        for line in list(self.err):
            m = SERVING.search(line)
            if m:
                return m.group(1).decode()
        if self.proc.poll() is not None:
            raise AssertionError(f"the exporter exited {self.proc.returncode}: {self.stderr_text()}")
        return None

    def stderr_text(self) -> str:
        return b"".join(self.err).decode("utf-8", "replace")

    def get(self, path: str, accept: str = "") -> tuple[int, str, str]:
        """(status, content type, body) of a GET."""
        request = urllib.request.Request(self.url + path, headers={"Accept": accept} if accept else {})
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()

    def metrics(self) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
        """Sample name -> {sorted label pairs: value}, parsed by prometheus_client's own parser."""
        status, _, body = self.get("/metrics")
        assert status == 200
        out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
        for family in text_string_to_metric_families(body):
            for sample in family.samples:
                out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
        return out

    def ready(self) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
        """Wait for /readyz, then scrape."""
        wait_for(lambda: self.get("/readyz")[0] == 200, what="/readyz")
        return self.metrics()

    def end(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        self._reader.join(10)
        return code


def value(metrics: dict[str, Any], name: str, **labels: str) -> float:
    return float(metrics[name][tuple(sorted(labels.items()))])


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    with start_sim("demo") as cluster:
        yield cluster


@pytest.fixture(scope="module")
def exporter(sim: Any) -> Iterator[Exporter]:
    proc = Exporter("--kubeconfig", str(sim.kubeconfig_path), "-A")
    try:
        yield proc
    finally:
        assert proc.end() == 0, proc.stderr_text()
