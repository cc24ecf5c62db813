"""Which resource a `:KIND` word names, resolved as kubectl resolves it, and the names to complete.

Pure functions over a `Discovery` (kdash.model.feeds), no Textual, so resolution is tested on plain
values. kubectl's order (k8s.io/client-go restmapper): a word is first matched as a full name
(plural, singular or Kind, case-insensitive) and only then as a short name, each in the server's
group priority order; `resource.group` (or `resource.version.group`) names one group, and a group
prefix is accepted (`hpa.autoscal`). Where two groups serve the same name the core group wins,
then the built-in groups (`apps`, `*.k8s.io`), then the others (CRDs) in discovery order, so
`events` is the core Event and a CRD cannot shadow `pods`; a qualified name always reaches its group.
"""

from __future__ import annotations

from collections.abc import Sequence

from kdash.model.feeds import ApiResource, Discovery, Feed, FeedSource
from kdash.model.snapshot import SyncPhase


def feed_source(source: object) -> FeedSource | None:
    """The session's source as a FeedSource (the ClusterService is one; a test double may not be).
    The one place kdash/ui asks: screens call this, never getattr."""
    return source if isinstance(source, FeedSource) else None


def is_builtin(group: str) -> bool:
    """Whether a group is Kubernetes' own (core, `apps`, `*.k8s.io`), not a CRD's or an add-on's."""
    return _tier(group) < 2


def _tier(group: str) -> int:
    """Priority of a group: core, then Kubernetes' own (no dot, or under k8s.io), then the rest."""
    if not group:
        return 0
    if "." not in group or group.endswith(".k8s.io") or group == "k8s.io":
        return 1
    return 2


_RANKED: tuple[Discovery | None, tuple[ApiResource, ...]] = (None, ())


def ranked(discovery: Discovery) -> tuple[ApiResource, ...]:
    """One entry per (group, resource) — the group's preferred version, the first discovery lists —
    in kubectl's priority order (core, built-in groups, others; discovery order within a tier)."""
    global _RANKED
    if _RANKED[0] is discovery:
        return _RANKED[1]
    seen: set[tuple[str, str]] = set()
    first: list[ApiResource] = []
    for res in discovery.resources:
        ident = (res.group, res.resource)
        if ident not in seen:
            seen.add(ident)
            first.append(res)
    out = tuple(sorted(first, key=lambda r: _tier(r.group)))  # stable: discovery order within a tier
    _RANKED = (discovery, out)
    return out


def _full_name(res: ApiResource, word: str) -> bool:
    return word in (res.resource, res.singular.lower(), res.kind.lower())


def _first(candidates: Sequence[ApiResource], word: str) -> ApiResource | None:
    """Full names first, then short names (kubectl never expands a short name that is a full name)."""
    for res in candidates:
        if _full_name(res, word):
            return res
    for res in candidates:
        if word in res.short_names:
            return res
    return None


def resolve_kind(word: str, discovery: Discovery) -> ApiResource | None:
    """The resource `word` names on this server (None: no such resource)."""
    word = word.strip().lower()
    if not word:
        return None
    resources = ranked(discovery)
    name, dot, qualifier = word.partition(".")
    if not dot:
        return _first(resources, word)
    if not name or not qualifier:
        return None
    found = _first([r for r in resources if r.group == qualifier], name)
    if found is not None:
        return found
    version, _, group = qualifier.partition(".")  # `deployments.v1.apps`: any served version
    if group:
        exact = [r for r in discovery.resources if r.group == group and r.version == version]
        found = _first(exact, name)
        if found is not None:
            return found
    return _first([r for r in resources if r.group.startswith(qualifier)], name)


def kind_names(discovery: Discovery) -> list[str]:
    """Every name a `:` command may use for a discovered kind, shortest first: short names,
    plurals and the group-qualified names (`certificates.cert-manager.io`), each once."""
    names: dict[str, int] = {}
    for rank, res in enumerate(ranked(discovery)):
        if not res.listable:
            continue
        for name in (*res.short_names, res.resource, res.qualified):
            names.setdefault(name.lower(), rank)
    return sorted(names, key=lambda n: (len(n), names[n], n))


def not_found(word: str, discovery: Discovery | None) -> str:
    """One sentence for a word that names no resource: unknown, or discovery is not in yet."""
    shown = word.strip()
    if discovery is None:
        return f'no resource "{shown}": this connection cannot list other kinds'
    if discovery.phase is SyncPhase.SYNCING:
        return f'"{shown}": the server\'s resource list is still loading; try again in a moment'
    if discovery.message:
        return f'no resource "{shown}" on this server (discovery: {discovery.message})'
    return f'no resource "{shown}" on this server'


def title_of(res: ApiResource) -> str:
    """How a list screen names its kind: the Kind, plus the group for a kind outside the core."""
    return res.kind if is_builtin(res.group) else f"{res.kind} ({res.group})"


def close_quietly(feed: Feed | None) -> None:
    """Stop a feed; a failure to close (the connection already gone) is not the user's problem."""
    if feed is None:
        return
    try:
        feed.close()
    except Exception:  # noqa: BLE001 - closing must never take a screen down
        return
