"""Writing the kubeconfig that points clients at the simulator."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import yaml

CONTEXT = "kdash-sim"


def render(url: str, token: str, ca_pem: bytes | None) -> str:
    cluster: dict[str, Any] = {"server": url}
    if ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": cluster}],
        "users": [{"name": CONTEXT, "user": {"token": token}}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT}}],
        "current-context": CONTEXT,
        "preferences": {},
    }
    return yaml.safe_dump(doc, sort_keys=False)


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file and ``os.replace`` so the file's appearance means 'ready'."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def merge(named: list[tuple[str, Path]]) -> str:
    """One kubeconfig of several simulators' own: each `(context, path)` file's single entry
    renamed to `context` (cluster, user and context alike), the first one current."""
    doc: dict[str, Any] = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [], "contexts": []}
    for name, path in named:
        one = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["clusters"].append({"name": name, "cluster": one["clusters"][0]["cluster"]})
        doc["users"].append({"name": name, "user": one["users"][0]["user"]})
        doc["contexts"].append({"name": name, "context": {"cluster": name, "user": name}})
    doc["current-context"] = named[0][0] if named else ""
    doc["preferences"] = {}
    return yaml.safe_dump(doc, sort_keys=False)
