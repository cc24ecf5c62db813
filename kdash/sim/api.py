"""Resource endpoints: get, list (selectors, pagination, tables) and watch."""

from __future__ import annotations

import asyncio
import base64
import binascii
import bisect
from typing import Any

import orjson
from aiohttp import web

from kdash.sim import status, tables
from kdash.sim.podlog import pod_log
from kdash.sim.resources import ResourceType
from kdash.sim.selectors import Matcher, SelectorError, combine, field_matcher, label_matcher
from kdash.sim.state import SimState
from kdash.sim.store import Entry, Event, Key, Store, with_kind

__all__ = ["accept_form", "get_object", "list_objects", "pod_log", "watch"]

JSON = dict[str, Any]
_CHUNK = 1 << 20
_HEADERS = {"Cache-Control": "no-cache, private"}


def _wants(request: web.Request) -> str:
    """``table``, ``metadata`` or ``json`` from the Accept header (first supported wins)."""
    for part in request.headers.get("Accept", "").split(","):
        if "as=Table" in part:
            return "table"
        if "as=PartialObjectMetadata" in part:
            return "metadata"
        if part.strip().startswith(("application/json", "*/*")) and "as=" not in part:
            return "json"
    return "json"


def accept_form(request: web.Request) -> str:
    """What a read returns, for the audit log: ``json`` (whole objects), ``metadata`` (metadata
    only), ``table`` (rows with metadata or nothing) or ``table+object`` (rows with whole objects)."""
    wants = _wants(request)
    if wants == "table" and request.query.get("includeObject") == "Object":
        return "table+object"
    return wants


def _matcher(request: web.Request) -> Matcher | None:
    return combine(
        label_matcher(request.query.get("labelSelector")), field_matcher(request.query.get("fieldSelector"))
    )


def get_object(
    request: web.Request, state: SimState, rt: ResourceType, namespace: str | None, name: str
) -> web.Response:
    entry = state.store.entry(rt.key, namespace or "", name)
    if entry is None:
        return status.not_found(rt, name)
    wants = _wants(request)
    if wants == "table":
        include = request.query.get("includeObject", "Metadata")
        doc = tables.table(rt, [entry.obj], state.now(), include, {"resourceVersion": str(state.store.rv)})
        return web.Response(body=orjson.dumps(doc), content_type="application/json", headers=_HEADERS)
    if wants == "metadata":
        body = orjson.dumps(_partial(entry.obj))
    else:
        body = with_kind(rt, entry.raw)
    return web.Response(body=body, content_type="application/json", headers=_HEADERS)


def _partial(obj: JSON) -> JSON:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata")}


def encode_continue(rv: int, key: Key, all_namespaces: bool) -> str:
    start = f"/{key[0]}/{key[1]}\x00" if all_namespaces and key[0] else f"/{key[1]}\x00"
    raw = orjson.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token: str, namespace: str | None) -> tuple[int, Key]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        rv, start = int(data["rv"]), str(data["start"]).rstrip("\x00")
    except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise ValueError("invalid continue token") from exc
    parts = start.lstrip("/").split("/", 1)
    if len(parts) == 2:
        return rv, (parts[0], parts[1])
    return rv, (namespace or "", parts[0])


