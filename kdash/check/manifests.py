"""Read manifest files for offline `kdash check -f`: files, directories, stdin; YAML or JSON.

Each document is parsed on its own, so one malformed document (reported with its file, number
and line) does not hide the others. Helm output (`---` separators, `# Source:` comments, empty
documents) and `List` kinds are handled. Kinds Kubernetes defines but kdash does not lint
(Secret, PersistentVolumeClaim ...) are skipped quietly; anything else unknown is reported.

Hostile or accidental input is bounded: only regular files (and `-`) are read, at most
MAX_INPUT_BYTES each, documents nest at most MAX_DEPTH levels. Anything past a limit is one
sentence and an incomplete report, never a hang, a traceback or a MemoryError. Documents are
parsed (JSON by orjson, YAML by `yamlload`), turned into records and dropped one at a time.
"""

from __future__ import annotations

import gc
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import orjson
import yaml

from kdash.check.yamlload import MAX_DEPTH, TooDeepError, load_yaml
from kdash.model.build.manifests import NAME_MISSING, records_from_manifests
from kdash.model.meta import ObjectKey
from kdash.model.snapshot import ClusterSnapshot

SUFFIXES = (".yaml", ".yml", ".json")
Location = tuple[str, int]  # (file as named on the command line, or <stdin>; 1-based line)
MAX_INPUT_BYTES = 100 * 1024 * 1024  # per file, and for stdin
_MAX_LIST_DEPTH = 8  # a List of Lists of ...
# A separator line: `---` (with inline content) or `...`. Searched for after a newline (and
# matched at the very start): a pattern that opens with a literal is scanned for at C speed, where
# `^` with MULTILINE tries a match at every character of a 50 MB input.
_SEPARATOR_LINE = r"(?:---(?:[ \t]+([^\n]*))?|(\.\.\.)[ \t]*)(?=\n|\Z)"
_SEPARATOR_AT_START = re.compile(_SEPARATOR_LINE)
_SEPARATOR = re.compile("\n" + _SEPARATOR_LINE)
_CONTENT = re.compile(r"^[ \t]*[^\s#]", re.MULTILINE)
_TOP_KIND = re.compile(r"""\nkind:[ \t]*["']?([A-Za-z0-9]+)["']?[ \t]*(?:#[^\n]*)?(?=\n|\Z)""")
_PROBLEM_LABEL = re.compile(r"^document (\d+)")
_NOTES = ("unknown kind ", "duplicate ")  # build problems that lose nothing kdash lints
# Standard kinds with nothing for the health rules to check: skipped without a message.
NOT_LINTED = frozenset(
    {
        # ConfigMap, Ingress, NetworkPolicy and the RBAC kinds are linted (kdash.health.rules_cross)
        "Secret",
        "ServiceAccount",
        "IngressClass",
        "PersistentVolumeClaim",
        "PersistentVolume",
        "StorageClass",
        "CustomResourceDefinition",
        "PriorityClass",
        "Endpoints",
        "EndpointSlice",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "APIService",
        "ControllerRevision",
        "Lease",
        "RuntimeClass",
        "CSIDriver",
        "VolumeAttachment",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "PodTemplate",
        "ReplicationController",
        "Kustomization",  # kustomize's own file (kustomization.yaml), in the same folders as manifests
    }
)


@dataclass(slots=True)
class Loaded:
    """What the manifests gave: a snapshot, messages for stderr, and what could not be read.

    `not_read` holds (where, why) for inputs and documents that were lost (unreadable, invalid,
    over a limit, not an object): they make the report incomplete. Unknown kinds and duplicates
    are only `problems`. `locations` says where each object came from: (file, line of the
    document's first content line; `<stdin>` for stdin). `unnamed` holds (where, key with the
    name "", location) of objects with neither metadata.name nor generateName: they were read,
    and are an error in the report (the API server rejects them), not a gap in it.
    """

    snapshot: ClusterSnapshot
    problems: list[str] = field(default_factory=list)
    unreadable: bool = False
    objects: int = 0
    skipped: int = 0
    not_read: list[tuple[str, str]] = field(default_factory=list)
    locations: dict[ObjectKey, Location] = field(default_factory=dict)
    unnamed: list[tuple[str, ObjectKey, Location | None]] = field(default_factory=list)


@dataclass(slots=True)
class _Doc:
    text: str
    line: int  # 1-based line of the document's first line in its file


def content_line(doc: _Doc) -> int:
    """The line of the document's first content, past `# Source:` comments and blank lines: where
    a SARIF reader should point (cheap: the match is in the document's first lines)."""
    match = _CONTENT.search(doc.text)
    return doc.line + doc.text.count("\n", 0, match.start()) if match is not None else doc.line


def split_documents(text: str) -> list[_Doc]:
    """Split a YAML stream on `---` lines (see `iter_documents`)."""
    return list(iter_documents(text))


