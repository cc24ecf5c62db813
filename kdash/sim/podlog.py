"""``GET /api/v1/namespaces/N/pods/P/log``: plain and follow modes."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from aiohttp import web

from kdash.sim import status
from kdash.sim.logs import LogError, LogQuery, check_startable, pick_container, render
from kdash.sim.resources import ResourceType
from kdash.sim.state import SimState


def _int(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    return int(value)


def _query(request: web.Request, state: SimState) -> LogQuery:
    q = request.query
    since: datetime | None = None
    if (secs := _int(q.get("sinceSeconds"))) is not None:
        since = state.now() - timedelta(seconds=secs)
    elif q.get("sinceTime"):
        since = datetime.fromisoformat(q["sinceTime"].replace("Z", "+00:00"))
    return LogQuery(
        tail_lines=_int(q.get("tailLines")),
        since=since,
        timestamps=q.get("timestamps") in ("1", "true"),
        limit_bytes=_int(q.get("limitBytes")),
    )


async def pod_log(
    request: web.Request, state: SimState, rt: ResourceType, namespace: str, name: str
) -> web.StreamResponse:
    entry = state.store.entry("pods", namespace, name)
    if entry is None:
        return status.not_found(rt, name)
    pod = entry.obj
    previous = request.query.get("previous") in ("1", "true")
    try:
        query = _query(request, state)
        container = pick_container(pod, request.query.get("container"))
        log = state.logs.container_log((namespace, name, container))
        check_startable(pod, container, log, previous)
    except LogError as exc:
        return status.error(exc.code, exc.message)
    except ValueError as exc:
        return status.error(400, f"invalid log options: {exc}")
    lines = (log.previous or []) if previous else log.current
    body = render(lines, query)
    follow = request.query.get("follow") in ("1", "true") and not previous
    if not follow:
        return web.Response(
            body=body, headers={"Content-Type": "text/plain", "Cache-Control": "no-cache, private"}
        )
    resp = web.StreamResponse(headers={"Content-Type": "text/plain", "Cache-Control": "no-cache, private"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    sent_bytes = len(body)
    await resp.write(body)
    sent, generation = len(log.current), log.generation
    tail_query = LogQuery(timestamps=query.timestamps)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + state.max_watch_seconds
    try:
        while query.limit_bytes is None or sent_bytes < query.limit_bytes:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                # Wake at least once a second: aiohttp does not cancel a handler whose client went
                # away, so a quiet follow would otherwise hold shutdown until the next log line.
                await asyncio.wait_for(log.changed.wait(), timeout=min(remaining, 1.0))
            except TimeoutError:
                if _client_gone(request) or state.closed:
                    break
                continue
            if state.store.entry("pods", namespace, name) is None:
                break
            current = state.logs.container_log((namespace, name, container))
            if current is not log or log.generation != generation:
                break  # pod gone or container restarted: the kubelet ends the stream
            chunk = render(log.current[sent:], tail_query)
            sent = len(log.current)
            if query.limit_bytes is not None:
                chunk = chunk[: query.limit_bytes - sent_bytes]
            sent_bytes += len(chunk)
            if chunk:
                await resp.write(chunk)
        await resp.write_eof()
    except (ConnectionResetError, ConnectionError):
        pass  # the client hung up mid-write: nothing left to tell it
    return resp


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()
