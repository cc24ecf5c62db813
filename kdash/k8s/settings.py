"""Tunables of the cluster service; tests pass small timeouts, the CLI passes the user's config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from difflib import get_close_matches
from typing import Any

from kdash.errors import ConfigError
from kdash.k8s.resources import RESOURCES
from kdash.model.usage import DEFAULT_INTERVAL_S

DEFAULT_KINDS: tuple[str, ...] = (
    "namespaces",
    "nodes",
    "pods",
    "events",
    "deployments",
    "replicasets",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
    "horizontalpodautoscalers",
    "resourcequotas",
    "limitranges",
    "services",
    "poddisruptionbudgets",
    # read by the cross-object and RBAC rules only; optional (a 403 stops those rules, nothing else)
    "networkpolicies",
    "ingresses",
    "configmaps",
    "roles",
    "clusterroles",
    "rolebindings",
    "clusterrolebindings",
    "pods.metrics.k8s.io",
    "nodes.metrics.k8s.io",
)


@dataclass(frozen=True)
class ServiceSettings:
    """How the informers list, watch, back off and notify.

    The server-side watch timeout is randomised per request between 80 % and 100 % of
    `watch_timeout_seconds` (like client-go) so many informers do not all renew at once; the client
    read timeout must stay longer than it, otherwise healthy idle watches would count as failures.
    """

    # Items per list page. Pages are parsed item by item and the next one is requested while this
    # one is built (informer.py), so a page's size barely affects memory (only its raw bytes);
    # 1000 halves the round trips of kubectl's 500 and measured ~15 % faster for 10,000 pods.
    page_size: int = 1000
    watch_timeout_seconds: float = 290.0
    read_timeout_seconds: float = 310.0
    connect_timeout_seconds: float = 10.0
    request_timeout_seconds: float = 60.0  # read timeout of lists and single GETs
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    # While cut off from the server, one cheap GET /readyz this often resumes every informer as soon
    # as it answers again, whatever their back-off has grown to.
    probe_interval: float = 1.0
    retry_after_max: float = 60.0  # a server's Retry-After is honoured up to this (1e12 is not)
    poll_interval: float = 30.0
    # metrics.k8s.io is list-only: its kinds are polled this often (metrics-server's resolution;
    # polling faster only re-reads the same sample)
    metrics_interval: float = DEFAULT_INTERVAL_S
    max_notify_hz: float = 10.0
    namespaces: tuple[str, ...] = ()  # extra namespaces to try when a cluster-wide list is forbidden
    kinds: tuple[str, ...] = DEFAULT_KINDS
    join_timeout: float = 5.0  # how long stop() waits for each thread

    def __post_init__(self) -> None:
        if self.read_timeout_seconds <= self.watch_timeout_seconds:
            raise ValueError("read_timeout_seconds must be longer than watch_timeout_seconds")
        if self.max_notify_hz <= 0 or self.page_size <= 0:
            raise ValueError("max_notify_hz and page_size must be positive")

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, Any], source: str = "config", *, namespaces: tuple[str, ...] = ()
    ) -> ServiceSettings:
        """The `[service]` table of config.toml; `namespaces` are appended to its fallback list.

        The TUI and `kdash check` both build their settings here, so a restricted user's check
        tries the same namespaces as their dashboard. Raises ConfigError naming `source`.
        """
        try:
            kwargs = {key: _checked(key, value) for key, value in values.items()}
        except ValueError as exc:
            raise ConfigError(f"{source}: {exc}") from None
        listed = kwargs.get("namespaces", ())
        kwargs["namespaces"] = tuple(dict.fromkeys((*listed, *(ns for ns in namespaces if ns))))
        try:
            return cls(**kwargs)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{source}: bad [service] settings: {exc}.") from None


def _checked(key: str, value: Any) -> Any:
    """One `[service]` value, typed as its default is; ValueError is one sentence with a hint."""
    defaults = {f.name: f.default for f in fields(ServiceSettings)}
    if key not in defaults:
        match = get_close_matches(key, defaults, n=1)
        hint = f"; did you mean {match[0]!r}?" if match else f"; known: {', '.join(sorted(defaults))}."
        raise ValueError(f"unknown setting {key!r} in [service]{hint}")
    default = defaults[key]
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ValueError(f"service.{key}: expected a list of names in quotes, got {value!r}.")
        if key == "kinds":
            _check_kinds(value)
        return tuple(value)
    whole = isinstance(default, int)
    if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
        raise ValueError(f"service.{key}: expected a {'whole number' if whole else 'number'}, got {value!r}.")
    if value <= 0:  # every count, interval and timeout here: zero would spin or never wait
        raise ValueError(f"service.{key}: expected a positive number, got {value!r}.")
    return value


def _check_kinds(kinds: list[str]) -> None:
    for kind in kinds:
        if kind not in RESOURCES:
            match = get_close_matches(kind, RESOURCES, n=1)
            hint = f"; did you mean {match[0]!r}?" if match else f"; known: {', '.join(sorted(RESOURCES))}."
            raise ValueError(f"service.kinds: unknown kind {kind!r}{hint}")
