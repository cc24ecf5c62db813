"""Scripted log content for the demo: access logs, JSON logs, a Java stack trace and hostile lines."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from kdash.sim.logs import Line


def _spread(now: datetime, texts: list[str], step: float = 7.0) -> list[Line]:
    n = len(texts)
    return [(now - timedelta(seconds=(n - i) * step), t) for i, t in enumerate(texts)]


def access_log(now: datetime, n: int = 60, seed: int = 0) -> list[Line]:
    paths = ["/", "/products", "/products/42", "/cart", "/api/search?q=shoes", "/static/main.css", "/healthz"]
    agents = ["Mozilla/5.0 (X11; Linux x86_64)", "kube-probe/1.36", "curl/8.5.0"]
    lines = []
    for i in range(n):
        k = i + seed
        code = 200 if k % 11 else (404 if k % 2 else 502)
        lines.append(
            f'10.244.1.{k % 250} - - "GET {paths[k % len(paths)]} HTTP/1.1" {code} {(k * 397) % 9000} '
            f'"-" "{agents[k % len(agents)]}"'
        )
    return _spread(now, lines, 5.0)


def json_log(now: datetime, n: int = 40, service: str = "cart") -> list[Line]:
    msgs = [
        "request served",
        "cache miss",
        "db query",
        "item added to cart",
        "payment authorised",
        "slow request",
    ]
    out = []
    for i in range(n):
        t = now - timedelta(seconds=(n - i) * 6)
        level = "warn" if i % 13 == 12 else ("error" if i % 17 == 16 else "info")
        rec = {
            "level": level,
            "msg": msgs[i % len(msgs)],
            "ts": t.timestamp(),
            "service": service,
            "latency_ms": (i * 37) % 900,
            "request_id": f"req-{i:05d}",
        }
        out.append((t, json.dumps(rec)))
    return out


def json_crash(now: datetime) -> list[Line]:
    lines = json_log(now - timedelta(minutes=3), 15)
    t = now - timedelta(minutes=2, seconds=5)
    lines.append(
        (
            t,
            json.dumps(
                {
                    "level": "fatal",
                    "msg": "cannot connect to redis: dial tcp 10.96.0.12:6379: connect: connection refused",
                    "ts": t.timestamp(),
                }
            ),
        )
    )
    return lines


def java_trace(now: datetime, *, oom: bool) -> list[Line]:
    start = [
        "  .   ____          _            __ _ _",
        " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\",
        "2026-01-01 INFO  c.a.checkout.Application - Starting Application v2.4.1 using Java 21.0.4",
        "2026-01-01 INFO  c.a.checkout.Application - Started Application in 6.42 seconds",
        "2026-01-01 WARN  c.a.checkout.PricingClient - pricing service slow (1203 ms)",
        "2026-01-01 ERROR c.a.checkout.OrderController - order failed",
        "java.lang.IllegalStateException: inventory reservation expired for order 8812",
        "\tat com.acme.checkout.Inventory.reserve(Inventory.java:118)",
        "\tat com.acme.checkout.OrderService.place(OrderService.java:64)",
        "\tat com.acme.checkout.OrderController.post(OrderController.java:41)",
        "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(Unknown Source)",
        "Caused by: java.util.concurrent.TimeoutException: reservation lock",
        "\tat com.acme.checkout.Locks.acquire(Locks.java:22)",
        "\t... 3 more",
    ]
    if oom:
        start += [
            "2026-01-01 ERROR c.a.checkout.ReportJob - report generation failed",
            'Exception in thread "report-1" java.lang.OutOfMemoryError: Java heap space',
            "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3512)",
            "\tat com.acme.checkout.ReportJob.build(ReportJob.java:77)",
            "Killed: container exceeded its memory limit (OOMKilled)",
        ]
    return _spread(now - (timedelta(minutes=2) if oom else timedelta()), start, 3.0)


def hostile(now: datetime) -> list[Line]:
    """Lines that break naive renderers: Rich markup, ANSI/OSC escapes and one 1 MB line."""
    texts = [
        "normal line before the storm",
        "[bold red]x[/] rich markup that must be shown literally",
        "[@click=app.quit]click[/] a link that must never quit the app",
        "closing tag without opening [/bold] and [/] and [link=https://evil.example]x[/link]",
        "\x1b[31mred via ANSI SGR\x1b[0m and \x1b[1;4;38;5;208mbold underline orange\x1b[0m",
        "cursor moves \x1b[10A\x1b[5C and clear screen \x1b[2J\x1b[H right here",
        "window title \x1b]0;PWNED\x07 set by OSC 0",
        "clipboard write \x1b]52;c;cHduZWQ=\x07 via OSC 52",
        "hyperlink \x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\ via OSC 8",
        "tabs\tand\tcarriage\rreturn and bell \x07 and backspace \x08\x08",
        "unicode: 日本語 emoji 🚀 zero-width\u200bjoiner RTL \u202eevil\u202c",
        "A" * (1024 * 1024),
        "normal line after the 1 MB line",
    ]
    return _spread(now, texts, 2.0)
