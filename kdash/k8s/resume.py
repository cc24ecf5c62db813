"""Whether a watch may resume from our resourceVersion, or the server has forgotten it.

A real API server answers a watch from a resourceVersion it has not reached yet with an open and
silent stream, bookmarks included ("may wait indefinitely", api-concepts: Unavailable resource
versions). After a restart into a new state (a restored etcd, a cluster recreated at the same
address) resuming from ours would show the old world as live forever. So after every interruption,
or a watch that ended without a single event or bookmark, the informer asks for the server's current
resourceVersion (a one-item list) and relists when it is lower than ours; inside a watch, an event or
bookmark older than where the watch started says the same. (A restarted server whose history starts
after ours answers 410 instead, which relists too.)

resourceVersions are opaque by contract, but every Kubernetes server hands out etcd revisions;
values that are not integers are never compared.
"""

from __future__ import annotations

from typing import Any

import orjson

from kdash.k8s.rawapi import GoneError, list_envelope


class ServerRestartedError(GoneError):
    """The server's resourceVersions went backwards: it is a new world; relist."""


def rv_number(rv: str) -> int | None:
    """The resourceVersion as a number, or None when it is not one (then it is never compared)."""
    return int(rv) if rv.isdigit() else None


def is_older(theirs: str, ours: str) -> bool:
    """Whether the server's resourceVersion `theirs` comes before `ours` (both numbers)."""
    a, b = rv_number(theirs), rv_number(ours)
    return a is not None and b is not None and a < b


def check_not_before(rv: str, floor: int | None) -> None:
    """Raise ServerRestartedError if a watch event's resourceVersion precedes the watch's start."""
    number = rv_number(rv)
    if floor is not None and number is not None and number < floor:
        raise ServerRestartedError(
            410, f"the server sent resourceVersion {rv}, before {floor} where the watch began: it restarted"
        )


def list_resource_version(body: bytes) -> str:
    """`metadata.resourceVersion` of a list body ("" when absent or unreadable)."""
    split = list_envelope(body)
    doc: Any = split[0] if split is not None else _loads(body)
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    return str(meta.get("resourceVersion") or "") if isinstance(meta, dict) else ""


def _loads(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
