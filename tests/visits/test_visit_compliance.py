"""The compliance figures (activities/compliance.py): schools by visits done this school year,
planned visits and the schools at risk, per kecamatan and jenjang, in one query whatever the
number of schools; the board and the Koordinator's dashboard show the same numbers."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from schools.models import School
from visits.compliance import compliance_rows, totals
from visits.models import Visit, school_year_of, semester_of

TODAY = date(2026, 11, 2)
BOARD = reverse("visits:compliance-board")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("Asia/Jakarta")), tick=False):
        yield


def visit(school, day, state) -> Visit:
    return Visit.objects.create(
        school=school,
        date=day,
        school_year=school_year_of(day),
        semester=semester_of(day),
        state=state,
    )


@pytest.fixture
def visits(school_a, school_b):
    visit(school_a, date(2026, 8, 3), Visit.State.DONE)
    visit(school_a, date(2026, 10, 5), Visit.State.DONE)
    visit(school_b, date(2026, 9, 7), Visit.State.DONE)
    visit(school_b, date(2027, 2, 8), Visit.State.AGREED)  # planned: B is not at risk
    visit(school_b, date(2026, 8, 10), Visit.State.CANCELLED)  # counts for nothing
    visit(school_a, date(2025, 9, 1), Visit.State.DONE)  # last school year


def test_rows_per_kecamatan_and_level(visits, school_a, school_b, django_assert_num_queries):
    schools = School.objects.active()
    with django_assert_num_queries(1):
        rows = compliance_rows(schools, 2026, TODAY, "kecamatan__name")
    whole = totals(rows)
    active = schools.count()
    assert whole["total"] == active
    assert (whole["done_2"], whole["done_1"], whole["done_0"]) == (1, 1, active - 2)
    assert whole["with_planned"] == 1
    # Every school without a visit done or planned is at risk; A and B are not.
    assert whole["at_risk"] == active - 2
    pusat = next(r for r in rows if r["kecamatan__name"] == school_a.kecamatan.name)
    assert pusat["done_2"] == 1 and pusat["done_1"] == 1
    levels = {r["level"]: r for r in compliance_rows(schools, 2026, TODAY, "level")}
    assert levels["SD"]["done_2"] == 1 and levels["SD"]["done_1"] == 1
    assert sum(r["total"] for r in levels.values()) == active


def test_scope_narrows_to_the_users_schools(visits, school_a):
    rows = compliance_rows(School.objects.filter(pk=school_a.pk), 2026, TODAY, "level")
    assert rows == [
        {
            "level": "SD",
            "total": 1,
            "done_0": 0,
            "done_1": 0,
            "done_2": 1,
            "with_planned": 0,
            "at_risk": 0,
        }
    ]


def test_a_school_with_one_visit_done_and_none_planned_is_at_risk(school_a):
    visit(school_a, date(2026, 8, 3), Visit.State.DONE)
    rows = compliance_rows(School.objects.filter(pk=school_a.pk), 2026, TODAY, "level")
    assert rows[0]["done_1"] == 1 and rows[0]["at_risk"] == 1


def test_board_and_dashboard_agree(login, koordinator_ani, visits):
    board = login(koordinator_ani).get(BOARD)
    assert board.status_code == 200
    home = login(koordinator_ani).get(reverse("home"))
    tiles = {f"{p.key}.{t.key}": t.value for p in home.context["dashboard"].panels for t in p.tiles}
    assert board.context["totals"]["done_2"] == tiles["compliance.done_2"] == 1
    assert board.context["totals"]["done_1"] == tiles["compliance.done_1"] == 1
    assert board.context["totals"]["at_risk"] == tiles["compliance.at_risk"]


def test_at_risk_list_has_the_schools_below_two_done_or_planned(login, peksos_budi, school_a):
    # School A has one visit done and nothing planned: at risk.
    visit(school_a, date(2026, 8, 3), Visit.State.DONE)
    page = login(peksos_budi).get(BOARD).context["page"]
    assert [s.pk for s in page.items] == [school_a.pk]
    assert (page.items[0].done, page.items[0].planned) == (1, 0)
    # A second visit agreed for later: no longer at risk.
    visit(school_a, date(2027, 2, 8), Visit.State.AGREED)
    assert list(login(peksos_budi).get(BOARD).context["page"].items) == []


@pytest.fixture
def two_provinces(school_a, school_b):
    """School A moved to Jawa Timur (35.12.04, in a kabupaten without a name row), school B
    kept in Kota Metro: the register spans two provinces."""
    from schools.models import Kecamatan

    school_a.kecamatan = Kecamatan.objects.create(code="35.12.04", name="Kalisat")
    school_a.save()
    return school_a, school_b


def region_labels(response) -> list[str]:
    return [row["label"] for row in response.context["by_region"]]


def test_the_board_drills_down_from_provinces_to_kecamatan(login, koordinator_ani, two_provinces):
    school_a, _b = two_provinces
    client = login(koordinator_ani)
    country = client.get(BOARD)
    assert region_labels(country) == ["Lampung", "Jawa Timur"]
    assert country.context["trail"] == []
    body = country.content.decode()
    assert 'href="?wilayah=35&amp;tahun=2026"' in body and "Per Provinsi" in body
    # Above a kabupaten/kota, no list of a country's schools at risk: a hint to go down.
    assert country.context["pick_a_kabupaten"] and list(country.context["page"].items) == []
    assert "sampai tingkat kabupaten/kota" in body
    # Jawa Timur has one kabupaten here: straight to its kecamatan, with the way back up.
    east = client.get(BOARD, {"wilayah": "35"})
    assert region_labels(east) == ["Kalisat"]
    assert east.context["region_parent"] == "35.12"
    assert [c.name for c in east.context["trail"]] == [
        "Semua wilayah",
        "Jawa Timur",
        "Kabupaten/kota 35.12",
    ]
    # The at-risk list keeps to the region shown: school A is at risk, in Kalisat.
    assert [s.pk for s in east.context["page"].items] == [school_a.pk]
    assert east.context["totals"]["total"] == 1
    metro = client.get(BOARD, {"wilayah": "18.72"})
    assert len(region_labels(metro)) == 5
    assert school_a.pk not in [s.pk for s in metro.context["page"].items]


@pytest.mark.parametrize("asked", ["abc", "3", "35.1", "35.12.04", "<script>", "1" * 300])
def test_a_region_that_is_no_province_or_kabupaten_shows_the_country(
    login, koordinator_ani, two_provinces, asked
):
    response = login(koordinator_ani).get(BOARD, {"wilayah": asked})
    assert response.status_code == 200
    assert region_labels(response) == ["Lampung", "Jawa Timur"]


def test_a_register_in_one_kota_opens_at_its_kecamatan_without_a_trail(
    login, koordinator_ani, visits
):
    response = login(koordinator_ani).get(BOARD)
    assert response.context["region_parent"] == "18.72"
    assert response.context["trail"] == [] and len(region_labels(response)) == 5
    assert "Per Kecamatan" in response.content.decode()
    # The country's link leads to the same page (it has nothing above Kota Metro).
    assert region_labels(login(koordinator_ani).get(BOARD, {"wilayah": "18"})) == (
        region_labels(response)
    )


def test_a_peksos_sees_the_kecamatan_of_their_schools(login, peksos_budi, school_a):
    response = login(peksos_budi).get(BOARD)
    assert region_labels(response) == [school_a.kecamatan.name]
    assert response.context["trail"] == []
