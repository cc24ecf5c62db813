"""The on-demand feeds a typed screen reads (EndpointSlices of one Service, the pods of a
namespace...), opened when the screen mounts and closed when it goes.

Feed callbacks come on a service thread: they only post `TypedFeedChanged` to the screen, which
redraws on the UI thread from each feed's latest immutable view. Records built from a feed's raw
objects are cached per feed generation, so a redraw on a clock tick builds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from rich.text import Text
from textual.message import Message
from textual.message_pump import MessagePump

from kdash.errors import KdashError
from kdash.model.build import build_pod
from kdash.model.feeds import ApiResource, Feed, FeedSource, FeedView
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.snapshot import SyncPhase
from kdash.ui.detail_format import BAD, DIM, WARN
from kdash.ui.format import clean
from kdash.ui.kinds import close_quietly

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Kind:
    """A resource a typed screen reads, as discovery would list it (used when discovery has not
    answered yet, or does not list it)."""

    group: str
    version: str
    resource: str
    kind: str
    namespaced: bool = True

    def resolve(self, source: FeedSource) -> ApiResource:
        """The server's own entry when discovery lists this resource (its preferred version)."""
        for res in source.discovery().resources:
            if res.group == self.group and res.resource == self.resource:
                return res
        return ApiResource(self.group, self.version, self.resource, self.kind, self.namespaced)


NODES = Kind("", "v1", "nodes", "Node", namespaced=False)
PODS = Kind("", "v1", "pods", "Pod")
SERVICES = Kind("", "v1", "services", "Service")
ENDPOINT_SLICES = Kind("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice")
INGRESSES = Kind("networking.k8s.io", "v1", "ingresses", "Ingress")
CLAIMS = Kind("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim")
VOLUMES = Kind("", "v1", "persistentvolumes", "PersistentVolume", namespaced=False)
CONFIGMAPS = Kind("", "v1", "configmaps", "ConfigMap")
DEPLOYMENTS = Kind("apps", "v1", "deployments", "Deployment")
STATEFULSETS = Kind("apps", "v1", "statefulsets", "StatefulSet")
DAEMONSETS = Kind("apps", "v1", "daemonsets", "DaemonSet")
JOBS = Kind("batch", "v1", "jobs", "Job")
CRONJOBS = Kind("batch", "v1", "cronjobs", "CronJob")


def pod_records(objects: Mapping[ObjectKey, Mapping[str, Any]]) -> dict[ObjectKey, PodRecord]:
    """Pod records of a raw pods feed (for pods the snapshot does not hold: another namespace)."""
    built = (build_pod(o) for o in objects.values())
    return {p.meta.key: p for p in built}


class TypedFeedChanged(Message):
    """A feed of the screen published; replaceable, so a burst costs one redraw."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TypedFeedChanged)


@dataclass
class _Open:
    spec: tuple[Any, ...]
    feed: Feed | None
    unsubscribe: Callable[[], None] | None
    error: str = ""


class FeedSet:
    """The named feeds of one screen: `want(name, kind, ...)` (re)opens a feed when what it should
    select changed, `view(name)` reads it, `close()` stops them all (on unmount)."""

    def __init__(self, source: FeedSource | None, target: MessagePump) -> None:
        self.source = source
        self._target = target
        self._open: dict[str, _Open] = {}
        self._built: dict[tuple[str, int, Any], Any] = {}

    def want(
        self,
        name: str,
        kind: Kind,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> None:
        """Have feed `name` list and watch `kind` with these selectors (a no-op when it already
        does and has not been closed by a context switch)."""
        spec = (kind, namespace, label_selector, field_selector)
        current = self._open.get(name)
        if (
            current is not None
            and current.spec == spec
            and (current.feed is None or not current.feed.view().closed)
        ):
            return
        self.drop(name)
        if self.source is None:
            self._open[name] = _Open(spec, None, None, "not available from this source")
            return
        try:
            feed = self.source.open_objects(
                kind.resolve(self.source),
                namespace if kind.namespaced else None,
                label_selector=label_selector,
                field_selector=field_selector,
            )
        except KdashError as exc:
            self._open[name] = _Open(spec, None, None, str(exc))
            return
        target = self._target

        def changed(_view: FeedView) -> None:  # on the feed's publisher thread: post only
            target.post_message(TypedFeedChanged())

        unsubscribe = feed.subscribe(changed)
        self._open[name] = _Open(spec, feed, unsubscribe)

    def drop(self, name: str) -> None:
        """Close feed `name` (it is not wanted any more)."""
        current = self._open.pop(name, None)
        if current is None:
            return
        if current.unsubscribe is not None:
            current.unsubscribe()
        close_quietly(current.feed)
        self._built = {k: v for k, v in self._built.items() if k[0] != name}

    def close(self) -> None:
        for name in list(self._open):
            self.drop(name)

    def opened(self) -> list[Feed]:
        """The feeds open now."""
        return [o.feed for o in self._open.values() if o.feed is not None]

    def view(self, name: str) -> FeedView | None:
        current = self._open.get(name)
        return None if current is None or current.feed is None else current.feed.view()

    def error(self, name: str) -> str:
        """Why feed `name` could not be opened ("" when it is open or not wanted)."""
        current = self._open.get(name)
        return current.error if current is not None else ""

    def live(self, name: str) -> bool:
        """Whether feed `name` has listed (its objects are the server's, not "not loaded yet")."""
        view = self.view(name)
        return view is not None and view.phase in (SyncPhase.LIVE, SyncPhase.POLLING)

    def objects(self, name: str) -> Mapping[ObjectKey, Mapping[str, Any]]:
        view = self.view(name)
        return view.objects if view is not None else {}

    def built(
        self, name: str, build: Callable[[Mapping[ObjectKey, Mapping[str, Any]]], R], tag: Any = None
    ) -> R:
        """`build(objects)` of feed `name`, computed once per feed generation (and `tag`)."""
        view = self.view(name)
        generation = view.generation if view is not None else -1
        key = (name, generation, tag)
        if key not in self._built:
            stale = [k for k in self._built if k[0] == name and k[2] == tag]
            for old in stale:
                del self._built[old]
            self._built[key] = build(view.objects if view is not None else {})
        result: R = self._built[key]
        return result

    def note(self, name: str, what: str) -> Text | None:
        """What to say instead of (or above) feed `name`'s objects: loading, forbidden, failing,
        stale; None while it is live."""
        error = self.error(name)
        if error:
            return Text(f"{what}: {clean(error)}", style=BAD)
        view = self.view(name)
        if view is None:
            return None
        if view.phase is SyncPhase.SYNCING:
            return Text(f"{what}: loading…", style=DIM)
        if view.phase in (SyncPhase.FORBIDDEN, SyncPhase.ERROR, SyncPhase.UNAVAILABLE) or view.closed:
            words = clean(view.message) or view.phase.value
            return Text(f"{what}: {words}", style=BAD if view.phase is not SyncPhase.UNAVAILABLE else WARN)
        if view.stale_since is not None:
            return Text(f"{what}: not confirmed live since {view.stale_since:%H:%M:%S}", style=WARN)
        return None
