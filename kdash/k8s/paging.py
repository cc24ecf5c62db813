"""Reading one whole list, page by page, as fast as the server can send it (informers' list half).

Pipelined: the `continue` token is read first (from the list envelope, or off the raw bytes), so
the next page is requested on a helper thread while this one is parsed and built; the server
produces the next page while we are busy. The early token is checked against the parsed one, and a
page fetched with a wrong one is thrown away. Items are parsed and built one at a time
(`rawapi.iter_items`), falling back to a whole-page parse for pages laid out otherwise. From its
first big page on, a list runs in one GC pause (parse + build + store); a big one
(FREEZE_MIN_RECORDS) ends with a freeze of the long-lived records. On a slow server the pause is
ended before waiting for a page once it lasted MAX_GC_PAUSE.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import orjson

from kdash.k8s import rawapi

log = logging.getLogger("kdash.k8s")

MAX_GC_PAUSE = 2.0  # seconds a list keeps the collector paused before it waits for its next page
FREEZE_MIN_RECORDS = 2000  # lists this big freeze their records out of the collector's reach

ReadPage = Callable[[str, dict[str, str]], bytes]  # (path, query) -> the page's body; raises ApiError
Build = Callable[[dict[str, Any]], Any]  # an API object -> its record, or None to skip it
Commit = Callable[[list[Any]], None]  # store every record of the list at once
Envelope = Callable[[dict[str, Any]], None]  # sees each page's document without its items


@dataclass(frozen=True, slots=True)
class Wire:
    """How a stream asks for its objects: plain JSON (the dashboard's informers), server-side
    Tables or metadata only (kdash.k8s.feeds). `items_key` names the list's array ("rows" in a
    Table); only plain lists are laid out for item-by-item parsing (`split_items`)."""

    list_accept: str = "application/json"
    watch_accept: str = "application/json"
    query: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    items_key: str = "items"
    split_items: bool = True


JSON_WIRE = Wire()


class StoppedError(Exception):
    """Raised inside an informer's loop when stop() was requested."""


def _dict(x: object) -> dict[str, Any]:
    return x if isinstance(x, dict) else {}


class PageFetch:
    """One list page requested on a short-lived helper thread while the informer parses the last one."""

    def __init__(self, read: ReadPage, path: str, query: dict[str, str], name: str) -> None:
        self._read = read
        self._args = (path, query)
        self._data = b""
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"kdash-prefetch-{name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._data = self._read(*self._args)
        except BaseException as exc:  # re-raised on the informer thread by result()
            self._error = exc

    def result(self) -> bytes:
        self._thread.join()
        error, self._error = self._error, None
        if error is not None:
            try:
                raise error
            finally:  # no cycle exception -> traceback -> this frame -> exception (it would keep
                del error  # the failed response and its socket alive until a full collection)
        return self._data

    def discard(self) -> None:
        """Wait for the request to end (stop() unblocks it) and drop what it read."""
        self._thread.join()
        self._data = b""
        self._error = None


class ListReader:
    """Reads every page of one list path; remembers whether this server's pages split by item."""

    def __init__(
        self,
        read: ReadPage,
        name: str,
        stopped: Callable[[], bool],
        *,
        split_items: bool = True,
        items_key: str = "items",
        on_envelope: Envelope | None = None,
    ) -> None:
        self._read = read
        self._name = name
        self._stopped = stopped
        self.split_items = split_items  # parse pages item by item (off once one was not laid out so)
        self._items_key = items_key
        self._on_envelope = on_envelope

    def read(self, path: str, page_size: int, build: Build, commit: Commit) -> tuple[str, int]:
        """List every page, then `commit` all records at once; returns (resourceVersion, count)."""
        size = str(page_size)
        records: list[Any] = []
        rv = ""
        pending: PageFetch | None = None
        with ExitStack() as paused:
            try:
                data = self._read(path, {"limit": size})
                big = False
                paused_at = 0.0
                while True:
                    split = rawapi.list_envelope(data) if self.split_items else None
                    meta: dict[str, Any] = {}
                    if split is not None:
                        meta = _dict(split[0].get("metadata"))
                        guess = str(meta.get("continue") or "")
                        if self._on_envelope is not None:
                            self._on_envelope(split[0])
                    else:
                        guess = rawapi.peek_continue(data)
                    if guess:
                        pending = PageFetch(self._read, path, {"limit": size, "continue": guess}, self._name)
                    if not big and len(data) >= rawapi.BIG_BODY:
                        big = True
                        paused_at = time.monotonic()
                        paused.enter_context(rawapi.gc_paused())
                    page: list[Any] = []
                    if split is not None:
                        try:
                            for obj in rawapi.iter_items(data, split[1], split[2]):
                                record = build(obj)
                                if record is not None:
                                    page.append(record)
                        except rawapi.SplitError:
                            log.debug("%s: list page not split by item; parsing it whole", self._name)
                            self.split_items = False
                            split = None
                            page = []
                    if split is None:
                        doc = orjson.loads(data)
                        meta = _dict(doc.get("metadata")) if isinstance(doc, dict) else {}
                        items = doc.get(self._items_key) if isinstance(doc, dict) else None
                        if self._on_envelope is not None and isinstance(doc, dict):
                            self._on_envelope(doc)
                        for obj in items if isinstance(items, list) else ():
                            record = build(obj)
                            if record is not None:
                                page.append(record)
                        del doc
                    del data
                    records.extend(page)
                    del page
                    token = str(meta.get("continue") or "")
                    rv = str(meta.get("resourceVersion") or "")
                    if not token:
                        break
                    if self._stopped():
                        raise StoppedError
                    if big and time.monotonic() - paused_at > MAX_GC_PAUSE:
                        # a slow server: do not keep the whole process's collector off while we
                        # wait; end the pause (freezing what was built) and pause again per page
                        if len(records) >= FREEZE_MIN_RECORDS:
                            rawapi.request_gc_freeze()
                        paused.close()
                        big = False
                    if pending is not None and guess == token:
                        fetch, pending = pending, None
                        data = fetch.result()
                    else:  # no guess, or a wrong one: ask for the page the parsed token names
                        if pending is not None:
                            pending.discard()
                            pending = None
                        data = self._read(path, {"limit": size, "continue": token})
            finally:
                if pending is not None:
                    pending.discard()
            commit(records)  # inside the pause: records and state in one write
            if len(records) >= FREEZE_MIN_RECORDS:
                rawapi.request_gc_freeze()
        return rv, len(records)
