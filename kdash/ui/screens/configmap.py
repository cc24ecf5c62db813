"""ConfigMap → who reads it: the workloads whose pod template mounts it (volumes, projected
volumes) or takes it into the environment (envFrom, env valueFrom), and how; its key names and
sizes (values are not secret, but long: the whole object is `y`).

The ConfigMap and the namespace's workloads (whose pod templates the snapshot's records keep
without volumes or env) come from on-demand feeds. `enter` opens a workload's pods.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.text import Text

from kdash.model.build.storage import ConfigMapRecord, build_configmap
from kdash.model.meta import ObjectKey
from kdash.model.relations import configmap_users
from kdash.model.source import ChangeSet
from kdash.model.workloads import WORKLOAD_KINDS
from kdash.ui.render import storage
from kdash.ui.session import LiveSession
from kdash.ui.view import LiveView
from kdash.ui.widgets.feed_set import (
    CONFIGMAPS,
    CRONJOBS,
    DAEMONSETS,
    DEPLOYMENTS,
    JOBS,
    STATEFULSETS,
    Kind,
)
from kdash.ui.widgets.list_live import age_step
from kdash.ui.widgets.typed_detail import TypedScreen, noted

WORKLOAD_FEEDS: tuple[Kind, ...] = (DEPLOYMENTS, STATEFULSETS, DAEMONSETS, JOBS, CRONJOBS)

Users = list[tuple[ObjectKey, tuple[str, ...]]]


def _configmap(objects: Mapping[ObjectKey, Mapping[str, Any]]) -> ConfigMapRecord | None:
    return next((build_configmap(o) for o in objects.values()), None)


class ConfigMapScreen(TypedScreen):
    """One ConfigMap, live."""

    ORIGIN = "workloads"
    KIND_LABEL = "ConfigMap"
    SECTIONS = (("summary", "ConfigMap"), ("keys", "Keys (values: y)"))
    COLUMNS = storage.USER_COLUMNS
    EMPTY = "no workload reads this ConfigMap"

    def __init__(self, session: LiveSession, key: ObjectKey) -> None:
        super().__init__(session, key)
        self._shown: tuple[Any, ...] | None = None

    def kinds(self) -> Iterable[str]:
        return ()

    def rows_changed(self, changes: ChangeSet) -> bool:
        """Workloads' readiness (the READY column) is the snapshot's."""
        return any(
            key.kind in WORKLOAD_KINDS and key.namespace == self.key.namespace
            for key in changes.added | changes.modified | changes.deleted
        )

    def users(self) -> Users | None:
        """Who reads it, from every workload feed; None until they have all listed."""
        found: Users = []
        for kind in WORKLOAD_FEEDS:
            name = kind.resource

            def build(objects: Mapping[ObjectKey, Mapping[str, Any]], kind_name: str = kind.kind) -> Users:
                return configmap_users(self.key, [(kind_name, o) for o in objects.values()])

            found += self.feeds.built(name, build)
        return sorted(found) if self.listed_all() else None

    def listed_all(self) -> bool:
        return all(self.feeds.live(k.resource) for k in WORKLOAD_FEEDS)

    def redraw(self, view: LiveView) -> None:
        snapshot, now = view.snapshot, view.now
        ns = self.key.namespace
        self.feeds.want("cm", CONFIGMAPS, ns, field_selector=f"metadata.name={self.key.name}")
        for kind in WORKLOAD_FEEDS:
            self.feeds.want(kind.resource, kind, ns)
        cm = self.feeds.built("cm", _configmap)
        self.gone(cm is not None, self.feeds.live("cm"))
        users = self.users()
        count = len(users) if users is not None else None
        status = None
        if cm is not None:
            status = Text(f"{len(cm.keys)} keys", style="")
            if count == 0:
                status.append("  read by nothing", style="yellow")
        self.draw_title(status, view)
        note = self.feeds.note("cm", "ConfigMap")
        self.show(
            "summary",
            (cm, count, note, age_step(now)),
            lambda: noted(storage.configmap_summary(cm, count, now), note),
        )
        self.show("keys", cm, lambda: storage.keys_section(cm))
        notes = [n for k in WORKLOAD_FEEDS if (n := self.feeds.note(k.resource, k.resource)) is not None]
        shown = users or []
        records = tuple(snapshot.workloads.get(k) for k, _ in shown)
        inputs = (tuple(shown), records, tuple(n.plain for n in notes), self.filter_table.filter_text)
        if inputs != self._shown:
            self._shown = inputs
            caption = Text("Workloads reading it (enter opens their pods)", style="bold")
            for n in notes[:2]:
                caption.append("  ")
                caption.append_text(n)
            rows = [storage.user_row(k, uses, snapshot.workloads.get(k)) for k, uses in shown]
            self.set_rows(rows, caption)
