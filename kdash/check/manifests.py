"""Read manifest files for offline `kdash check -f`: files, directories, stdin; YAML or JSON.

Each document is parsed on its own, so one malformed document (reported with its file, number
and line) does not hide the others. Helm output (`---` separators, `# Source:` comments, empty
documents) and `List` kinds are handled. Kinds Kubernetes defines but kdash does not lint
(ConfigMap, Ingress ...) are skipped quietly; anything else unknown is reported.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from kdash.model.build.manifests import records_from_manifests
from kdash.model.snapshot import ClusterSnapshot

SUFFIXES = (".yaml", ".yml", ".json")
_SEPARATOR = re.compile(r"^---(?:[ \t]+(.*))?$")
_DOC_END = re.compile(r"^\.\.\.[ \t]*$")
_PROBLEM_LABEL = re.compile(r"^document (\d+)(?: item \d+)*: ")
# Standard kinds with nothing for the health rules to check: skipped without a message.
NOT_LINTED = frozenset(
    {
        "ConfigMap",
        "Secret",
        "ServiceAccount",
        "Role",
        "RoleBinding",
        "ClusterRole",
        "ClusterRoleBinding",
        "Ingress",
        "IngressClass",
        "NetworkPolicy",
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
    }
)


@dataclass(slots=True)
class Loaded:
    """What the manifests gave: a snapshot, messages for stderr, and whether any input was unreadable."""

    snapshot: ClusterSnapshot
    problems: list[str] = field(default_factory=list)
    unreadable: bool = False
    objects: int = 0
    skipped: int = 0


@dataclass(slots=True)
class _Doc:
    text: str
    line: int  # 1-based line of the document's first line in its file


def split_documents(text: str) -> list[_Doc]:
    """Split a YAML stream on `---` lines. A preamble of only comments before the first `---` is not
    a document (Helm output starts with `---`); later empty documents keep their numbers."""
    docs: list[_Doc] = []
    current: list[str] | None = []  # None: after a `...` end marker, between documents
    start, preamble = 1, True
    for number, line in enumerate(text.splitlines(), 1):
        sep, end = _SEPARATOR.match(line), _DOC_END.match(line)
        if not sep and not end:
            if current is None:
                current, start = [], number
            current.append(line)
            continue
        if current is not None and (not preamble or _has_content(current)):
            docs.append(_Doc("\n".join(current), start))
        preamble = False
        current = None if end else ([sep.group(1)] if sep and sep.group(1) else [])
        start = number if current else number + 1
    if current is not None and _has_content(current):
        docs.append(_Doc("\n".join(current), start))
    return docs


def _has_content(lines: Iterable[str]) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in lines)


def _paths(arg: str) -> list[Path]:
    path = Path(arg)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    return [path]


def _read(arg: str, stdin: TextIO) -> list[tuple[str, str | None, str]]:
    """(label, text or None when unreadable, error) for every file an argument names."""
    if arg == "-":
        return [("<stdin>", stdin.read(), "")]
    out: list[tuple[str, str | None, str]] = []
    paths = _paths(arg)
    if not paths and Path(arg).is_dir():
        return [(arg, None, "no .yaml, .yml or .json files in this directory")]
    for path in paths:
        try:
            out.append((str(path), path.read_text(encoding="utf-8"), ""))
        except FileNotFoundError:
            out.append((str(path), None, "no such file or directory"))
        except (OSError, UnicodeDecodeError) as exc:
            out.append((str(path), None, f"cannot read: {exc}"))
    return out


def _parse(label: str, n: int, doc: _Doc, problems: list[str]) -> tuple[Any, bool]:
    try:
        return yaml.safe_load(doc.text), True
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = doc.line + mark.line if mark is not None else doc.line
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(f"{label}: document {n} (line {line}): invalid YAML: {what}")
        return None, False


def _flatten(obj: Any, label: str) -> list[tuple[str, Any]]:
    """`List` kinds (kubectl get -o yaml) become their items, each with its own label."""
    if (
        isinstance(obj, dict)
        and str(obj.get("kind", "")).endswith("List")
        and isinstance(obj.get("items"), list)
    ):
        out: list[tuple[str, Any]] = []
        for i, item in enumerate(obj["items"], 1):
            out.extend(_flatten(item, f"{label} item {i}"))
        return out
    return [(label, obj)]


def load_manifests(args: Sequence[str], stdin: TextIO | None = None) -> Loaded:
    """Parse every file; build one snapshot from all documents (problems name file and document)."""
    problems: list[str] = []
    unreadable = False
    docs: list[Any] = []
    labels: list[str] = []
    skipped = 0
    for arg in args:
        for name, text, error in _read(arg, stdin or sys.stdin):
            if text is None:
                problems.append(f"{name}: {error}")
                unreadable = True
                continue
            for n, doc in enumerate(split_documents(text), 1):
                obj, ok = _parse(name, n, doc, problems)
                unreadable = unreadable or not ok
                for label, item in _flatten(obj, f"{name}: document {n}"):
                    if isinstance(item, dict) and item.get("kind") in NOT_LINTED:
                        skipped += 1
                        continue
                    docs.append(item)
                    labels.append(label)
    snapshot, build_problems = records_from_manifests(docs)
    problems += [_relabel(p, labels) for p in build_problems]
    objects = sum(1 for d in docs if d is not None) - len(build_problems)
    return Loaded(snapshot, problems, unreadable, max(objects, 0), skipped)


def _relabel(problem: str, labels: Sequence[str]) -> str:
    """'document 7: unknown kind Foo' -> 'deploy/app.yaml: document 2: unknown kind Foo'."""
    m = _PROBLEM_LABEL.match(problem)
    if m is None or not 0 < int(m.group(1)) <= len(labels):
        return problem
    return f"{labels[int(m.group(1)) - 1]}: {problem[m.end() :]}"
