"""Plan coverage: whether each school got each of the three activity types this school year
(docs/domain.md, the programme's activity types), for the board beside visit compliance.

For one school and one activity type the status is, in this order:
- reached: an activity of that type was held (recorded as held) in the school year;
- planned: none held yet, but an activity of that type is planned, or a visit of that kind is
  proposed or agreed, from today on within the school year;
- missing: neither.

Counted in one aggregate query per table (activities, visits) over the user's schools,
grouped by school and type, whatever the number of schools; the statuses are combined in
Python. Sized for a city register (Kota Metro: 308 schools); a national register would need
the cached per-partition parts of `peksos.core.partials`, as the compliance board does.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from peksos.core import school_year
from schools.models import School
from visits.models import Visit

from .models import Activity

KINDS = tuple(Visit.Kind)


class Coverage(models.TextChoices):
    REACHED = "tercapai", _("reached")
    PLANNED = "direncanakan", _("planned")
    MISSING = "belum", _("missing")

    @property
    def badge(self) -> str:
        """The Bootstrap colour of the status's badge."""
        return {"tercapai": "success", "direncanakan": "primary", "belum": "danger"}[self.value]


@dataclass
class KindCounts:
    """How many schools of a group are reached, planned or missing for one activity type."""

    kind: Visit.Kind
    reached: int = 0
    planned: int = 0
    missing: int = 0

    def add(self, status: Coverage) -> None:
        if status == Coverage.REACHED:
            self.reached += 1
        elif status == Coverage.PLANNED:
            self.planned += 1
        else:
            self.missing += 1


@dataclass
class GroupRow:
    """One kecamatan (or the total): its number of schools and the counts per type."""

    name: str
    schools: int = 0
    kinds: list[KindCounts] = field(default_factory=lambda: [KindCounts(k) for k in KINDS])

    def add(self, statuses: list[Coverage]) -> None:
        self.schools += 1
        for counts, status in zip(self.kinds, statuses, strict=True):
            counts.add(status)


def school_year_bounds(year: int) -> tuple[date, date]:
    return school_year.bounds(year)


def coverage_by_school(
    schools: QuerySet[School], year: int, today: date
) -> dict[int, list[Coverage]]:
    """{school id: [status per type, in the order of KINDS]} for the schools that have any
    activity or visit counted; a school absent from the result is missing every type.
    Two queries (one on activities, one on visits), whatever the number of schools."""
    first, last = school_year_bounds(year)
    scope = schools.order_by().values("pk")
    held = Q(state=Activity.State.HELD)
    activities = (
        Activity.objects.filter(school__in=scope, date__gte=first, date__lte=last)
        .filter(held | Q(state=Activity.State.PLANNED, date__gte=today))
        .order_by()
        .values("school_id", "kind")
        .annotate(held=Count("pk", filter=held))
    )
    reached: set[tuple[int, str]] = set()
    planned: set[tuple[int, str]] = set()
    for row in activities:
        key = (row["school_id"], row["kind"])
        (reached if row["held"] else planned).add(key)
    visits = (
        Visit.objects.in_school_year(year)
        .upcoming(today)
        .filter(school__in=scope)
        .order_by()
        .values_list("school_id", "kind")
        .distinct()
    )
    planned.update(visits)
    result: dict[int, list[Coverage]] = {}
    for school_id in {school_id for school_id, _kind in reached | planned}:
        result[school_id] = [
            Coverage.REACHED
            if (school_id, kind) in reached
            else Coverage.PLANNED
            if (school_id, kind) in planned
            else Coverage.MISSING
            for kind in KINDS
        ]
    return result


NONE_YET = [Coverage.MISSING] * len(KINDS)


def statuses_of(coverage: dict[int, list[Coverage]], school_id: int) -> list[Coverage]:
    return coverage.get(school_id, NONE_YET)


def summary_by_kecamatan(
    schools: Iterable[tuple[int, str]], coverage: dict[int, list[Coverage]]
) -> tuple[list[GroupRow], GroupRow]:
    """Rows per kecamatan (by name) and the total, from (school id, kecamatan name) pairs."""
    groups: dict[str, GroupRow] = {}
    total = GroupRow(str(_("Total")))
    for school_id, kecamatan in schools:
        statuses = statuses_of(coverage, school_id)
        groups.setdefault(kecamatan, GroupRow(kecamatan)).add(statuses)
        total.add(statuses)
    return [groups[name] for name in sorted(groups)], total