async def list_objects(
    request: web.Request, state: SimState, rt: ResourceType, namespace: str | None
) -> web.StreamResponse:
    store, q = state.store, request.query
    try:
        matcher = _matcher(request)
    except SelectorError as exc:
        return status.error(400, str(exc))
    list_rv = q.get("resourceVersion", "")
    if list_rv not in ("", "0"):
        try:
            wanted = int(list_rv)
        except ValueError:
            return status.error(400, f"invalid resource version: {list_rv}")
        exact = q.get("resourceVersionMatch") == "Exact"
        if exact and store.too_old(wanted):
            return status.error(410, "The resourceVersion for the provided list is too old.")
        if wanted > store.rv and not exact:
            store = await _wait_for_rv(state, wanted)
        if wanted > store.rv:  # Exact reads go to etcd, which answers at once and without a retry hint
            return status.too_large_resource_version(wanted, store.rv, 0 if exact else 1)
    rv = store.rv
    selector = (q.get("labelSelector"), q.get("fieldSelector"))
    index, lo, hi = store.view(rt.key, namespace, selector, matcher)
    start = lo
    token = q.get("continue")
    if token:
        try:
            token_rv, after = decode_continue(token, namespace)
        except ValueError:
            return status.error(400, "continue key is not valid: invalid continue token")
        if store.too_old(token_rv):
            fresh = encode_continue(rv, after, namespace is None)
            return status.error(410, status.CONTINUE_TOO_OLD, metadata={"continue": fresh})
        rv = token_rv
        start = bisect.bisect_right(index.keys, after, lo, hi)
    try:
        limit = max(int(q.get("limit") or 0), 0)
    except ValueError:
        limit = 0
    if list_rv == "0" and not token:
        limit = 0  # served from the watch cache: the real server ignores limit
    end = min(start + limit, hi) if limit else hi
    selected = index.entries[start:end]
    remaining = hi - end
    meta: JSON = {"resourceVersion": str(rv)}
    if remaining:
        meta["continue"] = encode_continue(rv, index.keys[end - 1], namespace is None)
        meta["remainingItemCount"] = remaining
    wants = _wants(request)
    if wants == "table":
        include = q.get("includeObject", "Metadata")
        doc = tables.table(rt, [e.obj for e in selected], state.now(), include, meta)
        return web.Response(body=orjson.dumps(doc), content_type="application/json", headers=_HEADERS)
    if wants == "metadata":
        kind, api_version = b"PartialObjectMetadataList", b"meta.k8s.io/v1"
        items = [orjson.dumps(_partial(e.obj)) for e in selected]
    else:
        kind, api_version = rt.list_kind.encode(), rt.api_version.encode()
        items = [e.raw for e in selected]
    head = b'{"kind":"%s","apiVersion":"%s","metadata":%s,"items":[' % (kind, api_version, orjson.dumps(meta))
    return await _send_chunked(request, head, items, b"]}")


