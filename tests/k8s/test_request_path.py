"""Every request kdash sends goes through `RawApi`: one User-Agent, no hidden urllib3 retries, one
error vocabulary. A module that builds its own `ApiClient` or calls the generated API classes would
be a second fork (as the log reader once was: it said OpenAPI-Generator and slept out Retry-After)."""

from __future__ import annotations

import ast
from pathlib import Path

import kdash

ROOT = Path(kdash.__file__).parent
ALLOWED = {
    ROOT / "k8s" / "rawapi.py",
    ROOT / "k8s" / "kubeconfig.py",
}  # the path, and where clients come from


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "api_client"
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: builds its own ApiClient")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kubernetes"):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports {node.module}")
        elif isinstance(node, ast.Import) and any(a.name.startswith("kubernetes") for a in node.names):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports kubernetes")
    return found


def test_only_rawapi_sends_requests() -> None:
    offences = [o for path in sorted(ROOT.rglob("*.py")) if path not in ALLOWED for o in _offences(path)]
    assert offences == []
