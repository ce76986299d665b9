"""The whole register's open cases, deadlines and police clocks, maintained (issue 22):
figure "case_deadlines" of peksos/core/tallies.py.

"Past a deadline now" depends on the hour, so it cannot be one stored number. Each open case
is kept under the local (WIB) day of its earliest deadline instead: the stage deadline, or
the 72-hour police clock while it runs, whichever comes first (`CaseQuerySet.overdue`'s
rule). Overdue now is then the sum of the days before today (one small tally read) plus the
open cases whose earliest deadline falls today before this moment, counted live from the
deadline indexes (a day's cases, not the register's). Running police clocks likewise, by the
day their 72 hours end. Open cases and running clocks are plain counts.

Each school's contribution, (key, day) -> n:
- ("open", undated): its open cases; ("due", day): those whose earliest deadline is that day;
- ("clocks", undated): its running police clocks; ("clock_due", day): by the day they end.

The contribution changes only when a case is written (its status, stage deadline or clock):
`Case` is `TallyOnSave` in domain "cases" with those fields in `tally_fields`.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from django.db.models import Case as SqlCase
from django.db.models import Count, Q, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from peksos.core import tallies

from .models import Case

NAME = "case_deadlines"
RUNNING = Q(police_due_at__isnull=False, police_clock_closed_at__isnull=True)


def _day(column):
    return TruncDate(column, tzinfo=timezone.get_default_timezone())


def count(school_ids: Sequence[int]) -> dict[int, Counter]:
    """Each school's contribution: two grouped queries for a chunk of schools."""
    cases = Case.objects.filter(school_id__in=list(school_ids)).order_by()
    contributions: dict[int, Counter] = defaultdict(Counter)
    # The earliest deadline: the stage's, or the running clock's when it ends first (the
    # clock's day only while it runs).
    clock_while_running = SqlCase(When(RUNNING, then=_day("police_due_at")), default=None)
    for school, stage_day, clock_day, n in (
        cases.open()
        .annotate(stage_day=_day("stage_due_at"), clock_day=clock_while_running)
        .values_list("school_id", "stage_day", "clock_day")
        .annotate(n=Count("pk"))
    ):
        contributions[school]["open", tallies.UNDATED] += n
        days = [day for day in (stage_day, clock_day) if day is not None]
        if days:
            contributions[school]["due", min(days)] += n
    for school, clock_day, n in (
        cases.filter(RUNNING)
        .annotate(clock_day=_day("police_due_at"))
        .values_list("school_id", "clock_day")
        .annotate(n=Count("pk"))
    ):
        contributions[school]["clocks", tallies.UNDATED] += n
        contributions[school]["clock_due", clock_day] += n
    return contributions


FIGURE = tallies.Figure(NAME, ("cases", "schools"), count)


def _today_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)


def register_deadlines(now: datetime | None = None) -> dict[str, int]:
    """{open, overdue, clocks, clocks_late} of all the register's cases at `now`: one tally
    query and one count of today's deadlines (from the deadline indexes), at any register
    size."""
    now = now or timezone.now()
    start = _today_start(now)
    yesterday = start.date() - timedelta(days=1)
    sums = tallies.sums(NAME, until=yesterday)  # undated counts, and the days before today
    # Today's deadlines that have passed: a case counts where its earliest deadline is, so a
    # case whose other deadline passed before today is in the sums already.
    stage_today = Q(stage_due_at__gte=start, stage_due_at__lt=now) & ~(
        RUNNING & Q(police_due_at__lt=start)
    )
    clock_today = (RUNNING & Q(police_due_at__gte=start, police_due_at__lt=now)) & ~Q(
        stage_due_at__lt=start
    )
    overdue_today = Q(status__in=Case.OPEN_STATUSES) & (stage_today | clock_today)
    clock_ended_today = RUNNING & Q(police_due_at__gte=start, police_due_at__lt=now)
    today = (
        Case.objects.filter(overdue_today | clock_ended_today)
        .order_by()
        .aggregate(
            overdue=Count("pk", filter=overdue_today),
            clocks=Count("pk", filter=clock_ended_today),
        )
    )
    return {
        "open": sums["open"],
        "overdue": sums["due"] + today["overdue"],
        "clocks": sums["clocks"],
        "clocks_late": sums["clock_due"] + today["clocks"],
    }
