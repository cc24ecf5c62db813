"""The informer loop of on-demand feeds: the dashboard's `Informer`, writing to a feed's sink.

Paging, bookmarks, 410 -> relist, back-off, the reachability wake-up, the resume check, watch
forbidden -> poll and cluster-wide list forbidden -> per-namespace lists all come from `Informer`
unchanged. Object and metadata-only feeds need nothing more than another `Wire` and builder;
Table feeds also read the Table's columns off each list page, and watch events whose object is
a Table with one row (`TableInformer._apply`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

from kdash.k8s import rawapi, resume
from kdash.k8s.informer import Informer
from kdash.k8s.paging import Wire
from kdash.k8s.rawapi import ApiError
from kdash.k8s.resources import ResourceInfo
from kdash.k8s.store import RecordSink
from kdash.k8s.table_parse import (
    ACCEPT_METADATA,
    ACCEPT_METADATA_LIST,
    ACCEPT_TABLE,
    columns_of,
    table_row,
)
from kdash.model.feeds import TableColumn, TableRow
from kdash.model.meta import ObjectKey

TABLE_WIRE = Wire(
    ACCEPT_TABLE, ACCEPT_TABLE, {"includeObject": "Metadata"}, items_key="rows", split_items=False
)
METADATA_WIRE = Wire(ACCEPT_METADATA_LIST, ACCEPT_METADATA, split_items=False)


def objects_wire(label_selector: str | None, field_selector: str | None) -> Wire:
    query = {"labelSelector": label_selector or "", "fieldSelector": field_selector or ""}
    return Wire(query={k: v for k, v in query.items() if v})


class ObjectItem(NamedTuple):
    """A raw object of an object feed, with its key (what the sink files it under)."""

    key: ObjectKey
    obj: dict[str, Any]


class TableSink(RecordSink, Protocol):
    """A feed's sink, which also keeps the Table's columns (the first list's)."""

    def columns(self) -> tuple[TableColumn, ...]: ...

    def set_columns(self, columns: tuple[TableColumn, ...]) -> None: ...


def _dict(x: object) -> dict[str, Any]:
    return x if isinstance(x, dict) else {}


def _unused(obj: dict[str, Any]) -> Any:  # noqa: ARG001 (replaced by TableInformer._row)
    return None


class TableInformer(Informer):
    """list+watch in Table form: rows keyed by the object each one shows."""

    def __init__(self, info: ResourceInfo, namespace: str | None, *, sink: TableSink, **kwargs: Any) -> None:
        super().__init__(info, namespace, store=sink, wire=TABLE_WIRE, build=_unused, **kwargs)
        self._sink = sink
        self._builder = self._row
        self._kwargs = kwargs  # target, settings, epoch, clock...: what a fallback child shares

    def _row(self, row: dict[str, Any]) -> TableRow | None:
        return table_row(row, self.info.kind, self._sink.columns(), self.namespace)

    def _envelope(self, page: dict[str, Any]) -> None:
        columns = columns_of(page)
        if columns:
            self._sink.set_columns(columns)

    def _child(self, namespace: str) -> Informer:
        kwargs = {**self._kwargs, "fallback_namespaces": ()}
        return TableInformer(self.info, namespace, sink=self._sink, **kwargs)

    def _apply(self, event: Any, rv: str, floor: int | None) -> str:
        """One watch event: its object is a Table of one row (ADDED, MODIFIED, DELETED), or the
        bookmark's object, which carries only metadata.resourceVersion."""
        if not isinstance(event, dict):
            raise ApiError(0, f"{self.info.resource}: the server sent a watch event that is not an object")
        kind = event.get("type")
        obj = _dict(event.get("object"))
        if kind == "ERROR":
            code = obj.get("code")
            raise rawapi.error_from_status(code if isinstance(code, int) else 500, obj)
        table_rv = str(_dict(obj.get("metadata")).get("resourceVersion") or "")
        rows = obj.get("rows")
        if kind == "BOOKMARK" or not isinstance(rows, list):
            new_rv = table_rv or rv
            resume.check_not_before(new_rv, floor)
            return new_rv
        self._envelope(obj)  # the first list's columns win; this only fills them when it had none
        new_rv = rv
        for row in rows:
            row = _dict(row)
            meta = _dict(_dict(row.get("object")).get("metadata"))
            new_rv = str(meta.get("resourceVersion") or table_rv or new_rv)
            resume.check_not_before(new_rv, floor)
            record = self._build(row)
            if record is None:
                continue
            if kind == "DELETED":
                self._sink.delete(self._epoch, self.info.resource, record.key)
            elif kind in ("ADDED", "MODIFIED"):
                self._sink.upsert(self._epoch, self.info.resource, record)
        return new_rv


def object_builder(kind: str, slim: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[..., Any]:
    """The builder of object feeds: the slimmed object with its key (None when it has no name)."""

    def build(obj: dict[str, Any]) -> ObjectItem | None:
        meta = _dict(obj.get("metadata"))
        name = meta.get("name")
        if not isinstance(name, str) or not name:
            return None
        return ObjectItem(ObjectKey(kind, str(meta.get("namespace") or ""), name), slim(obj))

    return build
