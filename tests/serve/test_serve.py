"""`kdash serve` without a browser: the settings it refuses, the guard on every request, the cap.

The servers here serve real `python -m kdash` processes on the simulated cluster (tests/serve/
conftest.py); requests go over HTTP and WebSocket with aiohttp, as a browser's would.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from kdash.cli import build_parser, main
from kdash.errors import UsageError
from kdash.serve import TOKEN_ENV
from kdash.serve.command import child_argv
from kdash.serve.security import COOKIE, check_settings, host_allowed, is_loopback, origin_allowed
from kdash.serve.server import _Session
from tests.serve.conftest import TOKEN
from tests.serve.process import kdash_serve

# -- settings ------------------------------------------------------------------------------------


def test_a_non_loopback_host_without_a_token_is_refused_with_one_sentence(
    sim: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["serve", "--host", "0.0.0.0", "--kubeconfig", str(sim.kubeconfig_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "--host 0.0.0.0" in err and "--token" in err and "--generate-token" in err


def test_an_unknown_context_stops_serve_at_start(sim: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["serve", "--kubeconfig", str(sim.kubeconfig_path), "--context", "nope"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "nope" in err and "Traceback" not in err


def test_the_server_process_loads_no_textual() -> None:
    """The sessions run the UI; the server only relays bytes (and starts in a fraction of the time)."""
    code = (
        "import sys; import kdash.cli, kdash.serve.command; "
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith('kdash.ui'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::", "127.0.0.1.nip.io", "kdash.example"])
def test_every_address_but_loopback_needs_a_token(host: str) -> None:
    with pytest.raises(UsageError, match="--token"):
        check_settings(host, None, 3)
    check_settings(host, "a-token-long-enough-1234", 3)  # the near miss: with a token it serves


@pytest.mark.parametrize("host", ["127.0.0.1", "127.5.6.7", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_serves_without_a_token(host: str) -> None:
    assert is_loopback(host)
    check_settings(host, None, 3)


def test_short_tokens_and_no_sessions_are_refused() -> None:
    with pytest.raises(UsageError, match="at least 16 characters"):
        check_settings("0.0.0.0", "short", 3)
    with pytest.raises(UsageError, match="--max-sessions must be 1 or more"):
        check_settings("127.0.0.1", None, 0)


def test_the_token_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    assert build_parser().parse_args(["serve"]).token == TOKEN
    monkeypatch.delenv(TOKEN_ENV)
    assert build_parser().parse_args(["serve"]).token is None


def test_a_token_and_a_generated_one_at_once_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["serve", "--token", TOKEN, "--generate-token"])
    assert stopped.value.code == 2
    assert "not allowed with argument --token" in capsys.readouterr().err


def test_the_guards_allow_the_own_host_and_origin_only() -> None:
    assert host_allowed("127.0.0.1", "127.0.0.1:8000") and host_allowed("127.0.0.1", "localhost:8000")
    assert not host_allowed("127.0.0.1", "rebound.example:8000")  # DNS rebinding
    assert host_allowed("0.0.0.0", "kdash.example:8000")  # a public server: the token guards
    assert origin_allowed("http://127.0.0.1:8000", "127.0.0.1:8000") and origin_allowed(None, "x:1")
    assert not origin_allowed("http://evil.example", "127.0.0.1:8000")
    assert not origin_allowed("http://127.0.0.1:9999", "127.0.0.1:8000")


# -- the command each session runs ---------------------------------------------------------------


def test_the_session_command_carries_the_cluster_flags(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc.yaml"
    args = build_parser().parse_args(
        ["serve", "--kubeconfig", str(kubeconfig), "--context", "prod", "-n", "shop", "--port", "0"]
    )
    assert child_argv(args) == [
        sys.executable, "-m", "kdash", "--kubeconfig", str(kubeconfig), "--context", "prod", "-n", "shop",
    ]  # fmt: skip
    every = build_parser().parse_args(["--context", "dev", "serve", "-A", "-n", "ignored"])
    assert child_argv(every) == [sys.executable, "-m", "kdash", "--context", "dev", "-A"]
    relative = build_parser().parse_args(["serve", "--kubeconfig", "kc.yaml", "--config", "k.toml"])
    argv = child_argv(relative)
    assert argv[argv.index("--kubeconfig") + 1] == os.path.abspath("kc.yaml")
    assert argv[argv.index("--config") + 1] == os.path.abspath("k.toml")
    assert "--port" not in child_argv(args) and "--token" not in child_argv(args)


def test_the_sessions_do_not_inherit_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)

    async def nothing(_data: Any = None) -> None:
        return None

    session = _Session("true", write_bytes=nothing, write_str=nothing, close=nothing, download_manager=None)  # type: ignore[arg-type]
    environment = session._build_environment(100, 30)
    assert TOKEN_ENV not in environment and environment["COLUMNS"] == "100"
    assert os.environ[TOKEN_ENV] == TOKEN  # the server's own environment keeps it


# -- the guard on every request ------------------------------------------------------------------


async def _status(http: aiohttp.ClientSession, url: str, **kwargs: Any) -> tuple[int, str]:
    async with http.get(url, allow_redirects=False, **kwargs) as response:
        return response.status, await response.text()


async def _ws_status(http: aiohttp.ClientSession, url: str, **kwargs: Any) -> int:
    try:
        async with http.ws_connect(url, **kwargs):
            return 101
    except aiohttp.WSServerHandshakeError as exc:
        return exc.status


async def test_requests_without_the_token_are_refused(serve: Any) -> None:
    base = await serve()
    async with aiohttp.ClientSession() as http:
        status, page = await _status(http, f"{base}/")
        assert status == 401 and "Token required" in page and TOKEN not in page
        assert (await _status(http, f"{base}/?token=wrong-token-of-some-length"))[0] == 401
        assert (await _status(http, f"{base}/static/js/textual.js"))[0] == 401
        assert await _ws_status(http, f"{base}/ws", origin=base) == 401
        # the near miss: the same requests with the token get through
        assert (await _status(http, f"{base}/static/js/textual.js?token={TOKEN}"))[0] == 200
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        status, page = await _status(http, f"{base}/?fontsize=14", headers=bearer)
        assert status == 200 and f"ws://127.0.0.1:{base.rsplit(':', 1)[1]}/ws" in page
        assert "googleapis" not in page  # the page asks no other server for anything


async def test_no_other_page_may_frame_the_dashboard(serve: Any) -> None:
    base = await serve()
    async with aiohttp.ClientSession() as http:
        for url in (f"{base}/", f"{base}/?token={TOKEN}"):  # refused or served
            async with http.get(url, allow_redirects=False) as response:
                assert response.headers["X-Frame-Options"] == "DENY"
                assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
                assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_the_token_in_the_address_becomes_a_cookie(serve: Any) -> None:
    base = await serve()
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/?token={TOKEN}&fontsize=14", allow_redirects=False) as response:
            assert response.status == 303
            assert response.headers["Location"] == "/?fontsize=14"  # the token leaves the address bar
            name = f"{COOKIE}_{base.rsplit(':', 1)[1]}"  # named after the port (cookie_name)
            cookie = response.cookies[name]
            assert cookie.value == TOKEN and cookie["httponly"] and cookie["samesite"] == "Strict"
        status, page = await _status(http, f"{base}/", cookies={name: TOKEN})
        assert status == 200 and "textual-terminal" in page


async def test_two_servers_on_one_host_keep_their_own_cookies(serve: Any) -> None:
    """A browser sends a host's cookies to all its ports: the second server's cookie must not
    replace the first's (reloading the first then asked for its token again)."""
    other = "another-token-of-enough-length"
    first, second = await serve(), await serve(token=other)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # as a browser
        assert (await _status(http, f"{first}/?token={TOKEN}"))[0] == 303
        assert (await _status(http, f"{second}/?token={other}"))[0] == 303
        assert len(http.cookie_jar) == 2
        assert (await _status(http, f"{first}/"))[0] == 200
        assert (await _status(http, f"{second}/"))[0] == 200


