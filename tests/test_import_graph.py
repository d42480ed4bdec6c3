"""The package imports without a circle: its module-level import graph, read with ``ast``,
has no cycle. Imports inside functions (made when called) and under
``if TYPE_CHECKING:`` (never run) are not edges; importing ``a.b.c`` runs the
``__init__`` of ``a.b`` too, unless the importing module lives inside ``a.b`` already."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator

import pytest_awshealth

ROOT = Path(pytest_awshealth.__file__).parent
PACKAGE = "pytest_awshealth"


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def top_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports a module runs when it is imported."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from top_level_imports(node.orelse)
        else:
            for block in ("body", "orelse", "finalbody", "handlers"):
                nested = getattr(node, block, None)
                if isinstance(nested, list):
                    yield from top_level_imports(nested)


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that importing ``name`` runs first."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in top_level_imports(ast.parse(path.read_text()).body):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join(anchor + ([node.module] if node.module else []))
        targets.add(base)
        targets.update(f"{base}.{alias.name}" for alias in node.names)
    edges: set[str] = set()
    for target in targets:
        parts = target.split(".")
        for depth in range(1, len(parts) + 1):  # a.b.c runs a.b's __init__ first
            module = ".".join(parts[:depth])
            inside = name == module or name.startswith(module + ".")
            if module in known and not inside:
                edges.add(module)
    return edges


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path that ends where it starts) per circle found by depth-first search."""
    found: list[list[str]] = []
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = "open"
        path.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                found.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module)
    return found


def test_the_package_has_no_import_circle() -> None:
    edges = graph()
    assert len(edges) > 50 and f"{PACKAGE}.remediation.hint" in edges[f"{PACKAGE}.remediation"]
    assert not cycles(edges), "\n".join(" -> ".join(cycle) for cycle in cycles(edges))


def test_the_cycle_finder_finds_a_circle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_a_submodule_import_runs_its_package_first(tmp_path) -> None:
    """``from .remediation.codes import X`` depends on ``remediation/__init__`` too, which is
    how ``awscalls -> remediation -> diagnosis -> awscalls`` would be a circle."""
    module = tmp_path / "awscalls.py"
    module.write_text("from typing import TYPE_CHECKING\n"
                      "from .remediation.codes import ACCESS_DENIED\n"
                      "if TYPE_CHECKING:\n    from .plugin import x\n"
                      "def later():\n    from .resources import y\n")
    known = dict.fromkeys([f"{PACKAGE}.remediation", f"{PACKAGE}.remediation.codes",
                           f"{PACKAGE}.plugin", f"{PACKAGE}.resources", PACKAGE], tmp_path)
    assert imported(f"{PACKAGE}.awscalls", module, known) == {
        f"{PACKAGE}.remediation", f"{PACKAGE}.remediation.codes"}


def test_remediation_depends_on_no_handle_and_not_on_the_plugin() -> None:
    """Hints, codes and diagnosis know nothing of the services: the plugin assembles the
    built-in catalog from the registry (checked in function bodies too)."""
    for path in (ROOT / "remediation").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for module in names:
                assert not {"resources", "plugin"} & set(module.split(".")), (path.name, module)
