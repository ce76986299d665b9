"""The school year: where it starts, which year and semester a day belongs to.

The school year starts on the 1st of the office's start month (`OfficeSettings.
school_year_start_month`, July by default, docs/domain.md §7) and lasts twelve months; it is
named by the calendar year it starts in (2026 is 2026/2027). Semester 1 is its first six
months, semester 2 the last six. Every app asks these functions, never a month of its own.

`month` can be given (the visit planner, which must not read the database); otherwise the
office setting is read (cached, see `OfficeSettings.current`).
"""

from datetime import date, timedelta

DEFAULT_START_MONTH = 7


def start_month() -> int:
    """The month (1-12) the school year starts in, as the office set it."""
    from .models import OfficeSettings  # the model module imports nothing from here

    return OfficeSettings.current().school_year_start_month or DEFAULT_START_MONTH


def _month(month: int | None) -> int:
    return start_month() if month is None else month


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def year_of(day: date, *, month: int | None = None) -> int:
    """The school year containing `day`, named by the calendar year it starts in."""
    first = _month(month)
    return day.year if day.month >= first else day.year - 1


def start_of(day: date, *, month: int | None = None) -> date:
    """The first day of the school year containing `day`."""
    first = _month(month)
    return date(year_of(day, month=first), first, 1)


def bounds(year: int, *, month: int | None = None) -> tuple[date, date]:
    """(first day, last day) of school year `year`."""
    start = date(year, _month(month), 1)
    return start, _add_months(start, 12) - timedelta(days=1)


def bounds_containing(day: date, *, month: int | None = None) -> tuple[date, date]:
    first = _month(month)
    return bounds(year_of(day, month=first), month=first)


def semester_of(day: date, *, month: int | None = None) -> int:
    """1 in the school year's first six months, 2 in its last six."""
    return 1 if (day.month - _month(month)) % 12 < 6 else 2


def semester_bounds(year: int, semester: int, *, month: int | None = None) -> tuple[date, date]:
    start = _add_months(date(year, _month(month), 1), 0 if semester == 1 else 6)
    return start, _add_months(start, 6) - timedelta(days=1)
