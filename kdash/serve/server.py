"""textual-serve's `Server`, guarded: token, host and origin checks on every request, a session cap.

textual-serve runs one app process per WebSocket (one per browser tab) and serves the page and
static files around it. This subclass keeps its page, static files and `AppService` (the process
and its protocol) and replaces what `kdash serve` must control:

- a middleware that refuses, before any handler runs, a request without the token (401), addressed
  to a foreign host name or, for the WebSocket, opened from a foreign origin (403);
- the WebSocket handler, to count sessions: at the cap the page and the WebSocket are refused with
  503 and a page saying why, and a session counts until its socket closes;
- the start-up: aiohttp's access log is off (a first request carries the token in its URL), nothing
  is printed but what `command` prints, and the page's URLs follow the address the browser used.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from kdash.serve import TOKEN_ENV
from kdash.serve.security import (
    cookie_name,
    host_allowed,
    origin_allowed,
    presented_token,
    token_matches,
)

log = logging.getLogger("kdash.serve")
# textual-serve's page asks Google for a font; the dashboard's page asks no one but this server
# (a closed network would wait on it, an open one would tell Google who opens the dashboard).
_FONT_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="https://fonts\.googleapis\.com[^"]*"\s*/>\s*')
HEADERS = {
    "X-Frame-Options": "DENY",  # no other page may frame the dashboard and catch its keys
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
STOP_TIMEOUT = 10.0  # seconds an app gets to quit after its tab closed


def refusal(status: int, title: str, body: str) -> web.Response:
    """A small HTML page that says why, for a person who opened the address in a browser."""
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>kdash serve: "
        f"{html.escape(title)}</title></head><body style='font-family:monospace;margin:3em'>"
        f"<h1>{html.escape(title)}</h1><p id='reason'>{html.escape(body)}</p></body></html>"
    )
    return web.Response(status=status, text=page, content_type="text/html")


class _Session(AppService):
    """The app process of one browser tab, without the token in its environment."""

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment.pop(TOKEN_ENV, None)
        return environment


async def _add_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(HEADERS)
    if request.path.startswith("/static/"):
        del response.headers["Cache-Control"]  # the page is never cached; its 500 kB of script may be


async def _close(websocket: web.WebSocketResponse) -> None:
    await websocket.close()


async def _end(session: _Session) -> None:
    """Ask the app to quit, kill it if it does not, and wait for its exit: its pipes and transport
    are closed while the loop still runs (textual-serve never waits for the process)."""
    process = session._process  # textual-serve keeps no public handle on it
    try:
        await asyncio.wait_for(session.stop(), timeout=STOP_TIMEOUT)
        if process is not None:
            await asyncio.wait_for(process.wait(), timeout=STOP_TIMEOUT)
    except TimeoutError:
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()


class KdashServer(Server):
    """Serve `command` (a shell command line) to browsers on `host:port`."""

    def __init__(
        self, command: str, *, host: str, port: int, token: str | None, max_sessions: int, title: str
    ) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.token = token
        self.max_sessions = max_sessions
        self.sockets: set[web.WebSocketResponse] = set()  # one per open browser session
        self._runner: web.AppRunner | None = None

    # -- the guard -------------------------------------------------------------------------------

    @web.middleware
    async def guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not host_allowed(self.host, request.host):
            return refusal(
                403,
                "Wrong address",
                "This kdash serve listens on loopback only; open it as localhost or 127.0.0.1.",
            )
        if request.path == "/ws" and not origin_allowed(request.headers.get("Origin"), request.host):
            return refusal(403, "Wrong origin", "The dashboard's WebSocket is open to its own page only.")
        if self.token is None:
            return await handler(request)  # type: ignore[no-any-return]
        cookie = cookie_name(request.host)
        given, in_url = presented_token(request.query, request.cookies, request.headers, cookie)
        if not token_matches(self.token, given):
            return refusal(
                401,
                "Token required",
                "This dashboard needs its token: open the address kdash serve printed at start "
                "(it ends in ?token=...).",
            )
        if in_url and request.path == "/":
            query = {key: value for key, value in request.query.items() if key != "token"}
            response = web.Response(status=303, headers={"Location": str(request.rel_url.with_query(query))})
            response.set_cookie(cookie, self.token, httponly=True, samesite="Strict", path="/")
            return response
        return await handler(request)  # type: ignore[no-any-return]

    # -- routes ----------------------------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_shutdown.append(self.on_shutdown)
        app.on_response_prepare.append(_add_headers)
        return app

    def _full(self) -> web.Response | None:
        if len(self.sockets) < self.max_sessions:
            return None
        return refusal(
            503,
            "Every session is in use",
            f"This kdash serve allows {self.max_sessions} browser session(s) at once and all are open; "
            "close a kdash tab and reload this page.",
        )

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """textual-serve's page, its URLs built from the address the browser used (the server may
        listen on 0.0.0.0, which no browser can open)."""
        if (full := self._full()) is not None:
            return full
        origin = f"{request.scheme}://{request.host}"
        ws = ("wss:" if request.scheme == "https" else "ws:") + origin.split(":", 1)[1]
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{ws}/ws",
            "config": {"static": {"url": f"{origin}/static/"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.text = _FONT_LINK.sub("", response.text or "")
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser session: its app process lives as long as the socket, and counts till then."""
        if (full := self._full()) is not None:
            raise web.HTTPServiceUnavailable(text=full.text, content_type="text/html")
        websocket = web.WebSocketResponse(heartbeat=15)
        self.sockets.add(websocket)
        session: _Session | None = None
        try:
            await websocket.prepare(request)
            session = _Session(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=lambda: _close(websocket),
                download_manager=self.download_manager,
                debug=self.debug,
            )
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            await session.start(width, height)
            log.info("session started (%d open)", len(self.sockets))
            await self._process_messages(websocket, session)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:
            log.exception("session failed")
        finally:
            self.sockets.discard(websocket)  # the tab is gone: its slot is free while the app quits
            if session is not None:
                await _end(session)
            log.info("session ended (%d open)", len(self.sockets))
        return websocket

    # -- life cycle ------------------------------------------------------------------------------

    async def on_shutdown(self, _app: web.Application) -> None:
        """Close every browser session, so each app process is told to quit before the loop ends."""
        for websocket in list(self.sockets):
            await websocket.close()

    async def start(self) -> int:
        """Listen; the port actually bound (for --port 0)."""
        app = await self._make_app()
        self._runner = runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        port: int = runner.addresses[0][1]
        return port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
