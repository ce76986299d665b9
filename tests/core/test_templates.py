"""Templates compare a stored value with its model's enum or a model property
(`case.Status.CLOSED`, `user.is_psikolog`), never with the stored string, so that renaming a
value cannot silently break a page."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (this file is tests/core/)

# `x == "stored_value"` or `x in "value other"` in a template (not `{% for x in "..." %}`): a
# field compared with a quoted lowercase literal.
LITERAL_COMPARISON = re.compile(
    r"""(?<![\w.])(?<!for )([\w.]+)(?:\s*(==|!=)\s*|\s+(in)\s+)["']([a-z_ ]+)["']"""
)

# (template, comparison) -> why the literal is not a stored value.
LITERAL_COMPARISONS_ALLOWED = {
    ("activities/feedback_activity.html", 'name == "satisfaction"'): "a Feedback field name",
    ("activities/feedback_activity.html", 'name == "usefulness"'): "a Feedback field name",
    ("visits/visit_move.html", 'field.name != "confirm"'): "a form field name",
    ("visits/visit_move.html", 'field.name != "override_reason"'): "a form field name",
    ("visits/visit_create.html", 'field.name != "confirm"'): "a form field name",
    ("visits/visit_create.html", 'field.name != "override_reason"'): "a form field name",
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
    ("includes/_nav.html", 'request.resolver_match.view_name == "inbox"'): "a URL name",
    **{
        ("includes/_nav.html", f'request.resolver_match.app_name == "{app}"'): "a URL namespace"
        for app in (
            "schools",
            "visits",
            "activities",
            "forum",
            "sosdesk",
            "monitoring",
            "reports",
            "people",
            "notifications",
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
    (
        "sosdesk/case_figures.html",
        'table.key == "victims_simfoni"',
    ): "a figure table's key (party_figures.py)",
}


def literal_comparisons(text: str) -> list[str]:
    """The template's comparisons with a quoted lowercase literal, quotes made double."""
    return [
        f'{lhs} {op or in_} "{literal}"'
        for lhs, op, in_, literal in LITERAL_COMPARISON.findall(text)
    ]


def test_templates_compare_with_enums_not_stored_strings():
    folder = ROOT / "templates"
    assert (folder / "base.html").exists()
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
