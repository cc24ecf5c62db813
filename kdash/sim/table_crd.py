"""Tables for custom resources, as apiextensions-apiserver's table convertor prints them.

The columns are NAME plus the CRD version's ``additionalPrinterColumns`` (or a single AGE column when
it declares none). A ``string`` column prints what its JSONPath finds as jsonpath prints it;
``integer``, ``number`` and ``boolean`` columns keep the JSON value (None when it has the wrong type);
a ``date`` column turns an RFC 3339 time into an age ("5d"), "<invalid>" when it is not one.
"""

from __future__ import annotations

from typing import Any

from kdash.model.timefmt import parse_time
from kdash.sim import jsonpath
from kdash.sim.resources import PrinterColumn, ResourceType
from kdash.sim.table_cells import Cells, Printer

JSON = dict[str, Any]
_DEFAULT = (PrinterColumn("Age", "date", ".metadata.creationTimestamp"),)
_NAME_DOC = (
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name automatically. "
    "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
    "updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)


def printer_columns(rt: ResourceType) -> tuple[PrinterColumn, ...]:
    return rt.columns or _DEFAULT


def crd_column_definitions(rt: ResourceType) -> list[JSON]:
    defs: list[JSON] = [
        {"name": "Name", "type": "string", "format": "name", "description": _NAME_DOC, "priority": 0}
    ]
    for col in printer_columns(rt):
        defs.append(
            {
                "name": col.name,
                "type": col.type,
                "format": col.format,
                "description": col.description
                or f"Custom resource definition column (in JSONPath format): {col.json_path}",
                "priority": col.priority,
            }
        )
    return defs


def _cell(p: Printer, col: PrinterColumn, obj: JSON) -> Any:
    found = jsonpath.find(col.json_path, obj)
    if not found:
        return None
    value = found[0]
    if value is None:
        return None
    if col.type == "string":
        return jsonpath.text(value)
    if col.type == "integer":
        return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    if col.type == "number":
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    if col.type == "boolean":
        return value if isinstance(value, bool) else None
    if col.type == "date":
        if not isinstance(value, str):
            return None
        return p.age(value) if parse_time(value) is not None else "<invalid>"
    return None


def crd_cells(rt: ResourceType, p: Printer, obj: JSON) -> Cells:
    """NAME and one cell per printer column; ``obj`` is a stored object (no kind/apiVersion)."""
    full = {"kind": rt.kind, "apiVersion": rt.api_version, **obj}
    return [(obj.get("metadata") or {}).get("name", ""), *(_cell(p, c, full) for c in printer_columns(rt))]
