"""The first month of the school year is an office setting (issue #17): every app asks
peksos.core.school_year, so changing the setting moves the year and semester boundaries
everywhere at once."""

from datetime import date

import pytest

from activities.coverage import school_year_bounds as coverage_bounds
from home.panels import school_year_start
from peksos.core import school_year
from peksos.core.models import OfficeSettings
from reports.forms import period_bounds, semester_choices
from reports.models import PeriodKind
from schools import calendar
from visits import planner
from visits.models import school_year_of, semester_bounds, semester_of
from visits.planning import PlanOptions

pytestmark = pytest.mark.django_db


def _start_in(month: int) -> None:
    office = OfficeSettings.from_database()
    office.school_year_start_month = month
    office.save()


def test_july_by_default_as_before():
    assert school_year.start_month() == 7
    assert school_year.bounds(2026) == (date(2026, 7, 1), date(2027, 6, 30))
    assert school_year_of(date(2026, 6, 30)) == 2025
    assert school_year_of(date(2026, 7, 1)) == 2026
    assert semester_bounds(2026, 2) == (date(2027, 1, 1), date(2027, 6, 30))


def test_changing_the_setting_moves_the_boundaries_everywhere():
    _start_in(1)  # a calendar-year school year
    day = date(2026, 3, 15)
    assert school_year.bounds(2026) == (date(2026, 1, 1), date(2026, 12, 31))
    assert school_year_of(day) == 2026  # was 2025 with July
    assert semester_of(date(2026, 7, 1)) == 2  # was 1 with July
    assert semester_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 6, 30))
    assert school_year_start(day) == date(2026, 1, 1)  # home panels and compliance
    assert calendar.school_year_bounds(day) == (date(2026, 1, 1), date(2026, 12, 31))
    assert calendar.school_year_from_param("2027", day) == (date(2027, 1, 1), date(2027, 12, 31))
    assert coverage_bounds(2026) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_bounds(PeriodKind.SEMESTER, year=2026, semester=2) == (
        date(2026, 7, 1),
        date(2026, 12, 31),
    )
    assert [label for _n, label in semester_choices()] == ["1 (Januari–Juni)", "2 (Juli–Desember)"]
    rules = PlanOptions(year=2026).rules(date(2025, 12, 1))
    assert rules.start_month == 1
    assert rules.semester_bounds(1) == (date(2026, 1, 1), date(2026, 6, 30))
    assert planner.school_year_of(date(2026, 12, 31), rules.start_month) == 2026


@pytest.mark.parametrize(
    ("month", "day", "year", "semester", "bounds"),
    [
        (8, date(2026, 7, 31), 2025, 2, (date(2025, 8, 1), date(2026, 7, 31))),
        (8, date(2026, 8, 1), 2026, 1, (date(2026, 8, 1), date(2027, 7, 31))),
        (8, date(2027, 2, 1), 2026, 2, (date(2026, 8, 1), date(2027, 7, 31))),
        (12, date(2026, 6, 1), 2025, 2, (date(2025, 12, 1), date(2026, 11, 30))),
        (12, date(2026, 12, 1), 2026, 1, (date(2026, 12, 1), date(2027, 11, 30))),
        (2, date(2028, 2, 29), 2028, 1, (date(2028, 2, 1), date(2029, 1, 31))),
    ],
)
def test_any_start_month(month, day, year, semester, bounds):
    _start_in(month)
    assert school_year.year_of(day) == year
    assert school_year.semester_of(day) == semester
    assert school_year.bounds_containing(day) == bounds
    first, last = school_year.semester_bounds(year, 1)
    second_first, second_last = school_year.semester_bounds(year, 2)
    assert (first, second_last) == bounds
    assert (last - first).days > 170 and second_first == date.fromordinal(last.toordinal() + 1)


def test_the_office_form_changes_it_audited(login, koordinator_ani):
    from django.urls import reverse

    from peksos.core.models import AuditEvent

    data = {
        "office_name": "Dinas Sosial Kota Metro",
        "signer_title": "Kepala Dinas Sosial Kota Metro",
        "police_number": "110",
        "emergency_number": "112",
        "helpline_number": "129",
        "school_year_start_month": "8",
    }
    response = login(koordinator_ani).post(reverse("office-settings"), data)
    assert response.status_code == 302
    assert school_year.start_month() == 8
    assert AuditEvent.objects.filter(
        action="office_settings_changed:school_year_start_month"
    ).exists()
    response = login(koordinator_ani).post(
        reverse("office-settings"), {**data, "school_year_start_month": "13"}
    )
    assert response.status_code == 400 and school_year.start_month() == 8


def test_a_blocked_period_may_not_cross_the_moved_boundary():
    from schools.forms import BlockedPeriodForm

    _start_in(1)
    form = BlockedPeriodForm(
        {"starts_on": "2026-12-20", "ends_on": "2027-01-05", "kind": "libur", "title": "Libur"}
    )
    assert not form.is_valid()
    assert "31 Desember 2026" in " ".join(form.errors["ends_on"])
    july = BlockedPeriodForm(  # crossed 30 June with July; inside one year now
        {"starts_on": "2026-06-25", "ends_on": "2026-07-05", "kind": "libur", "title": "Libur"}
    )
    assert july.is_valid(), july.errors
