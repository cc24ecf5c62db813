"""Find and load the kubeconfig the way kubectl does, and say clearly what is wrong when we cannot.

Validation (YAML, context, cluster and user entries) happens here, before any credentials are
read, because the official loader's own exceptions are terse and sometimes tracebacks in disguise.
Static credentials (token, tokenFile, client certificates, CA) are read by kdash.k8s.kubeauth
without importing `kubernetes` (~0.3 s of start-up); exec plugins, auth providers, in-cluster
service accounts and anything unusual go through the official loader, which refreshes them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kdash.errors import ConfigError
from kdash.k8s.kubeauth import direct_settings
from kdash.k8s.redact import redact
from kdash.k8s.transport import Connection, DirectConnection, DirectSettings

_SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")


class _Credentials:
    """How one target's connections authenticate: kdash's direct settings, or the official
    client's `Configuration` (loaded at most once; eagerly when there are no direct settings, so
    that its errors surface in `load_target`)."""

    def __init__(self, direct: DirectSettings | None, loader: Callable[[], Any]) -> None:
        self.direct = direct
        self._loader = loader
        self._configuration: Any = None
        self._lock = threading.Lock()

    def configuration(self) -> Any:
        with self._lock:
            if self._configuration is None:
                self._configuration = self._loader()
            return self._configuration

    def connection(self, user_agent: str) -> Connection:
        if self.direct is not None:
            return DirectConnection(self.direct, user_agent)
        return _ClientConnection(self.configuration(), user_agent)


class _ClientConnection:
    """The official client's pool and `param_serialize` (which runs its token refresh hook)."""

    def __init__(self, configuration: Any, user_agent: str) -> None:
        from kubernetes import client

        self._client = client.ApiClient(configuration=configuration)
        self._client.user_agent = user_agent

    @property
    def pool(self) -> Any:
        return self._client.rest_client.pool_manager

    def prepare(self, path: str, headers: Mapping[str, str]) -> tuple[str, dict[str, str]]:
        _method, url, out, _body, _post = self._client.param_serialize(
            "GET", path, header_params=dict(headers), auth_settings=["BearerToken"]
        )
        return url, out

    def close(self) -> None:
        self._client.rest_client.close()


@dataclass(frozen=True)
class KubeTarget:
    """One resolved cluster: which context, which server, and how to connect to it."""

    context: str
    server: str  # for display: credentials in the URL (user:password@, ?token=) are masked
    namespace: str | None  # the context's default namespace, if it names one
    contexts: tuple[str, ...]
    paths: tuple[str, ...]  # kubeconfig files merged, in kubectl's order; () when in-cluster
    in_cluster: bool = False
    _credentials: _Credentials | None = field(default=None, repr=False, compare=False)

    @property
    def via_client(self) -> bool:
        """True when the official client's loader configured this target (exec, in-cluster...)."""
        return self._creds().direct is None

    def connection(self, user_agent: str) -> Connection:
        """A new connection (pool + credentials); one per thread, like the official client."""
        return self._creds().connection(user_agent)

    def api_client(self) -> Any:
        """A new `kubernetes.client.ApiClient` (imports the client; kdash itself uses `connection`)."""
        from kubernetes import client

        return client.ApiClient(configuration=self.configuration())

    def configuration(self) -> Any:
        """The official client's `Configuration` of this target (loaded on first use)."""
        return self._creds().configuration()

    def _creds(self) -> _Credentials:
        if self._credentials is None:
            raise ConfigError(f'Context "{self.context}" was not loaded from a kubeconfig.')
        return self._credentials

    def with_context(self, context: str) -> KubeTarget:
        """The same kubeconfig files, another context (for `:ctx NAME`)."""
        if self.in_cluster:
            raise ConfigError(
                "kdash is running in-cluster with no kubeconfig, so there are no other contexts."
            )
        return load_target(kubeconfig=os.pathsep.join(self.paths), context=context)


