"""PersistentVolumeClaim → what it asked for and got: its status, size, access modes and storage
class; the PersistentVolume it is bound to (capacity, access modes, reclaim policy, status, where
the data lives); why it waits when Pending (its events); and the pods that mount it.

The claim, its PV and the namespace's pods (whose volumes the snapshot's records do not keep) come
from on-demand feeds. `enter` opens a pod, `l` its logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

from kdash.model.build import build_pod
from kdash.model.build.storage import ClaimRecord, VolumeRecord, build_claim, build_volume
from kdash.model.meta import ObjectKey
from kdash.model.pods import PodRecord
from kdash.model.relations import bound_volume, claim_mounts
from kdash.model.source import ChangeSet
from kdash.ui.render import storage
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.feed_set import CLAIMS, PODS, VOLUMES
from kdash.ui.widgets.list_live import age_step
from kdash.ui.widgets.typed_detail import TypedScreen, noted


def _claim(objects: Mapping[ObjectKey, Mapping[str, Any]]) -> ClaimRecord | None:
    return next((build_claim(o) for o in objects.values()), None)


def _volumes(objects: Mapping[ObjectKey, Mapping[str, Any]]) -> list[VolumeRecord]:
    return [build_volume(o) for o in objects.values()]


class ClaimScreen(TypedScreen):
    """One PersistentVolumeClaim, live."""

    ORIGIN = "pods"
    KIND_LABEL = "PersistentVolumeClaim"
    SECTIONS = (("summary", "Claim"), ("volume", "Bound PersistentVolume"))
    COLUMNS = storage.MOUNT_COLUMNS
    EMPTY = "no pod mounts this claim"

    def __init__(self, session: LiveSession, key: ObjectKey) -> None:
        super().__init__(session, key)
        self._shown: tuple[Any, ...] | None = None

    def rows_changed(self, changes: ChangeSet) -> bool:
        """Its events (why a Pending claim waits) are the snapshot's; the rest comes from feeds."""
        ns, prefix = self.key.namespace, self.key.name + "."
        return any(
            key.namespace == ns and key.kind == "Event" and key.name.startswith(prefix)
            for key in changes.added | changes.modified | changes.deleted
        )

    def redraw(self, view: LiveView) -> None:
        snapshot, now = view.snapshot, view.now
        ns, name = self.key.namespace, self.key.name
        self.feeds.want("claim", CLAIMS, ns, field_selector=f"metadata.name={name}")
        self.feeds.want("pods", PODS, ns)
        claim = self.feeds.built("claim", _claim)
        if claim is not None and claim.volume:
            self.feeds.want("volume", VOLUMES, None, field_selector=f"metadata.name={claim.volume}")
        else:
            self.feeds.drop("volume")
        volume = bound_volume(claim, self.feeds.built("volume", _volumes)) if claim is not None else None
        self.gone(claim is not None, self.feeds.live("claim"))
        self.draw_title(storage.phase_text(claim.phase) if claim is not None else None, view)
        events = snapshot.events_for(self.key)
        claim_note = self.feeds.note("claim", "PersistentVolumeClaim")
        self.show(
            "summary",
            (claim, tuple(events), claim_note, age_step(now)),
            lambda: noted(storage.claim_summary(claim, events, now), claim_note),
        )
        volume_note = self.feeds.note("volume", "PersistentVolume")
        self.show(
            "volume",
            (claim, volume, volume_note),
            lambda: noted(storage.volume_section(claim, volume), volume_note),
        )
        mounts = self.feeds.built("pods", self._mounts)
        pods_note = self.feeds.note("pods", "pods")
        inputs = (tuple(mounts), pods_note, age_step(now), self.filter_table.filter_text)
        if inputs != self._shown:
            self._shown = inputs
            caption = Text("Pods mounting this claim", style="bold")
            if pods_note is not None:
                caption.append("  ")
                caption.append_text(pods_note)
            rows = [storage.mount_row(key, vol, pod, now) for key, vol, pod in mounts]
            self.set_rows(rows, caption)

    def _mounts(
        self, objects: Mapping[ObjectKey, Mapping[str, Any]]
    ) -> list[tuple[ObjectKey, str, PodRecord]]:
        """(pod, volume, its record) of the pods of the feed that mount the claim."""
        found = claim_mounts(self.key, objects.values())
        return [(key, volume, build_pod(objects[key])) for key, volume in found if key in objects]
