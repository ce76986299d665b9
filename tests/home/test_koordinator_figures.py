"""The Koordinator's home page and compliance board show the whole register's figures from
the maintained sums (peksos/core/tallies.py): the live counts' numbers, in a number of
queries that does not grow with the register."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Count, Q
from django.urls import reverse

from activities.models import Activity
from home.panels import activities_panel, visits_panel
from peksos.core import tallies
from peksos.core.pagination import PER_PAGE
from schools.models import School
from tests.factories import make_activity, make_visit
from visits.compliance import compliance_rows, totals
from visits.models import Visit

WIB = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 10, 14)
HOME = reverse("home")
BOARD = reverse("visits:compliance-board")


@pytest.fixture
def today(kota_metro):
    with time_machine.travel(datetime(2026, 10, 14, 9, 0, tzinfo=WIB)):
        yield TODAY


@pytest.fixture
def programme(today, school_a, school_b):
    make_visit(school_a, TODAY - timedelta(days=40), Visit.State.DONE)
    make_visit(school_a, TODAY - timedelta(days=10), Visit.State.DONE)
    make_visit(school_b, TODAY - timedelta(days=20), Visit.State.DONE)
    make_visit(school_b, TODAY + timedelta(days=4), Visit.State.PROPOSED)
    make_activity(school_a, day=TODAY + timedelta(days=6))
    make_activity(school_b, day=TODAY - timedelta(days=3), state=Activity.State.HELD)


def add_schools(n: int) -> None:
    """A bigger register, written as the import does (bulk, then `changed`), each new school
    with a visit done and one planned."""
    kecamatan = School.objects.first().kecamatan
    new = School.objects.bulk_create(
        School(
            npsn=f"99{i:06d}",
            name=f"TEST SD {i:03d}",
            level="SD",
            status="negeri",
            kecamatan=kecamatan,
        )
        for i in range(n)
    )
    Visit.objects.bulk_create(
        Visit(school=s, date=day, school_year=2026, semester=1, state=state)
        for s in new
        for day, state in [
            (TODAY - timedelta(days=5), Visit.State.DONE),
            (TODAY + timedelta(days=8), Visit.State.AGREED),
        ]
    )
    tallies.changed(School.tally_domains, [s.pk for s in new])


def tiles(response) -> dict:
    return {
        f"{p.key}.{t.key}": t.value for p in response.context["dashboard"].panels for t in p.tiles
    }


def live_home() -> dict:
    schools = School.objects.active()
    start = date(2026, 7, 1)
    compliance = totals(compliance_rows(schools, 2026, TODAY, "kecamatan__name"))
    expected = {
        "schools.schools": schools.count(),
        "schools.band_tinggi": schools.filter(priority_band="tinggi").count(),
        "schools.not_visited": schools.filter(
            Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=start)
        ).count(),
        **{f"compliance.{k}": compliance[k] for k in ("done_0", "done_1", "done_2", "at_risk")},
    }
    for panel in (
        visits_panel(Visit.objects.all(), TODAY),
        activities_panel(Activity.objects.all(), TODAY),
    ):
        expected |= {f"{panel.key}.{t.key}": t.value for t in panel.tiles}
    return expected


def shown(response) -> dict:
    return {key: value for key, value in tiles(response).items() if key in live_home()}


def test_the_home_page_shows_the_live_numbers_in_a_fixed_number_of_queries(
    login, koordinator_ani, programme, django_assert_num_queries
):
    client = login(koordinator_ani)
    response = client.get(HOME)
    assert shown(response) == live_home()
    assert tiles(response)["compliance.done_2"] == 1 and tiles(response)["visits.proposed"] == 1
    assert tiles(response)["activities.upcoming"] == 1
    # 20: the compliance by region reads Kota Metro's province and kabupaten/kota on the way
    # down to its kecamatan (visits.figures.region_drill); the children in support are the
    # figure's sums and today's live count of follow-ups falling due (monitoring/figures.py).
    with django_assert_num_queries(20) as first:
        client.get(HOME)
    add_schools(60)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(HOME)
    assert shown(response) == live_home()
    assert tiles(response)["compliance.done_1"] == 61


def live_at_risk() -> list[int]:
    counted = Count(
        "visits",
        filter=Q(visits__school_year=2026)
        & (
            Q(visits__state=Visit.State.DONE)
            | Q(visits__state__in=Visit.PLANNED_STATES, visits__date__gte=TODAY)
        ),
    )
    schools = School.objects.active().annotate(n=counted).filter(n__lt=2)
    return list(schools.order_by("name", "id").values_list("pk", flat=True)[:PER_PAGE])


def test_the_board_shows_the_live_rows_and_at_risk_list_in_a_fixed_number_of_queries(
    login, koordinator_ani, programme, django_assert_num_queries
):
    client = login(koordinator_ani)
    response = client.get(BOARD)
    schools = School.objects.active()
    keys = ("total", "done_0", "done_1", "done_2", "with_planned", "at_risk")
    for group, name in (("kecamatan__name", "by_region"), ("level", "by_level")):
        live = compliance_rows(schools, 2026, TODAY, group)
        assert sorted([r["label"], *(r[k] for k in keys)] for r in response.context[name]) == (
            sorted([r[group], *(r[k] for k in keys)] for r in live)
        )
    assert [s.pk for s in response.context["page"].items] == live_at_risk()
    # 10: the session, the user, its device; the sums by region (Kota Metro's province,
    # kabupaten/kota and kecamatan, and the kecamatan's names) and by level; the at-risk
    # page; the bell and inbox counts.
    with django_assert_num_queries(10) as first:
        client.get(BOARD)
    add_schools(60)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(BOARD)
    assert response.context["totals"]["total"] == schools.count()
    assert [s.pk for s in response.context["page"].items] == live_at_risk()


def test_with_no_school_at_risk_the_list_is_not_searched(
    login, koordinator_ani, today, django_assert_num_queries
):
    Visit.objects.bulk_create(
        Visit(school=s, date=day, school_year=2026, semester=1, state=Visit.State.AGREED)
        for s in School.objects.all()
        for day in (TODAY + timedelta(days=3), TODAY + timedelta(days=30))
    )
    tallies.changed("visits", School.objects.values_list("pk", flat=True))
    client = login(koordinator_ani)
    client.get(BOARD)
    with django_assert_num_queries(9):  # the board's 10 without the at-risk search
        response = client.get(BOARD)
    assert response.context["totals"]["at_risk"] == 0
    assert list(response.context["page"].items) == []
