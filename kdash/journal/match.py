"""Which journal entries belong to a pod: its own, and earlier pods' of the same workload.

Pod names change on every rollout and every reschedule, so "this pod crashed before" is usually
"a pod of this Deployment, in this container, crashed before": that is what pod detail shows.
"""

from __future__ import annotations

from collections.abc import Iterable

from kdash.journal.entry import JournalEntry
from kdash.model.pods import PodRecord


def entries_for_pod(entries: Iterable[JournalEntry], pod: PodRecord) -> list[JournalEntry]:
    """The pod's entries and its workload's earlier pods' (same container names), newest first."""
    namespace, name = pod.meta.namespace, pod.meta.name
    containers = {c.name for c in (*pod.spec.containers, *pod.spec.init_containers)}
    containers |= {c.name for c in (*pod.containers, *pod.init_containers)}
    owner = pod.workload
    found: list[tuple[int, JournalEntry]] = []
    for index, entry in enumerate(entries):
        if entry.namespace != namespace:
            continue
        if entry.pod == name or (
            owner is not None
            and entry.owner_kind == owner.kind
            and entry.owner_name == owner.name
            and (not containers or entry.container in containers)
        ):
            found.append((index, entry))
    # newest first; entries of the same second keep the file's (append) order
    found.sort(key=lambda pair: (pair[1].time, pair[0]), reverse=True)
    return [entry for _, entry in found]
