"""Figures of SOS Desk cases: counts by form, SIMFONI category, modality, jenjang, kecamatan
and status, time to each stage, the overdue share; suppression for outside the office."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from peksos.core.models import AuditEvent
from schools.models import School
from sosdesk import case_counts, figures
from sosdesk.models import Case, CaseEvent

FIGURES = reverse("sosdesk:case-figures")
WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 2, 2, 8, 0, tzinfo=WIB)


def make_case(school, forms, *, modalities=(), status=Case.Status.RECEIVED, at=T0, **kwargs):
    return Case.objects.create(
        school=school,
        channel=kwargs.pop("channel", Case.Channel.PUBLIC_FORM),
        narrative="uji",
        forms=list(forms),
        modalities=list(modalities),
        status=status,
        received_at=at,
        stage_changed_at=at,
        **kwargs,
    )


@pytest.fixture
def school_c(kota_metro) -> School:
    """A school of another level in another kecamatan than schools A and B."""
    a = School.objects.get(npsn="10807637")
    return (
        School.objects.filter(level=School.Level.SMP)
        .exclude(kecamatan=a.kecamatan)
        .order_by("npsn")
        .first()
    )


@pytest.fixture
def cases(school_a, school_b, school_c):
    """Six cases at school A, two at school B, one at school C (another level and kecamatan)."""
    a = [
        make_case(school_a, ["fisik"], modalities=["fisik"]),
        make_case(school_a, ["fisik"], modalities=["fisik", "verbal"], status="verifikasi"),
        make_case(school_a, ["perundungan", "psikis"], modalities=["verbal", "daring"]),
        make_case(school_a, ["seksual"], status="ditangani"),
        make_case(school_a, ["diskriminasi"], status="selesai", channel="telepon"),
        make_case(school_a, ["perundungan"], modalities=["daring"], status="selesai"),
    ]
    b = [
        make_case(school_b, ["fisik"], modalities=["fisik"]),
        make_case(school_b, ["kebijakan"]),
    ]
    c = [make_case(school_c, [])]
    return {"a": a, "b": b, "c": c}


def table(response, key) -> dict:
    found = next(t for t in response.context["summary"].tables if t.key == key)
    return {k: n for k, _label, n in found.rows}


# --- The aggregates --------------------------------------------------------------------


def test_counts_of_a_known_set(cases, django_assert_num_queries):
    everything = Case.objects.all()
    with django_assert_num_queries(1):
        assert case_counts.by_form(everything) == {
            "fisik": 3,
            "psikis": 1,
            "perundungan": 2,
            "seksual": 1,
            "diskriminasi": 1,
            "kebijakan": 1,
            "lainnya": 0,
        }
    with django_assert_num_queries(1):
        assert case_counts.by_modality(everything) == {
            "fisik": 3,
            "verbal": 2,
            "nonverbal": 0,
            "daring": 2,
        }
    with django_assert_num_queries(1):
        assert case_counts.by_status(everything) == {
            "diterima": 5,
            "verifikasi": 1,
            "ditangani": 1,
            "dirujuk": 0,
            "selesai": 2,
        }
    with django_assert_num_queries(1):
        assert case_counts.by_channel(everything)["telepon"] == 1
    with django_assert_num_queries(1):
        assert case_counts.by_level(everything) == {"SD": 8, "SMP": 1}
    school_c = cases["c"][0].school
    with django_assert_num_queries(2):  # counted by the kecamatan's id, then their names
        kecamatan = case_counts.by_kecamatan(everything)
    assert kecamatan[school_c.kecamatan.name] == 1
    assert sum(kecamatan.values()) == 9
    with django_assert_num_queries(1):
        assert case_counts.total(everything) == 9


def test_simfoni_crosswalk(cases, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = case_counts.by_simfoni(Case.objects.all())
    # perundungan+psikis in one case counts once under psikis; the other bullying case too.
    assert counts == {
        "fisik": 3,
        "psikis": 2,
        "seksual": 1,
        "eksploitasi": 0,
        "trafficking": 0,
        "penelantaran": 0,
        "lainnya": 2,  # diskriminasi, kebijakan
    }


def test_every_form_of_violence_has_a_simfoni_category():
    from sosdesk.models import ViolenceForm

    simfoni = {key for key, _label in case_counts.Simfoni.choices}
    assert set(case_counts.SIMFONI_CROSSWALK) == set(ViolenceForm.values)
    assert set(case_counts.SIMFONI_CROSSWALK.values()) <= simfoni


def test_period_uses_local_dates(school_a):
    make_case(school_a, ["fisik"], at=datetime(2026, 1, 31, 23, 30, tzinfo=WIB))
    make_case(school_a, ["fisik"], at=datetime(2026, 2, 1, 0, 30, tzinfo=WIB))
    make_case(school_a, ["fisik"], at=datetime(2026, 2, 28, 23, 59, tzinfo=WIB))
    make_case(school_a, ["fisik"], at=datetime(2026, 3, 1, 0, 0, tzinfo=WIB))
    february = case_counts.in_period(Case.objects.all(), date(2026, 2, 1), date(2026, 2, 28))
    assert case_counts.total(february) == 2
    assert case_counts.total(case_counts.in_period(Case.objects.all(), end=date(2026, 1, 31))) == 1


def test_median_hours_to_each_stage(school_a, django_assert_num_queries):
    first, second, third = (make_case(school_a, ["fisik"]) for _ in range(3))
    for case, hours in ((first, 2), (second, 4), (third, 30)):
        CaseEvent.objects.create(
            case=case, at=T0 + timedelta(hours=hours), kind="status", to_status="verifikasi"
        )
    # A case that went back to verifying later counts its first entry only.
    CaseEvent.objects.create(
        case=first, at=T0 + timedelta(hours=90), kind="status", to_status="verifikasi"
    )
    CaseEvent.objects.create(
        case=first, at=T0 + timedelta(hours=10), kind="status", to_status="ditangani"
    )
    with django_assert_num_queries(2):  # the cases, then their events
        stages = {s.stage: s for s in figures.time_to_stages(Case.objects.all())}
    assert (stages["verifikasi"].cases, stages["verifikasi"].median_hours) == (3, 4.0)
    assert (stages["ditangani"].cases, stages["ditangani"].median_hours) == (1, 10.0)
    assert stages["selesai"].median_hours is None


def test_overdue_share(school_a, django_assert_num_queries):
    now = T0 + timedelta(days=10)
    make_case(school_a, ["fisik"], stage_due_at=now - timedelta(hours=1))
    make_case(school_a, ["fisik"], stage_due_at=now + timedelta(hours=1))
    make_case(
        school_a,
        ["seksual"],
        stage_due_at=now + timedelta(days=1),
        police_due_at=now - timedelta(1),
    )
    make_case(school_a, ["fisik"], stage_due_at=now - timedelta(days=1), police_clock_closed_at=now)
    make_case(school_a, ["fisik"], status="selesai", stage_due_at=now - timedelta(days=5))
    with django_assert_num_queries(1):
        overdue = figures.overdue_share(Case.objects.all(), now)
    assert (overdue.open, overdue.overdue, overdue.share) == (4, 3, 75.0)
    assert figures.overdue_share(Case.objects.none(), now).share is None


def test_suppress_replaces_one_to_four():
    counts = {"a": 0, "b": 1, "c": 4, "d": 5, "e": 12}
    assert figures.suppress(counts) == {"a": 0, "b": "<5", "c": "<5", "d": 5, "e": 12}
    assert figures.suppress({"a": 9}, threshold=10) == {"a": "<10"}


def test_suppress_parts_hides_a_second_part_when_one_alone_could_be_subtracted():
    # Total 15 shown: 12 + 3 would give the 3 back, so the smallest other part goes too.
    assert figures.suppress_parts({"a": 12, "b": 3, "c": 0, "d": 7}) == {
        "a": 12,
        "b": "<5",
        "c": 0,
        "d": "*",
    }
    # Two parts hidden already: neither can be worked out alone.
    assert figures.suppress_parts({"a": 9, "b": 2, "c": 3}) == {"a": 9, "b": "<5", "c": "<5"}
    # Nothing small, nothing hidden; one small and nothing else to hide stays as it is.
    assert figures.suppress_parts({"a": 9, "b": 7}) == {"a": 9, "b": 7}
    assert figures.suppress_parts({"a": 3, "b": 0}) == {"a": "<5", "b": 0}


def test_outside_summary_tables_that_add_up_to_the_total_hide_a_second_row(cases):
    outside = figures.summary(Case.objects.all(), outside=True)
    level = {k: n for t in outside.tables if t.key == "level" for k, _l, n in t.rows}
    # SD 8, SMP 1 of 9 cases: the 1 is suppressed, and the 8 with it (9 - 8 = 1).
    assert level == {"SD": "*", "SMP": "<5"}


def test_outside_summary_hides_small_medians_and_shares(cases):
    now = T0 + timedelta(days=3)
    Case.objects.filter(pk__in=[c.pk for c in cases["a"][:2]]).update(stage_due_at=T0)
    inside = figures.summary(Case.objects.all(), now=now)
    outside = figures.summary(Case.objects.all(), outside=True, now=now)
    assert (inside.overdue.open, inside.overdue.overdue, inside.overdue_share) == (7, 2, 28.6)
    # 28.6% of 7 open gives back the 2: the share goes with the small count.
    assert (outside.overdue.open, outside.overdue.overdue, outside.overdue_share) == (7, "<5", None)
    assert inside.total == outside.total == 9
    assert outside.suppressed and not inside.suppressed
    assert all(n in (0, "<5", "*") or n >= 5 for t in outside.tables for _k, _l, n in t.rows)


# --- The page ----------------------------------------------------------------------------


def test_koordinator_sees_the_city(login, koordinator_ani, cases):
    response = login(koordinator_ani).get(FIGURES)
    assert response.status_code == 200
    assert response.context["summary"].total == 9
    assert table(response, "forms")["fisik"] == 3
    assert table(response, "simfoni")["psikis"] == 2
    assert table(response, "level") == {"SD": 8, "SMP": 1}
    assert AuditEvent.objects.filter(action="case_figures_viewed", actor=koordinator_ani).exists()


@pytest.mark.parametrize(("persona", "total"), [("peksos_budi", 6), ("sosdesk_dedi_sdn2", 2)])
def test_peksos_and_officers_see_their_schools(login, request, persona, total, cases):
    response = login(request.getfixturevalue(persona)).get(FIGURES)
    assert response.status_code == 200
    assert response.context["summary"].total == total


def test_principal_sees_own_school_figures_but_no_case(login, kepsek_indah, cases):
    response = login(kepsek_indah).get(FIGURES)
    assert response.status_code == 200
    assert response.context["summary"].total == 6
    page = response.content.decode()
    for case in cases["a"] + cases["b"]:
        assert case.code not in page
    assert "uji" not in page.split('<main id="main"')[1]  # no narrative
    # Another school's NPSN narrows to nothing, never to that school's cases.
    other = login(kepsek_indah).get(FIGURES, {"sekolah": "10807680"})
    assert other.context["summary"].total == 0


@pytest.mark.parametrize("persona", ["guru_eka", "ortu_fajar", "psikolog_gita", "pendamping_hadi"])
def test_other_roles_get_403(login, request, persona, cases):
    assert login(request.getfixturevalue(persona)).get(FIGURES).status_code == 403


def test_anonymous_goes_to_login(client, db):
    response = client.get(FIGURES)
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_figures_reject_post(login, koordinator_ani):
    assert login(koordinator_ani).post(FIGURES).status_code == 405


def test_outside_the_office_counts_under_5_are_suppressed(login, peksos_budi, cases):
    client = login(peksos_budi)
    inside = client.get(FIGURES)
    assert table(inside, "forms")["fisik"] == 2
    outside = client.get(FIGURES, {"keluar": "1"})
    assert outside.context["outside"]
    forms = table(outside, "forms")
    assert forms["fisik"] == "<5"
    assert forms["lainnya"] == 0
    assert outside.context["summary"].total == 6
    assert table(outside, "status")["diterima"] == "<5"
    assert "&lt;5" in outside.content.decode()
    assert all(s.median_hours is None for s in outside.context["summary"].stage_times)


def test_period_and_school_filters(login, koordinator_ani, cases, school_a):
    make_case(school_a, ["fisik"], at=T0 - timedelta(days=60))
    client = login(koordinator_ani)
    assert client.get(FIGURES).context["summary"].total == 10
    february = client.get(FIGURES, {"dari": "2026-02-01", "sampai": "2026-02-28"})
    assert february.context["summary"].total == 9
    one_school = client.get(FIGURES, {"sekolah": "10807637", "dari": "2026-02-01"})
    assert one_school.context["summary"].total == 6


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"dari": "kemarin"}, "dari"),
        ({"dari": "2026-03-01", "sampai": "2026-02-01"}, "sampai"),
        ({"sekolah": "'; DROP TABLE"}, "sekolah"),
    ],
)
def test_bad_filters_are_form_errors(login, koordinator_ani, cases, params, field):
    response = login(koordinator_ani).get(FIGURES, params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["summary"].total == 9  # the bad filter is ignored


def test_page_query_count(login, peksos_budi, cases, django_assert_max_num_queries):
    client = login(peksos_budi)
    client.get(FIGURES)
    # session, user, OTP device, savepoint and release, one query per aggregate (9), the
    # people in the cases (2: sosdesk/party_figures.py), the cases and their events for the
    # stage times (2), the kecamatan's names (1), audit row: the same with 9 cases or 2,000
    # (one query more per 2,000 cases for the events); the bell and inbox counts.
    with django_assert_max_num_queries(21):
        client.get(FIGURES)
    for _ in range(20):
        make_case(cases["a"][0].school, ["fisik", "psikis"], modalities=["verbal"])
    with django_assert_max_num_queries(21):
        assert client.get(FIGURES).context["summary"].total == 26
