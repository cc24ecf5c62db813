"""Messages that cross widget boundaries in kdash's UI (widget-local ones are nested classes)."""

from __future__ import annotations

from textual.message import Message

from kdash.model.source import ChangeSet


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
