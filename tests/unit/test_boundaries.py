"""The boundaries: Qt stops at ui/; dependencies point inward; no import cycles."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import counter_app

CORE = sorted(
    m.name
    for m in pkgutil.walk_packages(counter_app.__path__, "counter_app.")
    if not m.name.startswith("counter_app.ui") and "migrations" not in m.name
)


def test_core_packages_do_not_load_qt() -> None:
    assert "counter_app.services.intake" in CORE and "counter_app.printing.forms" in CORE
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    if name != 'counter_app.__main__':\n"
        "        importlib.import_module(name)\n"
        "qt = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "print(','.join(qt))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"PySide6 loaded by core packages: {out.stdout}"


# ----- the layering: app -> cli/, ui/ -> services/ -> printing/, sync/, devices/, db/ -> domain/
ROOT = Path(counter_app.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """In the body of an `if TYPE_CHECKING:` (its `else:` runs)."""
    while node in parents:
        child, node = node, parents[node]
        if (
            isinstance(node, ast.If)
            and "TYPE_CHECKING" in ast.unparse(node.test)
            and child in node.body
        ):
            return True
    return False


def import_graph() -> dict[str, set[str]]:
    """Every counter_app module -> the counter_app modules it imports anywhere in its body
    (imports inside functions too; only `if TYPE_CHECKING:` blocks, never run, are left out)."""
    paths = {_module_name(p): p for p in ROOT.rglob("*.py")}

    def resolve(name: str) -> str | None:
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(tree):
            if _type_checking_only(node, parents):
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif (  # a module imported on first use (counter_app/lazy.py) is still a dependency
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "lazy"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                targets = [node.args[0].value]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            else:
                continue
            found |= {r for t in targets if t.startswith("counter_app") and (r := resolve(t))}
        graph[name] = found - {name, "counter_app"}
    return graph


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


# Which areas each area may not reach (DESIGN.md §2, STYLE.md §1).
FORBIDDEN = {
    "ui": {"devices", "sync", "app"},
    "services": {"cli", "ui", "app"},
    "printing": {"services", "cli", "ui", "app"},
    "sync": {"services", "cli", "ui", "app"},
    "devices": {"services", "printing", "sync", "db", "cli", "ui", "app"},
    "db": {"services", "printing", "sync", "devices", "cli", "ui", "app"},
    "cli": {"ui", "app"},
}


def test_dependencies_point_inward() -> None:
    graph = import_graph()
    assert "counter_app.cli.main" in graph and "counter_app.services.sync" in graph
    wrong = sorted(
        f"{m} -> {t}"
        for m, targets in graph.items()
        for t in targets
        if _area(t) in FORBIDDEN.get(_area(m), set())
        or (_area(m) == "domain" and _area(t) != "domain")
    )
    assert wrong == []


def test_no_import_cycles() -> None:
    """Imports inside functions count: the old app/cli/commands loop hid behind them."""
    graph = import_graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in sorted(graph.get(m, ())):
            if state.get(t) == 1:
                cycles.append([*path[path.index(t) :], t] if t in path else [m, t])
            elif t not in state:
                visit(t, [*path, t])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []
