"""The YAML or describe page of a row of any kind's list, fetched for its exact resource.

The object screen (kdash/ui/screens/yaml_view.py) fetches by Kind, which two groups may share; a
kind list knows its exact resource, so its rows open with this page builder instead
(`FeedSource.fetch_resource`, CRD instances included). A Secret is fetched as metadata only
(`fetch_metadata`): its key names and values are never read, and the page says so. BLOCKING:
the screen runs it in its fetch worker.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from kdash.model.feeds import ApiResource, FeedSource
from kdash.model.meta import ObjectKey
from kdash.model.source import ClusterSource
from kdash.model.timefmt import age
from kdash.ui.detail_format import DIM
from kdash.ui.widgets.detail_yaml import describe, highlight_yaml, strip_noise, to_yaml

SECRET_NOTE = "metadata only: kdash does not read Secrets, so their key names and values are not shown"


def is_secret(resource: ApiResource) -> bool:
    return resource.group == "" and resource.resource == "secrets"


def secret_page(obj: dict[str, Any], mode: str) -> Text:
    """A Secret's metadata, with the line saying what is left out (and nothing else of it)."""
    safe: dict[str, Any] = {k: obj[k] for k in ("apiVersion", "kind", "metadata") if k in obj}
    body = highlight_yaml(to_yaml(strip_noise(safe))) if mode == "yaml" else describe(strip_noise(safe))
    page = Text(f"# {SECRET_NOTE}\n" if mode == "yaml" else f"{SECRET_NOTE}\n\n", style=DIM)
    page.append_text(body)
    return page


def events_of(source: ClusterSource, key: ObjectKey) -> list[tuple[str, str, str, str]]:
    """The object's events from the dashboard's snapshot (type, reason, age, message)."""
    snapshot = source.snapshot()
    now = snapshot.taken_at
    return [
        (e.type, e.reason, age(e.last_seen or e.first_seen or e.meta.created, now) if now else "", e.message)
        for e in snapshot.events_for(key)
    ]


def resource_page(
    source: ClusterSource, feeds: FeedSource, resource: ApiResource, key: ObjectKey, mode: str
) -> Text:
    """BLOCKING: fetch the object of `key` in `resource` and format it; raises KdashError in words."""
    if is_secret(resource):
        return secret_page(feeds.fetch_metadata(key), mode)
    obj = feeds.fetch_resource(resource, key.namespace, key.name)
    return highlight_yaml(to_yaml(obj)) if mode == "yaml" else describe(obj, events_of(source, key))
