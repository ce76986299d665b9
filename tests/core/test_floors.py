"""Imports only point down the floors of docs/design.md §1 (docs/architecture.md): every import in
the apps' code, at the top of a module or inside a function, is read with `ast` and checked
against the floor of the module it names. No two modules, and no two apps, import each other
in a circle. Every document the code names is in the repository."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Package prefix -> floor (the longest prefix wins). The roof names every app.
FLOORS = {
    "peksos.core": 1,
    "peksos.accounts": 1,
    "peksos.notifications": 1,
    "schools": 2,
    "people": 3,
    "visits": 3,
    "activities": 4,
    "sosdesk": 4,
    "forum": 4,
    "monitoring": 5,
    "reports": 6,
    "home": 6,
    "demo": 7,
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


def import_graph(depth: int | None = None) -> dict[str, set[str]]:
    """Module (or, with `depth`, package prefix) -> the project modules it imports."""
    modules = {module_name(path): path for path in app_files()}

    def key(name: str) -> str:
        if depth is None:
            return name
        parts = name.split(".")
        return ".".join(parts[: depth + (parts[0] == "peksos")])

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        for _line, name in imported(tree, module, path.name == "__init__.py"):
            while name and name not in modules:
                name = name.rpartition(".")[0]  # `from package import name`: the package
            if name and key(name) != key(module):
                graph.setdefault(key(module), set()).add(key(name))
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_between_apps():
    assert circles(import_graph(depth=1)) == []


def test_no_import_circle_between_modules():
    assert circles(import_graph()) == []


def test_a_circle_is_found():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


DOCUMENT = re.compile(r"\b(?:docs/)?[\w-]+\.md\b")
CODE_FOLDERS = [*FLOORS, "peksos", "tests", "bench", "templates"]


def test_every_document_the_code_names_is_in_the_repository():
    """A reference such as `docs/design.md §4` must lead somewhere a new developer can open."""
    missing = set()
    for folder in {prefix.split(".")[0] for prefix in CODE_FOLDERS}:
        for path in ROOT.joinpath(folder).rglob("*"):
            if path.suffix not in {".py", ".html", ".txt"} or "vendor" in path.parts:
                continue
            for name in DOCUMENT.findall(path.read_text(errors="replace")):
                found = ROOT / name if "/" in name else None
                if not (found and found.exists()) and not list(ROOT.glob(f"**/{name}")):
                    missing.add(f"{path.relative_to(ROOT)}: {name}")
    assert sorted(missing) == []


@pytest.mark.parametrize(
    ("module", "floor"),
    [
        ("peksos.core.tallies", 1),
        ("schools.models", 2),
        ("visits.models", 3),
        ("home.dashboards", 6),
    ],
)
def test_floor_of(module, floor):
    assert floor_of(module) == floor


def test_an_upward_import_is_found():
    """The checker itself: relative and absolute imports from the core upwards are resolved."""
    source = "from home import dashboards\nimport monitoring.models\nfrom . import audit\n"
    names = [name for _line, name in imported(ast.parse(source), "peksos.core.x", False)]
    assert names == ["home", "monitoring.models", "peksos.core"]
    assert [floor_of(name) for name in names] == [6, 5, 1]
