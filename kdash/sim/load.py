"""The behaviour engine's load curve: a slow wave that the HPA's demand (engine_scale) and the
metrics-server's usage (metrics_model) both follow, so a busy minute is busy everywhere."""

from __future__ import annotations

import math

#: Simulated seconds for one full cycle of the load curve.
LOAD_PERIOD = 240.0


def wave(sim_time: float, phase: float = 0.0) -> float:
    """0 at the start of a cycle, 1 half-way, 0 again at its end; `phase` (0..1) shifts it."""
    return (1 - math.cos(2 * math.pi * (sim_time / LOAD_PERIOD + phase))) / 2
