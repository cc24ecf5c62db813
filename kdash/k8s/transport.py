"""One thread's connection to the API server: a urllib3 pool, and the URL and headers of each GET.

`RawApi` sends every request through a `Connection`. Two kinds exist: `DirectConnection`, built
here from what `kdash.k8s.kubeauth` read off the kubeconfig (static tokens and certificates: no
`kubernetes` import, which costs ~0.3 s of start-up), and the official client's `ApiClient` behind
the same interface (kdash/k8s/kubeconfig.py), for exec plugins, auth providers and anything else
that refreshes credentials per request. Both give urllib3 the same pool arguments.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import urllib3


class Connection(Protocol):
    """What `RawApi` needs of one client (one per thread: the official client is not thread-safe)."""

    @property
    def pool(self) -> urllib3.PoolManager: ...

    def prepare(self, path: str, headers: Mapping[str, str]) -> tuple[str, dict[str, str]]:
        """The URL of `path` and the request headers with the credentials added (may refresh them)."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class DirectSettings:
    """A kubeconfig context's connection, as the official client's loader would configure it."""

    host: str  # the server URL without a trailing slash
    pool_kwargs: Mapping[str, Any]  # urllib3 pool arguments, the ones `RESTClientObject` passes
    proxy_url: str | None = None  # an http(s) proxy from the kubeconfig's proxy-url
    authorization: str | None = None  # the Authorization header ("Bearer ..."), if any


class DirectConnection:
    """A urllib3 pool with static credentials; no `kubernetes` import."""

    def __init__(self, settings: DirectSettings, user_agent: str) -> None:
        self._settings = settings
        self._user_agent = user_agent
        kwargs = dict(settings.pool_kwargs)
        self._pool: urllib3.PoolManager = (
            urllib3.ProxyManager(settings.proxy_url, **kwargs)
            if settings.proxy_url
            else urllib3.PoolManager(**kwargs)
        )

    @property
    def pool(self) -> urllib3.PoolManager:
        return self._pool

    def prepare(self, path: str, headers: Mapping[str, str]) -> tuple[str, dict[str, str]]:
        out = {**headers, "User-Agent": self._user_agent}
        if self._settings.authorization:
            out["authorization"] = self._settings.authorization
        return self._settings.host + path, out

    def close(self) -> None:
        self._pool.clear()


# --- certificate data as files ------------------------------------------------------------------
# Python's ssl loads certificates and keys only from files, so `*-data` fields are written to
# private temp files (0600, as the official client does), one per distinct content, removed at exit.
_files_lock = threading.Lock()
_files: dict[bytes, str] = {}


def data_file(content: bytes) -> str:
    """The path of a private temp file holding `content` (the same file for the same content)."""
    with _files_lock:
        path = _files.get(content)
        if path is not None and os.path.isfile(path):
            return path
        if not _files:
            atexit.register(_remove_files)
        fd, path = tempfile.mkstemp(prefix="kdash-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        _files[content] = path
        return path


def _remove_files() -> None:
    with _files_lock:
        for path in _files.values():
            with contextlib.suppress(OSError):
                os.remove(path)
        _files.clear()
