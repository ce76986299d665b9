"""Imports only point down the floors of DESIGN.md §1 (docs/architecture.md): every import in
the apps' code, at the top of a module or inside a function, is read with `ast` and checked
against the floor of the module it names. Templates, likewise, compare a stored value with
its model's enum or a model property (`case.Status.CLOSED`, `user.is_psikolog`), never with
the stored string, so that renaming a value cannot silently break a page."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

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


# `x == "stored_value"` or `x in "value other"` in a template (not `{% for x in "..." %}`): a
# field compared with a quoted lowercase literal.
LITERAL_COMPARISON = re.compile(
    r"""(?<![\w.])(?<!for )([\w.]+)(?:\s*(==|!=)\s*|\s+(in)\s+)["']([a-z_ ]+)["']"""
)

# (template, comparison) -> why the literal is not a stored value.
LITERAL_COMPARISONS_ALLOWED = {
    ("activities/feedback_activity.html", 'name == "satisfaction"'): "a Feedback field name",
    ("activities/feedback_activity.html", 'name == "usefulness"'): "a Feedback field name",
    ("activities/visit_move.html", 'field.name != "confirm"'): "a form field name",
    ("forum/flag_queue.html", 'item.kind == "question"'): "the view's label of the flagged post",
    ("forum/flag_queue.html", 'item.kind == "answer"'): "the view's label of the flagged post",
    ("forum/moderation_form.html", 'next == "queue"'): "a form parameter: where to go back",
    ("forum/moderation_form.html", 'verb == "hide"'): "the view's action word",
    ("forum/moderation_form.html", 'verb == "reject"'): "the view's action word",
    ("forum/moderation_queue.html", 'kind == "question"'): "set by {% with %} in the template",
    ("forum/question_detail.html", 'kind == "question"'): "set by {% with %} in the template",
    ("forum/question_list.html", 'show == "saya"'): "a filter choice of the question list",
    ("includes/_messages.html", 'message.tags == "error"'): "Django's message level tag",
    ("includes/_nav.html", 'request.resolver_match.view_name == "home"'): "a URL name",
    **{
        ("includes/_nav.html", f'request.resolver_match.app_name == "{app}"'): "a URL namespace"
        for app in (
            "schools",
            "activities",
            "activity",
            "forum",
            "sosdesk",
            "monitoring",
            "reports",
        )
    },
    ("monitoring/observation_fill.html", 'field.name == "comment"'): "a form field name",
    ("schools/priority_weights.html", 'field.name == "reason"'): "a form field name",
    ("schools/school_map.html", 'field.name != "sort"'): "a form field name",
    **{
        ("sosdesk/case_detail.html", f'police_state {op} "{state}"'): (
            "computed by sosdesk.views.cases._police_state, not stored"
        )
        for op, state in [
            ("!=", "none"),
            ("==", "reported"),
            ("==", "exempted"),
            ("==", "pending"),
            ("==", "running"),
        ]
    },
    ("sosdesk/case_figures.html", 'table.key == "forms"'): "a figure table's key (figures.py)",
    ("sosdesk/case_figures.html", 'table.key == "simfoni"'): "a figure table's key (figures.py)",
}


def literal_comparisons(text: str) -> list[str]:
    """The template's comparisons with a quoted lowercase literal, quotes made double."""
    return [
        f'{lhs} {op or in_} "{literal}"'
        for lhs, op, in_, literal in LITERAL_COMPARISON.findall(text)
    ]


def test_templates_compare_with_enums_not_stored_strings():
    folder = ROOT / "templates"
    found = {
        (path.relative_to(folder).as_posix(), comparison)
        for path in sorted(folder.rglob("*.html"))
        for comparison in literal_comparisons(path.read_text(encoding="utf-8"))
    }
    unexplained = sorted(
        f"{path}: {{% if {c} %}}" for path, c in found - LITERAL_COMPARISONS_ALLOWED.keys()
    )
    assert unexplained == [], (
        "compare with the model's enum (case.Status.CLOSED) or a property (user.is_psikolog), "
        "or allow the literal with a reason if it is not a stored value:\n" + "\n".join(unexplained)
    )
    stale = sorted(f"{path}: {c}" for path, c in LITERAL_COMPARISONS_ALLOWED.keys() - found)
    assert stale == [], "allowed comparisons no longer in the templates:\n" + "\n".join(stale)


def test_a_literal_comparison_is_found():
    text = """{% if o.status == 'terjawab' %}{% elif o.status == o.Status.ANSWERED %}"""
    text += """{% if user.role != "psikolog" and x %}{% for c in "abc" %}{% if c in 'ab' %}"""
    assert literal_comparisons(text) == [
        'o.status == "terjawab"',
        'user.role != "psikolog"',
        'c in "ab"',
    ]
