"""What a `kdash check` report covers, so a gate never passes on data it could not read.

A kind the health rules read that was forbidden or failing, a namespace forbidden among those
read one by one, a manifest document that could not be read: each is "not checked", makes the
report incomplete (exit 2) and is named in every output format. Nothing checked is never graded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kdash.check.usage_note import UsageNote
from kdash.health.scoring import coverage
from kdash.model.snapshot import KindState


@dataclass(frozen=True, slots=True)
class CheckScope:
    """`not_checked`: (what, why) pairs; `namespaces`: those read one by one (empty: cluster-wide,
    or manifests); `label`: how partial the grade is ("partial: 5 of 11 kinds readable");
    `usage`: what the usage rules saw of metrics.k8s.io (None offline: manifests have no usage)."""

    not_checked: tuple[tuple[str, str], ...] = ()
    namespaces: tuple[str, ...] = ()
    label: str = ""
    usage: UsageNote | None = None

    @property
    def complete(self) -> bool:
        return not self.not_checked


def live_scope(states: Mapping[str, KindState], namespace: str | None) -> CheckScope:
    """From the service's kind states; `namespace` is the one asked for (None: all)."""
    cover = coverage(states)
    missing = list(cover.unread)
    for ns in cover.denied:
        kinds = [k for k in cover.graded if ns in states[k].denied]
        missing.append((f"namespace {ns}", f"forbidden: {', '.join(kinds)}"))
    shown = cover.namespaces if namespace is None else ()
    return CheckScope(tuple(missing), shown, cover.label())


def manifest_scope(skipped: list[tuple[str, str]]) -> CheckScope:
    """From the manifest inputs and documents that could not be read, as (where, why) pairs."""
    label = f"partial: {len(skipped)} not read" if skipped else ""
    return CheckScope(tuple(skipped), (), label)
