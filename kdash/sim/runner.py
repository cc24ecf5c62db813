"""Running the simulator in a background thread, and the Python API tests use to drive it.

All store and log changes are marshalled onto the server's event loop, so a change made here is
indistinguishable from an API write: it bumps the resourceVersion and reaches every watcher.

``kind`` arguments take the plural resource name (``"pods"``, ``"deployments"``,
``"horizontalpodautoscalers"``); singular names, short names and Kinds are accepted too.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import copy
import gc
import secrets
import ssl
import tempfile
import threading
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import orjson
from aiohttp import web

from kdash.sim import kubeconfig, tls
from kdash.sim.engine import BehaviourEngine
from kdash.sim.faults import parse_faults
from kdash.sim.logs import LogStore
from kdash.sim.metrics_model import MetricsModel
from kdash.sim.outages import Outages
from kdash.sim.scenarios import build_scenario
from kdash.sim.scenarios.endpoints import EndpointsController
from kdash.sim.server import build_app
from kdash.sim.state import SimState
from kdash.sim.store import Store, rfc3339

JSON = dict[str, Any]
T = TypeVar("T")


def _utcnow() -> datetime:
    return datetime.now(UTC)


#: From this many stored objects on, what a load allocated is frozen out of the collector's sight.
FREEZE_FROM = 10_000


@contextlib.contextmanager
def gc_paused(store: Store) -> Iterator[None]:
    """Keep the cyclic collector off while a scenario is built and loaded: that allocates millions
    of objects that all live on, and collecting would trace them again and again to find nothing
    (about half of the start-up CPU at 100,000 pods). A big load is then frozen (``gc.freeze``),
    or the first collection after it would still trace every one of them once; small ones are
    not, so a test process that starts many small simulators keeps collecting its own garbage."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if sum(store.count(r) for r in store.resources()) >= FREEZE_FROM:
            gc.freeze()
        if was_enabled:
            gc.enable()