def iter_documents(text: str) -> Iterator[_Doc]:
    """The documents of a YAML stream, split on `---` lines (and ended by `...`). A preamble of only
    comments before the first `---` is not a document (Helm output starts with `---`); later empty
    documents keep their numbers. Finds separators with one regex instead of looping over lines."""
    current: str | None = ""  # None: after a `...` end marker, between documents
    start, preamble = 1, True
    pos, line = 0, 1  # where the text after the last separator begins, and its line number
    for sep_start, sep_end, inline, ended in _separators(text):
        current, start = _extend(current, start, text[pos:sep_start], line)
        line += text.count("\n", pos, sep_start)  # now the separator's line
        if current is not None and (not preamble or _CONTENT.search(current)):
            yield _Doc(current, start)
        preamble = False
        current = None if ended else inline
        start = line if inline else line + 1
        pos, line = sep_end + 1, line + 1
    current, start = _extend(current, start, text[pos:], line)
    if current is not None and _CONTENT.search(current):
        yield _Doc(current, start)


def _separators(text: str) -> Iterator[tuple[int, int, str, bool]]:
    """(start, end, inline content, is `...`) of each separator line, in order."""
    first = _SEPARATOR_AT_START.match(text)
    if first is not None:
        yield 0, first.end(), first.group(1) or "", bool(first.group(2))
    for match in _SEPARATOR.finditer(text):  # the match starts at the newline before the line
        yield match.start() + 1, match.end(), match.group(1) or "", bool(match.group(2))


def _extend(current: str | None, start: int, region: str, line: int) -> tuple[str | None, int]:
    """Add the lines of `region` (text up to a separator, newline included) to the document."""
    if not region:
        return current, start
    segment = region[:-1] if region.endswith("\n") else region
    if current is None:  # the first line after a `...` starts a document
        return segment, line
    return (f"{current}\n{segment}" if current else segment), start


def _paths(arg: str) -> list[Path]:
    path = Path(arg)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    return [path]


def _limit_text() -> str:
    return f"{MAX_INPUT_BYTES // (1024 * 1024)} MiB"


def _file_type(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _read_path(path: Path) -> tuple[str | None, str]:
    """(text, "") or (None, why). Never blocks on a FIFO, never reads past the size limit."""
    try:
        # O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None, "no such file or directory"
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            return (
                None,
                f"{_file_type(info.st_mode)}, not a file: kdash reads files and directories (pipe into -f - instead)",
            )
        if info.st_size > MAX_INPUT_BYTES:
            return (
                None,
                f"{info.st_size / (1024 * 1024):.0f} MiB, over the {_limit_text()} kdash reads from one file",
            )
        try:
            data = f.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            return None, f"cannot read: {exc.strerror or exc}"
    if len(data) > MAX_INPUT_BYTES:
        return None, f"over the {_limit_text()} kdash reads from one file"
    return _decode(data)


def _read_stdin(stdin: TextIO) -> tuple[str | None, str]:
    raw = getattr(stdin, "buffer", None)
    try:
        if raw is not None:
            data = raw.read(MAX_INPUT_BYTES + 1)
            if len(data) > MAX_INPUT_BYTES:
                return None, f"more than the {_limit_text()} kdash reads from stdin"
            return _decode(data)
        text = stdin.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte {exc.start})"
    if len(text) > MAX_INPUT_BYTES:
        return None, f"more than the {_limit_text()} kdash reads from stdin"
    return text.replace("\r\n", "\n"), ""


def _decode(data: bytes) -> tuple[str | None, str]:
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n"), ""
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte {exc.start})"


def _read(arg: str, stdin: TextIO) -> Iterator[tuple[str, str | None, str]]:
    """(label, text or None when unreadable, error) for every file an argument names."""
    if arg == "-":
        text, error = _read_stdin(stdin)
        yield "<stdin>", text, error
        return
    paths = _paths(arg)
    if not paths and Path(arg).is_dir():
        yield arg, None, "no .yaml, .yml or .json files in this directory"
        return
    for path in paths:
        text, error = _read_path(path)
        yield str(path), text, error


_SKIP = object()  # a document of a kind kdash does not lint


def _json_too_deep(obj: Any, limit: int) -> bool:
    """Iteratively: does `obj` nest dicts/lists deeper than `limit`?"""
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        values = item.values() if type(item) is dict else item
        for value in values:
            if type(value) is dict or type(value) is list:
                stack.append((value, depth + 1))
    return False


