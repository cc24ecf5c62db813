"""The layer rules of docs/architecture.md, checked by reading every import in kdash/.

A static check catches imports anywhere in a module (including inside functions); the subprocess
check proves that the headless entry points really load no UI framework at run time.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "kdash"
STDLIB = set(sys.stdlib_module_names)

# package -> (kdash packages it may import, third-party top-level modules it may import)
RULES: dict[str, tuple[set[str], set[str]]] = {
    "model": ({"model"}, set()),
    "health": ({"model", "health"}, set()),
    "k8s": ({"model", "k8s", "errors"}, {"kubernetes", "urllib3", "orjson", "yaml"}),
    "sim": ({"model", "sim"}, {"aiohttp", "orjson", "yaml", "cryptography", "multidict", "yarl"}),
    "check": ({"model", "health", "k8s", "check", "errors", "config"}, {"rich", "yaml", "orjson"}),
    "ui": ({"model", "health", "k8s", "ui", "errors", "config"}, {"textual", "rich", "humanize", "yaml"}),
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "kdash":
                found.update(f"kdash.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return found


def package_files() -> list[tuple[str, Path]]:
    return [(path.relative_to(ROOT).parts[0], path) for path in sorted(ROOT.glob("*/**/*.py"))]


@pytest.mark.parametrize(("package", "path"), package_files(), ids=lambda v: str(v).split("kdash/")[-1])
def test_imports_follow_the_layers(package: str, path: Path) -> None:
    allowed_kdash, allowed_third = RULES[package]
    for name in imports_of(path):
        top = name.split(".")[0]
        if top == "kdash":
            sub = name.split(".")[1] if "." in name else ""
            assert sub in allowed_kdash | {"__version__"}, (
                f"{path.name}: kdash/{package} must not import {name}"
            )
        elif top not in STDLIB and top != "__future__":
            assert top in allowed_third, f"{path.name}: kdash/{package} must not import {name}"


def test_only_k8s_imports_kubernetes_and_only_cli_imports_sim() -> None:
    for path in ROOT.rglob("*.py"):
        names = imports_of(path)
        rel = path.relative_to(ROOT)
        if rel.parts[0] != "k8s":
            assert not any(n.split(".")[0] == "kubernetes" for n in names), f"{rel} imports kubernetes"
        if rel.parts[0] != "sim" and rel.name != "cli.py":
            assert not any(n.startswith("kdash.sim") for n in names), f"{rel} imports kdash.sim"


def test_every_package_has_a_rule() -> None:
    packages = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(RULES) | {"styles"}, packages - set(RULES)


@pytest.mark.parametrize(
    "module",
    ["kdash.model.snapshot", "kdash.health", "kdash.check.command", "kdash.k8s.service", "kdash.cli"],
)
def test_headless_modules_load_no_ui(module: str) -> None:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'kdash'} "
        "and (m.startswith('textual') or m.startswith('kdash.ui') or m.startswith('kdash.sim'))); "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "", f"{module} loaded {out.stdout.strip()}"