def kubeconfig_paths(kubeconfig: str | None, env: Mapping[str, str] | None = None) -> list[Path]:
    """The files kubectl would read: --kubeconfig, else every entry of $KUBECONFIG, else ~/.kube/config."""
    env = os.environ if env is None else env
    if kubeconfig:
        return [Path(p).expanduser() for p in kubeconfig.split(os.pathsep) if p]
    if env.get("KUBECONFIG"):
        return [Path(p).expanduser() for p in env["KUBECONFIG"].split(os.pathsep) if p]
    return [Path("~/.kube/config").expanduser()]


def _read_yaml(path: Path) -> dict[str, Any] | None:
    """The file's top-level mapping; None for an empty file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot read kubeconfig {path}: {exc.strerror or exc}.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" (line {mark.line + 1}, column {mark.column + 1})"
        raise ConfigError(f"Kubeconfig {path} is not valid YAML{where}.") from None
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ConfigError(f"Kubeconfig {path} is not a kubeconfig: expected a mapping at the top level.")
    return data


def _named(entries: object) -> dict[str, dict[str, Any]]:
    """`contexts:`/`clusters:`/`users:` lists as name -> body; malformed entries are skipped."""
    out: dict[str, dict[str, Any]] = {}
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                body = entry.get("context") or entry.get("cluster") or entry.get("user") or {}
                out.setdefault(entry["name"], body if isinstance(body, dict) else {})
    return out


_BODIES = {"clusters": "cluster", "contexts": "context", "users": "user"}


def _regular(data: Mapping[str, Any]) -> bool:
    """Every entry as the official loader expects it (a mapping with a string name and its one
    body mapping): only then do kdash's merge and the loader's pick the very same entries."""
    for key, body_key in _BODIES.items():
        entries = data.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            return False
        for entry in entries:
            if not (
                isinstance(entry, dict)
                and isinstance(entry.get("name"), str)
                and isinstance(entry.get(body_key), dict)
                and not any(other in entry for other in _BODIES.values() if other != body_key)
            ):
                return False
    return True


@dataclass
class _Merged:
    current: str | None = None
    contexts: dict[str, dict[str, Any]] = field(default_factory=dict)
    clusters: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    origins: dict[tuple[str, str], str] = field(default_factory=dict)  # (key, name) -> its file
    regular: bool = True  # every file non-empty and every entry well-formed (see `_regular`)


def _merge(paths: Sequence[Path]) -> _Merged:
    """Merge like kubectl: the first file that defines a name (or current-context) wins."""
    merged = _Merged()
    for path in paths:
        data = _read_yaml(path)
        if data is None:  # the official loader refuses empty files; kdash skips them
            merged.regular = False
            data = {}
        merged.regular = merged.regular and _regular(data)
        if (
            merged.current is None
            and isinstance(data.get("current-context"), str)
            and data["current-context"]
        ):
            merged.current = data["current-context"]
        for key in _BODIES:
            target: dict[str, dict[str, Any]] = getattr(merged, key)
            for name, body in _named(data.get(key)).items():
                if name not in target:
                    target[name] = body
                    merged.origins[(key, name)] = str(path)
    return merged


def current_context(kubeconfig: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The current context's name alone: no credentials loaded, no exec plugin run (for commands
    that only need the name, such as `kdash crashes`). ConfigError when there is none."""
    env = os.environ if env is None else env
    existing = [p for p in kubeconfig_paths(kubeconfig, env) if p.is_file()]
    current = _merge(existing).current if existing else None
    if not current:
        raise ConfigError("No current kubeconfig context; pass --context NAME (or --all-contexts).")
    return current


def _in_cluster_available(env: Mapping[str, str]) -> bool:
    return bool(env.get("KUBERNETES_SERVICE_HOST")) and (_SERVICE_ACCOUNT_DIR / "token").exists()


