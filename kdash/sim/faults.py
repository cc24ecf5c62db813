"""Parsing ``--faults`` specs such as ``forbid=resourcequotas,latency=200ms,down=10s@30s``.

Rates are drawn from a seeded RNG so a faulty run is reproducible.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from kdash.sim.resources import lookup


class FaultSpecError(ValueError):
    """A fault spec that cannot be understood; the message is one sentence for the user."""


#: Kinds of metrics.k8s.io that ``forbid=`` takes by their full name (their plurals are core kinds').
METRICS_KINDS = frozenset({"pods.metrics.k8s.io", "nodes.metrics.k8s.io"})
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(text: str) -> float:
    """``200ms`` / ``10s`` / ``1m`` / ``2`` (seconds) → seconds."""
    m = _DURATION.match(text.strip())
    if not m:
        raise FaultSpecError(f"invalid duration {text!r} (use e.g. 200ms, 10s, 1m)")
    return float(m.group(1)) * _UNITS[m.group(2)]


def _rate(text: str, key: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FaultSpecError(f"{key} must be a number between 0 and 1, not {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise FaultSpecError(f"{key} must be between 0 and 1, not {text!r}")
    return value


@dataclass
class Faults:
    """Active fault settings; an empty instance injects nothing."""

    forbid: set[str] = field(default_factory=set)
    forbid_ns: set[str] = field(default_factory=set)
    latency: float = 0.0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    drop_watch_every: float | None = None
    gone_every: float | None = None
    down_for: float | None = None
    down_at: float = 0.0
    #: The Retry-After header text of throttled (429) answers, verbatim: "1e12" and "abc" test clients.
    retry_after: str = "1"
    #: ``aggregated-discovery=off``: /api and /apis ignore the aggregated Accept (a pre-1.26 server).
    no_aggregated_discovery: bool = False
    #: ``broken-discovery=group[/version]``: that group version's APIService is unavailable (503s,
    #: "Stale" in aggregated discovery); a group without a version means all its versions.
    broken_discovery: set[str] = field(default_factory=set)
    #: ``metrics=on|off``: serve metrics.k8s.io or not, whatever the scenario says (None: as it says).
    metrics: bool | None = None
    rng: random.Random = field(default_factory=lambda: random.Random(1234))

    def roll_error(self) -> bool:
        return self.error_rate > 0 and self.rng.random() < self.error_rate

    def roll_throttle(self) -> bool:
        return self.throttle_rate > 0 and self.rng.random() < self.throttle_rate


def parse_faults(spec: str | None, seed: int = 1234) -> Faults:
    """Parse a comma list; list-valued keys take ``a+b`` or repeat (``forbid=a,forbid=b``)."""
    faults = Faults(rng=random.Random(seed))
    if not spec or not spec.strip():
        return faults
    last_list: set[str] | None = None
    last_key = ""
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        if "=" not in item:
            if last_list is None:
                raise FaultSpecError(f"fault {item!r} needs a value (key=value)")
            _add_list(last_list, last_key, item)
            continue
        key, value = (s.strip() for s in item.split("=", 1))
        last_list = None
        if key == "forbid":
            last_list, last_key = faults.forbid, key
            for v in re.split(r"[+;|]", value):
                _add_list(faults.forbid, key, v)
        elif key == "forbid-ns":
            last_list, last_key = faults.forbid_ns, key
            for v in re.split(r"[+;|]", value):
                _add_list(faults.forbid_ns, key, v)
        elif key == "latency":
            faults.latency = parse_duration(value)
        elif key == "error-rate":
            faults.error_rate = _rate(value, key)
        elif key == "throttle-rate":
            faults.throttle_rate = _rate(value, key)
        elif key == "drop-watch-every":
            faults.drop_watch_every = parse_duration(value)
        elif key == "gone-every":
            faults.gone_every = parse_duration(value)
        elif key == "retry-after":
            if not value:
                raise FaultSpecError("retry-after needs a value (the header text to send)")
            faults.retry_after = value
        elif key == "aggregated-discovery":
            if value not in ("on", "off"):
                raise FaultSpecError(f"aggregated-discovery must be on or off, not {value!r}")
            faults.no_aggregated_discovery = value == "off"
        elif key == "broken-discovery":
            last_list, last_key = faults.broken_discovery, key
            for v in re.split(r"[+;|]", value):
                _add_list(faults.broken_discovery, key, v)
        elif key == "metrics":
            if value not in ("on", "off"):
                raise FaultSpecError(f"metrics must be on or off, not {value!r}")
            faults.metrics = value == "on"
        elif key == "down":
            dur, _, at = value.partition("@")
            faults.down_for = parse_duration(dur)
            faults.down_at = parse_duration(at) if at else 0.0
        else:
            raise FaultSpecError(f"unknown fault {key!r}")
    return faults


def _add_list(target: set[str], key: str, value: str) -> None:
    value = value.strip()
    if not value:
        return
    if key == "forbid" and value not in METRICS_KINDS:
        try:
            value = lookup(value).plural
        except KeyError:
            raise FaultSpecError(f"forbid: unknown resource kind {value!r}") from None
    target.add(value)
