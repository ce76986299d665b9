"""Plan coverage (issue 18, "Plan coverage"; activities/coverage.py): each school × the three
activity types this school year, reached (held), planned (from today on) or missing, per
kecamatan and school by school, filterable by kecamatan and level, in a constant number of
queries; the Koordinator sees every school, a PEKSOS their own, other roles 403."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.coverage import Coverage
from activities.models import Activity
from schools.models import School
from tests.factories import make_activity, make_visit
from visits.models import Visit

BOARD = reverse("activities:coverage-board")
CAMPAIGN, TRAINING, ONE_DAY = Visit.Kind.CAMPAIGN, Visit.Kind.TRAINING, Visit.Kind.ONE_DAY
REACHED, PLANNED, MISSING = Coverage.REACHED, Coverage.PLANNED, Coverage.MISSING


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("Asia/Jakarta")), tick=False):
        yield


@pytest.fixture
def plan(school_a, school_b):
    # School A: a campaign held, a training visit agreed for later, no One Day.
    make_activity(school_a, CAMPAIGN, day=date(2026, 8, 4), state=Activity.State.HELD)
    make_visit(school_a, date(2027, 2, 8), Visit.State.AGREED, TRAINING)
    # School B: One Day planned for December; a campaign held LAST school year; a training
    # visit cancelled and a training activity planned for a day already past.
    make_activity(school_b, ONE_DAY, day=date(2026, 12, 1))
    make_activity(school_b, CAMPAIGN, day=date(2025, 9, 1), state=Activity.State.HELD)
    make_visit(school_b, date(2027, 3, 1), Visit.State.CANCELLED, TRAINING)
    make_activity(school_b, TRAINING, day=date(2026, 10, 1))


def statuses(response) -> dict[int, list[Coverage]]:
    return {school.pk: list(found) for school, found in response.context["rows"]}


def counts(group) -> list[tuple[int, int, int]]:
    return [(k.reached, k.planned, k.missing) for k in group.kinds]


def test_koordinator_sees_every_school_by_type(login, koordinator_ani, plan, school_a, school_b):
    response = login(koordinator_ani).get(BOARD)
    assert response.status_code == 200
    total = response.context["total"]
    active = School.objects.active().count()
    assert total.schools == active
    # campaign: A reached; training: A planned; One Day: B planned; everyone else missing.
    assert counts(total) == [(1, 0, active - 1), (0, 1, active - 1), (0, 1, active - 1)]
    group = next(g for g in response.context["groups"] if g.name == school_a.kecamatan.name)
    assert counts(group)[0][0] == 1
    assert sum(g.schools for g in response.context["groups"]) == active
    # The school rows, narrowed to school A's kecamatan and level to find A and B on page 1.
    query = {"kecamatan": school_a.kecamatan.code, "jenjang": School.Level.SD}
    found = statuses(login(koordinator_ani).get(BOARD, query))
    assert found[school_a.pk] == [REACHED, PLANNED, MISSING]
    assert found[school_b.pk] == [MISSING, MISSING, PLANNED]
    text = response.content.decode()
    assert "Cakupan kegiatan" in text and "tercapai" in text  # the Indonesian page


def test_last_years_figures_are_another_year(login, koordinator_ani, plan, school_b):
    response = login(koordinator_ani).get(BOARD, {"tahun": "2025"})
    assert counts(response.context["total"])[0][0] == 1  # B's campaign of 2025/2026


def test_kecamatan_filter(login, koordinator_ani, plan, school_a):
    other = School.objects.active().exclude(kecamatan=school_a.kecamatan).first().kecamatan
    response = login(koordinator_ani).get(BOARD, {"kecamatan": other.code})
    assert response.status_code == 200
    expected = School.objects.active().filter(kecamatan=other).count()
    assert response.context["total"].schools == expected
    assert [g.name for g in response.context["groups"]] == [other.name]
    assert counts(response.context["total"]) == [(0, 0, expected)] * 3
    assert school_a.pk not in statuses(response)


def test_level_filter(login, koordinator_ani, plan):
    response = login(koordinator_ani).get(BOARD, {"jenjang": School.Level.SMP})
    expected = School.objects.active().filter(level=School.Level.SMP).count()
    assert 0 < response.context["total"].schools == expected


def test_bad_filter_is_shown_and_ignored(login, koordinator_ani, plan):
    response = login(koordinator_ani).get(BOARD, {"kecamatan": "nope", "jenjang": "XX"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"kecamatan", "jenjang"}
    assert response.context["total"].schools == School.objects.active().count()


def test_peksos_sees_only_their_schools(login, peksos_budi, peksos_joko_sdn2, plan, school_a):
    response = login(peksos_budi).get(BOARD)
    assert response.status_code == 200
    assert statuses(response) == {school_a.pk: [REACHED, PLANNED, MISSING]}
    assert response.context["total"].schools == 1
    other = login(peksos_joko_sdn2).get(BOARD)
    assert list(statuses(other).values()) == [[MISSING, MISSING, PLANNED]]


def test_wrong_method(login, koordinator_ani):
    assert login(koordinator_ani).post(BOARD).status_code == 405


def test_anonymous_is_sent_to_login(client):
    response = client.get(BOARD)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    "persona", ["psikolog_gita", "pendamping_hadi", "kepsek_indah", "sosdesk_citra_sdn1"]
)
def test_other_roles_get_403(login, request, persona):
    assert login(request.getfixturevalue(persona)).get(BOARD).status_code == 403


def test_tabs_link_the_board_for_koordinator_and_peksos_only(
    login, koordinator_ani, pendamping_hadi
):
    visits_page = login(koordinator_ani).get(reverse("visits:visit-month"))
    assert BOARD in visits_page.content.decode()
    assert BOARD not in login(pendamping_hadi).get(reverse("visits:visit-month")).content.decode()


def queries_for(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(BOARD).status_code == 200
    return len(captured)


def test_query_count_is_constant(login, koordinator_ani, plan):
    client = login(koordinator_ani)
    few = queries_for(client)
    schools = list(School.objects.active()[:40])
    for i, school in enumerate(schools):
        kind = (CAMPAIGN, TRAINING, ONE_DAY)[i % 3]
        make_activity(school, kind, day=date(2026, 9, 7), state=Activity.State.HELD)
        make_visit(school, date(2027, 2, 8), Visit.State.PROPOSED, TRAINING)
    many = queries_for(client)
    # session, user, second factor, activities, visits, schools (summary), schools (page),
    # kecamatan (the filter's choices), the bell and inbox counts of the navigation
    assert few == many == 9
    assert counts(client.get(BOARD).context["total"])[0][0] >= 14
