"""The house: the core never imports an edge, and no module imports itself back at run time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "buyer_protection"

CORE = frozenset(
    {
        "_currencies",
        "_document",
        "_text",
        "_time",
        "assumptions",
        "clock",
        "dispute",
        "errors",
        "history",
        "lifecycle",
        "milestones",
        "money",
        "order",
        "policy",
        "repeats",
        "replay",
        "terms",
        "tracking",
        "windows",
    }
)
"""Values, policy, lifecycle and the aggregate (with its clock, log and milestones)."""


def _imports(module: str, *, typing_too: bool) -> set[str]:
    """The package's modules that *module* imports (those under TYPE_CHECKING if *typing_too*)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                visit(child, True)
            return
        if isinstance(node, ast.ImportFrom) and node.level == 1 and (typing_too or not typing_only):
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, typing_only)

    visit(tree, False)
    return found


MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("module", sorted(CORE))
def test_the_core_imports_no_edge(module: str) -> None:
    """A core module imports only core modules, even for type checking."""
    assert _imports(module, typing_too=True) <= CORE


@pytest.mark.parametrize("module", sorted(CORE))
def test_the_core_imports_nothing_inside_functions(module: str) -> None:
    """No core function imports a module of the package on use (a hidden dependency)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef):
            inner = [n for n in ast.walk(function) if isinstance(n, ast.ImportFrom)]
            assert not [n for n in inner if n.level == 1], f"{module}.{function.name}"


def test_no_import_circle_at_run_time() -> None:
    """Following the modules' run-time imports never leads back to where it started."""
    graph = {m: _imports(m, typing_too=False) & set(MODULES) for m in MODULES}

    def reaches(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            module = todo.pop()
            if module not in seen:
                seen.add(module)
                todo.extend(graph[module])
        return seen

    assert [m for m in MODULES if m in reaches(m)] == []
