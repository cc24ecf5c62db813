"""Server-side Tables and metadata-only objects, turned into `kdash.model.feeds` rows.

A Table (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) carries kubectl's columns for
any kind, CRDs' additionalPrinterColumns included; with `includeObject=Metadata` each row also
carries its object's metadata, which gives the row its key, labels and creation time. Cells are
JSON values (strings, numbers, booleans, null) and become strings here. Secrets are never asked
for as Tables or objects: only as PartialObjectMetadata, so their data never reaches kdash.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import orjson

from kdash.model.feeds import TableColumn, TableRow
from kdash.model.meta import ObjectKey
from kdash.model.timefmt import age, parse_time

ACCEPT_TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
# No fallback media type after these: a server that cannot answer metadata only must refuse
# (406) rather than send whole Secrets.
ACCEPT_METADATA_LIST = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"
ACCEPT_METADATA = "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

# What a metadata-only list can show (a Secret's type and key count live beside its data).
METADATA_COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("Name", "string", "name", "The object's name."),
    TableColumn("Labels", "integer", "", "How many labels the object has."),
    TableColumn("Age", "string", "", "Time since the object was created."),
)

_EMPTY: Mapping[str, str] = MappingProxyType({})


def _dict(x: object) -> dict[str, Any]:
    return x if isinstance(x, dict) else {}


def columns_of(table: Mapping[str, Any]) -> tuple[TableColumn, ...]:
    """The Table's columnDefinitions (empty when absent, as in most watch events)."""
    out: list[TableColumn] = []
    defs = table.get("columnDefinitions")
    for col in defs if isinstance(defs, list) else ():
        if not isinstance(col, dict) or not isinstance(col.get("name"), str):
            continue
        priority = col.get("priority")
        out.append(
            TableColumn(
                name=col["name"],
                type=str(col.get("type") or "string"),
                format=str(col.get("format") or ""),
                description=str(col.get("description") or ""),
                priority=priority if isinstance(priority, int) and not isinstance(priority, bool) else 0,
            )
        )
    return tuple(out)


def cell_text(value: object) -> str:
    """One cell as kubectl prints it: numbers plainly, booleans lower-case, null as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, list):
        return ",".join(cell_text(v) for v in value)
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)


def _labels(meta: Mapping[str, Any]) -> Mapping[str, str]:
    raw = meta.get("labels")
    if not isinstance(raw, dict) or not raw:
        return _EMPTY
    return MappingProxyType({str(k): str(v) for k, v in raw.items()})


def table_row(
    row: Mapping[str, Any], kind: str, columns: tuple[TableColumn, ...], namespace: str | None
) -> TableRow | None:
    """One Table row; None when it names no object. Cells are padded or cut to the columns.

    The key comes from the row's object metadata (includeObject=Metadata); a server that sent
    none gets the cell of the column formatted "name" and the feed's namespace.
    """
    cells_raw = row.get("cells")
    cells = [cell_text(c) for c in cells_raw] if isinstance(cells_raw, list) else []
    if columns:
        width = len(columns)
        cells = cells[:width] + [""] * (width - len(cells))
    meta = _dict(_dict(row.get("object")).get("metadata"))
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        at = next((i for i, c in enumerate(columns) if c.format == "name"), 0)
        name = cells[at] if at < len(cells) else ""
        if not name:
            return None
    ns = meta.get("namespace")
    ns = ns if isinstance(ns, str) else ("" if meta else namespace or "")
    return TableRow(
        key=ObjectKey(kind, ns, name),
        cells=tuple(cells),
        labels=_labels(meta),
        created=parse_time(meta.get("creationTimestamp")),
    )


def metadata_row(obj: Mapping[str, Any], kind: str, now: datetime) -> TableRow | None:
    """A row of METADATA_COLUMNS from one PartialObjectMetadata; None for anything else (an
    answer that is not metadata only is dropped whole, never looked into)."""
    if obj.get("kind") != "PartialObjectMetadata":
        return None
    meta = _dict(obj.get("metadata"))
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        return None
    labels = _labels(meta)
    created = parse_time(meta.get("creationTimestamp"))
    return TableRow(
        key=ObjectKey(kind, str(meta.get("namespace") or ""), name),
        cells=(name, str(len(labels)), age(created, now)),
        labels=labels,
        created=created,
    )


def slim(obj: dict[str, Any]) -> dict[str, Any]:
    """The object without managedFields and kubectl's last-applied annotation (a copy of the
    whole object, Secret data included for Secrets: the reason kdash never asks for one)."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
        notes = meta.get("annotations")
        if isinstance(notes, dict) and LAST_APPLIED in notes:
            rest = {k: v for k, v in notes.items() if k != LAST_APPLIED}
            if rest:
                meta["annotations"] = rest
            else:
                del meta["annotations"]
    return obj


def key_of(obj: Mapping[str, Any], kind: str) -> ObjectKey | None:
    meta = _dict(obj.get("metadata"))
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        return None
    return ObjectKey(kind, str(meta.get("namespace") or ""), name)
