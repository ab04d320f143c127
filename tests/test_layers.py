"""The packages under app/ stack in one order (app/__init__.py's docstring): each imports only from below, and no
modules import each other in a loop.

Every import counts, at the top of a module and inside functions alike: a function-level import written to dodge a
cycle is still a cycle. Run on the tree before issue #9 this reports the facilities → maps → api → facilities loop,
geo importing facilities, api/admin.py importing a route module and operators/routes.py ↔ settings_routes.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Bottom up. A name is a top-level module or package under app/; "" is the app factory (app/__init__.py).
LAYERS = [
    {
        "config",
        "validation",
        "timeutil",
        "extensions",
        "database",
        "limits",
        "security",
        "serving",
        "delivery",
        "requestlog",
        "jsonio",
        "backup",
        "masking",
        "routing",
        "errors",
        "params",
        "choices",
        "jobs",
    },
    {"geo"},
    {"facilities"},
    {"maps"},
    {"imports", "audit"},
    {"auth"},
    {"notifications"},
    {"bookings"},
    {"lottery"},
    {"operators"},
    {"privacy"},
    {"admin"},
    {"finder", "api"},
    {"models", "migrations"},
    {""},
]
CORE = LAYERS[0]


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name → file, for every module under root (a package is named by its __init__.py)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = ("app",) + path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path, known: set[str]) -> list[tuple[str, int]]:
    """(imported module under app, line) for every import in the file, at any depth."""
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join(package + ([base] if base else []))
            for alias in node.names:
                # `from app.x import y` imports the module app.x.y when there is one, else a name from app.x.
                sub = f"{base}.{alias.name}"
                found.append((sub if sub in known else base, node.lineno))
    return sorted({(target, line) for target, line in found if target in known})


def unit(module: str) -> str:
    """The top-level module or package under app/ that a module belongs to ("" for app itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer(module: str) -> int:
    name = unit(module)
    for index, names in enumerate(LAYERS):
        if name in names:
            return index
    raise AssertionError(f"{module}: app/{name} has no place in LAYERS (tests/test_layers.py)")


def graph(root: Path) -> dict[str, list[tuple[str, int]]]:
    found = modules(root)
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def upward_imports(edges: dict[str, list[tuple[str, int]]]) -> list[str]:
    """Imports from a higher layer, or sideways between two packages of one layer (core modules excepted)."""
    problems = []
    for source, targets in edges.items():
        for target, line in targets:
            if unit(source) == unit(target):
                continue
            above = layer(target) > layer(source)
            sideways = layer(target) == layer(source) and unit(source) not in CORE
            if above or sideways:
                problems.append(f"{source}:{line} imports {target} ({'above' if above else 'same layer'})")
    return problems


def cycles(edges: dict[str, list[tuple[str, int]]]) -> list[list[str]]:
    """Strongly connected components of more than one module (or a module importing itself): Tarjan's algorithm."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target, _ in edges.get(node, []):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or any(t == node for t, _ in edges.get(node, [])):
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_every_package_imports_only_from_layers_below():
    assert upward_imports(graph(APP)) == []


def test_no_module_level_import_cycle():
    assert cycles(graph(APP)) == []


def test_checker_sees_an_upward_import_and_a_cycle(tmp_path):
    """The checker itself: geo importing facilities, and a function-level import closing a loop."""
    for name, text in {
        "__init__.py": "",
        "geo/__init__.py": "",
        "geo/spatial.py": "from app.facilities.models import KINDS\n",
        "facilities/__init__.py": "",
        "facilities/models.py": "def f():\n    from app.facilities import services\n",
        "facilities/services.py": "from app.facilities import models\n",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    edges = graph(tmp_path)
    assert upward_imports(edges) == ["app.geo.spatial:1 imports app.facilities.models (above)"]
    assert cycles(edges) == [["app.facilities.models", "app.facilities.services"]]
