"""The register's children in support, maintained (peksos/core/tallies.py, issue #22): the
Koordinator's "Children in support" panel over every record, at any register size.

Each school contributes, for its OPEN records only: `open` and `tier3` (undated), and `due`
on the local (WIB) day its follow-up becomes overdue, the day of `last_contact_at +
FOLLOW_UP_DAYS`. A record is overdue when that moment has passed (`ChildRecordQuerySet.overdue`),
so at `now`, on local day T:

- every record due before T is overdue (its moment lies before T's midnight): a range sum of
  `due` up to T - 1;
- a record due on T is overdue if its moment lies before `now`: counted live, among the open
  records whose last contact lies in [T's midnight - FOLLOW_UP_DAYS, now - FOLLOW_UP_DAYS),
  one day's records at most, read from the `child_open_contact` index;
- a record due after T is not overdue yet.

A closed record counts nowhere. The contribution reads the record's school, status, tier and
last contact (`ChildRecord.tally_fields`); a write that bypasses `save` calls
`tallies.changed("children", ...)` itself.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from django.db.models import Count, DateTimeField, ExpressionWrapper, F
from django.db.models.functions import TruncDate
from django.utils import timezone

from peksos.core import tallies

from .models import FOLLOW_UP_DAYS, ChildRecord

NAME = "children"
UNDATED = tallies.UNDATED
FOLLOW_UP = timedelta(days=FOLLOW_UP_DAYS)


def count(school_ids: Sequence[int]) -> dict[int, Counter]:
    """Each school's contribution: one grouped query for a chunk of schools."""
    due_at = ExpressionWrapper(F("last_contact_at") + FOLLOW_UP, output_field=DateTimeField())
    rows = (
        ChildRecord.objects.filter(school_id__in=list(school_ids), status=ChildRecord.Status.OPEN)
        .order_by()
        .annotate(due=TruncDate(due_at, tzinfo=timezone.get_default_timezone()))
        .values_list("school_id", "tier", "due")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    for school, tier, due, n in rows:
        counts[school]["open", UNDATED] += n
        if tier == ChildRecord.Tier.INDIVIDUAL:
            counts[school]["tier3", UNDATED] += n
        counts[school]["due", due] += n
    return counts


FIGURE = tallies.Figure(NAME, ("children",), count)


def register_children(now: datetime) -> dict:
    """{open, tier3, overdue} over every record of the register at `now`: one query over the
    tallies' rows and one live count of at most a day's records."""
    today = timezone.localdate(now)
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    sums = tallies.sums(NAME, until=today - timedelta(days=1))
    due_today = (
        ChildRecord.objects.filter(
            status=ChildRecord.Status.OPEN,
            last_contact_at__gte=midnight - FOLLOW_UP,
            last_contact_at__lt=now - FOLLOW_UP,
        )
        .order_by()
        .aggregate(n=Count("status"))["n"]
    )
    return {"open": sums["open"], "tier3": sums["tier3"], "overdue": sums["due"] + due_today}
