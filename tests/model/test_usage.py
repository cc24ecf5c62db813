"""UsageHistory and the usage arithmetic the health rules and the UI share."""

from __future__ import annotations

from kdash.model.meta import ObjectKey
from kdash.model.usage import (
    Bounds,
    PodUsage,
    Sample,
    Usage,
    UsageHistory,
    container_bounds,
    figures,
    pod_bounds,
    pod_series,
    quantile,
)

POD = ObjectKey("Pod", "shop", "web-1")


def poll(at: float, **containers: tuple[float, float]) -> PodUsage:
    return PodUsage(POD, at, 15.0, {n: Usage(*u) for n, u in containers.items()})


def test_a_ring_keeps_the_newest_samples_and_drops_a_repeated_timestamp() -> None:
    history = UsageHistory(capacity=3)
    for at in (0, 15, 15, 30, 45, 60):  # metrics-server answers the same sample until it scrapes
        history.add_pods([poll(at, app=(at, 2 * at), sidecar=(1, 1))])
    assert history.series(pod_series(POD, "app")) == (
        Sample(30, 30, 60),
        Sample(45, 45, 90),
        Sample(60, 60, 120),
    )
    assert [s.cpu_m for s in history.series(pod_series(POD))] == [31, 46, 61]  # the pod's total
    assert len(history) == 9


def test_a_single_container_pods_total_is_its_container_and_goes_with_it() -> None:
    history = UsageHistory()
    history.add_pods([poll(0, app=(5, 10)), poll(15, app=(6, 11))])
    assert history.series(pod_series(POD)) == history.series(pod_series(POD, "app"))
    assert len(history) == 2  # not stored twice
    history.retain([])
    assert history.series(pod_series(POD)) == () and history.keys() == ()


def test_bounds_follow_the_api_defaults_and_a_missing_limit_is_unbounded() -> None:
    limited = container_bounds({}, {"cpu": "500m", "memory": "256Mi"})
    assert limited == Bounds(500.0, 500.0, 256 * 2**20, 256 * 2**20)  # request defaults to the limit
    unlimited = container_bounds({"cpu": "100m"}, {})
    pod = pod_bounds([limited, unlimited])
    assert pod.cpu_request == 600.0 and pod.cpu_limit is None and pod.memory_request == 256 * 2**20
    f = figures(Usage(300.0, 128 * 2**20), pod)
    assert f.cpu_request_pct == 50.0 and f.cpu_limit_pct is None and f.memory_limit_pct is None


def test_quantile_interpolates_like_numpy() -> None:
    assert quantile([], 0.95) is None
    assert quantile([1, 2, 3, 4], 0.5) == 2.5
    assert quantile([10, 20, 30, 40, 50], 0.95) == 48.0
