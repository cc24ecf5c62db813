"""Who may talk to `kdash serve`: the address rule, the token, and the checks on each request.

The dashboard shows the whole cluster a kubeconfig can read, so the web server must not hand it to
anyone who can reach the port. Three guards, each a pure function here so it is tested without a
server:

- Non-loopback addresses only with a token (`check_settings`); the token is compared in constant
  time and travels as `?token=` once, then as an HttpOnly, SameSite=Strict cookie named after the
  port (`cookie_name`: browsers keep cookies per host, not per port).
- A loopback server answers only requests addressed to a loopback name (`host_allowed`): a web page
  elsewhere cannot reach it through DNS rebinding (its Host header would be its own name).
- A WebSocket must come from the page's own origin (`origin_allowed`): another site open in the same
  browser cannot drive the dashboard (cross-site WebSocket hijacking), token or not.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

from kdash.errors import UsageError

COOKIE = "kdash_serve_token"
MIN_TOKEN_LENGTH = 16
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and `localhost`; a name that merely resolves there does not count."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_settings(host: str, token: str | None, max_sessions: int) -> None:
    """Raise a one-sentence UsageError for settings that would expose the cluster or cannot work."""
    if max_sessions < 1:
        raise UsageError(f"--max-sessions must be 1 or more, not {max_sessions}.")
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise UsageError(
            f"the token must be at least {MIN_TOKEN_LENGTH} characters (or use --generate-token)."
        )
    if token is None and not is_loopback(host):
        raise UsageError(
            f"--host {host} lets other machines reach the dashboard; "
            "give --token TOKEN or --generate-token so every connection must present it."
        )


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_matches(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def cookie_name(request_host: str) -> str:
    """The token cookie of the server a request is addressed to (`localhost:8765` ->
    `kdash_serve_token_8765`). A browser sends a host's cookies to every port of it: with one name,
    a second `kdash serve` on the machine replaced the first's cookie, and reloading the first
    asked for its token again."""
    try:
        port = urlsplit(f"//{request_host}").port
    except ValueError:  # a Host header with a port that is no number
        port = None
    return COOKIE if port is None else f"{COOKIE}_{port}"


def presented_token(
    query: Mapping[str, str], cookies: Mapping[str, str], headers: Mapping[str, str], cookie: str = COOKIE
) -> tuple[str | None, bool]:
    """The token a request carries (in the URL, the cookie named `cookie`, or a bearer header) and
    whether it came in the URL (then the page sets the cookie and redirects, so the token leaves
    the address bar and the history)."""
    if "token" in query:
        return query["token"], True
    if cookie in cookies:
        return cookies[cookie], False
    auth = headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), False
    return None, False


def _hostname(netloc: str) -> str:
    return (urlsplit(f"//{netloc}").hostname or "").lower()


def host_allowed(bound_host: str, request_host: str) -> bool:
    """A loopback server answers only to loopback names; others answer to any (the token guards)."""
    return not is_loopback(bound_host) or is_loopback(_hostname(request_host))


def origin_allowed(origin: str | None, request_host: str) -> bool:
    """No Origin (not a browser) or the page's own scheme-less host:port; anything else is refused."""
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == request_host.lower()
