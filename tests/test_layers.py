"""The layer rules of docs/architecture.md, checked by reading every import in kdash/.

A static check catches imports anywhere in a module (including inside functions and under
`TYPE_CHECKING`); the subprocess check proves that the headless entry points really load no UI
framework at run time. The same module graph must have no cycles, modules stay small, and the UI
keeps none of the guards that parallel work left behind (`getattr(self.app, ...)`, `inspect.signature`,
`except ImportError`).
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent / "kdash"
ARCHITECTURE = ROOT.parent / "docs" / "architecture.md"
MAX_LINES = 450
STDLIB = set(sys.stdlib_module_names)

# package -> (kdash packages it may import, third-party top-level modules it may import)
RULES: dict[str, tuple[set[str], set[str]]] = {
    "model": ({"model"}, set()),
    "health": ({"model", "health"}, set()),
    "alerts": ({"model", "alerts"}, set()),
    "journal": ({"model", "journal"}, set()),
    "notify": ({"model", "alerts", "notify"}, set()),
    "watchcmd": (
        {"model", "alerts", "k8s", "errors", "config", "notify", "headless", "crashes", "watchcmd"},
        set(),
    ),
    "tail": ({"model", "k8s", "errors", "headless", "tail"}, set()),
    "serve": ({"k8s", "errors", "serve"}, {"aiohttp", "aiohttp_jinja2", "jinja2", "textual_serve"}),
    "exporter": (
        {"model", "health", "alerts", "k8s", "errors", "config", "headless", "exporter"},
        {"prometheus_client"},
    ),
    "k8s": ({"model", "k8s", "errors"}, {"kubernetes", "urllib3", "orjson", "yaml"}),
    "sim": ({"model", "sim"}, {"aiohttp", "orjson", "yaml", "cryptography", "multidict", "yarl"}),
    "check": (
        {"model", "health", "k8s", "check", "errors", "config", "exporter"},
        {"rich", "yaml", "orjson"},
    ),
    "ui": (
        {"model", "health", "alerts", "journal", "notify", "k8s", "ui", "errors", "config"},
        {"textual", "rich", "humanize", "yaml"},
    ),
}


@dataclass(frozen=True)
class SubRule:
    """A finer rule inside kdash/ui, on top of the package rule."""

    kdash_only: tuple[str, ...] | None  # the kdash modules (prefixes) it may import; None: the package rule
    kdash_never: tuple[str, ...]  # kdash modules (prefixes) it must not import
    third_party: frozenset[str]  # top-level names; for textual, the exact modules allowed


# ui/render builds rows as pure functions (record -> cells), testable without Textual.
# ui/session owns the subscription and the health scheduling: it posts messages and runs timers and
# workers, but knows no screen or widget.
SUB_RULES: dict[str, SubRule] = {
    "ui/render": SubRule(("kdash.model", "kdash.health", "kdash.ui.render"), (), frozenset({"rich"})),
    "ui/session.py": SubRule(
        None,
        ("kdash.ui.screens", "kdash.ui.widgets", "kdash.ui.app"),
        frozenset(
            {"rich", "humanize", "yaml"}
            | {"textual", "textual.app", "textual.message", "textual.message_pump", "textual.timer"}
            | {"textual.worker"}
        ),
    ),
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


def qualified_imports_of(path: Path) -> set[str]:
    """Like `imports_of`, but `from pkg import sub` names the submodule `pkg.sub` when there is one."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if _is_module(sub) else node.module)
    return found


