"""Which resources the server serves: aggregated discovery, or the legacy documents where it is not.

Aggregated discovery (`/api` and `/apis` with `Accept: ...;as=APIGroupDiscoveryList`, Kubernetes
1.26+) answers in two requests. An older server answers the same two requests with the legacy
APIVersions / APIGroupList (we offer `application/json` as a fallback) or 406; then each group
version's APIResourceList is fetched. Subresources are left out. A group version that fails (a
broken aggregated API answering 503, or marked Stale) makes the result partial, with a message,
not a failure. Runs on a background thread per scope (`DiscoveryRunner`), never on the UI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from kdash.k8s.backoff import Backoff
from kdash.k8s.rawapi import ApiError, RawApi
from kdash.k8s.settings import ServiceSettings
from kdash.model.feeds import ApiResource, Discovery
from kdash.model.snapshot import SyncPhase

log = logging.getLogger("kdash.k8s")

AGGREGATED = "as=APIGroupDiscoveryList"
ACCEPT_AGGREGATED = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
)
_NOT_SERVED = (404, 406, 415)  # how a server without aggregated discovery may refuse the media type


def _dict(x: object) -> dict[str, Any]:
    return x if isinstance(x, dict) else {}


def _strs(x: object) -> tuple[str, ...]:
    return tuple(s for s in x if isinstance(s, str)) if isinstance(x, list) else ()


class _Found:
    """Resources in discovery order: every group's preferred version first, then the others."""

    def __init__(self) -> None:
        self.preferred: list[ApiResource] = []
        self.others: list[ApiResource] = []
        self.problems: list[str] = []

    def add(self, resources: Iterable[ApiResource], preferred: bool) -> None:
        (self.preferred if preferred else self.others).extend(resources)

    def result(self) -> Discovery:
        return Discovery(tuple(self.preferred + self.others), SyncPhase.LIVE, "; ".join(self.problems))


# ---- aggregated ----------------------------------------------------------------------------------
def aggregated_resources(group: str, version: Mapping[str, Any]) -> list[ApiResource]:
    """The resources of one version entry of an APIGroupDiscovery (subresources are nested: skipped)."""
    out: list[ApiResource] = []
    for res in version.get("resources") or ():
        res = _dict(res)
        name, kind = res.get("resource"), _dict(res.get("responseKind")).get("kind")
        if not isinstance(name, str) or not name or "/" in name or not isinstance(kind, str) or not kind:
            continue
        out.append(
            ApiResource(
                group=group,
                version=str(version.get("version") or ""),
                resource=name,
                kind=kind,
                namespaced=res.get("scope") == "Namespaced",
                singular=str(res.get("singularResource") or ""),
                short_names=_strs(res.get("shortNames")),
                verbs=frozenset(_strs(res.get("verbs"))),
                categories=_strs(res.get("categories")),
            )
        )
    return out


def add_aggregated(doc: Mapping[str, Any], found: _Found, *, core: bool) -> None:
    for item in doc.get("items") or ():
        item = _dict(item)
        group = "" if core else str(_dict(item.get("metadata")).get("name") or "")
        for i, version in enumerate(item.get("versions") or ()):
            version = _dict(version)
            if version.get("freshness") == "Stale":
                gv = f"{group}/{version.get('version')}" if group else str(version.get("version"))
                found.problems.append(f"{gv}: its API server does not answer (discovery is stale)")
            found.add(aggregated_resources(group, version), preferred=i == 0)


# ---- legacy --------------------------------------------------------------------------------------
def legacy_resources(group: str, version: str, doc: Mapping[str, Any]) -> list[ApiResource]:
    """The resources of one APIResourceList, subresources ("pods/log") left out."""
    out: list[ApiResource] = []
    for res in doc.get("resources") or ():
        res = _dict(res)
        name, kind = res.get("name"), res.get("kind")
        if not isinstance(name, str) or not name or "/" in name or not isinstance(kind, str) or not kind:
            continue
        out.append(
            ApiResource(
                group=group,
                version=version,
                resource=name,
                kind=kind,
                namespaced=bool(res.get("namespaced")),
                singular=str(res.get("singularName") or ""),
                short_names=_strs(res.get("shortNames")),
                verbs=frozenset(_strs(res.get("verbs"))),
                categories=_strs(res.get("categories")),
            )
        )
    return out


