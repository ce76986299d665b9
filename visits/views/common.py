"""Helpers shared by the visit and activity pages: the school year, month and week
parameters, the month grid."""

import calendar as pycalendar
from datetime import date, timedelta

from django.http import HttpRequest
from django.utils import timezone

from schools.calendar import national_holidays, school_year_from_param

from ..models import school_year_of

LIST_ORDER = ("date", "id")


def year_param(request: HttpRequest) -> int:
    """The school year of `?tahun=2026` (2026/2027); anything else: the current one."""
    today = timezone.localdate()
    if not request.GET.get("tahun"):
        return school_year_of(today)
    return school_year_from_param(request.GET.get("tahun"), today)[0].year


def month_param(request: HttpRequest) -> date:
    """The first day of `?bulan=2026-08`; anything else: this month."""
    value = (request.GET.get("bulan") or "").strip()
    try:
        year, month = (int(part) for part in value.split("-"))
        if value.isascii() and 2000 <= year < 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    except ValueError:
        pass
    today = timezone.localdate()
    return today.replace(day=1)


def week_param(request: HttpRequest) -> date:
    """The Monday of the week of `?minggu=2026-08-05` (any day of it); else this week."""
    value = (request.GET.get("minggu") or "").strip()
    try:
        day = date.fromisoformat(value) if value.isascii() and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year < 2100:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


def month_weeks(first: date, items: list, key: str) -> list[list[dict]]:
    """The month of `first` as weeks of 7 days (Monday first), each day with its `items`
    (anything with a `date`) under `key`, and whether it is in the month, a weekend or a
    national holiday (the name): the month grids of visits and of activities."""
    by_day: dict[date, list] = {}
    for item in items:
        by_day.setdefault(item.date, []).append(item)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    holidays = national_holidays(first, last)
    day = first - timedelta(days=first.weekday())
    weeks = []
    while day <= last:
        week = []
        for _i in range(7):
            week.append(
                {
                    "day": day,
                    "in_month": day.month == first.month,
                    "weekend": day.weekday() >= 5,
                    "holiday": holidays.get(day, ""),
                    key: by_day.get(day, []),
                }
            )
            day += timedelta(days=1)
        weeks.append(week)
    return weeks
