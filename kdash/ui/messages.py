"""Messages that cross widget boundaries in kdash's UI (widget-local ones are nested classes)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

from textual.message import Message

from kdash.alerts.model import AlertDelta
from kdash.model.feeds import ApiResource
from kdash.model.meta import ObjectKey
from kdash.model.source import ChangeSet, LogTarget


class SnapshotChanged(Message):
    """The cluster service published a new snapshot.

    Posted from the service thread. A queued one is replaced by a newer one (`can_replace`), so a
    burst of publishes costs one re-render; the merged ChangeSet comes from the bridge.
    """

    def __init__(self, changes: ChangeSet) -> None:
        super().__init__()
        self.changes = changes

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SnapshotChanged)


class DashboardReady(Message):
    """The dashboard has mounted and chosen its first pane: keys typed during start-up may go to it
    now (kdash/ui/early_keys.py)."""


# -- navigation: screens and widgets say what they want; the app's Navigator decides how ------------
# Posted from a table row's keys (enter, l, p, d, y) or a screen; they bubble up to the app, which
# handles them in one place (kdash/ui/navigation.py). No screen calls the app by attribute name.


@dataclass
class OpenRow(Message):
    """`enter` on a row of a pane or list: drill down to whatever that row stands for.

    `origin` names the table kind ("workloads", "hpa", "quotas", "restarts", "health", "pods",
    "events", ...) so the navigator can tell an HPA row (open its target) from a workload row.
    """

    origin: str
    row_key: Hashable


@dataclass
class OpenPods(Message):
    """The pods of a workload, or the pods using most of a ResourceQuota."""

    owner: ObjectKey


@dataclass
class OpenPod(Message):
    """One pod's detail screen."""

    key: ObjectKey


@dataclass
class OpenLogs(Message):
    """The full-screen logs view of a pod, container or workload."""

    target: LogTarget


@dataclass
class OpenRowLogs(Message):
    """`l`/`p` on a row: the logs of whatever that row stands for (pod, container, workload)."""

    origin: str
    row_key: Hashable
    previous: bool = False


@dataclass
class OpenObject(Message):
    """Read-only YAML or describe of any object (Secrets are refused without a request)."""

    key: ObjectKey
    mode: Literal["yaml", "describe"] = "yaml"


@dataclass
class OpenKind(Message):
    """The list of any discovered kind (`:svc`, `:certificates`, the `:aliases` picker's Enter),
    with the server's Table columns."""

    resource: ApiResource


@dataclass
class OpenResource(Message):
    """A row of a kind list: `open` (a typed screen, or the pod/workload drill-down, else
    describe), `yaml` or `describe`. The exact resource travels along: a Kind alone is ambiguous
    between groups, and a Secret must be fetched as metadata only."""

    resource: ApiResource
    key: ObjectKey
    mode: Literal["open", "yaml", "describe"] = "open"


# -- alerts (alerts15) --------------------------------------------------------------------------------


class AlertsChanged(Message):
    """The session's alert engine opened, resolved or updated alerts (posted to the app after a
    render whose delta is not empty). The app turns it into toasts, the bell and desktop
    notifications, and hands it to the `--on-alert` hook runner. Never replaced: every delta counts.

    `initial`: found by the first pass over a scope or while its lists still load: problems that
    were there before kdash looked (the header badge counts them; no toast, bell or notification)."""

    def __init__(self, delta: AlertDelta, *, initial: bool = False) -> None:
        super().__init__()
        self.delta = delta
        self.initial = initial
