"""One crash as the journal keeps it, its JSON form, and how it is built from a pod record.

Reading is strict about shape and lenient about content: a line whose fields have the wrong types
is refused (the reader skips and counts it), and every string that is accepted is cleaned again, so a
foreign or hand-edited file cannot put an escape sequence on the user's terminal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kdash.model.logtext import clean, strip_ansi, truncate
from kdash.model.meta import ObjectKey
from kdash.model.pods import ContainerState, ContainerStatus, PodRecord
from kdash.model.timefmt import parse_time

VERSION = 1
LINE_CHARS = 1000  # a log line's cap
MESSAGE_CHARS = 2000  # the termination message's cap
NAME_CHARS = 512  # names, reasons, images


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A captured crash: which container, how it ended, and its last log lines (plain text)."""

    time: datetime
    context: str
    namespace: str
    pod: str
    container: str
    restarts: int = 0
    owner_kind: str = ""
    owner_name: str = ""
    reason: str = ""
    exit_code: int | None = None
    signal: int | None = None
    message: str = ""
    started: datetime | None = None
    finished: datetime | None = None
    image: str = ""
    node: str = ""
    log_tail: tuple[str, ...] = ()

    @property
    def pod_key(self) -> ObjectKey:
        return ObjectKey("Pod", self.namespace, self.pod)

    @property
    def owner_key(self) -> ObjectKey | None:
        """The workload that ran the pod (pod names change, the workload stays)."""
        if not self.owner_kind or not self.owner_name:
            return None
        return ObjectKey(self.owner_kind, self.namespace, self.owner_name)

    def to_json(self) -> dict[str, Any]:
        """The journal line (and `kdash crashes -o json`): plain JSON types, times in RFC 3339."""
        owner = {"kind": self.owner_kind, "name": self.owner_name} if self.owner_key else None
        return {
            "v": VERSION,
            "time": _stamp(self.time),
            "context": self.context,
            "namespace": self.namespace,
            "pod": self.pod,
            "container": self.container,
            "owner": owner,
            "restarts": self.restarts,
            "reason": self.reason,
            "exit_code": self.exit_code,
            "signal": self.signal,
            "message": self.message,
            "started": _stamp(self.started),
            "finished": _stamp(self.finished),
            "image": self.image,
            "node": self.node,
            "log_tail": list(self.log_tail),
        }


def _stamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class BadEntry(ValueError):
    """A journal line that is JSON but not an entry."""


def _text(obj: Mapping[str, Any], key: str, *, required: bool = False, limit: int = NAME_CHARS) -> str:
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise BadEntry(f"{key}: not a string")
    return truncate(clean(value), limit)


def _int(obj: Mapping[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadEntry(f"{key}: not a whole number")
    return value


def _when(obj: Mapping[str, Any], key: str) -> datetime | None:
    value = obj.get(key)
    if value is None:
        return None
    parsed = parse_time(value) if isinstance(value, str) else None
    if parsed is None:
        raise BadEntry(f"{key}: not a time")
    return parsed


def entry_from_json(obj: object) -> JournalEntry:
    """An entry from one decoded journal line; BadEntry when it is not one."""
    if not isinstance(obj, dict):
        raise BadEntry("not an object")
    when = _when(obj, "time")
    if when is None:
        raise BadEntry("time: missing")
    owner = obj.get("owner")
    if owner is not None and not isinstance(owner, dict):
        raise BadEntry("owner: not an object")
    tail = obj.get("log_tail", [])
    if not isinstance(tail, list) or not all(isinstance(line, str) for line in tail):
        raise BadEntry("log_tail: not a list of strings")
    return JournalEntry(
        time=when,
        context=_text(obj, "context"),
        namespace=_text(obj, "namespace", required=True),
        pod=_text(obj, "pod", required=True),
        container=_text(obj, "container", required=True),
        restarts=_int(obj, "restarts") or 0,
        owner_kind=_text(owner, "kind") if owner else "",
        owner_name=_text(owner, "name") if owner else "",
        reason=_text(obj, "reason"),
        exit_code=_int(obj, "exit_code"),
        signal=_int(obj, "signal"),
        message=truncate(clean(obj["message"], multiline=True), MESSAGE_CHARS)
        if isinstance(obj.get("message"), str)
        else "",
        started=_when(obj, "started"),
        finished=_when(obj, "finished"),
        image=_text(obj, "image"),
        node=_text(obj, "node"),
        log_tail=tuple(truncate(strip_ansi(line), LINE_CHARS) for line in tail),
    )


def _status(pod: PodRecord, container: str) -> ContainerStatus | None:
    for status in (*pod.containers, *pod.init_containers):
        if status.name == container:
            return status
    return None


def _ended(status: ContainerStatus | None) -> ContainerState | None:
    """How the crashed instance ended: lastState.terminated, else a terminated current state."""
    if status is None:
        return None
    if status.last_termination is not None:
        return status.last_termination
    return status.state if status.state.state == "terminated" else None


def entry_from_pod(
    pod: PodRecord,
    container: str,
    restarts: int,
    lines: Sequence[str],
    *,
    context: str,
    now: datetime,
) -> JournalEntry:
    """The entry for a restart kdash saw: the pod as it was then, and the previous logs' tail.

    Not yet sanitised: `kdash.journal.scrub.scrub_entry` does that before anything is written.
    """
    status = _status(pod, container)
    ended = _ended(status)
    spec_image = next((c.image for c in pod.spec.containers if c.name == container), "")
    owner = pod.workload
    return JournalEntry(
        time=now,
        context=context,
        namespace=pod.meta.namespace,
        pod=pod.meta.name,
        container=container,
        restarts=restarts,
        owner_kind=owner.kind if owner else "",
        owner_name=owner.name if owner else "",
        reason=ended.reason if ended else "",
        exit_code=ended.exit_code if ended else None,
        signal=ended.signal if ended else None,
        message=ended.message if ended else "",
        started=ended.started if ended else None,
        finished=ended.finished if ended else None,
        image=(status.image if status else "") or spec_image,
        node=pod.node,
        log_tail=tuple(lines),
    )
