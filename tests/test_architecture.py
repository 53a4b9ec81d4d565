"""The house: the core never imports an edge, and no module imports itself back at run time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "buyer_protection"

CORE = frozenset(
    {
        "_convert",
        "_copies",
        "_currencies",
        "_document",
        "_restore",
        "_text",
        "_time",
        "calendars",
        "assumptions",
        "clock",
        "dispute",
        "dispute_clocks",
        "errors",
        "history",
        "lifecycle",
        "milestones",
        "money",
        "order",
        "policy",
        "presets",
        "repeats",
        "replay",
        "scans",
        "sources",
        "terms",
        "tracking",
        "windows",
    }
)
"""Values, policy, lifecycle and the aggregate (with its clock, log and milestones)."""


def _name(path: Path) -> str:
    """A module's dotted name inside the package: ``money``, ``aliexpress.words``."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _path(module: str) -> Path:
    """The file of the module named *module* (a package's ``__init__.py``)."""
    folder = PACKAGE.joinpath(*module.split("."))
    return folder / "__init__.py" if folder.is_dir() else folder.with_suffix(".py")


MODULES = sorted(_name(p) for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py")


def _known(target: str) -> str:
    """The package's module that *target* (a module or a name in one) belongs to."""
    while target not in MODULES and "." in target:
        target = target.rpartition(".")[0]
    return target


def _imports(module: str, *, typing_too: bool) -> set[str]:
    """The package's modules that *module* imports (those under TYPE_CHECKING if *typing_too*)."""
    path = _path(module)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()

    def visit(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                visit(child, True)
            return
        if isinstance(node, ast.ImportFrom) and node.level and (typing_too or not typing_only):
            base = here[: len(here) - (node.level - 1)]
            if node.module:
                found.add(_known(".".join([*base, node.module])))
            else:
                found.update(_known(".".join([*base, alias.name])) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, typing_only)

    visit(tree, False)
    return found - {""}


@pytest.mark.parametrize("module", sorted(CORE))
def test_the_core_imports_no_edge(module: str) -> None:
    """A core module imports only core modules, even for type checking."""
    assert _imports(module, typing_too=True) <= CORE


@pytest.mark.parametrize("module", sorted(CORE))
def test_the_core_imports_nothing_inside_functions(module: str) -> None:
    """No core function imports a module of the package on use (a hidden dependency)."""
    tree = ast.parse(_path(module).read_text(encoding="utf-8"))
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


def test_modules_inside_a_subpackage_are_followed() -> None:
    """The seller-API package's modules are checked too, their relative imports resolved."""
    assert {"aliexpress", "aliexpress.words", "aliexpress.replay"} <= set(MODULES)
    assert _imports("aliexpress.replay", typing_too=False) >= {"order", "aliexpress.words"}
    assert "aliexpress.importing" in _imports("aliexpress", typing_too=False)
