"""The register's activity figures as maintained sums (activities/figures.py) equal the live
count of the dashboard's activities panel after activities are planned, held, recorded again,
cancelled and their attendance changed; the next 14 days move with the day, the school year
with the office's start month."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from activities.models import Activity, AttendanceCount
from activities.services.sessions import activity_record
from home.panels import activities_panel
from peksos.core.models import OfficeSettings
from tests.factories import make_activity

WIB = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 10, 14)


def assert_matches(today: date = TODAY) -> dict:
    live = {t.key: t.value for t in activities_panel(Activity.objects.all(), today).tiles}
    assert {t.key: t.value for t in activities_panel(None, today).tiles} == live
    return live


@pytest.fixture
def today(kota_metro):
    with time_machine.travel(datetime(2026, 10, 14, 9, 0, tzinfo=WIB)):
        yield TODAY


def test_held_planned_and_attendance_are_counted_as_they_change(
    today, school_a, school_b, peksos_budi
):
    held = make_activity(school_a, day=TODAY - timedelta(days=20))
    make_activity(school_b, day=TODAY + timedelta(days=3))
    far = make_activity(school_b, day=TODAY + timedelta(days=30))
    make_activity(school_a, day=date(2026, 3, 2))  # last school year, still planned
    assert assert_matches() == {"held": 0, "upcoming": 1, "reached": 0}

    counts = {("guru", "P"): 12, ("guru", "L"): 5}
    activity_record(activity=held, state=Activity.State.HELD, counts=counts, by=peksos_budi)
    assert assert_matches() == {"held": 1, "upcoming": 1, "reached": 17}

    row = AttendanceCount.objects.get(activity=held, group="guru", sex="P")
    row.count = 20
    row.save()
    assert assert_matches()["reached"] == 25
    AttendanceCount.objects.get(activity=held, group="guru", sex="L").delete()
    assert assert_matches()["reached"] == 20

    far.date = TODAY + timedelta(days=10)
    far.save()
    assert assert_matches()["upcoming"] == 2

    activity_record(activity=held, state=Activity.State.CANCELLED, counts={}, by=peksos_budi)
    assert assert_matches() == {"held": 0, "upcoming": 2, "reached": 0}


def test_the_next_14_days_and_the_school_year_move_without_a_write(school_a, kota_metro):
    with time_machine.travel(datetime(2026, 10, 14, 9, 0, tzinfo=WIB)):
        make_activity(school_a, day=date(2026, 10, 16))
        spring = make_activity(school_a, day=date(2026, 3, 10), state=Activity.State.HELD)
        AttendanceCount.objects.create(activity=spring, group="guru", sex="P", count=7)
        assert assert_matches() == {"held": 0, "upcoming": 1, "reached": 0}
    with time_machine.travel(datetime(2026, 10, 17, 9, 0, tzinfo=WIB)):
        assert assert_matches(date(2026, 10, 17))["upcoming"] == 0
    office = OfficeSettings.current()
    office.school_year_start_month = 1  # the school year from January: March is in it
    office.save()
    with time_machine.travel(datetime(2026, 10, 14, 9, 0, tzinfo=WIB)):
        assert assert_matches() == {"held": 1, "upcoming": 1, "reached": 7}
