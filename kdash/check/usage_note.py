"""What `kdash check` says about usage: whether metrics.k8s.io answered, and how much history the
usage rules saw, so a report without usage findings is never read as "usage is fine".

A one-shot check reads one sample: the rules on current usage (memory near the limit, CPU at the
limit, above requests on an over-committed node) run on it, but right-sizing needs
`rightsizing_minutes` of history, which only `--usage-window` (or the dashboard, which keeps an
hour while it runs) collects. Missing metrics are not an incomplete report: the cluster simply has
no metrics-server, as many do; the note says the usage rules were skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from kdash.health import HealthConfig
from kdash.model.usage import UsageView, span_seconds

UNAVAILABLE = "metrics unavailable: usage rules skipped"


@dataclass(frozen=True, slots=True)
class UsageNote:
    """`samples`: the most samples of one series; `seconds`: the longest span of one series."""

    available: bool
    pods: int = 0
    nodes: int = 0
    samples: int = 0
    seconds: float = 0.0
    rightsizing_minutes: float = 30.0
    reason: str = ""  # why metrics are unavailable, when the service said more than that

    @property
    def text(self) -> str:
        """One line: "metrics unavailable: usage rules skipped", or what was seen and what
        right-sizing still needs."""
        if not self.available:
            return UNAVAILABLE + (f" ({self.reason})" if self.reason else "")
        seen = f"{self.samples} sample{'s' if self.samples != 1 else ''}" + (
            f" over {_minutes(self.seconds)}" if self.seconds else ""
        )
        line = (
            f"usage: metrics for {self.pods} pod{'s' if self.pods != 1 else ''} and {self.nodes} "
            f"node{'s' if self.nodes != 1 else ''}, {seen}"
        )
        if self.seconds < self.rightsizing_minutes * 60:
            line += (
                f"; right-sizing needs {self.rightsizing_minutes:g} min of history "
                "(--usage-window, or the dashboard, which keeps it while it runs)"
            )
        return line

    def as_json(self) -> dict[str, object]:
        doc: dict[str, object] = {"available": self.available, "note": self.text}
        if self.available:
            doc |= {
                "pods": self.pods,
                "nodes": self.nodes,
                "samples": self.samples,
                "history_seconds": round(self.seconds, 1),
                "rightsizing_minutes": self.rightsizing_minutes,
            }
        return doc


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def usage_note(view: UsageView, config: HealthConfig) -> UsageNote:
    """The note for a snapshot's usage view."""
    if not view.available:  # "metrics unavailable (metrics.k8s.io is not served)": the reason
        reason = view.message.removeprefix("metrics unavailable").strip(" :")
        if reason.startswith("(") and reason.endswith(")"):
            reason = reason[1:-1]
        return UsageNote(False, reason=reason)
    samples, seconds = 0, 0.0
    history = view.history
    if history is not None:
        for key in history.keys():  # noqa: SIM118 - a method of UsageHistory, which is no dict
            series = history.series(key)
            samples = max(samples, len(series))
            seconds = max(seconds, span_seconds(series))
    else:
        samples = 1 if view.pods or view.nodes else 0
    return UsageNote(
        True, len(view.pods), len(view.nodes), samples, seconds, float(config.rightsizing_minutes)
    )
