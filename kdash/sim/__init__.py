"""A Kubernetes-API-compatible simulated cluster for kdash's demo, tests and benchmarks."""

from kdash.sim.runner import SimCluster, start_sim

__all__ = ["SimCluster", "start_sim"]