def load_target(
    kubeconfig: str | None = None,
    context: str | None = None,
    env: Mapping[str, str] | None = None,
    *,
    official: bool = False,
) -> KubeTarget:
    """Resolve the cluster to talk to, or raise ConfigError with one helpful sentence.

    `official` always uses the official client's loader (the reference the direct path is tested
    against); otherwise it runs only for what kdash.k8s.kubeauth does not read itself.
    """
    env = os.environ if env is None else env
    paths = kubeconfig_paths(kubeconfig, env)
    existing = [p for p in paths if p.is_file()]
    if kubeconfig and len(existing) < len(paths):
        missing = next(p for p in paths if not p.is_file())
        raise ConfigError(f"Kubeconfig {missing} does not exist. Check --kubeconfig, or try `kdash --demo`.")
    if not existing:
        if not kubeconfig and not env.get("KUBECONFIG") and _in_cluster_available(env):
            return _load_in_cluster()
        looked = ", ".join(str(p) for p in paths)
        raise ConfigError(
            f"No kubeconfig found (looked at {looked}). Set KUBECONFIG or pass --kubeconfig, "
            "or try `kdash --demo` for a simulated cluster."
        )
    merged = _merge(existing)
    names = tuple(merged.contexts)
    chosen = context or merged.current
    if not chosen:
        hint = f" Available: {', '.join(names)}." if names else ""
        raise ConfigError(f"The kubeconfig sets no current-context; pass --context NAME.{hint}")
    if chosen not in merged.contexts:
        avail = ", ".join(names) if names else "none"
        raise ConfigError(f'Context "{chosen}" is not in the kubeconfig. Available contexts: {avail}.')
    body = merged.contexts[chosen]
    cluster_name, user_name = body.get("cluster"), body.get("user")
    if not cluster_name or cluster_name not in merged.clusters:
        raise ConfigError(
            f'Context "{chosen}" refers to cluster "{cluster_name or ""}", which the kubeconfig does not define.'
        )
    if user_name and user_name not in merged.users:
        raise ConfigError(
            f'Context "{chosen}" refers to user "{user_name}", which the kubeconfig does not define.'
        )
    server = str(merged.clusters[cluster_name].get("server") or "")
    if not server:
        raise ConfigError(f'Cluster "{cluster_name}" of context "{chosen}" has no server address.')
    direct = None
    if merged.regular and not official:
        user, user_path = None, ""
        if isinstance(user_name, str) and user_name:
            user, user_path = merged.users[user_name], merged.origins[("users", user_name)]
        cluster_path = merged.origins[("clusters", cluster_name)]
        direct = direct_settings(merged.clusters[cluster_name], cluster_path, user, user_path)
    credentials = _Credentials(direct, lambda: _client_configuration(existing, chosen))
    if direct is None:
        credentials.configuration()  # the loader's errors (and exec plugins) run now, not later
    namespace = body.get("namespace")
    return KubeTarget(
        context=chosen,
        server=redact(server),
        namespace=namespace if isinstance(namespace, str) and namespace else None,
        contexts=names,
        paths=tuple(str(p) for p in existing),
        _credentials=credentials,
    )


def _client_configuration(paths: Sequence[Path], context: str) -> Any:
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    configuration = client.Configuration()
    try:
        config.load_kube_config(
            config_file=os.pathsep.join(str(p) for p in paths),
            context=context,
            client_configuration=configuration,
            persist_config=False,
        )
    except ConfigException as exc:
        raise ConfigError(f'Cannot use context "{context}": {exc}.') from None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ConfigError(f'Cannot use context "{context}": {exc}.') from None
    return configuration


def _load_in_cluster() -> KubeTarget:
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    configuration = client.Configuration()
    try:
        config.load_incluster_config(client_configuration=configuration)
    except ConfigException as exc:
        raise ConfigError(f"Cannot use the in-cluster service account: {exc}.") from None
    ns_file = _SERVICE_ACCOUNT_DIR / "namespace"
    namespace = ns_file.read_text().strip() if ns_file.exists() else None
    return KubeTarget(
        context="in-cluster",
        server=redact(str(configuration.host)),
        namespace=namespace or None,
        contexts=("in-cluster",),
        paths=(),
        in_cluster=True,
        _credentials=_Credentials(None, lambda: configuration),
    )
