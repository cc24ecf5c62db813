"""The fleet: one `ClusterService` per kubeconfig context, side by side, for the Fleet screen.

Each context gets a lightweight service listing only what a fleet row needs (`FLEET_KINDS`:
namespaces, pods, workloads and events); `open()` swaps in a service of the full kind set when
the user opens that context's dashboard, and it keeps running afterwards, so coming back is
instant. A context's kubeconfig entry is loaded on its own thread (exec plugins run there and may
be slow or missing): while that fails the member says why and retries with back-off, never
holding up the others; an unreachable server or refused credentials are the service's own
business (its informers back off and its reachability probe brings it back).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from kdash.errors import ConfigError, KdashError
from kdash.k8s.backoff import Backoff
from kdash.k8s.kubeconfig import KubeTarget, _merge, kubeconfig_paths, load_target
from kdash.k8s.service import ClusterService
from kdash.k8s.settings import ServiceSettings
from kdash.model.source import ChangeSet

log = logging.getLogger("kdash.k8s")

# What a fleet row reads: pod and workload counts, crash loops, grade and alerts (ReplicaSets roll
# a Deployment's pods up to it). LimitRanges and PDBs are few and small, but without them the lint
# rules would report requests a LimitRange defaults and PDBs that exist. Nodes, HPAs, quotas,
# services and metrics wait until the context is opened (the rules that read them do not run).
FLEET_KINDS: tuple[str, ...] = (
    "namespaces",
    "pods",
    "events",
    "deployments",
    "replicasets",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
    "limitranges",
    "poddisruptionbudgets",
)

# Called on a service or loader thread: (context, the service's changes), or (context, None) when
# the member itself changed (loaded, failed to load, its service replaced by a full one).
FleetListener = Callable[[str, ChangeSet | None], None]
ServiceHook = Callable[[str, ClusterService], Callable[[], None]]  # see `Fleet.__init__`


def kubeconfig_contexts(kubeconfig: str | None) -> tuple[list[str], str | None]:
    """Every context name of the kubeconfig and the current one, without loading credentials
    (no exec plugin runs); ConfigError when there is no kubeconfig."""
    paths = [p for p in kubeconfig_paths(kubeconfig) if p.is_file()]
    if not paths:
        looked = ", ".join(str(p) for p in kubeconfig_paths(kubeconfig))
        raise ConfigError(f"No kubeconfig found (looked at {looked}). Try `kdash --demo --fleet`.")
    merged = _merge(paths)
    return list(merged.contexts), merged.current


def check_plugin(kubeconfig: str | None, context: str) -> None:
    """ConfigError when `context`'s user runs an exec credential plugin that is not installed.

    The official loader only logs that failure and then connects without credentials, which the
    server refuses with a 401 that does not say why: the fleet says it, and retries the load."""
    paths = [p for p in kubeconfig_paths(kubeconfig) if p.is_file()]
    merged = _merge(paths)
    user = merged.contexts.get(context, {}).get("user")
    body = merged.users.get(user, {}) if isinstance(user, str) else {}
    spec = body.get("exec")
    command = spec.get("command") if isinstance(spec, dict) else None
    if not isinstance(command, str) or not command:
        return
    if os.sep in command:  # relative to the kubeconfig file that defines the user, as client-go does
        base = os.path.dirname(merged.origins.get(("users", str(user)), ""))
        found = os.path.isfile(os.path.join(base, command)) and os.access(
            os.path.join(base, command), os.X_OK
        )
    else:
        found = shutil.which(command) is not None
    if not found:
        raise ConfigError(
            f'Context "{context}" needs the credential plugin "{command}", which is not installed '
            "(not found or not executable); kdash retries."
        )


@dataclass(frozen=True, slots=True)
class MemberStatus:
    """What a row says about a context beyond its snapshot."""

    context: str
    server: str = ""
    load_error: str = ""  # the kubeconfig entry or its credentials cannot be used (retrying)
    connection_error: str | None = None  # the service's last connection-level failure
    full: bool = False  # listing every kind (opened once), not just the fleet's


class FleetMember:
    """One context: its target once loaded, its service, and the loader retrying meanwhile."""

    def __init__(self, context: str) -> None:
        self.context = context
        self.target: KubeTarget | None = None
        self.service: ClusterService | None = None
        self.load_error = ""
        self.want_full = False
        self.unsubscribe: Callable[[], None] | None = None
        self.loader: threading.Thread | None = None


class Fleet:
    """The services of several contexts of one kubeconfig; every method returns at once."""

    def __init__(
        self,
        kubeconfig: str | None,
        contexts: Sequence[str],
        *,
        settings: ServiceSettings | None = None,
        namespace: Callable[[KubeTarget], str | None] | None = None,
        clock: Callable[[], datetime] | None = None,
        targets: Sequence[KubeTarget] = (),
        all_contexts: Sequence[str] = (),
        on_service: ServiceHook | None = None,
    ) -> None:
        """`targets` already loaded (the CLI loads the first before the UI imports) are used as
        they are; `namespace` picks each context's namespace (default: the context's own).
        `on_service(context, service)` is called with each member's service before it starts (a
        crash capture subscribes to its restarts then); what it returns is called once that
        service has stopped."""
        if not contexts:
            raise ConfigError("The fleet needs at least one context.")
        self._kubeconfig = kubeconfig
        self._settings = settings or ServiceSettings()
        self._namespace = namespace or (lambda target: target.namespace)
        self._clock = clock
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._members: dict[str, FleetMember] = {}
        self._listeners: dict[int, FleetListener] = {}
        self._next = 0
        self._started = False
        self._all = tuple(dict.fromkeys((*contexts, *all_contexts)))
        preloaded = {t.context: t for t in targets}
        for name in dict.fromkeys(contexts):
            member = self._members[name] = FleetMember(name)
            member.target = preloaded.get(name)
        self._retired: list[ClusterService] = []
        self._on_service = on_service
        self._after_stop: dict[int, Callable[[], None]] = {}  # id(service) -> what on_service returned

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Load every context and start its service, each on its own thread. Idempotent."""
        with self._lock:
            if self._started:
                return
            self._started = True
            for member in self._members.values():
                self._launch(member)

    def stop(self) -> None:
        """Stop every service (in parallel: each waits for its threads)."""
        with self._lock:
            self._stop.set()
            services = [m.service for m in self._members.values() if m.service is not None]
            services += self._retired
            loaders = [m.loader for m in self._members.values() if m.loader is not None]
        stoppers = [
            threading.Thread(target=self._stop_service, args=(s,), name="kdash-fleet-stop", daemon=True)
            for s in services
        ]
        for t in stoppers:
            t.start()
        for t in stoppers + loaders:
            if t.ident is not None:
                t.join(self._settings.join_timeout + 1.0)

    def _launch(self, member: FleetMember) -> None:
        """Start `member`'s service now if its target is loaded, else its loader thread (lock held)."""
        if member.target is not None:
            self._start_service(member, member.target)
            return
        member.loader = threading.Thread(
            target=self._load, args=(member,), name=f"kdash-fleet-load-{member.context}", daemon=True
        )
        member.loader.start()

    def _load(self, member: FleetMember) -> None:
        """Loader thread: the kubeconfig entry (exec plugins run here), retried with back-off."""
        backoff = Backoff(max(1.0, self._settings.backoff_initial), self._settings.backoff_max)
        while not self._stop.is_set():
            try:
                check_plugin(self._kubeconfig, member.context)
                target = load_target(kubeconfig=self._kubeconfig, context=member.context)
            except KdashError as exc:
                with self._lock:
                    changed = member.load_error != str(exc)
                    member.load_error = str(exc)
                if changed:
                    log.info("context %s cannot be loaded: %s", member.context, exc)
                    self._notify(member.context, None)
                self._stop.wait(backoff.next())
                continue
            with self._lock:
                if self._stop.is_set():
                    return
                member.target, member.load_error = target, ""
                self._start_service(member, target)
            self._notify(member.context, None)
            return

    def _start_service(self, member: FleetMember, target: KubeTarget) -> None:
        """A service for `member` of the fleet's kinds (or all, once opened); lock held."""
        kinds = self._settings.kinds if member.want_full else FLEET_KINDS
        settings = replace(self._settings, kinds=tuple(k for k in self._settings.kinds if k in kinds))
        kwargs: dict[str, Any] = {"settings": settings}
        if self._clock is not None:
            kwargs["clock"] = self._clock
        service = ClusterService(target, self._namespace(target), **kwargs)
        context = member.context

        def forward(changes: ChangeSet) -> None:
            if member.service is service:  # not a late call of the light service it replaced
                self._notify(context, changes)

        member.unsubscribe = service.subscribe(forward)
        member.service = service
        if self._on_service is not None:
            try:
                self._after_stop[id(service)] = self._on_service(context, service)
            except Exception:  # a helper that cannot start must not keep the cluster from listing
                log.exception("starting the helpers of context %s failed", context)
        service.start()

    def _stop_service(self, service: ClusterService) -> None:
        """Stop `service` (waits for its threads), then what `on_service` started with it."""
        service.stop()
        with self._lock:
            after = self._after_stop.pop(id(service), None)
        if after is not None:
            try:
                after()
            except Exception:
                log.exception("stopping the helpers of a fleet service failed")

    # ---- members ---------------------------------------------------------------------------------
    @property
    def contexts(self) -> list[str]:
        """The fleet's contexts, in the order given."""
        with self._lock:
            return list(self._members)

    @property
    def all_contexts(self) -> list[str]:
        """Every context of the kubeconfig known to the fleet (members first)."""
        with self._lock:
            return list(dict.fromkeys((*self._members, *self._all)))

    def add(self, context: str) -> None:
        """Make `context` a member (for `:ctx` to a context outside `--contexts`)."""
        with self._lock:
            if context in self._members:
                return
            if self._all and context not in self._all:
                avail = ", ".join(self._all)
                raise ConfigError(
                    f'Context "{context}" is not in the kubeconfig. Available contexts: {avail}.'
                )
            member = self._members[context] = FleetMember(context)
            if self._started and not self._stop.is_set():
                self._launch(member)
        self._notify(context, None)

    def service(self, context: str) -> ClusterService | None:
        """The context's running service (None while its kubeconfig entry is not loaded)."""
        with self._lock:
            member = self._members.get(context)
            return member.service if member is not None else None

    def target(self, context: str) -> KubeTarget | None:
        with self._lock:
            member = self._members.get(context)
            return member.target if member is not None else None

    def status(self, context: str) -> MemberStatus:
        with self._lock:
            member = self._members[context]
            service, target = member.service, member.target
            return MemberStatus(
                context,
                server=target.server if target is not None else "",
                load_error=member.load_error,
                connection_error=service.connection_error() if service is not None else None,
                full=member.want_full,
            )

    def open(self, context: str) -> None:
        """The user opens `context`: from now on it lists every kind (a new service replaces the
        light one, which stops on a thread of its own). A no-op once it does."""
        with self._lock:
            member = self._members[context]
            if member.want_full:
                return
            member.want_full = True
            old = member.service
            if old is None or member.target is None or self._stop.is_set():
                return  # the loader starts a full service when the entry loads
            if member.unsubscribe is not None:
                member.unsubscribe()
            self._retired.append(old)
            threading.Thread(target=self._retire, args=(old,), name="kdash-fleet-stop", daemon=True).start()
            self._start_service(member, member.target)
        self._notify(context, None)

    def _retire(self, service: ClusterService) -> None:
        self._stop_service(service)
        with self._lock:
            if service in self._retired:
                self._retired.remove(service)

    # ---- notifications ---------------------------------------------------------------------------
    def subscribe(self, listener: FleetListener) -> Callable[[], None]:
        """Call `listener` (on service and loader threads) with each member's changes."""
        with self._lock:
            ident, self._next = self._next, self._next + 1
            self._listeners[ident] = listener

        def unsubscribe() -> None:
            with self._lock:
                self._listeners.pop(ident, None)

        return unsubscribe

    def _notify(self, context: str, changes: ChangeSet | None) -> None:
        with self._lock:
            listeners = list(self._listeners.values())
        for listener in listeners:
            try:
                listener(context, changes)
            except Exception:
                log.exception("a fleet listener failed")
