"""The school page's activity history: an inclusion tag, so that the school register (a lower
floor) needs no import of activities. One query whatever the number of rows."""

from django import template

from ..permissions import ACTIVITY_ROLES, activities_visible_to

register = template.Library()

HISTORY_ROWS = 10


@register.inclusion_tag("activities/_activity_school_history.html", takes_context=True)
def school_activity_history(context, school):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in ACTIVITY_ROLES:
        return {"shown": False}
    rows = list(
        activities_visible_to(user)
        .filter(school=school)
        .order_by("-date", "-id")[: HISTORY_ROWS + 1]
    )
    return {
        "shown": True,
        "school": school,
        "activities": rows[:HISTORY_ROWS],
        "more": len(rows) > HISTORY_ROWS,
    }
