"""Feedback results, staff side: one activity's answers and the overview by school.
Programme staff read the comments (escaped like any text); the principal and SOS Desk
officers see means and comments only from 5 answers up."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..models import Feedback, ParticipantGroup
from ..permissions import (
    activities_visible_to,
    get_activity_for_user,
    hidden_for,
    require_activity_role,
    sees_individual_answers,
)
from ..services import feedback as services

COMMENTS_SHOWN = 300


@require_safe
@login_required
def activity_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk)
    stats = services.feedback_summary(activities_visible_to(request.user).filter(pk=pk))["overall"]
    hidden = hidden_for(request.user, stats["n"])
    distribution = services.distribution(activity) if not hidden else {}
    scales = [
        (name, label, distribution.get(name, []))
        for name, label in (
            ("satisfaction", _label("satisfaction")),
            ("usefulness", _label("usefulness")),
            ("clarity", _label("clarity")),
        )
    ]
    comments = []
    if not hidden:
        comments = list(
            activity.feedback.exclude(comment="")
            .order_by("-id")
            .values("comment", "group", "satisfaction", "submitted_on")[:COMMENTS_SHOWN]
        )
        groups = dict(ParticipantGroup.choices)
        for c in comments:
            c["group"] = groups.get(c["group"], "")
    context = {
        "activity": activity,
        "stats": stats,
        "hidden": hidden,
        "scales": scales,
        "comments": comments,
        "dated": sees_individual_answers(request.user),
    }
    return render(request, "activities/feedback_activity.html", context)


def _label(name: str) -> str:
    return Feedback._meta.get_field(name).verbose_name


@require_safe
@login_required
def feedback_overview(request: HttpRequest) -> HttpResponse:
    require_activity_role(request.user)
    summary = services.feedback_summary(activities_visible_to(request.user))
    for row in [summary["overall"], *summary["by_school"]]:
        row["hidden"] = hidden_for(request.user, row["n"])
    return render(request, "activities/feedback_overview.html", {"summary": summary})