async def _wait_for_rv(state: SimState, wanted: int) -> Store:
    """Wait (bounded, like the watch cache's 3 s) for the store to reach `wanted`; returns the store."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + state.too_large_wait
    while state.store.rv < wanted and loop.time() < deadline:
        await asyncio.sleep(min(0.05, max(deadline - loop.time(), 0.0)))
    return state.store


async def _send_chunked(
    request: web.Request, head: bytes, items: list[bytes], tail: bytes
) -> web.StreamResponse:
    """Write a big list in ~1 MB pieces, yielding to the loop so concurrent watches keep flowing.

    Each piece is one ``b",".join`` of a run of items sized from their mean length, so writing N items
    costs a byte join plus one ``await`` per megabyte, not Python work per item.
    """
    resp = web.StreamResponse(headers={"Content-Type": "application/json", **_HEADERS})
    size = sum(map(len, items))
    resp.content_length = len(head) + len(tail) + size + max(len(items) - 1, 0)
    await resp.prepare(request)
    step = max(1, _CHUNK * len(items) // size) if size else len(items) or 1
    for i in range(0, len(items), step):
        piece = b",".join(items[i : i + step])
        await resp.write(head + piece if i == 0 else b"," + piece)
    await resp.write(head + tail if not items else tail)
    await resp.write_eof()
    return resp


def _event_type(ev: Event, namespace: str | None, matcher: Matcher | None) -> str | None:
    """The event type this watcher sees, honouring selectors like the real server (None = skip)."""
    if namespace is not None and ev.namespace != namespace:
        return None
    if matcher is None:
        return ev.type
    now_in = ev.type != "DELETED" and matcher(ev.obj)
    was_in = ev.prev is not None and matcher(ev.prev)
    if ev.type == "DELETED":
        return "DELETED" if was_in else None
    if now_in and was_in:
        return "MODIFIED"
    if now_in:
        return "ADDED"
    return "DELETED" if was_in else None


class _WatchWriter:
    """Encodes watch events as JSON lines, as plain objects or one-row Tables."""

    def __init__(self, request: web.Request, state: SimState, rt: ResourceType) -> None:
        self.state, self.rt = state, rt
        self.wants = _wants(request)
        self.include = request.query.get("includeObject", "Metadata")
        self.resp = web.StreamResponse(headers={"Content-Type": "application/json", **_HEADERS})
        self.resp.enable_chunked_encoding()
        self.request = request

    async def start(self) -> None:
        await self.resp.prepare(self.request)

    async def event(self, etype: str, obj: JSON, raw: bytes) -> None:
        if self.wants == "table":
            meta = {"resourceVersion": str((obj.get("metadata") or {}).get("resourceVersion", ""))}
            body = orjson.dumps(tables.table(self.rt, [obj], self.state.now(), self.include, meta))
        elif self.wants == "metadata":
            body = orjson.dumps(_partial(obj))
        else:
            body = with_kind(self.rt, raw)
        await self.resp.write(b'{"type":"%s","object":%s}\n' % (etype.encode(), body))

    async def control(self, etype: str, obj: JSON) -> None:
        await self.resp.write(orjson.dumps({"type": etype, "object": obj}) + b"\n")

    async def bookmark(self) -> None:
        meta = {"resourceVersion": str(self.state.store.rv)}
        await self.control(
            "BOOKMARK", {"kind": self.rt.kind, "apiVersion": self.rt.api_version, "metadata": meta}
        )


async def watch(
    request: web.Request, state: SimState, rt: ResourceType, namespace: str | None
) -> web.StreamResponse:
    store, q = state.store, request.query
    try:
        matcher = _matcher(request)
    except SelectorError as exc:
        return status.error(400, str(exc))
    rv_param = q.get("resourceVersion", "")
    try:
        since = int(rv_param) if rv_param not in ("", "0") else None
    except ValueError:
        return status.error(400, f"invalid resource version: {rv_param}")
    try:
        timeout = min(float(q.get("timeoutSeconds") or state.max_watch_seconds), state.max_watch_seconds)
    except ValueError:
        timeout = state.max_watch_seconds
    bookmarks = q.get("allowWatchBookmarks") in ("1", "true")
    out = _WatchWriter(request, state, rt)
    if since is not None and store.too_old(since):
        await out.start()
        await out.control("ERROR", status.watch_expired(since, store.compacted_rv + 1))
        return out.resp
    # Snapshot and subscription happen in one synchronous step, so no change falls in between.
    initial: list[Entry] = []
    if since is None:
        selector = (q.get("labelSelector"), q.get("fieldSelector"))
        index, lo, hi = store.view(rt.key, namespace, selector, matcher)
        initial = index.entries[lo:hi]
        since = store.rv
    # A watch from a resourceVersion the store has not reached is accepted and stays silent until
    # the store passes it, bookmarks included, as a real server's watch cache does ("may wait
    # indefinitely", api-concepts): what a client resuming against a restarted server gets.
    floor = since
    backlog, watcher = store.subscribe(rt.key, since)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    if state.faults.drop_watch_every:
        deadline = min(deadline, loop.time() + state.faults.drop_watch_every)
    try:
        await out.start()
        for entry in initial:
            await out.event("ADDED", entry.obj, entry.raw)
        for ev in backlog:
            if (t := _event_type(ev, namespace, matcher)) is not None:
                await out.event(t, ev.obj, ev.raw)
        next_bookmark = loop.time() + state.bookmark_interval
        while True:
            now = loop.time()
            if now >= deadline:
                if bookmarks and store.rv >= floor:
                    await out.bookmark()
                break
            wait = deadline - now
            if bookmarks:
                wait = min(wait, max(next_bookmark - now, 0))
            try:
                item = await asyncio.wait_for(watcher.queue.get(), timeout=wait)
            except TimeoutError:
                if bookmarks and loop.time() >= next_bookmark:
                    if store.rv >= floor:
                        await out.bookmark()
                    next_bookmark = loop.time() + state.bookmark_interval
                continue
            if item == "close":
                break
            if item == "gone":
                await out.control("ERROR", status.watch_expired(store.rv, store.compacted_rv + 1))
                break
            if not isinstance(item, Event) or item.rv <= floor:
                continue
            if (t := _event_type(item, namespace, matcher)) is not None:
                await out.event(t, item.obj, item.raw)
    except ConnectionResetError:
        # The client went away mid-stream (a watch it timed out or closed): a real API server just
        # drops the stream; logging a traceback would only clutter the demo's terminal.
        pass
    finally:
        store.unsubscribe(watcher)
    return out.resp