class SimCluster(Outages):
    """Handle on a running simulated cluster (see module docstring for ``kind`` arguments)."""

    context = kubeconfig.CONTEXT

    def __init__(
        self,
        scenario: str,
        *,
        pods: int,
        host: str,
        port: int,
        faults: str | None,
        now: Callable[[], datetime],
        audit_log: str | Path | None,
        time_scale: float,
        tls_enabled: bool,
        engine: bool = False,
    ) -> None:
        self._host, self._port = host, port
        self._tls = tls.generate([host]) if tls_enabled else None
        self.token = secrets.token_urlsafe(24)
        self._fault_spec = faults
        parsed = parse_faults(faults)  # raises FaultSpecError before any thread starts
        self._scenario, self._pods = scenario, pods
        self.state = SimState(
            store=Store(now),
            logs=LogStore(now),
            now=now,
            token=self.token,
            faults=parsed,
            time_scale=time_scale,
        )
        self._audit_log = audit_log
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._thread: threading.Thread | None = None
        self._started: Future[None] = Future()
        self._stopped = False
        self._tasks: set[asyncio.Task[None]] = set()
        #: The behaviour engine when started with ``engine=True`` (runs on the server's loop).
        self.engine: BehaviourEngine | None = BehaviourEngine(self.state) if engine else None
        self.url = ""
        self.kubeconfig_path = Path()

    # ---- lifecycle -------------------------------------------------------------------

    def start(self, kubeconfig_path: str | Path | None, timeout: float = 60.0) -> None:
        with gc_paused(self.state.store):
            scenario = build_scenario(self._scenario, pods=self._pods, now=self.state.now())
            self.state.store.load(scenario.objects)
            scenario.objects.clear()  # the store holds its own copies of the top-level dicts
        for key, (current, previous) in scenario.logs.items():
            self.state.logs.set_lines(key, current, previous)
        self.state.metrics_enabled = scenario.metrics
        self.state.metrics = MetricsModel(
            origin=self.state.now(), creep=scenario.creep, wasteful=scenario.wasteful
        )
        self.state.live_logs = scenario.live_logs
        self.state.open_audit(self._audit_log)
        self._thread = threading.Thread(target=self._run, name="kdash-sim", daemon=True)
        self._thread.start()
        self._started.result(timeout)
        self._wait_ready(timeout)
        if kubeconfig_path is None:
            tmpdir = tempfile.mkdtemp(prefix="kdash-sim-")
            kubeconfig_path = Path(tmpdir, "kubeconfig")
        self.kubeconfig_path = Path(kubeconfig_path)
        ca = self._tls.ca_pem if self._tls else None
        kubeconfig.write_atomic(self.kubeconfig_path, kubeconfig.render(self.url, self.token, ca))

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
            if not self._started.done():
                self._started.set_exception(exc)
            return
        if not self._started.done():
            self._started.set_result(None)
        loop.run_forever()
        loop.run_until_complete(self._shutdown())
        loop.close()

    async def _serve(self) -> None:
        self._runner = web.AppRunner(build_app(self.state), handle_signals=False, access_log=None)
        await self._runner.setup()
        await self._bind(self._port)
        self._spawn_fault_tasks()
        if self.engine is not None:
            self.engine.start()

    async def _bind(self, port: int) -> None:
        assert self._runner is not None
        ctx = self._tls.server_context() if self._tls else None
        site = web.TCPSite(self._runner, self._host, port, ssl_context=ctx, reuse_address=True)
        await site.start()
        self._site = site
        server = site._server
        assert isinstance(server, asyncio.Server)
        bound = server.sockets[0].getsockname()[1]
        self._port = bound
        scheme = "https" if self._tls else "http"
        host = f"[{self._host}]" if ":" in self._host else self._host
        self.url = f"{scheme}://{host}:{bound}"
        self.state.server_address = f"{host}:{bound}"

    async def _shutdown(self) -> None:
        if self.engine is not None:
            await self.engine.stop()
        for task in list(self._tasks):
            task.cancel()
        self.state.closed = True
        self.state.store.signal_watchers("close")
        if self._runner is not None:
            await self._runner.cleanup()
        self.state.close()

    def _wait_ready(self, timeout: float) -> None:
        ctx = None
        if self._tls is not None:
            ctx = ssl.create_default_context(cadata=self._tls.ca_pem.decode())
        with urllib.request.urlopen(f"{self.url}/healthz", timeout=timeout, context=ctx) as resp:
            resp.read()

    def stop(self) -> None:
        """Stop serving and join the thread; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)

    def __enter__(self) -> SimCluster:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ---- marshalling -------------------------------------------------------------------

    def _call(self, fn: Callable[[], T]) -> T:
        loop = self._loop
        if loop is None or threading.get_ident() == getattr(self._thread, "ident", None):
            return fn()

        async def run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), loop).result(timeout=60)

    def _run_async(self, coro_fn: Callable[[], Any]) -> None:
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(coro_fn(), self._loop).result(timeout=60)

    # ---- objects ----------------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        return self.state.store.rv

    def apply(self, obj: JSON) -> JSON:
        """Create or replace a full object (status included); watchers see ADDED or MODIFIED."""
        obj = copy.deepcopy(obj)
        rt = self.state.store.types.for_object(obj)

        def put() -> JSON:
            stored = self.state.store.put(obj)
            full: JSON = {"kind": rt.kind, "apiVersion": rt.api_version, **copy.deepcopy(stored)}
            return full

        return self._call(put)

    def get(self, kind: str, namespace: str | None, name: str) -> JSON | None:
        rt = self.state.store.types.lookup(kind)

        def read() -> JSON | None:
            entry = self.state.store.entry(rt.key, namespace or "" if rt.namespaced else "", name)
            if entry is None:
                return None
            full: JSON = {"kind": rt.kind, "apiVersion": rt.api_version, **orjson.loads(entry.raw)}
            return full

        return self._call(read)

    def list(self, kind: str, namespace: str | None = None) -> builtins.list[JSON]:
        rt = self.state.store.types.lookup(kind)

        def read() -> builtins.list[JSON]:
            return [
                {"kind": rt.kind, "apiVersion": rt.api_version, **orjson.loads(e.raw)}
                for _, e in self.state.store.entries(rt.key, namespace if rt.namespaced else None)
            ]

        return self._call(read)

    def update(self, kind: str, namespace: str | None, name: str, fn: Callable[[JSON], None]) -> JSON:
        """Apply ``fn`` to a copy of the object and store it (MODIFIED); KeyError if missing."""
        rt = self.state.store.types.lookup(kind)

        def change() -> JSON:
            entry = self.state.store.entry(rt.key, namespace or "" if rt.namespaced else "", name)
            if entry is None:
                raise KeyError(f"{rt.plural} {namespace}/{name} not found")
            obj: JSON = {"kind": rt.kind, "apiVersion": rt.api_version, **orjson.loads(entry.raw)}
            fn(obj)
            return self.state.store.put(obj)

        return self._call(change)

    def patch_status(self, kind: str, namespace: str | None, name: str, status_fragment: JSON) -> JSON:
        """Merge ``status_fragment`` into ``.status`` (top-level keys replaced)."""
        return self.update(
            kind, namespace, name, lambda o: o.setdefault("status", {}).update(status_fragment)
        )

    def delete(self, kind: str, namespace: str | None, name: str) -> bool:
        """Delete (DELETED event); False when it did not exist."""
        rt = self.state.store.types.lookup(kind)

        def remove() -> bool:
            gone = self.state.store.delete(rt.key, namespace or "" if rt.namespaced else "", name)
            if gone is not None and rt.plural == "pods":
                self.state.logs.forget_pod(namespace or "", name)
            return gone is not None

        return self._call(remove)

    # ---- logs -------------------------------------------------------------------------

    def append_log(
        self, namespace: str, pod: str, container: str, lines: Iterable[str], *, previous: bool = False
    ) -> None:
        lines = list(lines)
        self._call(lambda: self.state.logs.append((namespace, pod, container), lines, previous=previous))

    def restart_container(
        self,
        namespace: str,
        pod: str,
        container: str,
        *,
        reason: str = "Error",
        exit_code: int = 1,
        message: str = "",
    ) -> JSON:
        """End the current instance: logs move to previous, restartCount+1, lastState.terminated."""

        def change() -> JSON:
            entry = self.state.store.entry("pods", namespace, pod)
            if entry is None:
                raise KeyError(f"pods {namespace}/{pod} not found")
            obj: JSON = {"kind": "Pod", "apiVersion": "v1", **orjson.loads(entry.raw)}
            now = rfc3339(self.state.now())
            status = obj.setdefault("status", {})
            for cs in status.get("containerStatuses") or []:
                if cs.get("name") != container:
                    continue
                started = ((cs.get("state") or {}).get("running") or {}).get("startedAt", now)
                term: JSON = {
                    "exitCode": exit_code,
                    "reason": reason,
                    "startedAt": started,
                    "finishedAt": now,
                }
                if message:
                    term["message"] = message
                cs["lastState"] = {"terminated": term}
                cs["restartCount"] = int(cs.get("restartCount", 0)) + 1
                cs["state"] = {"running": {"startedAt": now}}
                break
            else:
                raise KeyError(f"pod {namespace}/{pod} has no container status {container!r}")
            self.state.logs.restart((namespace, pod, container))
            return self.state.store.put(obj)

        return self._call(change)

    # ---- faults, audit, history -----------------------------------------------------

    def set_faults(self, spec: str | None) -> None:
        """Replace the active faults (same syntax as ``--faults``); None clears them."""
        parsed = parse_faults(spec)

        def swap() -> None:
            self.state.faults = parsed
            for task in list(self._tasks):
                task.cancel()
            self._spawn_fault_tasks()

        self._call(swap)

    @property
    def audit(self) -> builtins.list[JSON]:
        return self._call(lambda: [dict(e) for e in self.state.audit])

    def clear_audit(self) -> None:
        self._call(self.state.audit.clear)

    def audit_reads_of(self, kind: str) -> builtins.list[JSON]:
        """The audited get/list/watch requests for ``kind``; each entry's ``accept`` says what came
        back: ``json`` or ``table+object`` carry whole objects (a Secret's data), ``metadata`` and
        ``table`` do not."""
        key = self.state.store.types.lookup(kind).key
        reads = ("get", "list", "watch")
        return [e for e in self.audit if e.get("resource") == key and e["verb"] in reads and not e.get("sub")]

    def step(self, seconds: float, tick: float = 1.0) -> float:
        """Advance simulated time by hand: run the behaviour engine ``seconds`` in ``tick`` steps
        on the server's loop (metrics, the creeping container's OOMKill, crash loops, HPA...), for
        tests that need a deterministic clock. Only for a simulator started without ``engine=True``
        (whose engine ticks by itself); returns the engine's simulated time."""
        if self.engine is not None and self.engine.running:
            raise RuntimeError("the engine is running on its own; start the simulator without engine=True")
        engine = self.engine = self.engine or BehaviourEngine(self.state)

        def run() -> float:
            for _ in range(max(1, round(seconds / tick))):
                engine.step(tick)
            return engine.sim_time

        return self._call(run)

    def sync_endpoints(self) -> int:
        """Run the EndpointSlice controller once (the engine does each tick); returns objects written."""
        return self._call(EndpointsController(self.state).sync)


def start_sim(
    scenario: str = "demo",
    *,
    pods: int = 10000,
    host: str = "127.0.0.1",
    port: int = 0,
    faults: str | None = None,
    kubeconfig_path: str | Path | None = None,
    now: Callable[[], datetime] | None = None,
    audit_log: str | Path | None = None,
    time_scale: float = 1.0,
    tls: bool = True,
    engine: bool = False,
) -> SimCluster:
    """Start a simulator in a background thread; returns once it answers and the kubeconfig exists.

    ``engine=True`` also runs the behaviour engine (live logs, crash loops, HPA, quotas; see
    :mod:`kdash.sim.engine`). It is off by default so tests and UI snapshots see a still cluster.
    """
    sim = SimCluster(
        scenario,
        pods=pods,
        host=host,
        port=port,
        faults=faults,
        now=now or _utcnow,
        audit_log=audit_log,
        time_scale=time_scale,
        tls_enabled=tls,
        engine=engine,
    )
    try:
        sim.start(kubeconfig_path)
    except BaseException:
        sim.stop()
        raise
    return sim
