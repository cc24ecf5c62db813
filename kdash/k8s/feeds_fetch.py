"""Blocking GETs of one object, for describe/YAML views (run them in a worker, never on the UI thread).

`fetch_object(key)` finds the kind among kdash's own (watched or EXTRA_FETCHABLE) kinds, then in
discovery (so CRD instances open too); `fetch_resource(resource, ...)` takes the exact discovered
resource (a kind served by two groups is ambiguous by Kind alone). Both refuse Secrets.
`fetch_metadata(key)` asks for PartialObjectMetadata only, so it works for Secrets without
reading their data.
"""

from __future__ import annotations

from typing import Any

from kdash.errors import KdashError
from kdash.k8s.feeds import is_secret, resource_info
from kdash.k8s.rawapi import ApiError, NotFoundError, RawApi
from kdash.k8s.resources import ResourceInfo, info_for_kind, object_path
from kdash.k8s.settings import ServiceSettings
from kdash.k8s.table_parse import ACCEPT_METADATA, slim
from kdash.model.feeds import ApiResource, Discovery
from kdash.model.meta import ObjectKey

SECRETS = ResourceInfo("secrets", "Secret", "v1", namespaced=True)
_NO_SECRETS = "kdash does not read Secrets."


def find_kind(discovery: Discovery, kind: str) -> ApiResource | None:
    """The first discovered resource of `kind`: discovery lists preferred versions first, the
    core group first, so "Event" is v1 Event rather than events.k8s.io."""
    return next((r for r in discovery.resources if r.kind == kind), None)


def info_for(kind: str, discovery: Discovery) -> ResourceInfo | None:
    info = info_for_kind(kind)
    if info is not None:
        return info
    found = find_kind(discovery, kind)
    if found is not None:
        return resource_info(found)
    return SECRETS if kind == "Secret" else None


def _get(
    target: Any, settings: ServiceSettings, info: ResourceInfo, key: ObjectKey, accept: str
) -> dict[str, Any]:
    api = RawApi(
        target,
        connect_timeout=settings.connect_timeout_seconds,
        read_timeout=settings.request_timeout_seconds,
    )
    try:
        obj = api.get_json(
            object_path(info, key.namespace if info.namespaced else "", key.name), accept=accept
        )
    except NotFoundError:
        raise KdashError(f"{key} no longer exists.") from None
    except ApiError as exc:
        raise KdashError(f"Cannot fetch {key}: {exc.message}.") from None
    finally:
        api.close()
    if not isinstance(obj, dict):
        raise KdashError(f"Cannot fetch {key}: the server sent no object.")
    return slim(obj)


def fetch_object(
    target: Any, settings: ServiceSettings, key: ObjectKey, discovery: Discovery
) -> dict[str, Any]:
    """The whole object, managedFields and last-applied dropped. Never Secrets."""
    if key.kind == "Secret":
        raise KdashError(_NO_SECRETS)
    info = info_for(key.kind, discovery)
    if info is None:
        raise KdashError(f"kdash cannot show {key.kind} objects: the server's discovery does not list them.")
    return _get(target, settings, info, key, "application/json")


def fetch_resource(
    target: Any, settings: ServiceSettings, resource: ApiResource, namespace: str, name: str
) -> dict[str, Any]:
    """One object of an exact discovered resource (CRD instances included). Never Secrets."""
    if is_secret(resource):
        raise KdashError(_NO_SECRETS)
    key = ObjectKey(resource.kind, namespace if resource.namespaced else "", name)
    return _get(target, settings, resource_info(resource), key, "application/json")


def fetch_metadata(
    target: Any, settings: ServiceSettings, key: ObjectKey, discovery: Discovery
) -> dict[str, Any]:
    """The object as PartialObjectMetadata: metadata only (Secrets included: never their data)."""
    info = info_for(key.kind, discovery)
    if info is None:
        raise KdashError(f"kdash cannot show {key.kind} objects: the server's discovery does not list them.")
    obj = _get(target, settings, info, key, ACCEPT_METADATA)
    if obj.get("kind") != "PartialObjectMetadata":  # never show what we did not ask for
        raise KdashError(f"Cannot fetch {key}: the server does not answer metadata-only requests.")
    return obj
