"""Imports only point down the floors of DESIGN.md §1 (docs/architecture.md): every import in
the apps' code, at the top of a module or inside a function, is read with `ast` and checked
against the floor of the module it names."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Package prefix -> floor (the longest prefix wins). The roof names every app.
FLOORS = {
    "peksos.core": 1,
    "peksos.accounts": 1,
    "schools": 2,
    "activities": 3,
    "sosdesk": 3,
    "forum": 3,
    "monitoring": 4,
    "peksos.reports": 5,
}
ROOF = {"peksos.settings", "peksos.urls", "peksos.celery", "peksos.wsgi", "peksos"}


def floor_of(module: str) -> int | None:
    matches = [p for p in FLOORS if module == p or module.startswith(p + ".")]
    return FLOORS[max(matches, key=len)] if matches else None


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the tree."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def app_files():
    for prefix in FLOORS:
        folder = ROOT.joinpath(*prefix.split("."))
        for path in sorted(folder.rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def upward_imports() -> list[str]:
    problems = []
    for path in app_files():
        module = module_name(path)
        own = floor_of(module)
        tree = ast.parse(path.read_text(), str(path))
        for line, name in imported(tree, module, path.name == "__init__.py"):
            if name in ROOF:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports the roof ({name})")
                continue
            other = floor_of(name)
            if other is not None and other > own:
                problems.append(
                    f"{path.relative_to(ROOT)}:{line} (floor {own}) imports {name} (floor {other})"
                )
    return problems


def test_imports_only_point_down():
    assert upward_imports() == []


@pytest.mark.parametrize(
    ("module", "floor"),
    [("peksos.core.partials", 1), ("schools.models", 2), ("peksos.reports.dashboards", 5)],
)
def test_floor_of(module, floor):
    assert floor_of(module) == floor


def test_an_upward_import_is_found():
    """The checker itself: relative and absolute imports from the core upwards are resolved."""
    source = "from ..reports import dashboards\nimport monitoring.models\nfrom . import audit\n"
    names = [name for _line, name in imported(ast.parse(source), "peksos.core.x", False)]
    assert names == ["peksos.reports", "monitoring.models", "peksos.core"]
    assert [floor_of(name) for name in names] == [5, 4, 1]