def _legacy_version(api: RawApi, group: str, version: str, found: _Found, preferred: bool) -> None:
    gv = f"{group}/{version}" if group else version
    path = f"/apis/{gv}" if group else f"/api/{version}"
    try:
        doc = _dict(api.get_json(path))
    except ApiError as exc:
        log.info("discovery of %s failed: %s", gv, exc.message)
        found.problems.append(f"{gv}: {exc.message}")
        return
    found.add(legacy_resources(group, version, doc), preferred)


def add_legacy_core(api: RawApi, doc: Mapping[str, Any], found: _Found) -> None:
    for i, version in enumerate(_strs(doc.get("versions")) or ("v1",)):
        _legacy_version(api, "", version, found, preferred=i == 0)


def add_legacy_groups(api: RawApi, doc: Mapping[str, Any], found: _Found) -> None:
    for group in doc.get("groups") or ():
        group = _dict(group)
        name = group.get("name")
        if not isinstance(name, str) or not name:
            continue
        preferred = str(_dict(group.get("preferredVersion")).get("version") or "")
        versions = [str(_dict(v).get("version") or "") for v in group.get("versions") or ()]
        versions = [v for v in versions if v]
        if preferred in versions:
            versions.remove(preferred)
            versions.insert(0, preferred)
        for i, version in enumerate(versions):
            _legacy_version(api, name, version, found, preferred=i == 0)


# ---- one run -------------------------------------------------------------------------------------
def _root(api: RawApi, path: str) -> dict[str, Any]:
    """GET /api or /apis, asking for aggregated discovery first (406/404: ask again plainly)."""
    try:
        return _dict(api.get_json(path, accept=ACCEPT_AGGREGATED))
    except ApiError as exc:
        if exc.status not in _NOT_SERVED:
            raise
        log.debug("%s: aggregated discovery not served (%s)", path, exc.status)
    return _dict(api.get_json(path))


def discover(api: RawApi) -> Discovery:
    """Everything the server serves. Raises ApiError only when /api itself fails."""
    found = _Found()
    core = _root(api, "/api")
    if core.get("kind") == "APIGroupDiscoveryList":
        add_aggregated(core, found, core=True)
    else:
        add_legacy_core(api, core, found)
    try:
        groups = _root(api, "/apis")
    except ApiError as exc:
        found.problems.append(f"/apis: {exc.message}")
        return found.result()
    if groups.get("kind") == "APIGroupDiscoveryList":
        add_aggregated(groups, found, core=False)
    else:
        add_legacy_groups(api, groups, found)
    return found.result()


class DiscoveryRunner:
    """The latest discovery of the service's cluster; `start()` runs it again on a new thread."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._current = Discovery()
        self._token = 0

    def current(self) -> Discovery:
        with self._lock:
            return self._current

    def reset(self) -> None:
        """Another cluster: forget what this one served (SYNCING until the new answer)."""
        with self._lock:
            self._token += 1
            self._current = Discovery()

    def start(self, target: Any, stop: threading.Event) -> threading.Thread:
        """Discover `target` on a new thread until it succeeds or `stop` is set (the scope ended)."""
        with self._lock:
            token = self._token
        thread = threading.Thread(
            target=self._run, args=(target, stop, token), name="kdash-discovery", daemon=True
        )
        thread.start()
        return thread

    def _store(self, result: Discovery, stop: threading.Event, token: int) -> None:
        with self._lock:
            if stop.is_set() or token != self._token:
                return  # a late answer of a scope that has ended
            if result.phase is SyncPhase.ERROR and self._current.phase is SyncPhase.LIVE:
                return  # keep what the last run found; this one may be a blip
            self._current = result

    def _run(self, target: Any, stop: threading.Event, token: int) -> None:
        backoff = Backoff(self._settings.backoff_initial, self._settings.backoff_max)
        while not stop.is_set():
            api = RawApi(
                target,
                connect_timeout=self._settings.connect_timeout_seconds,
                read_timeout=self._settings.request_timeout_seconds,
            )
            try:
                result = discover(api)
            except ApiError as exc:
                result = Discovery(phase=SyncPhase.ERROR, message=f"discovery failed: {exc.message}")
            except Exception:  # a bug must not leave discovery syncing for ever
                log.exception("discovery failed")
                result = Discovery(phase=SyncPhase.ERROR, message="discovery failed (see the debug log)")
            finally:
                api.close()
            self._store(result, stop, token)
            if result.phase is SyncPhase.LIVE and not result.message:
                return
            stop.wait(backoff.next())  # partial or failed: ask again, less and less often
