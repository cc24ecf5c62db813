"""A blocking reachability check, run by the CLI before the TUI starts and by `kdash check`."""

from __future__ import annotations

from typing import Any

from kdash.errors import ConnectionFailed
from kdash.k8s.rawapi import ApiError, RawApi


def probe(target: Any, timeout: float = 5.0) -> str:
    """GET /version; returns the server's gitVersion or raises ConnectionFailed with one sentence."""
    api = RawApi(target, connect_timeout=timeout, read_timeout=timeout)
    try:
        doc = api.get_json("/version")
    except ApiError as exc:
        text = exc.message[:1].upper() + exc.message[1:]
        raise ConnectionFailed(f"{text.rstrip('.')}.") from None
    finally:
        api.close()
    if not isinstance(doc, dict):
        raise ConnectionFailed(f"{target.server} answered /version with something that is not a version.")
    return str(doc.get("gitVersion") or "")