def _is_module(name: str) -> bool:
    if name.startswith("kdash."):
        rel = Path(*name.split(".")[1:])
        return (ROOT / rel).with_suffix(".py").exists() or (ROOT / rel / "__init__.py").exists()
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def module_name(path: Path) -> str:
    parts = ["kdash", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


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


def sub_rule_files() -> list[tuple[str, Path]]:
    return [
        (prefix, path)
        for path in sorted(ROOT.rglob("*.py"))
        for prefix in SUB_RULES
        if path.relative_to(ROOT).as_posix() == prefix
        or path.relative_to(ROOT).as_posix().startswith(prefix + "/")
    ]


@pytest.mark.parametrize(("rule", "path"), sub_rule_files(), ids=lambda v: str(v).split("kdash/")[-1])
def test_ui_render_and_session_follow_their_rules(rule: str, path: Path) -> None:
    assert sub_rule_violations(SUB_RULES[rule], path) == [], f"kdash/{rule}"


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def sub_rule_violations(sub: SubRule, path: Path) -> list[str]:
    """The imports of `path` that `sub` forbids."""
    bad = []
    for name in sorted(qualified_imports_of(path)):
        top = name.split(".")[0]
        if top == "kdash":
            ok = not _within(name, sub.kdash_never) and (
                sub.kdash_only is None or _within(name, sub.kdash_only)
            )
        elif top in STDLIB or top == "__future__":
            ok = True
        else:
            ok = name in sub.third_party if top == "textual" else top in sub.third_party
        if not ok:
            bad.append(name)
    return bad


def test_sub_rules_catch_textual_in_render_and_widgets_in_the_session(tmp_path: Path) -> None:
    render = tmp_path / "render.py"
    render.write_text(
        "from rich.text import Text\nfrom kdash.model.pods import PodRecord\n"
        "from textual.content import Content\nfrom kdash.ui.format import clean\n",
        encoding="utf-8",
    )
    assert sub_rule_violations(SUB_RULES["ui/render"], render) == ["kdash.ui.format", "textual.content"]
    session = tmp_path / "session.py"
    session.write_text(
        "from textual.message import Message\nfrom textual.timer import Timer\nfrom textual import work\n"
        "from textual.widgets import Static\nfrom kdash.ui.screens.pod import PodDetailScreen\n"
        "from kdash.health import evaluate\n",
        encoding="utf-8",
    )
    assert sub_rule_violations(SUB_RULES["ui/session.py"], session) == [
        "kdash.ui.screens.pod",
        "textual.widgets",
    ]


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
    [
        "kdash.model.snapshot",
        "kdash.health",
        "kdash.check.command",
        "kdash.k8s.service",
        "kdash.cli",
        "kdash.crashes",
        "kdash.watchcmd.command",
        "kdash.tail.command",
        "kdash.exporter.command",
        "kdash.notify.hooks",
    ],
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


@pytest.fixture(scope="module")
def demo_cluster() -> Iterator[Any]:
    from kdash.sim import start_sim

    sim = start_sim("demo")
    try:
        yield sim
    finally:
        sim.stop()


@pytest.mark.parametrize(
    "argv",
    [
        ["logs", "web", "-n", "shop", "--no-follow", "-o", "json"],
        # the hook stops the watch (SIGTERM to kdash) once the first alert has been printed
        ["watch", "-n", "shop", "-o", "json", "--on-alert", "kill -TERM $PPID"],
    ],
    ids=["logs", "watch"],
)
def test_headless_commands_run_without_textual(demo_cluster: Any, argv: list[str]) -> None:
    """Not only their imports: `kdash logs` and `kdash watch` run to the end without loading Textual."""
    args = [*argv, "--kubeconfig", str(demo_cluster.kubeconfig_path)]
    code = (
        "import sys; from kdash.cli import main; code = main(" + repr(args) + "); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith('kdash.ui')); "
        "print('LOADED:' + ','.join(bad)); sys.exit(code)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) > 1, "the command printed nothing"  # it did its work before the check
    assert lines[-1] == "LOADED:", f"kdash {argv[0]} loaded {lines[-1]}"


def render_modules() -> list[str]:
    return sorted(m for m in all_modules() if m == "kdash.ui.render" or m.startswith("kdash.ui.render."))


@pytest.mark.parametrize("module", render_modules())
def test_render_modules_load_no_textual(module: str) -> None:
    """Row builders are pure: importing one must not drag Textual in through kdash/ui."""
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "", f"{module} loaded {out.stdout.strip()}"


def import_graph() -> dict[str, set[str]]:
    """kdash module -> the kdash modules it imports anywhere (functions and TYPE_CHECKING included)."""
    modules = all_modules()
    return {
        name: {dep for dep in qualified_imports_of(path) if dep in modules and dep != name}
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in sorted(graph[node]):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def cycle_path(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One shortest cycle through the component's first module, so the message says which import to cut."""
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for dep in sorted(graph[node] & set(component)):
            if dep == start:
                return [*paths[node], start]
            if dep not in paths:
                paths[dep] = [*paths[node], dep]
                queue.append(dep)
    return component


def test_cycle_finder_reports_a_cycle_and_ignores_a_chain() -> None:
    graph = {"a": {"b"}, "b": {"c", "a"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycle_path(graph, ["a", "b", "c"]) == ["a", "b", "a"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycles_in_kdash() -> None:
    """A cycle means two modules cannot be understood, tested or moved apart; a late import inside a
    function or under TYPE_CHECKING hides the cycle from Python but not from the design."""
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(
        f"{' -> '.join(cycle_path(graph, c))}   (modules in the cycle: {', '.join(c)})" for c in found
    )


def test_no_module_over_the_line_limit() -> None:
    """Modules hold one job; past ~450 lines they hold several (scenario data is exempt)."""
    scenarios = ROOT / "sim" / "scenarios"
    big = {
        str(path.relative_to(ROOT.parent)): n
        for path in sorted(ROOT.rglob("*.py"))
        if scenarios not in path.parents
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not big, f"modules over {MAX_LINES} lines: {big}"


def _guards(path: Path) -> list[str]:
    """`getattr`/`hasattr` on `self.app`, `inspect.signature`, and `except ImportError` in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    where = path.relative_to(ROOT.parent) if ROOT in path.parents else path.name
    out: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr")
            and node.args
            and ast.unparse(node.args[0]) == "self.app"
        ):
            out.append(f"{where}:{node.lineno} {node.func.id}(self.app, ...)")
        elif isinstance(node, ast.Attribute) and ast.unparse(node) == "inspect.signature":
            out.append(f"{where}:{node.lineno} inspect.signature")
        elif isinstance(node, ast.ImportFrom) and node.module == "inspect":
            if any(alias.name == "signature" for alias in node.names):
                out.append(f"{where}:{node.lineno} from inspect import signature")
        elif isinstance(node, ast.ExceptHandler) and node.type is not None:
            caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            if any(ast.unparse(c) in ("ImportError", "ModuleNotFoundError") for c in caught):
                out.append(f"{where}:{node.lineno} except {ast.unparse(node.type)}")
    return out


def test_guard_finder_sees_each_guard(tmp_path: Path) -> None:
    path = tmp_path / "sample.py"
    path.write_text(
        "import inspect\n"
        "def f(self):\n"
        "    getattr(self.app, 'drill_down', None)\n"
        "    inspect.signature(f)\n"
        "    try:\n"
        "        import x\n"
        "    except (ModuleNotFoundError, KeyError):\n"
        "        pass\n",
        encoding="utf-8",
    )
    found = sorted(_guards(path), key=lambda g: int(g.split(":")[1].split(" ")[0]))
    assert [g.split(" ", 1)[1] for g in found] == [
        "getattr(self.app, ...)",
        "inspect.signature",
        "except (ModuleNotFoundError, KeyError)",
    ]


def test_ui_has_no_app_getattr_signature_or_import_guards() -> None:
    """Screens reach the app through messages, not by attribute name; and every module they use exists,
    so nothing guards an import or inspects a constructor to see which version it got."""
    found = [g for path in sorted((ROOT / "ui").rglob("*.py")) for g in _guards(path)]
    assert not found, "guards left in kdash/ui:\n" + "\n".join(found)


def test_architecture_doc_lists_every_rule() -> None:
    """docs/architecture.md's table names every package and sub-rule this test enforces."""
    rows = re.findall(r"^\| *([a-z0-9_/.]+) *\|", ARCHITECTURE.read_text(encoding="utf-8"), re.M)
    assert set(rows) - {"package"} == set(RULES) | set(SUB_RULES)
