"""metrics.k8s.io items to `PodUsage` / `NodeUsage`: quantities to millicores and bytes, the
sample's timestamp to epoch seconds, its window ("15.029s") to seconds.

A metrics poll of a big cluster parses tens of thousands of quantities, nearly all of one shape
("9227134n", "12888Ki"), so those are read with integer arithmetic and everything else goes
through `kdash.model.quantity`. Any shape is accepted and never raises: an item without a name
or without a single readable usage is skipped (None).
"""

from __future__ import annotations

import re
from functools import lru_cache
from types import MappingProxyType

from kdash.model.build._json import d, istr, lst, s
from kdash.model.meta import ObjectKey
from kdash.model.quantity import try_quantity
from kdash.model.timefmt import parse_time
from kdash.model.usage import NodeUsage, PodUsage, Usage

# Whole-number mantissas with these suffixes are exact in float: value = int(text) * factor.
_CPU_SUFFIX = {"n": 1e-6, "u": 1e-3, "m": 1.0}  # -> millicores
_MEM_SUFFIX = {"Ki": 1024.0, "Mi": 1024.0**2, "Gi": 1024.0**3, "Ti": 1024.0**4, "k": 1e3, "M": 1e6, "G": 1e9}
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_S = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def cpu_millicores(text: object) -> float | None:
    """ "9227134n" -> 9.227134, "250m" -> 250.0, "2" -> 2000.0; None when unreadable."""
    if not isinstance(text, str) or not text:
        return None
    factor = _CPU_SUFFIX.get(text[-1])
    if factor is not None and text[:-1].isdigit():
        return int(text[:-1]) * factor
    if text.isdigit():
        return int(text) * 1000.0
    q = try_quantity(text)
    return float(q) * 1000.0 if q is not None else None


def memory_bytes(text: object) -> float | None:
    """ "12888Ki" -> 13197312.0, "128Mi", "123456"; None when unreadable."""
    if not isinstance(text, str) or not text:
        return None
    if text.isdigit():
        return float(int(text))
    for suffix in (text[-2:], text[-1:]):
        factor = _MEM_SUFFIX.get(suffix)
        if factor is not None and text[: -len(suffix)].isdigit():
            return int(text[: -len(suffix)]) * factor
    q = try_quantity(text)
    return float(q) if q is not None else None


@lru_cache(maxsize=256)
def duration_seconds(text: str) -> float:
    """Go's Duration text ("15.029s", "1m0.5s", "500ms") in seconds; 0.0 when unreadable."""
    pos, total = 0, 0.0
    for m in _DURATION.finditer(text):
        if m.start() != pos:
            return 0.0
        total += float(m.group(1)) * _UNIT_S[m.group(2)]
        pos = m.end()
    return total if pos == len(text) and pos else 0.0


def epoch_seconds(text: object) -> float:
    """An RFC 3339 time in seconds since the epoch; 0.0 when absent or unreadable."""
    parsed = parse_time(text)
    return parsed.timestamp() if parsed is not None else 0.0


def _usage(raw: object) -> Usage | None:
    u = d(raw)
    cpu, mem = cpu_millicores(u.get("cpu")), memory_bytes(u.get("memory"))
    if cpu is None and mem is None:
        return None
    return Usage(cpu or 0.0, mem or 0.0)


def build_pod_usage(obj: object) -> PodUsage | None:
    """One PodMetrics item (containers whose usage cannot be read are left out)."""
    raw = d(obj)
    meta = d(raw.get("metadata"))
    name = s(meta.get("name"))
    if not name:
        return None
    containers: dict[str, Usage] = {}
    for c in lst(raw.get("containers")):
        c = d(c)
        cname, usage = s(c.get("name")), _usage(c.get("usage"))
        if cname and usage is not None:
            containers[istr(cname)] = usage
    return PodUsage(
        key=ObjectKey("Pod", istr(meta.get("namespace")), name),
        at=epoch_seconds(raw.get("timestamp")),
        window=duration_seconds(s(raw.get("window"))),
        containers=MappingProxyType(containers),
    )


def build_node_usage(obj: object) -> NodeUsage | None:
    """One NodeMetrics item; None without a name or a readable usage."""
    raw = d(obj)
    name = s(d(raw.get("metadata")).get("name"))
    usage = _usage(raw.get("usage"))
    if not name or usage is None:
        return None
    return NodeUsage(
        name=istr(name),
        at=epoch_seconds(raw.get("timestamp")),
        window=duration_seconds(s(raw.get("window"))),
        usage=usage,
    )
