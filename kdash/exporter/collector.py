"""A prometheus_client Collector over the latest `Samples`: a scrape formats, it never computes.

`Latest` is the hand-over between the update loop (which replaces the whole `Samples` at once, a
single reference assignment) and the HTTP threads (which read whichever one is current), so a
scrape never sees half of one rescoring and half of the next.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from kdash.exporter.samples import Family, Samples


class Latest:
    """The newest `Samples` (replaced whole), and how long the previous scrape took."""

    def __init__(self, samples: Samples | None = None) -> None:
        self.samples = samples or Samples()
        self.scrape_seconds = 0.0


def _family(f: Family) -> Metric:
    metric: GaugeMetricFamily | CounterMetricFamily
    if f.kind == "counter":
        metric = CounterMetricFamily(f.name, f.help, labels=list(f.labels))
    else:
        metric = GaugeMetricFamily(f.name, f.help, labels=list(f.labels))
    for labels, value in f.samples:
        metric.add_metric(list(labels), value)
    return metric


class SamplesCollector(Collector):
    """Yields the families of `latest.samples` as they are, plus the previous scrape's duration."""

    def __init__(self, latest: Latest, *, scrape_duration: bool = True) -> None:
        self.latest = latest
        self.scrape_duration = scrape_duration

    def describe(self) -> list[Metric]:
        return []  # registering must not collect (the first Samples may not exist yet)

    def collect(self) -> Iterator[Metric]:
        samples = self.latest.samples  # one read: the whole scrape is of this one
        for family in samples.families:
            yield _family(family)
        if self.scrape_duration:
            yield GaugeMetricFamily(
                "kdash_scrape_duration_seconds",
                "Time the previous scrape of this endpoint took to format (the values are precomputed).",
                value=self.latest.scrape_seconds,
            )


def registry_for(latest: Latest, *, scrape_duration: bool = True) -> CollectorRegistry:
    """A registry of kdash's metrics alone (no process or platform collectors: the exporter's
    own health is /healthz, and a push gateway should hold the report, not a dead process)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SamplesCollector(latest, scrape_duration=scrape_duration))
    return registry
