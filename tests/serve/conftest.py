"""Fixtures for `kdash serve`: a simulated cluster and guarded servers in the test's event loop."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from kdash.serve.command import child_argv
from kdash.serve.server import KdashServer
from kdash.sim import start_sim

TOKEN = "s3cret-token-for-tests-only"


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    cluster = start_sim("demo")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
async def serve(sim: Any) -> AsyncIterator[Callable[..., Awaitable[str]]]:
    """`await serve(token=..., max_sessions=...)`: a KdashServer on a free loopback port serving
    real `python -m kdash` processes on the sim; its base URL. Stopped after the test."""
    started: list[KdashServer] = []

    async def start(*, token: str | None = TOKEN, max_sessions: int = 3) -> str:
        args = argparse.Namespace(kubeconfig=str(sim.kubeconfig_path), namespace="shop")
        server = KdashServer(
            shlex.join(child_argv(args)),
            host="127.0.0.1",
            port=0,
            token=token,
            max_sessions=max_sessions,
            title="kdash",
        )
        started.append(server)
        return f"http://127.0.0.1:{await server.start()}"

    try:
        yield start
    finally:
        for server in started:
            await server.stop()