def _parse(doc: _Doc) -> tuple[Any, str, int]:
    """(object, "", 0), (_SKIP, "", 0) or (None, why, line)."""
    kinds = _TOP_KIND.findall("\n" + doc.text)  # top-level `kind:` lines, the first line too
    if len(kinds) == 1 and kinds[0] in NOT_LINTED:
        return _SKIP, "", 0  # not linted: not worth parsing (CRDs and ConfigMaps are the big ones)
    if doc.text.lstrip()[:1] in ("{", "["):
        try:
            obj = orjson.loads(doc.text)
        except orjson.JSONDecodeError:
            pass  # flow-style YAML is not always JSON: let the YAML parser decide
        else:
            if (type(obj) is dict or type(obj) is list) and _json_too_deep(obj, MAX_DEPTH):
                return None, f"nested more than {MAX_DEPTH} levels deep; kdash reads no deeper", doc.line
            return obj, "", 0
    try:
        return load_yaml(doc.text), "", 0
    except TooDeepError as exc:
        return (
            None,
            f"nested more than {exc.limit} levels deep; kdash reads no deeper",
            doc.line + exc.line - 1,
        )
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # libyaml marks an error at the end of the input one line past the document's last
        line = doc.line + min(mark.line, doc.text.count("\n")) if mark is not None else doc.line
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, f"invalid YAML: {what}", line
    except (RecursionError, MemoryError, ValueError, TypeError) as exc:  # a constructor's odd input
        return None, f"cannot be read: {type(exc).__name__}", doc.line


def _flatten(obj: Any, label: str) -> Iterator[tuple[str, Any]]:
    """`List` kinds (kubectl get -o yaml) become their items, each with its own label."""
    kind = obj.get("kind") if type(obj) is dict else None
    if not (type(kind) is str and kind.endswith("List")):  # nearly every document: no List
        yield label, obj
        return
    stack: list[tuple[str, Any, int]] = [(label, obj, 0)]
    while stack:
        where, item, depth = stack.pop()
        if (
            depth < _MAX_LIST_DEPTH
            and isinstance(item, dict)
            and str(item.get("kind", "")).endswith("List")
            and isinstance(item.get("items"), list)
        ):
            items = item["items"]
            stack.extend((f"{where} item {i}", items[i - 1], depth + 1) for i in range(len(items), 0, -1))
            continue
        yield where, item


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for a while: parsing, scoring and printing a big manifest make
    millions of objects and no cyclic garbage, and with the collector on it re-scans the whole
    heap over and over (it doubled the time to score and to print a 50 MB manifest)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def load_manifests(args: Sequence[str], stdin: TextIO | None = None) -> Loaded:
    """Parse every file; build one snapshot from all documents (problems name file and document)."""
    problems: list[str] = []
    not_read: list[tuple[str, str]] = []
    labels: list[str] = []
    sources: list[Location] = []  # (file, line) of each yielded object, like `labels`
    counts = {"yielded": 0, "skipped": 0}

    def objects() -> Iterator[Any]:
        for arg in args:
            for name, text, error in _read(arg, stdin or sys.stdin):
                if text is None:
                    problems.append(f"{name}: {error}")
                    not_read.append((name, error))
                    continue
                for n, doc in enumerate(iter_documents(text), 1):
                    obj, why, line = _parse(doc)
                    if why:
                        where = f"{name}: document {n} (line {line})"
                        problems.append(f"{where}: {why}")
                        not_read.append((where, why))
                        continue
                    if obj is _SKIP:
                        counts["skipped"] += 1
                        continue
                    if obj is None:  # an empty document
                        continue
                    source = (name, content_line(doc))
                    for label, item in _flatten(obj, f"{name}: document {n}"):
                        kind = item.get("kind") if type(item) is dict else None
                        if type(kind) is str and kind in NOT_LINTED:  # `kind: [a]` is no kind
                            counts["skipped"] += 1
                            continue
                        labels.append(label)
                        sources.append(source)
                        counts["yielded"] += 1
                        yield item
                del text

    placed: dict[str, ObjectKey] = {}
    with collector_paused():
        snapshot, build_problems = records_from_manifests(objects(), placed)
    locations = {key: sources[_number(label) - 1] for label, key in placed.items() if key.name}
    unnamed_at = {_number(label): key for label, key in placed.items() if not key.name}
    unnamed: list[tuple[str, ObjectKey, Location | None]] = []
    for problem in build_problems:
        where, message = _relabel(problem, labels)
        problems.append(f"{where}: {message}")
        if message.endswith(NAME_MISSING):
            m = _PROBLEM_LABEL.match(problem)
            number = int(m.group(1)) if m is not None else 0
            key = unnamed_at.get(number)
            if key is not None:  # an error in the report (exit 1), not an unread object (exit 2)
                unnamed.append((where, key, sources[number - 1]))
                continue
        if not message.startswith(_NOTES):
            not_read.append((where, message))
    objects_read = max(counts["yielded"] - len(build_problems), 0)
    return Loaded(
        snapshot, problems, bool(not_read), objects_read, counts["skipped"], not_read, locations, unnamed
    )


def _number(label: str) -> int:
    """'document 12' -> 12 (the builder's labels number the objects it was given)."""
    return int(label[len("document ") :].partition(" ")[0])


def _relabel(problem: str, labels: Sequence[str]) -> tuple[str, str]:
    """'document 7 item 2: unknown kind Foo' -> ('deploy/app.yaml: document 2 item 2', 'unknown kind Foo')."""
    m = _PROBLEM_LABEL.match(problem)
    head, _, message = problem.partition(": ")
    if m is None or not 0 < int(m.group(1)) <= len(labels):
        return head, message
    return labels[int(m.group(1)) - 1] + head[m.end() :], message
