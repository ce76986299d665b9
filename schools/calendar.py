"""The school calendar: on which days a visit may not happen, and why. No HTTP here: the visit
planner calls these functions, the calendar pages show what they return.

A day is not a visit day when it falls on a weekend, on a national public holiday (from the
`holidays` package, which knows Indonesia's moving Islamic, Chinese and Balinese holidays and
the government's collective leave), or inside a blocked period: one of the school's own
(exams, school holidays, school events) or a city-wide one (`BlockedPeriod.school` empty).
The school year runs from 1 July to 30 June (docs/domain.md §7) unless the office sets
another first month (peksos.core.school_year).
"""

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.dates import WEEKDAYS

from peksos.core import school_year

from .models import BlockedPeriod, School

# Many Indonesian schools teach Monday to Saturday, but PEKSOS are civil servants working
# Monday to Friday, so visits are planned Monday to Friday only (date.weekday(): 5, 6).
WEEKEND = frozenset({5, 6})

# "public": national holidays; "government": cuti bersama, the collective leave days around
# them, when the Dinas Sosial (and most schools) are closed too.
HOLIDAY_CATEGORIES = ("public", "government")

# Years the calendar accepts (form input, the ?tahun= parameter): beyond them a date is a typo.
FIRST_YEAR = 2000
LAST_YEAR = 2100


def school_year_bounds(day: date) -> tuple[date, date]:
    """The school year containing `day`: (first day, last day), by the office's start month."""
    return school_year.bounds_containing(day)


def school_year_label(start: date) -> str:
    """How Indonesian schools name a school year: "2025/2026"."""
    return f"{start.year}/{start.year + 1}"


def _holiday_language() -> str:
    # The package speaks Indonesian ("id") and American English ("en_US").
    language = translation.get_language() or "id"
    return "en_US" if language.startswith("en") else "id"


@lru_cache(maxsize=64)
def _holidays_of_year(year: int, language: str) -> tuple[tuple[date, str], ...]:
    found = holidays.country_holidays(
        "ID", years=year, categories=HOLIDAY_CATEGORIES, language=language
    )
    return tuple(sorted(found.items()))


def national_holidays(start: date, end: date) -> dict[date, str]:
    """National public holidays and collective leave days from `start` to `end` (inclusive),
    in date order, named in the active language (Indonesian unless the UI is in English)."""
    language = _holiday_language()
    return {
        day: name
        for year in range(start.year, end.year + 1)
        for day, name in _holidays_of_year(year, language)
        if start <= day <= end
    }


def _overlapping(start: date, end: date) -> Q:
    return Q(starts_on__lte=end, ends_on__gte=start)


def blocked_periods(school: School | None, start: date, end: date) -> QuerySet[BlockedPeriod]:
    """The school's own and the city-wide periods overlapping `start`..`end`, in one query
    (only the city-wide ones when `school` is None)."""
    scope = Q(school__isnull=True)
    if school is not None:
        scope |= Q(school=school)
    return BlockedPeriod.objects.filter(scope, _overlapping(start, end)).order_by("starts_on", "id")


def blocked_periods_by_school(
    schools: Iterable[School | int], start: date, end: date
) -> dict[int, list[BlockedPeriod]]:
    """For each school (instances or ids), its own and the city-wide periods overlapping the
    range, in date order: one query for any number of schools. City-wide periods are the same
    objects in every list; every school given has a key, even with an empty list.
    (Passing an unevaluated QuerySet costs one more query, to load it.)"""
    ids = [s.pk if isinstance(s, School) else int(s) for s in schools]
    result: dict[int, list[BlockedPeriod]] = {pk: [] for pk in ids}
    if not ids:
        return result
    periods = BlockedPeriod.objects.filter(
        Q(school__isnull=True) | Q(school__in=ids), _overlapping(start, end)
    ).order_by("starts_on", "id")
    for period in periods:
        targets = result.values() if period.school_id is None else [result[period.school_id]]
        for target in targets:
            target.append(period)
    return result


def _days(start: date, end: date) -> Iterable[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def non_visit_days(
    school: School | None,
    start: date,
    end: date,
    *,
    periods: Iterable[BlockedPeriod] | None = None,
) -> dict[date, str]:
    """Every day from `start` to `end` on which no visit may happen, with the reason(s) in the
    active language, e.g. {date(2026, 8, 17): "Hari Kemerdekaan Republik Indonesia"}.

    One query for the blocked periods; none when the planner passes the school's `periods`
    (from `blocked_periods_by_school`)."""
    if end < start:
        return {}
    if periods is None:
        periods = blocked_periods(school, start, end)
    reasons: dict[date, list[str]] = {}
    for period in periods:
        label = f"{period.get_kind_display()}: {period.title}"
        for day in _days(max(start, period.starts_on), min(end, period.ends_on)):
            reasons.setdefault(day, []).append(label)
    for day, name in national_holidays(start, end).items():
        reasons.setdefault(day, []).append(name)
    for day in _days(start, end):
        if day.weekday() in WEEKEND:
            reasons.setdefault(day, []).append(str(WEEKDAYS[day.weekday()]))
    return {day: "; ".join(reasons[day]) for day in sorted(reasons)}


def is_visit_day(school: School | None, day: date) -> bool:
    """Whether a visit may happen at `school` on `day` (no query on weekends and holidays)."""
    if day.weekday() in WEEKEND or national_holidays(day, day):
        return False
    return not blocked_periods(school, day, day).exists()


def school_year_from_param(value: str | None, today: date) -> tuple[date, date]:
    """The school year named by a `?tahun=2026` parameter (the year it starts: 2026/2027);
    anything else, or a year out of range, gives the current school year."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and FIRST_YEAR <= int(value) < LAST_YEAR:
        return school_year.bounds(int(value))
    return school_year_bounds(today)
