"""Fixtures for the simulator's own tests: one server per module, real kubernetes client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import kubernetes
import pytest

from kdash.sim import SimCluster, start_sim

FROZEN = datetime(2026, 11, 29, 18, 40, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    path = tmp_path_factory.mktemp("sim") / "kubeconfig"
    with start_sim("demo", kubeconfig_path=path) as sim:
        yield sim


def client_for(sim: SimCluster) -> Any:
    return kubernetes.config.new_client_from_config(config_file=str(sim.kubeconfig_path))


@pytest.fixture(scope="module")
def api(demo: SimCluster) -> Any:
    return client_for(demo)


@pytest.fixture(scope="module")
def core(api: Any) -> Any:
    return kubernetes.client.CoreV1Api(api)


def kubeconfig_text(path: Path) -> str:
    return path.read_text()
