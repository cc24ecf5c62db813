"""Turn a full API object (as `ClusterSource.fetch_object` returns it) into YAML or a describe view.

Pure functions so they can be tested without an app and run inside the fetch worker (dumping a big
object costs milliseconds that do not belong on the event loop).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from rich.syntax import Syntax
from rich.text import Text

from kdash.ui.detail_format import DIM
from kdash.ui.format import clean

SECRET_REFUSAL = "kdash does not read Secrets"

# Noise that `kubectl get -o yaml` readers never want; managedFields can be half the object.
_DROPPED_METADATA = ("managedFields",)
_DROPPED_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)


def strip_noise(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `obj` without managedFields and the last-applied annotation (the service should
    already have dropped managedFields; this is belt and braces for any source)."""
    out = dict(obj)
    meta = out.get("metadata")
    if isinstance(meta, Mapping):
        meta = {k: v for k, v in meta.items() if k not in _DROPPED_METADATA}
        annotations = meta.get("annotations")
        if isinstance(annotations, Mapping):
            kept = {k: v for k, v in annotations.items() if k not in _DROPPED_ANNOTATIONS}
            if kept:
                meta["annotations"] = kept
            else:
                meta.pop("annotations", None)
        out["metadata"] = meta
    return out


def to_yaml(obj: Mapping[str, Any]) -> str:
    """`yaml.safe_dump` in the API's field order. Non-printable characters (ESC included) are written
    as YAML escapes inside double quotes, so the result is safe to put on a terminal."""
    return yaml.safe_dump(strip_noise(obj), sort_keys=False, allow_unicode=True, width=120)


def highlight_yaml(source: str) -> Text:
    """YAML with syntax colours. `Syntax` lexes with Pygments and never parses Rich markup, so a
    value like `[bold]x[/]` stays literal."""
    syntax = Syntax("", "yaml", theme="ansi_dark", background_color="default")
    text = syntax.highlight(clean(source, multiline=True))
    text.rstrip()
    return text


def _title(key: str) -> str:
    """camelCase → "Camel Case" like kubectl describe's headings."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", key)
    return spaced[:1].upper() + spaced[1:]


def _scalar(value: Any) -> str:
    if value is None:
        return "<none>"
    if isinstance(value, bool):
        return "true" if value else "false"
    return clean(value)


def _describe_into(out: Text, value: Any, indent: int) -> None:
    pad = "  " * indent
    if isinstance(value, Mapping):
        for key, item in value.items():
            out.append(f"{pad}{_title(clean(key))}:", style="bold" if indent == 0 else "")
            if isinstance(item, Mapping | list) and item:
                out.append("\n")
                _describe_into(out, item, indent + 1)
            else:
                out.append(" " + (_scalar(item) if not isinstance(item, Mapping | list) else "<none>") + "\n")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping | list) and item:
                out.append(f"{pad}-\n", style=DIM)
                _describe_into(out, item, indent + 1)
            else:
                out.append(f"{pad}- {_scalar(item)}\n")
    else:
        out.append(f"{pad}{_scalar(value)}\n")


def _labels(values: Any) -> str:
    if not isinstance(values, Mapping) or not values:
        return "<none>"
    return ", ".join(f"{clean(k)}={clean(v)}" for k, v in values.items())


def describe(obj: Mapping[str, Any], events: Sequence[tuple[str, str, str, str]] = ()) -> Text:
    """A `kubectl describe`-like view: identity first, then spec and status as indented key/values,
    then events (type, reason, age, message) that the caller took from the snapshot."""
    clean_obj = strip_noise(obj)
    meta = clean_obj.get("metadata") if isinstance(clean_obj.get("metadata"), Mapping) else {}
    assert isinstance(meta, Mapping)
    out = Text()
    head = [
        ("Name", _scalar(meta.get("name"))),
        ("Namespace", _scalar(meta.get("namespace"))),
        ("Kind", _scalar(clean_obj.get("kind"))),
        ("Created", _scalar(meta.get("creationTimestamp"))),
        ("Labels", _labels(meta.get("labels"))),
        ("Annotations", _labels(meta.get("annotations"))),
    ]
    owners = meta.get("ownerReferences")
    if isinstance(owners, list) and owners:
        refs = [
            f"{clean(o.get('kind', ''))}/{clean(o.get('name', ''))}" for o in owners if isinstance(o, Mapping)
        ]
        head.append(("Controlled By", ", ".join(refs)))
    for label, value in head:
        out.append(f"{label + ':':<14}", style="bold")
        out.append(f"{value}\n")
    for section in ("spec", "status", "data", "rules", "subjects"):
        body = clean_obj.get(section)
        if body:
            out.append("\n")
            _describe_into(out, {section: body}, 0)
    out.append("\n")
    out.append("Events:", style="bold")
    if not events:
        out.append(" <none>\n")
    else:
        out.append("\n")
        for type_, reason, when, message in events:
            out.append(f"  {clean(type_):<8} {clean(reason):<22} {clean(when):<10} ")
            out.append(clean(message) + "\n")
    out.rstrip()
    return out


def find_matches(lines: Sequence[str], query: str) -> list[int]:
    """Indexes of the lines containing `query` (case-insensitive; plain text, not a regex, because
    YAML is full of regex metacharacters)."""
    if not query:
        return []
    needle = query.casefold()
    return [i for i, line in enumerate(lines) if needle in line.casefold()]
