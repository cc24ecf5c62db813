"""Outages of a running simulator: going down and back, 410 storms, and restarts into a fresh world.

A mixin of `SimCluster` (kept apart so the runner stays about starting, stopping and objects). All
of it runs on the server's event loop; the public methods marshal onto it and block until done.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

from kdash.sim.logs import LogStore
from kdash.sim.state import SimState
from kdash.sim.store import Store

JSON = dict[str, Any]


class Outages:
    """Fault and outage control; expects the runner's loop, site and bind machinery."""

    state: SimState
    _site: web.TCPSite | None
    _runner: web.AppRunner | None
    _port: int
    _tasks: set[asyncio.Task[None]]

    async def _bind(self, port: int) -> None:  # pragma: no cover - provided by SimCluster
        raise NotImplementedError

    def _run_async(self, coro_fn: Callable[[], Any]) -> None:  # pragma: no cover - SimCluster's
        raise NotImplementedError

    def _call(self, fn: Callable[[], Any]) -> Any:  # pragma: no cover - SimCluster's
        raise NotImplementedError

    # ---- public -------------------------------------------------------------------------

    def expire_history(self) -> None:
        self._call(self.state.store.expire_history)

    def go_down(self, seconds: float | None) -> None:
        """Stop listening and drop connections now; listen again on the same port after ``seconds``
        (``None``: stay down until `recover()`)."""

        async def down() -> None:
            await self._go_down_now()
            if seconds is not None:
                self._spawn(self._come_back(seconds))

        self._run_async(down)

    def recover(self) -> None:
        """Listen again now (after `go_down`); returns once the port is bound."""

        async def up() -> None:
            if self._site is None:
                await self._come_back(0.0)

        self._run_async(up)

    def restart_fresh(
        self, objects: Iterable[JSON] = (), *, down_for: float = 0.5, graceful: bool = False
    ) -> None:
        """Restart "into a fresh world" at the same address and credentials, as after an etcd restore
        or a recreated cluster: a new store holding only ``objects``, whose resourceVersions start
        low again, and no logs. By default the server is away for ``down_for`` seconds and every
        connection drops; ``graceful`` ends every watch cleanly and swaps the world at once, so
        clients reconnect straight into it. Returns once the new world answers."""
        objs = [copy.deepcopy(o) for o in objects]

        async def restart() -> None:
            if graceful:
                self.state.store.signal_watchers("close")
            else:
                await self._go_down_now()
            store = Store(self.state.now)
            store.load(objs)
            self.state.store = store
            self.state.logs = LogStore(self.state.now)
            if not graceful:
                await self._come_back(down_for)

        self._run_async(restart)

    # ---- machinery ------------------------------------------------------------------------

    async def _go_down_now(self) -> None:
        self.state.store.signal_watchers("close")
        if self._site is not None:
            await self._site.stop()
            self._site = None
        if self._runner is not None and self._runner.server is not None:
            for conn in self._runner.server.connections:
                conn.force_close()

    async def _come_back(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        for _ in range(50):
            try:
                await self._bind(self._port)
                return
            except OSError:
                await asyncio.sleep(0.1)

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _spawn_fault_tasks(self) -> None:
        faults = self.state.faults
        if faults.gone_every:
            self._spawn(self._gone_loop(faults.gone_every))
        if faults.down_for:
            self._spawn(self._down_later(faults.down_at, faults.down_for))

    async def _gone_loop(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            self.state.store.expire_history()
            self.state.store.signal_watchers("gone")

    async def _down_later(self, at: float, duration: float) -> None:
        await asyncio.sleep(at)
        await self._go_down_now()
        await self._come_back(duration)
