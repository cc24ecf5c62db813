"""The exporter's HTTP endpoint: /metrics, /healthz (the process answers), /readyz (synced, scored).

A stdlib ThreadingHTTPServer on daemon threads: each request only formats the current `Samples`
(see kdash.exporter.collector), so there is nothing to queue or cache. Read-only by construction:
GET and HEAD, four paths, no query parameters interpreted, no request body read.
"""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client.exposition import choose_encoder

from kdash.errors import UsageError
from kdash.exporter.collector import Latest, registry_for

INDEX = b"kdash exporter: /metrics (Prometheus), /healthz (alive), /readyz (synced and scored)\n"


def parse_listen(text: str) -> tuple[str, int]:
    """'127.0.0.1:9808', '[::1]:9808', ':9808' (every interface) -> (host, port); UsageError else."""
    host, sep, port_text = text.strip().rpartition(":")
    if not sep or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise UsageError(f"--listen takes HOST:PORT (e.g. 127.0.0.1:9808), not {text!r}.")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port_text)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], latest: Latest) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.latest = latest
        self.registry = registry_for(latest)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "kdash-exporter"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _answer(self, *, body: bool) -> None:
        path = self.path.split("?", 1)[0]
        latest = self.server.latest
        if path == "/metrics":
            started = time.perf_counter()
            encoder, content_type = choose_encoder(self.headers.get("Accept", ""))
            payload = encoder(self.server.registry)
            latest.scrape_seconds = time.perf_counter() - started
            self._send(200, payload, content_type, body)
        elif path == "/healthz":
            self._send(200, b"ok\n", "text/plain; charset=utf-8", body)
        elif path == "/readyz":
            if latest.samples.ready:
                self._send(200, b"ready\n", "text/plain; charset=utf-8", body)
            else:
                self._send(
                    503, b"not ready: the cluster is still being read\n", "text/plain; charset=utf-8", body
                )
        elif path == "/":
            self._send(200, INDEX, "text/plain; charset=utf-8", body)
        else:
            self._send(404, b"not found\n", "text/plain; charset=utf-8", body)

    def _send(self, code: int, payload: bytes, content_type: str, body: bool) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass  # a scrape every 15 s is no news; errors surface in the metrics and on stderr


class MetricsServer:
    """Serving on a daemon thread from `start()` until `close()`; `port` is the bound one."""

    def __init__(self, host: str, port: int, latest: Latest) -> None:
        try:
            self._server = _Server((host, port), latest)
        except OSError as exc:
            where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            raise UsageError(f"Cannot listen on {where}: {exc.strerror or exc}.") from None
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="kdash-exporter-http", daemon=True
        )

    @property
    def url(self) -> str:
        host = self.host or "0.0.0.0"
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
