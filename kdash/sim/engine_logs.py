"""Log line generators for the behaviour engine: one style per container, seeded, never huge.

The style is guessed from what the scenario already put in the container's log (JSON, a Java stack
trace, hostile escapes) so new lines look like the old ones; the texts reuse the demo's generators
in :mod:`kdash.sim.scenarios.demo_logs`. The 1 MB hostile line is deliberately not repeated: one is
enough to test a renderer, and a stream of them would blow the per-container memory bound.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from kdash.sim.scenarios import demo_logs

JSON = dict[str, Any]

#: Longest line the engine re-emits (hostile lines above this are left out).
MAX_LINE = 4096
_PATHS = ["/", "/products", "/products/42", "/cart", "/api/search?q=shoes", "/static/main.css", "/healthz"]
_AGENTS = ["Mozilla/5.0 (X11; Linux x86_64)", "kube-probe/1.36", "curl/8.5.0"]
_MSGS = [
    "request served",
    "cache miss",
    "db query",
    "item added to cart",
    "payment authorised",
    "slow request",
]


class Style(Enum):
    ACCESS = "access"
    JSON = "json"
    JAVA = "java"
    HOSTILE = "hostile"


@dataclass
class LineSource:
    """Per-container generator state: style, rate and a counter (the randomness is the engine's)."""

    style: Style
    service: str
    #: Lines per simulated second.
    rate: float
    due: float = 0.0
    n: int = 0
    hostile: list[str] = field(default_factory=list)


def guess_style(container: JSON, texts: list[str]) -> tuple[Style, str]:
    """The style of a container's existing log lines (and the JSON ``service`` field if any)."""
    name = str(container.get("name", "app"))
    env = {e.get("name"): e.get("value") for e in container.get("env") or [] if isinstance(e, dict)}
    service = name
    for text in texts:
        if text.startswith("{"):
            try:
                rec = json.loads(text)
            except ValueError:
                continue
            if isinstance(rec, dict) and isinstance(rec.get("service"), str):
                service = rec["service"]
                break
    if any("\x1b" in t or "[@click" in t or "[/" in t for t in texts):
        return Style.HOSTILE, service
    if any(t.startswith("\tat ") for t in texts):
        return Style.JAVA, service
    if env.get("LOG_FORMAT") == "json" or any(t.startswith("{") for t in texts):
        return Style.JSON, service
    return Style.ACCESS, service


def new_source(style: Style, service: str, rng: random.Random, now: datetime) -> LineSource:
    rate = rng.uniform(0.1, 0.25) if style is Style.HOSTILE else rng.uniform(0.2, 0.9)
    src = LineSource(style=style, service=service, rate=rate)
    if style is Style.HOSTILE:
        src.hostile = [t for _, t in demo_logs.hostile(now) if len(t) <= MAX_LINE]
    return src


def _java_stamp(now: datetime) -> str:
    return now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}"


def _json(now: datetime, level: str, msg: str, **extra: Any) -> str:
    return json.dumps({"ts": round(now.timestamp(), 3), "level": level, "msg": msg, **extra})


def next_lines(src: LineSource, rng: random.Random, now: datetime) -> list[str]:
    """One log event: usually one line, sometimes a multi-line Java stack trace."""
    src.n += 1
    k = src.n
    if src.style is Style.HOSTILE:
        return [src.hostile[k % len(src.hostile)]] if src.hostile else [f"line {k}"]
    if src.style is Style.JSON:
        roll = rng.random()
        level = "error" if roll < 0.04 else "warn" if roll < 0.12 else "info"
        return [
            _json(
                now,
                level,
                rng.choice(_MSGS),
                service=src.service,
                latency_ms=rng.randint(1, 900),
                request_id=f"req-{rng.getrandbits(32):08x}",
            )
        ]
    if src.style is Style.JAVA:
        stamp = _java_stamp(now)
        if rng.random() < 0.06:
            trace = [t for _, t in demo_logs.java_trace(now, oom=False)[6:14]]
            return [f"{stamp} ERROR c.a.checkout.OrderController - order failed", *trace]
        ms = rng.randint(3, 1500)
        level = "WARN " if ms > 1200 else "INFO "
        return [
            f"{stamp} {level} c.a.checkout.OrderService - order {rng.randint(1000, 99999)} placed in {ms} ms"
        ]
    code = rng.choice([200] * 12 + [201, 304, 404, 502])
    ip = f"10.244.{rng.randint(0, 3)}.{rng.randint(2, 250)}"
    request = f"GET {rng.choice(_PATHS)} HTTP/1.1"
    return [f'{ip} - - "{request}" {code} {rng.randint(0, 9000)} "-" "{rng.choice(_AGENTS)}"']


def start_lines(style: Style, service: str, now: datetime) -> list[str]:
    """What a crash-looping container prints when its new instance starts."""
    if style is Style.JSON:
        return [
            _json(now, "info", f"starting {service}", service=service),
            _json(now, "info", "connecting to dependencies", service=service),
        ]
    if style is Style.JAVA:
        stamp = _java_stamp(now)
        banner = [t for _, t in demo_logs.java_trace(now, oom=False)[:2]]
        return [
            *banner,
            f"{stamp} INFO  c.a.checkout.Application - Starting Application v2.4.1 using Java 21",
        ]
    return [f"starting {service}"]


def crash_lines(
    style: Style, service: str, now: datetime, *, reason: str, exit_code: int, message: str
) -> list[str]:
    """The last lines of a dying instance; the final line always names why it died."""
    if reason == "OOMKilled":
        if style is Style.JAVA:
            return [t for _, t in demo_logs.java_trace(now, oom=True)[-5:]]
        return [
            "fatal error: runtime: out of memory",
            "Killed: container exceeded its memory limit (OOMKilled)",
        ]
    detail = message or f"process exited with code {exit_code} ({reason})"
    if style is Style.JSON:
        return [
            _json(now, "warn", "dependency unavailable, retrying", service=service),
            _json(now, "fatal", detail, service=service, exitCode=exit_code),
        ]
    if style is Style.JAVA:
        stamp = _java_stamp(now)
        return [
            f"{stamp} ERROR o.s.boot.SpringApplication - Application run failed",
            f"java.lang.IllegalStateException: {detail}",
            "\tat com.acme.checkout.Application.main(Application.java:12)",
            f"{stamp} ERROR c.a.checkout.Application - exiting: {detail}",
        ]
    return [f"error: {detail}"]
