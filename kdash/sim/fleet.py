"""Several simulated clusters at once, behind one kubeconfig with a context each (`kdash sim
--clusters N`, `kdash --demo --fleet`, and the fleet tests).

The clusters differ in scenario and size, and one has faults, so a fleet view has something to
sort: a big production-like cluster with a few crash loops, the demo (crash loops, pending pods,
the behaviour engine), and a small one whose Events are forbidden.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

from kdash.sim import kubeconfig
from kdash.sim.runner import SimCluster, start_sim


@dataclass(frozen=True, slots=True)
class ClusterSpec:
    """One simulated cluster of a fleet: its context name, scenario, size and faults."""

    context: str
    scenario: str = "demo"
    pods: int = 0
    faults: str | None = None


def demo_specs(count: int, pods: int = 1000) -> tuple[ClusterSpec, ...]:
    """`count` clusters: prod (big, `pods` pods), staging (the demo), dev (small, Events
    forbidden), then more big ones of decreasing size (cluster-4, ...)."""
    base = (
        ClusterSpec("prod", "big", pods=pods),
        ClusterSpec("staging", "demo"),
        ClusterSpec("dev", "big", pods=10, faults="forbid=events"),
    )
    extra = [ClusterSpec(f"cluster-{i + 1}", "big", pods=max(10, pods // (i + 1))) for i in range(3, count)]
    return (*base, *extra)[:count]


class SimFleet:
    """Running simulators by context name, and the merged kubeconfig; stop() stops them all."""

    def __init__(self, sims: dict[str, SimCluster], kubeconfig_path: Path) -> None:
        self.sims = sims
        self.kubeconfig_path = kubeconfig_path

    @property
    def contexts(self) -> list[str]:
        return list(self.sims)

    def stop(self) -> None:
        for sim in self.sims.values():
            sim.stop()

    def __enter__(self) -> SimFleet:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_fleet(
    specs: Sequence[ClusterSpec],
    *,
    kubeconfig_path: str | Path | None = None,
    now: Callable[[], datetime] | None = None,
    engine: bool = False,
    tls: bool = True,
    audit_log_dir: str | Path | None = None,
) -> SimFleet:
    """Start one simulator per spec (each on its own port) and write one kubeconfig naming them."""
    names = [s.context for s in specs]
    if len(set(names)) != len(names) or not names:
        raise ValueError("a fleet needs at least one cluster, each with its own context name")
    workdir = Path(tempfile.mkdtemp(prefix="kdash-fleet-"))
    sims: dict[str, SimCluster] = {}
    try:
        for spec in specs:
            audit = Path(audit_log_dir, f"{spec.context}.jsonl") if audit_log_dir else None
            sims[spec.context] = start_sim(
                spec.scenario,
                pods=spec.pods,
                faults=spec.faults,
                kubeconfig_path=workdir / f"{spec.context}.kubeconfig",
                now=now,
                audit_log=audit,
                tls=tls,
                engine=engine,
            )
        path = Path(kubeconfig_path) if kubeconfig_path else workdir / "kubeconfig"
        merged = kubeconfig.merge([(name, sim.kubeconfig_path) for name, sim in sims.items()])
        kubeconfig.write_atomic(path, merged)
    except BaseException:
        for sim in sims.values():
            sim.stop()
        raise
    return SimFleet(sims, path)
