"""Any resource kind, on demand: what discovery found, and live Table or object feeds of one kind.

The dashboard's own kinds are always watched (kdash.model.snapshot); every other kind a `:KIND`
command names is listed and watched only while its screen is open, through a `Feed` the cluster
service hands out (`FeedSource`). Rows come from the server's Table format, so the columns are
kubectl's for any kind, CRDs' additionalPrinterColumns included. Cells are untrusted strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

from kdash.model.meta import ObjectKey
from kdash.model.snapshot import SyncPhase


@dataclass(frozen=True, slots=True)
class ApiResource:
    """One resource the server's discovery lists (subresources excluded)."""

    group: str  # "" for the core group
    version: str
    resource: str  # the plural, as in URLs: "deployments", "certificates"
    kind: str
    namespaced: bool
    singular: str = ""
    short_names: tuple[str, ...] = ()
    verbs: frozenset[str] = frozenset()
    categories: tuple[str, ...] = ()

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """kubectl's unambiguous name: "certificates.cert-manager.io", "pods" for the core group."""
        return f"{self.resource}.{self.group}" if self.group else self.resource

    @property
    def listable(self) -> bool:
        return not self.verbs or "list" in self.verbs

    @property
    def watchable(self) -> bool:
        return not self.verbs or "watch" in self.verbs


@dataclass(frozen=True, slots=True)
class Discovery:
    """What the server serves. `resources` holds the preferred version of each group first."""

    resources: tuple[ApiResource, ...] = ()
    phase: SyncPhase = SyncPhase.SYNCING
    message: str = ""  # why discovery failed or is partial, in words ("metrics.k8s.io/v1beta1: 503")


@dataclass(frozen=True, slots=True)
class TableColumn:
    """One of the server's columnDefinitions; priority 0 is kubectl's default view, > 0 is `-o wide`."""

    name: str
    type: str = "string"
    format: str = ""
    description: str = ""
    priority: int = 0


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row of a Table feed; `cells` are already strings (numbers and booleans formatted)."""

    key: ObjectKey
    cells: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    created: datetime | None = None


def _frozen() -> Mapping[Any, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class FeedView:
    """An immutable picture of one feed. Table feeds fill `columns` and `rows`; object feeds fill
    `objects` (raw JSON dicts, managedFields dropped; readers must not mutate them)."""

    resource: ApiResource
    namespace: str | None
    generation: int = 0
    phase: SyncPhase = SyncPhase.SYNCING
    message: str = ""
    columns: tuple[TableColumn, ...] = ()
    rows: Mapping[ObjectKey, TableRow] = field(default_factory=_frozen)
    objects: Mapping[ObjectKey, Mapping[str, Any]] = field(default_factory=_frozen)
    # added by feeds13 (see /tmp/notes/feeds13-api.md):
    retry_at: datetime | None = None  # phase ERROR: when the next attempt is
    stale_since: datetime | None = None  # rows kept but no longer confirmed live since then
    closed: bool = False  # the feed has stopped (close(), a context switch, service stop): reopen it


class Feed(Protocol):
    """A running list+watch of one resource; `close()` stops its thread and connection."""

    def view(self) -> FeedView: ...

    def subscribe(self, callback: Callable[[FeedView], None]) -> Callable[[], None]:
        """Call `callback` (on a service thread, at most ~10 times a second) after each change."""
        ...

    def close(self) -> None: ...


@runtime_checkable  # so the UI can ask `isinstance(session.source, FeedSource)` (feeds13)
class FeedSource(Protocol):
    """What the UI may ask of the cluster service for kinds beyond the dashboard's. Never blocks
    (except the two `fetch_*` methods, which are for a worker thread)."""

    def discovery(self) -> Discovery:
        """The latest discovery result; discovery runs in the background and on context switches."""
        ...

    def open_table(self, resource: ApiResource, namespace: str | None) -> Feed:
        """Rows in the server's Table format (watched in Table form). Secrets: metadata only."""
        ...

    def open_objects(
        self,
        resource: ApiResource,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> Feed:
        """Raw objects (for typed screens: EndpointSlices, Ingresses, PVCs...). Refuses Secrets."""
        ...

    # added by feeds13 (see /tmp/notes/feeds13-api.md):
    def fetch_metadata(self, key: ObjectKey) -> dict[str, Any]:
        """BLOCKING (run it in a worker): one object as PartialObjectMetadata, for any kind,
        Secrets included (no data ever); managedFields and the last-applied annotation dropped."""
        ...

    def fetch_resource(self, resource: ApiResource, namespace: str, name: str) -> dict[str, Any]:
        """BLOCKING (run it in a worker): one whole object of any discovered resource, CRD
        instances included (for describe/YAML), managedFields dropped. Refuses Secrets."""
        ...
