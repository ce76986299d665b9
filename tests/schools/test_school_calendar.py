"""The school calendar: the service the visit planner calls, and the calendar pages."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from peksos.core.models import AuditEvent
from schools import calendar
from schools.models import BlockedPeriod

# The school year's first month is an office setting (peksos.core.school_year): read from the
# database, so every test here may use it.
pytestmark = pytest.mark.django_db

# 2026/2027: Saturday 15 and Sunday 16 August, Independence Day on Monday 17 August.
MONDAY = date(2026, 8, 10)
INDEPENDENCE_DAY = date(2026, 8, 17)


def period(school, starts_on, ends_on=None, title="Ujian", kind=BlockedPeriod.Kind.EXAM):
    return BlockedPeriod.objects.create(
        school=school, starts_on=starts_on, ends_on=ends_on or starts_on, title=title, kind=kind
    )


@pytest.fixture
def periods(school_a, school_b):
    """A city-wide day, a period of school A, one of school B, one outside August."""
    return {
        "city": period(None, date(2026, 8, 19), title="Rapat guru se-kota"),
        "a": period(school_a, date(2026, 8, 20), date(2026, 8, 21), title="Ujian tengah semester"),
        "b": period(school_b, date(2026, 8, 11), title="Ulang tahun sekolah"),
        "later": period(school_a, date(2026, 12, 7), date(2026, 12, 11), title="PAS"),
    }


# --- service --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "bounds"),
    [
        (date(2026, 3, 1), (date(2025, 7, 1), date(2026, 6, 30))),
        (date(2026, 6, 30), (date(2025, 7, 1), date(2026, 6, 30))),
        (date(2026, 7, 1), (date(2026, 7, 1), date(2027, 6, 30))),
        (date(2026, 12, 31), (date(2026, 7, 1), date(2027, 6, 30))),
    ],
)
def test_school_year_runs_july_to_june(day, bounds):
    assert calendar.school_year_bounds(day) == bounds


def test_national_holidays_in_indonesian_and_english():
    with translation.override("id"):
        found = calendar.national_holidays(date(2026, 8, 1), date(2026, 8, 31))
    assert found[INDEPENDENCE_DAY] == "Hari Kemerdekaan Republik Indonesia"
    assert list(found) == sorted(found)
    assert all(date(2026, 8, 1) <= day <= date(2026, 8, 31) for day in found)
    with translation.override("en"):
        found = calendar.national_holidays(INDEPENDENCE_DAY, INDEPENDENCE_DAY)
    assert found == {INDEPENDENCE_DAY: "Independence Day"}


def test_national_holidays_span_years_and_include_moving_ones():
    year_start, year_end = calendar.school_year_bounds(date(2026, 1, 1))
    found = calendar.national_holidays(year_start, year_end)
    assert date(2025, 8, 17) in found and date(2026, 1, 1) in found
    assert any("Idul Fitri" in name for name in found.values())


def test_blocked_periods_are_the_schools_and_the_city_wide_ones(
    periods, school_a, django_assert_num_queries
):
    with django_assert_num_queries(1):
        found = list(calendar.blocked_periods(school_a, date(2026, 8, 1), date(2026, 8, 31)))
    assert found == [periods["city"], periods["a"]]
    # Overlap, not containment: a period touching the range's first or last day counts.
    touching = calendar.blocked_periods(school_a, date(2026, 8, 21), date(2026, 12, 7))
    assert list(touching) == [periods["a"], periods["later"]]
    city_only = calendar.blocked_periods(None, date(2026, 8, 1), date(2026, 8, 31))
    assert list(city_only) == [periods["city"]]


def test_blocked_periods_by_school_is_one_query(
    periods, school_a, school_b, django_assert_num_queries
):
    start, end = date(2026, 8, 1), date(2026, 8, 31)
    with django_assert_num_queries(1):
        by_school = calendar.blocked_periods_by_school([school_a, school_b.pk, 999999], start, end)
    assert by_school[school_a.pk] == [periods["city"], periods["a"]]
    assert by_school[school_b.pk] == [periods["b"], periods["city"]]
    assert by_school[999999] == [periods["city"]]
    with django_assert_num_queries(0):
        assert calendar.blocked_periods_by_school([], start, end) == {}


def test_non_visit_days_weekends_holidays_and_periods(periods, school_a):
    with translation.override("id"):
        days = calendar.non_visit_days(school_a, MONDAY, date(2026, 8, 23))
    assert list(days) == [
        date(2026, 8, 15),
        date(2026, 8, 16),
        INDEPENDENCE_DAY,
        date(2026, 8, 19),
        date(2026, 8, 20),
        date(2026, 8, 21),
        date(2026, 8, 22),
        date(2026, 8, 23),
    ]
    assert days[date(2026, 8, 15)] == "Sabtu"
    assert days[INDEPENDENCE_DAY] == "Hari Kemerdekaan Republik Indonesia"
    assert "Rapat guru se-kota" in days[date(2026, 8, 19)]
    assert "Ujian tengah semester" in days[date(2026, 8, 20)]
    assert date(2026, 8, 11) not in days  # school B's event


def test_weekend_is_saturday_and_sunday():
    assert sorted(calendar.WEEKEND) == [5, 6]  # Saturday, Sunday


def test_non_visit_days_with_the_planners_periods_makes_no_query(
    periods, school_a, django_assert_num_queries
):
    start, end = date(2026, 8, 1), date(2026, 8, 31)
    by_school = calendar.blocked_periods_by_school([school_a], start, end)
    with django_assert_num_queries(0):
        days = calendar.non_visit_days(school_a, start, end, periods=by_school[school_a.pk])
    assert date(2026, 8, 20) in days and date(2026, 8, 11) not in days
    assert calendar.non_visit_days(school_a, end, start) == {}


def test_is_visit_day(periods, school_a, school_b, django_assert_num_queries):
    assert calendar.is_visit_day(school_a, MONDAY)
    assert calendar.is_visit_day(school_a, date(2026, 8, 11))  # school B's event only
    assert not calendar.is_visit_day(school_b, date(2026, 8, 11))
    assert not calendar.is_visit_day(school_a, date(2026, 8, 19))  # city-wide
    assert not calendar.is_visit_day(school_a, date(2026, 8, 21))  # school A's exams
    assert calendar.is_visit_day(school_b, date(2026, 8, 21))
    with django_assert_num_queries(0):  # weekends and holidays need no query
        assert not calendar.is_visit_day(school_a, date(2026, 8, 15))
        assert not calendar.is_visit_day(school_a, INDEPENDENCE_DAY)


@pytest.mark.parametrize("value", ["", None, "abc", "1999", "2100", "99999999999999999999", "٢٠٢٦"])
def test_bad_year_parameter_falls_back_to_the_current_year(value):
    today = date(2026, 3, 1)
    assert calendar.school_year_from_param(value, today) == calendar.school_year_bounds(today)


def test_year_parameter_names_the_year_the_school_year_starts():
    assert calendar.school_year_from_param("2026", date(2026, 3, 1))[0] == date(2026, 7, 1)


# --- pages ----------------------------------------------------------------------------


def city_url(year="2026"):
    return f"{reverse('schools:calendar-city')}?tahun={year}"


def school_url(school, year="2026"):
    return f"{reverse('schools:school-calendar', args=[school.npsn])}?tahun={year}"


def delete_url(blocked):
    return reverse("schools:blockedperiod-delete", args=[blocked.pk])


FORM = {"starts_on": "2026-09-14", "ends_on": "2026-09-18", "kind": "ujian", "title": "PTS"}


def audited(action, blocked_pk):
    return AuditEvent.objects.filter(
        action=action, object_type="schools.blockedperiod", object_id=str(blocked_pk)
    ).exists()


def test_koordinator_sees_and_adds_city_wide_periods(login, koordinator_ani, periods):
    client = login(koordinator_ani)
    response = client.get(city_url())
    assert response.status_code == 200
    assert "Rapat guru se-kota" in response.text
    assert "Ujian tengah semester" not in response.text  # a school's own period
    assert "Hari Kemerdekaan Republik Indonesia" in response.text
    assert "17 Agustus 2026" in response.text  # dates in Indonesian
    assert "2026/2027" in response.text
    assert response.context["form"] is not None

    response = client.post(city_url(), FORM)
    added = BlockedPeriod.objects.get(title="PTS")
    assert response.status_code == 302
    assert response["Location"] == f"{city_url('2026')}#period-{added.pk}"
    assert added.school is None and added.created_by == koordinator_ani
    assert (added.starts_on, added.ends_on) == (date(2026, 9, 14), date(2026, 9, 18))
    assert audited("blocked_period_created", added.pk)


def test_holidays_follow_the_ui_language(login, koordinator_ani, settings):
    client = login(koordinator_ani)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(city_url())
    assert "Independence Day" in response.text
    assert "17 August 2026" in response.text


def test_koordinator_adds_a_school_period(login, koordinator_ani, school_a, periods):
    client = login(koordinator_ani)
    response = client.get(school_url(school_a))
    assert response.status_code == 200
    assert "Ujian tengah semester" in response.text and "Rapat guru se-kota" in response.text
    assert "Ulang tahun sekolah" not in response.text  # school B's
    response = client.post(school_url(school_a), FORM)
    added = BlockedPeriod.objects.get(title="PTS")
    assert response.status_code == 302
    assert response["Location"] == f"{school_url(school_a, '2026')}#period-{added.pk}"
    assert added.school == school_a


def test_period_in_another_year_redirects_to_that_year(login, koordinator_ani, school_a):
    client = login(koordinator_ani)
    data = {**FORM, "starts_on": "2027-01-04", "ends_on": "2027-01-04"}
    response = client.post(school_url(school_a, "2025"), data)
    assert response["Location"].startswith(school_url(school_a, "2026") + "#period-")


@pytest.mark.parametrize("persona", ["kepsek_indah", "sosdesk_citra_sdn1", "peksos_budi"])
def test_people_serving_the_school_add_periods(request, login, persona, school_a):
    user = request.getfixturevalue(persona)
    client = login(user)
    assert client.get(school_url(school_a)).status_code == 200
    response = client.post(school_url(school_a), FORM)
    assert response.status_code == 302
    added = BlockedPeriod.objects.get(title="PTS")
    assert added.school == school_a and added.created_by == user
    assert audited("blocked_period_created", added.pk)


def test_double_submit_adds_one_period(login, kepsek_indah, school_a):
    client = login(kepsek_indah)
    assert client.post(school_url(school_a), FORM).status_code == 302
    assert client.post(school_url(school_a), FORM).status_code == 302
    assert BlockedPeriod.objects.filter(title="PTS").count() == 1


def test_peksos_sees_other_schools_but_edits_only_own(login, peksos_budi, school_b):
    client = login(peksos_budi)
    response = client.get(school_url(school_b))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert client.post(school_url(school_b), FORM).status_code == 403
    assert client.get(city_url()).status_code == 200
    assert client.post(city_url(), FORM).status_code == 403
    assert not BlockedPeriod.objects.exists()


def test_school_staff_see_city_calendar_read_only(login, kepsek_indah):
    client = login(kepsek_indah)
    response = client.get(city_url())
    assert response.status_code == 200 and response.context["form"] is None
    assert client.post(city_url(), FORM).status_code == 403


def test_other_schools_desk_officer_gets_404(login, sosdesk_dedi_sdn2, school_a):
    client = login(sosdesk_dedi_sdn2)
    assert client.get(school_url(school_a)).status_code == 404
    assert client.post(school_url(school_a), FORM).status_code == 404
    assert not BlockedPeriod.objects.exists()


@pytest.mark.parametrize("persona", ["guru_eka", "ortu_fajar"])
def test_teachers_and_parents_have_no_calendar(request, login, persona, school_a):
    client = login(request.getfixturevalue(persona))
    assert client.get(city_url()).status_code == 403
    assert client.get(school_url(school_a)).status_code == 403
    assert client.post(school_url(school_a), FORM).status_code == 403


def test_anonymous_is_sent_to_login(client, school_a, periods):
    for url in (city_url(), school_url(school_a)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    response = client.post(delete_url(periods["a"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert BlockedPeriod.objects.filter(pk=periods["a"].pk).exists()


def test_wrong_methods(login, koordinator_ani, school_a, periods):
    client = login(koordinator_ani)
    assert client.get(delete_url(periods["a"])).status_code == 405
    assert client.put(city_url()).status_code == 405
    assert client.delete(school_url(school_a)).status_code == 405


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"starts_on": "2026-09-18", "ends_on": "2026-09-14"}, "ends_on"),
        ({"title": "   "}, "title"),
        ({"starts_on": "2026-02-31"}, "starts_on"),
        ({"ends_on": "kemarin"}, "ends_on"),
        ({"starts_on": "0001-01-01", "ends_on": "0001-01-02"}, "starts_on"),
        ({"ends_on": "9999-12-31"}, "ends_on"),
        ({"ends_on": "2027-07-01"}, "ends_on"),  # beyond the school year
        ({"kind": "piknik"}, "kind"),
    ],
)
def test_bad_input_shows_errors_and_keeps_values(login, koordinator_ani, school_a, data, field):
    client = login(koordinator_ani)
    posted = {**FORM, "title": "Penilaian Tengah Semester", **data}
    response = client.post(school_url(school_a), posted)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    for name in ("starts_on", "ends_on"):
        assert f'value="{posted[name]}"' in response.text
    if posted["title"].strip():
        assert 'value="Penilaian Tengah Semester"' in response.text
    assert not BlockedPeriod.objects.exists()


def test_bad_year_parameter_shows_the_current_year(login, koordinator_ani, school_a):
    client = login(koordinator_ani)
    for year in ("abc", "99999999999999999999", "-1", "2026x"):
        assert client.get(school_url(school_a, year)).status_code == 200
        assert client.get(city_url(year)).status_code == 200


def test_empty_state(login, koordinator_ani, school_a):
    response = login(koordinator_ani).get(school_url(school_a))
    assert response.context["school_periods"] == [] and response.context["city_periods"] == []
    assert "bi-calendar-check" in response.text


# --- delete ---------------------------------------------------------------------------


def test_koordinator_deletes_school_and_city_periods(login, koordinator_ani, school_a, periods):
    client = login(koordinator_ani)
    response = client.post(delete_url(periods["a"]))
    assert response.status_code == 302
    assert response["Location"] == school_url(school_a, "2026")
    assert not BlockedPeriod.objects.filter(pk=periods["a"].pk).exists()
    assert audited("blocked_period_deleted", periods["a"].pk)
    response = client.post(delete_url(periods["city"]), {"next": school_url(school_a)})
    assert response["Location"] == school_url(school_a)
    assert audited("blocked_period_deleted", periods["city"].pk)


def test_delete_ignores_a_foreign_next(login, koordinator_ani, periods):
    response = login(koordinator_ani).post(
        delete_url(periods["city"]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == city_url("2026")


def test_school_staff_delete_own_school_periods_only(login, kepsek_indah, periods):
    client = login(kepsek_indah)
    assert client.post(delete_url(periods["a"])).status_code == 302
    assert client.post(delete_url(periods["b"])).status_code == 404  # school B is hidden
    assert client.post(delete_url(periods["city"])).status_code == 403
    assert set(BlockedPeriod.objects.values_list("title", flat=True)) == {
        "Rapat guru se-kota",
        "Ulang tahun sekolah",
        "PAS",
    }


def test_peksos_cannot_delete_other_schools_or_city_periods(login, peksos_budi, periods):
    client = login(peksos_budi)
    assert client.post(delete_url(periods["b"])).status_code == 403  # visible, not served
    assert client.post(delete_url(periods["city"])).status_code == 403
    assert client.post(delete_url(periods["a"])).status_code == 302


def test_delete_denied_to_other_desks_teachers_and_missing_periods(
    login, sosdesk_dedi_sdn2, guru_eka, periods
):
    assert login(sosdesk_dedi_sdn2).post(delete_url(periods["a"])).status_code == 404
    assert login(sosdesk_dedi_sdn2).post("/sekolah/kalender/999999/hapus/").status_code == 404
    assert login(guru_eka).post(delete_url(periods["a"])).status_code == 403
    assert BlockedPeriod.objects.filter(pk=periods["a"].pk).exists()


# --- query counts ---------------------------------------------------------------------


def _many(school, count):
    for n in range(count):
        period(school, date(2026, 9, 1 + n), title=f"Kegiatan {n}")
        period(None, date(2026, 10, 1 + n), title=f"Kegiatan kota {n}")


@pytest.mark.parametrize("persona", ["koordinator_ani", "peksos_budi"])
def test_calendar_pages_query_count_is_constant(
    request, login, persona, school_a, django_assert_max_num_queries
):
    client = login(request.getfixturevalue(persona))
    _many(school_a, 1)
    counts = {}
    for url in (school_url(school_a), city_url()):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    _many(school_a, 19)
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            response = client.get(url)
        assert len(response.context["city_periods"]) == 20
