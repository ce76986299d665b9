"""The whole register's open cases, deadlines and police clocks kept by deadline day
(sosdesk/deadline_tallies.py, issue 22): at any moment of the day, after every kind of write,
they equal the live counts; the nightly check repairs them; the pages read them in a fixed
number of queries."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from home.panels import _case_deadlines
from peksos.core import tallies
from peksos.core.models import Tally
from schools import tallies_check
from schools.models import School
from sosdesk import deadline_tallies
from sosdesk.models import Case
from tests.factories import make_case

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 3, 10, 14, 0, tzinfo=WIB)
# Moments around the deadlines below: just before and after WIB midnight, at a deadline.
MOMENTS = [
    NOW,
    datetime(2026, 3, 10, 0, 0, tzinfo=WIB),
    datetime(2026, 3, 9, 23, 59, 59, tzinfo=WIB),
    datetime(2026, 3, 10, 9, 0, tzinfo=WIB),
    datetime(2026, 3, 10, 9, 0, 1, tzinfo=WIB),
    datetime(2026, 3, 11, 0, 0, 1, tzinfo=WIB),
    datetime(2026, 3, 20, 12, 0, tzinfo=WIB),
    datetime(2026, 1, 1, tzinfo=WIB),
]


def assert_agree() -> dict:
    for moment in MOMENTS:
        live = _case_deadlines(Case.objects.all(), moment)
        assert deadline_tallies.register_deadlines(moment) == live, moment
    return deadline_tallies.register_deadlines(NOW)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=WIB)


@pytest.fixture
def schools(kota_metro):
    return list(School.objects.order_by("pk")[:3])


@pytest.fixture
def cases(schools):
    a, b, c = schools
    received = at(1, 8)
    return [
        # stage deadline yesterday, clock tomorrow: overdue, under yesterday
        make_case(a, ["fisik"], received, stage_due_at=at(9, 10), police_due_at=at(11, 9)),
        # clock this morning (09:00) first, stage deadline next week
        make_case(a, ["psikis"], received, stage_due_at=at(17, 9), police_due_at=at(10, 9)),
        # stage deadline today 23:30 (not yet), a closed clock that ended last week
        make_case(
            b,
            ["fisik"],
            received,
            stage_due_at=at(10, 23, 30),
            police_due_at=at(3, 9),
            police_clock_closed_at=at(2, 9),
        ),
        # no deadline at all
        make_case(b, ["seksual"], received),
        # closed: counts nowhere but in a running clock, which it still has
        make_case(c, ["fisik"], received, status=Case.Status.CLOSED, police_due_at=at(10, 1)),
        # exactly at WIB midnight
        make_case(c, ["fisik"], received, stage_due_at=at(10, 0)),
    ]


def test_the_counts_equal_the_live_ones_at_every_moment(cases):
    counted = assert_agree()
    assert counted == {"open": 5, "overdue": 3, "clocks": 3, "clocks_late": 2}


def test_writes_of_every_kind_keep_them_equal(cases, schools):
    first, second, third, *_rest = cases
    first.status = Case.Status.CLOSED  # closed: leaves open and due, keeps its clock
    first.save()
    assert_agree()
    second.police_clock_closed_at = at(10, 8)  # the police came in time
    second.save(update_fields=["police_clock_closed_at"])
    assert_agree()
    third.stage_due_at = at(12, 9)  # a new stage, a new deadline
    third.save(update_fields=["stage_due_at"])
    assert_agree()
    third.school = schools[2]  # moved to another school's desk
    third.save()
    assert_agree()
    cases[3].delete()
    counted = assert_agree()
    assert counted["open"] == 3


def test_a_save_of_another_field_counts_nothing_again(cases):
    rows = tallies.sums(deadline_tallies.NAME)
    cases[0].restricted = True
    cases[0].save(update_fields=["restricted"])
    assert tallies.sums(deadline_tallies.NAME) == rows


def test_the_nightly_check_repairs_a_deadline_moved_behind_its_back(cases):
    Case.objects.filter(pk=cases[2].pk).update(stage_due_at=at(5, 9))  # no `changed`
    assert deadline_tallies.register_deadlines(NOW) != _case_deadlines(Case.objects.all(), NOW)
    drift = tallies_check.check([deadline_tallies.NAME])
    assert drift.schools[deadline_tallies.NAME] == 1
    assert assert_agree()["overdue"] == 4


def test_the_pages_read_them_in_a_fixed_number_of_queries(
    login, koordinator_ani, cases, schools, django_assert_num_queries
):
    client = login(koordinator_ani)
    with time_machine.travel(NOW, tick=False):
        client.get(reverse("home"))
        with django_assert_num_queries(20) as home:
            response = client.get(reverse("home"))
        panel = next(p for p in response.context["dashboard"].panels if p.key == "cases")
        assert {t.key: t.value for t in panel.tiles} == {
            "open": 5,
            "overdue": 3,
            "clocks": 3,
            "clocks_late": 2,
        }
        for i in range(20):
            make_case(schools[i % 3], ["fisik"], at(1, 8), stage_due_at=at(9, i % 24))
        with django_assert_num_queries(len(home.captured_queries)):
            response = client.get(reverse("home"))
        figures = client.get(reverse("sosdesk:case-figures"))
    panel = next(p for p in response.context["dashboard"].panels if p.key == "cases")
    assert {t.key: t.value for t in panel.tiles}["overdue"] == 23
    assert figures.context["summary"].overdue.overdue == 23
    assert figures.context["summary"].overdue.open == 25


def test_the_day_of_a_deadline_is_the_local_day(schools):
    """16:59 UTC on 9 March is 23:59 WIB, the 9th; 17:01 UTC is 00:01 WIB on the 10th."""
    utc = ZoneInfo("UTC")
    for minute in (59, 1):
        hour = 16 if minute == 59 else 17
        deadline = datetime(2026, 3, 9, hour, minute, tzinfo=utc)
        make_case(schools[0], ["fisik"], at(1, 8), stage_due_at=deadline)
    days = Tally.objects.filter(figure=deadline_tallies.NAME, key="due", span=tallies.DAY)
    assert sorted(day.day for day in days.values_list("day", flat=True)) == [9, 10]
    assert_agree()
