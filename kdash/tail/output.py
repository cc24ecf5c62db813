"""How `kdash logs` prints: stern's `pod container line`, the line alone (`raw`), or JSON lines.

Log lines are hostile until shown otherwise. The followers already drop every escape sequence but
SGR colour and every control or bidi character (`kdash.model.logtext.sanitize`); here the colour
goes too (`strip_ansi`), in every mode, so a line can neither recolour our prefixes nor hide text.
Rich markup is plain text: nothing here interprets it. JSON carries the same cleaned text, ASCII-escaped
by the encoder, with the fields a log shipper wants (namespace, pod, container, node, labels,
timestamp). Our own colour (one per pod, stable across runs: a hash of the name) is added after
cleaning, only on a terminal without NO_COLOR.
"""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime

from kdash.k8s.logs_parse import RawLine
from kdash.model.logtext import clean, strip_ansi
from kdash.tail.follow import Member

_RESET = "\x1b[0m"
# stern's pod colours: bright red, green, yellow, blue, magenta, cyan; the container in the plain shade
_POD_COLOURS = ("91", "92", "93", "94", "95", "96")
_NS = 1_000_000_000


def pod_colour(pod: str) -> str:
    """The same SGR colour for the same pod name on every run (not Python's salted hash)."""
    return _POD_COLOURS[zlib.crc32(pod.encode("utf-8", "replace")) % len(_POD_COLOURS)]


def rfc3339(ns: int | None) -> str | None:
    """Epoch nanoseconds as the kubelet writes them (`2026-11-29T12:00:00.123456789Z`)."""
    if ns is None:
        return None
    stamp = datetime.fromtimestamp(ns // _NS, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{ns % _NS:09d}Z"


class Formatter:
    """One output line per log line, in the chosen mode."""

    def __init__(
        self, mode: str, *, colour: bool, timestamps: bool, namespaces: bool, err_colour: bool = False
    ) -> None:
        self.mode = mode
        self.colour = colour and mode == "default"
        self.err_colour = err_colour
        self.timestamps = timestamps
        self.namespaces = namespaces  # -A: the namespace leads each line, as with stern

    def line(self, member: Member, raw: RawLine) -> str:
        text = strip_ansi(raw.text)
        if self.mode == "json":
            return self._json(member, raw, text)
        if self.timestamps:
            text = f"{rfc3339(raw.ns) or '-'} {text}"
        if self.mode == "raw":
            return text
        return f"{self.prefix(member)} {text}"

    def prefix(self, member: Member) -> str:
        ref = member.ref
        pod, container = clean(ref.pod), clean(ref.container)
        if self.colour:
            sgr = pod_colour(ref.pod)
            pod, container = f"\x1b[{sgr}m{pod}{_RESET}", f"\x1b[{int(sgr) - 60}m{container}{_RESET}"
        head = f"{clean(ref.namespace)} {pod}" if self.namespaces else pod
        return f"{head} {container}"

    def event(self, kind: str, member: Member, text: str = "") -> str:
        """stern's `+ pod › container` / `- pod › container`, and `! pod › container: error`."""
        ref = member.ref
        who = f"{clean(ref.pod)} › {clean(ref.container)}"
        if self.namespaces:
            who = f"{clean(ref.namespace)} {who}"
        sign = {"joined": "+", "left": "-"}.get(kind, "!")
        line = f"{sign} {who}" + (f": {clean(text)}" if text else "")
        if not self.err_colour:
            return line
        tint = {"+": "32", "-": "31"}.get(sign, "33")
        return f"\x1b[{tint}m{sign}{_RESET}{line[1:]}"

    @staticmethod
    def _json(member: Member, raw: RawLine, text: str) -> str:
        pod = member.pod
        doc = {
            "namespace": member.ref.namespace,
            "pod": member.ref.pod,
            "container": member.ref.container,
            "node": pod.node or pod.spec.node_name,
            "labels": dict(pod.meta.labels),
            "timestamp": rfc3339(raw.ns),
            "message": text,
        }
        return json.dumps(doc, separators=(",", ":"))  # ASCII: no raw C1 or bidi byte can slip through
