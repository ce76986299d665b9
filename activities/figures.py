"""The register's activity figures, maintained (peksos/core/tallies.py): the dashboard's
activities panel, held this school year, planned in the next 14 days, participants reached.

Each school contributes `held` (its activities held) and `reached` (their attendance counts)
on the first of each activity's month, and `planned` on each planned activity's date. A school
year starts on the 1st of a month (peksos/core/school_year.py), so "held this school year" is
the months from its start on, whatever start month the office sets; the next 14 days a range
of days.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from django.db.models import Count, Sum

from peksos.core import school_year, tallies

from .models import Activity, AttendanceCount

NAME = "activities"
UPCOMING_DAYS = 14


def count(school_ids: Sequence[int]) -> dict[int, Counter]:
    counts: dict[int, Counter] = defaultdict(Counter)
    activities = Activity.objects.filter(school_id__in=school_ids).order_by()
    for school, day, state, n in (
        activities.filter(state__in=[Activity.State.HELD, Activity.State.PLANNED])
        .values_list("school_id", "date", "state")
        .annotate(n=Count("pk"))
    ):
        if state == Activity.State.HELD:
            counts[school]["held", day.replace(day=1)] += n
        else:
            counts[school]["planned", day] += n
    attendance = AttendanceCount.objects.filter(
        activity__school_id__in=school_ids, activity__state=Activity.State.HELD
    ).order_by()
    for school, day, n in attendance.values_list("activity__school_id", "activity__date").annotate(
        n=Sum("count")
    ):
        counts[school]["reached", day.replace(day=1)] += n or 0
    return counts


FIGURE = tallies.Figure(NAME, ("activities",), count)


def panel_figures(today: date) -> dict:
    """{held, upcoming, reached} of the whole register today: two queries."""
    sums = tallies.sums(NAME, since=school_year.start_of(today), undated=False)
    soon = today + timedelta(days=UPCOMING_DAYS)
    upcoming = tallies.sums(NAME, prefix="planned", since=today, until=soon, undated=False)
    return {"held": sums["held"], "upcoming": upcoming["planned"], "reached": sums["reached"]}