async def test_foreign_hosts_and_origins_are_refused(serve: Any) -> None:
    base = await serve(token=None)  # loopback without a token: these guards still hold
    port = base.rsplit(":", 1)[1]
    async with aiohttp.ClientSession() as http:
        assert (await _status(http, f"{base}/", headers={"Host": f"rebound.example:{port}"}))[0] == 403
        assert (await _status(http, f"{base}/", headers={"Host": f"localhost:{port}"}))[0] == 200
        assert await _ws_status(http, f"{base}/ws", origin="http://evil.example") == 403


async def _first_screen(ws: aiohttp.ClientWebSocketResponse) -> bytes:
    """What the session's kdash draws until the Workloads pane is on it."""
    seen = b""
    async for message in ws:
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += message.data
            if b"Workloads" in seen:
                return seen
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            break
    raise AssertionError(f"the session ended before the dashboard was drawn: {seen[-500:]!r}")


async def test_sessions_past_the_cap_are_refused_until_one_closes(serve: Any) -> None:
    base = await serve(token=None, max_sessions=1)
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"{base}/ws?width=120&height=40", origin=base)
        await asyncio.wait_for(_first_screen(ws), timeout=120)  # a real kdash is running it
        status, page = await _status(http, f"{base}/")
        assert status == 503 and "Every session is in use" in page and "1 browser session" in page
        assert await _ws_status(http, f"{base}/ws", origin=base) == 503
        await ws.close()
        for _ in range(600):  # the slot is free once the server has seen the socket close
            if (await _status(http, f"{base}/"))[0] == 200:
                break
            await asyncio.sleep(0.05)
        assert (await _status(http, f"{base}/"))[0] == 200


# -- the command as a person runs it -------------------------------------------------------------


async def test_demo_serves_one_simulated_cluster_to_every_session() -> None:
    with kdash_serve("--demo", "--generate-token", "--max-sessions", "2") as served:
        token = served.url.split("?token=", 1)[1]
        assert "--kubeconfig" in served.command and token not in served.command
        kubeconfig = Path(served.command.split("--kubeconfig ", 1)[1].split()[0])
        assert kubeconfig.is_file()  # noqa: ASYNC240 (the one simulated cluster, started by kdash serve)
        base = served.url.split("/?", 1)[0]
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
            first = await http.ws_connect(f"{base}/ws?width=120&height=40", origin=base)
            second = await http.ws_connect(f"{base}/ws?width=120&height=40", origin=base)
            screens = await asyncio.wait_for(
                asyncio.gather(_first_screen(first), _first_screen(second)), timeout=180
            )
            assert all(b"kdash-sim" in screen for screen in screens)  # both read the same cluster
            await first.close()
            await second.close()
    out = served.process.stdout.read() if served.process.stdout else ""
    assert token not in out  # printed once, in the start-up line only
