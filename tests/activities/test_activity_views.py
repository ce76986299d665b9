"""The staff pages of activities (issue 5, docs/design.md §3.10): plan an activity on a visit,
record what happened with the attendance counts, the named list, the list with filters, the
calendar, the school page's history, and the reach figures for the reports. Each view: happy
path, wrong method, anonymous, another school (404), wrong role (403), bad input kept."""

import html
import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity, AttendanceCount, Attendee, Tier
from activities.services.sessions import reach_summary
from peksos.core.models import AuditEvent
from schools.models import School
from visits.models import Visit, VisitMember

TODAY = datetime(2026, 8, 20, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
VISIT_DAY = date(2026, 8, 4)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def make_visit(school, day, *team, kind=Visit.Kind.CAMPAIGN, state=Visit.State.AGREED):
    visit = Visit(school=school, state=state, kind=kind)
    visit.set_date(day)
    visit.save()
    for user in team:
        VisitMember.objects.create(visit=visit, user=user, role=user.role)
    return visit


def make_activity(visit, *facilitators, kind=None, day=None, **kw):
    activity = Activity.objects.create(
        visit=visit,
        kind=kind or visit.kind,
        date=day or visit.date,
        sub_activities=kw.pop("sub_activities", ["penyuluhan"]),
        audiences=kw.pop("audiences", ["guru", "siswa_sd"]),
        **kw,
    )
    activity.facilitators.set(facilitators)
    return activity


@pytest.fixture
def visit_a(school_a, peksos_budi, psikolog_gita):
    return make_visit(school_a, VISIT_DAY, peksos_budi, psikolog_gita)


@pytest.fixture
def activity_a(visit_a, peksos_budi, psikolog_gita):
    return make_activity(visit_a, peksos_budi, psikolog_gita, title="Kampanye pagi")


def plan_data(visit, **over):
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "kind": Visit.Kind.CAMPAIGN,
        "title": "Sosialisasi anti kekerasan",
        "sub_activities": ["penyuluhan", "sosialisasi_uu"],
        "audiences": ["siswa_sd", "guru"],
        "facilitators": [str(m.user_id) for m in visit.members.all()],
        "materials": "Modul 1, poster",
        "date": visit.date.isoformat(),
        "start_time": "08:00",
    }
    data.update(over)
    return data


# --- planning ---------------------------------------------------------------------------------


def test_visit_page_lists_activities_and_offers_planning(login, peksos_budi, activity_a):
    response = login(peksos_budi).get(reverse("visits:visit-detail", args=[activity_a.visit_id]))
    page = page_text(response)
    assert response.status_code == 200
    assert "Kampanye pagi" in page
    assert reverse("activities:activity-create", args=[activity_a.visit_id]) in page


def test_school_side_sees_visit_activities_without_plan_button(login, kepsek_indah, activity_a):
    response = login(kepsek_indah).get(reverse("visits:visit-detail", args=[activity_a.visit_id]))
    assert "Kampanye pagi" in page_text(response)
    assert reverse("activities:activity-create", args=[activity_a.visit_id]) not in page_text(
        response
    )


def test_plan_form_defaults_to_the_visit(login, peksos_budi, visit_a):
    visit_a.kind = Visit.Kind.ONE_DAY
    visit_a.save()
    response = login(peksos_budi).get(reverse("activities:activity-create", args=[visit_a.pk]))
    page = page_text(response)
    assert response.status_code == 200
    assert 'value="one_day" selected' in page or 'value="one_day"  selected' in page
    assert 'value="2026-08-04"' in page
    assert 'value="quality_time"' in page and 'value="penyuluhan"' in page  # every kind's list


def test_plan_an_activity_is_idempotent_and_audited(login, peksos_budi, psikolog_gita, visit_a):
    client = login(peksos_budi)
    data = plan_data(visit_a)
    url = reverse("activities:activity-create", args=[visit_a.pk])
    first = client.post(url, data)
    second = client.post(url, data)
    assert Activity.objects.count() == 1
    activity = Activity.objects.get()
    assert first.status_code == second.status_code == 302
    assert (
        first["Location"]
        == second["Location"]
        == reverse("activities:activity-detail", args=[activity.pk])
    )
    assert activity.tier == Tier.UNIVERSAL and activity.school == visit_a.school
    assert activity.sub_activities == ["penyuluhan", "sosialisasi_uu"]
    assert set(activity.facilitators.all()) == {peksos_budi, psikolog_gita}
    assert activity.start_time == time(8, 0) and activity.created_by == peksos_budi
    assert AuditEvent.objects.filter(action="activity_planned").count() == 1


def test_training_is_tier_2_and_for_adults_only(login, peksos_budi, visit_a):
    client = login(peksos_budi)
    url = reverse("activities:activity-create", args=[visit_a.pk])
    data = plan_data(
        visit_a, kind="pelatihan", sub_activities=["terapi_bermain"], audiences=["siswa_sd", "guru"]
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "guru dan orang tua" in page_text(response).lower() or "adults" in page_text(response)
    data["audiences"] = ["guru", "orang_tua"]
    assert client.post(url, data).status_code == 302
    assert Activity.objects.get().tier == Tier.GROUP


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"date": "2027-07-02"}, "date"),  # the next school year
        ({"date": "2026-02-30"}, "date"),
        ({"sub_activities": ["quality_time"]}, "sub_activities"),  # One Day's, for a campaign
        ({"sub_activities": ["nope"]}, "sub_activities"),
        ({"facilitators": ["999999"]}, "facilitators"),
        ({"audiences": []}, "audiences"),
        ({"kind": "<script>"}, "kind"),
        ({"start_time": "25:99"}, "start_time"),
    ],
)
def test_plan_bad_input_keeps_what_was_typed(login, peksos_budi, visit_a, over, field):
    data = plan_data(visit_a, title="Judul yang saya ketik", materials="Bahan saya", **over)
    response = login(peksos_budi).post(
        reverse("activities:activity-create", args=[visit_a.pk]), data
    )
    page = page_text(response)
    assert response.status_code == 200
    assert Activity.objects.count() == 0
    assert "Judul yang saya ketik" in page and "Bahan saya" in page
    assert f'id="error_1_id_{field}"' in page or "invalid-feedback" in page


def test_plan_a_facilitator_must_be_programme_staff(login, peksos_budi, visit_a, kepsek_indah):
    data = plan_data(visit_a, facilitators=[str(kepsek_indah.pk)])
    response = login(peksos_budi).post(
        reverse("activities:activity-create", args=[visit_a.pk]), data
    )
    assert response.status_code == 200 and Activity.objects.count() == 0


def test_change_the_plan(login, peksos_budi, pendamping_hadi, activity_a):
    client = login(peksos_budi)
    url = reverse("activities:activity-edit", args=[activity_a.pk])
    assert 'value="Kampanye pagi"' in page_text(client.get(url))
    data = plan_data(
        activity_a.visit,
        kind="one_day",
        sub_activities=["permainan_kelompok", "hadiah_doorprize"],
        facilitators=[str(pendamping_hadi.pk)],
    )
    assert client.post(url, data).status_code == 302
    activity_a.refresh_from_db()
    assert activity_a.kind == "one_day" and activity_a.tier == Tier.UNIVERSAL
    assert list(activity_a.facilitators.all()) == [pendamping_hadi]


# --- recording ----------------------------------------------------------------------------------


def record_data(**over):
    data = {
        "state": "terlaksana",
        "duration_minutes": "90",
        "notes": "Antusias",
        "n_siswa_sd_L": "30",
        "n_siswa_sd_P": "28",
        "n_guru_L": "2",
        "n_guru_P": "5",
        "n_orang_tua_P": "",
    }
    data.update(over)
    return data


def test_record_what_happened_with_counts(login, peksos_budi, activity_a):
    client = login(peksos_budi)
    url = reverse("activities:activity-record", args=[activity_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, record_data())
    assert response.status_code == 302
    activity_a.refresh_from_db()
    assert activity_a.state == Activity.State.HELD and activity_a.duration_minutes == 90
    assert activity_a.recorded_by == peksos_budi
    counts = {
        (r.group, r.sex): r.count for r in AttendanceCount.objects.filter(activity=activity_a)
    }
    assert counts == {
        ("siswa_sd", "L"): 30,
        ("siswa_sd", "P"): 28,
        ("guru", "L"): 2,
        ("guru", "P"): 5,
    }
    detail = page_text(client.get(reverse("activities:activity-detail", args=[activity_a.pk])))
    assert '<td class="text-end" data-total>65</td>' in detail  # 30 + 28 + 2 + 5
    # Recording again replaces the counts, it does not add to them.
    client.post(url, record_data(n_siswa_sd_L="10", n_siswa_sd_P="", n_guru_L="", n_guru_P=""))
    assert list(
        AttendanceCount.objects.filter(activity=activity_a).values_list("count", flat=True)
    ) == [10]


def test_record_cancelled_needs_a_reason_and_keeps_the_notes(login, peksos_budi, activity_a):
    client = login(peksos_budi)
    url = reverse("activities:activity-record", args=[activity_a.pk])
    response = client.post(url, record_data(state="dibatalkan", notes="Catatan saya"))
    assert response.status_code == 200 and "Catatan saya" in page_text(response)
    activity_a.refresh_from_db()
    assert activity_a.state == Activity.State.PLANNED
    client.post(url, record_data(state="dibatalkan", cancel_reason="Banjir"))
    activity_a.refresh_from_db()
    assert activity_a.state == Activity.State.CANCELLED and activity_a.cancel_reason == "Banjir"
    assert not activity_a.attendance.exists()


@pytest.mark.parametrize(
    "over",
    [
        {"n_guru_L": "-1"},
        {"n_guru_L": "satu"},
        {"n_guru_L": "99999999999999999999"},
        {"duration_minutes": ""},
        {"duration_minutes": "0"},
        {"state": "direncanakan"},
        {"state": ""},
    ],
)
def test_record_bad_input_is_refused_and_kept(login, peksos_budi, activity_a, over):
    data = record_data(notes="Catatan yang diketik", **over)
    response = login(peksos_budi).post(
        reverse("activities:activity-record", args=[activity_a.pk]), data
    )
    assert response.status_code == 200
    assert "Catatan yang diketik" in page_text(response)
    assert not AttendanceCount.objects.exists()


def test_an_activity_in_the_future_cannot_be_recorded_as_held(login, peksos_budi, school_a):
    visit = make_visit(school_a, date(2026, 9, 1), peksos_budi)
    activity = make_activity(visit, peksos_budi)
    response = login(peksos_budi).post(
        reverse("activities:activity-record", args=[activity.pk]), record_data()
    )
    assert response.status_code == 200
    assert "01-09-2026" in page_text(response)
    activity.refresh_from_db()
    assert activity.state == Activity.State.PLANNED


def test_a_facilitating_psychologist_records_but_does_not_plan(login, psikolog_gita, activity_a):
    client = login(psikolog_gita)
    assert (
        client.post(
            reverse("activities:activity-record", args=[activity_a.pk]), record_data()
        ).status_code
        == 302
    )
    assert (
        client.get(reverse("activities:activity-create", args=[activity_a.visit_id])).status_code
        == 403
    )


def test_a_facilitating_pendamping_records_the_field_work(login, pendamping_hadi, activity_a):
    """Issue 18: anyone listed as facilitator records (the pendamping got 403 before)."""
    client = login(pendamping_hadi)
    record = reverse("activities:activity-record", args=[activity_a.pk])
    add = reverse("activities:attendee-add", args=[activity_a.pk])
    # Not a facilitator and not in the visit's team: the activity is not theirs.
    assert client.post(record, record_data()).status_code == 404
    activity_a.facilitators.add(pendamping_hadi)
    assert client.post(record, record_data()).status_code == 302
    activity_a.refresh_from_db()
    assert activity_a.state == Activity.State.HELD
    client.post(add, {"name": "Ibu Sari", "group": "orang_tua", "sex": "P"})
    assert Attendee.objects.get().entered_by == pendamping_hadi
    # Recording is not planning: the visit (not theirs: not in its team) stays hidden.
    create = reverse("activities:activity-create", args=[activity_a.visit_id])
    assert client.get(create).status_code == 404


def test_open_and_close_the_participant_forms(login, peksos_budi, activity_a):
    client = login(peksos_budi)
    url = reverse("activities:activity-forms", args=[activity_a.pk])
    assert client.get(url).status_code == 405
    client.post(url, {"buka": "1"})
    activity_a.refresh_from_db()
    assert activity_a.participant_forms_open
    client.post(url, {"buka": "0"})
    activity_a.refresh_from_db()
    assert not activity_a.participant_forms_open


def test_the_qr_code_points_to_the_check_in_page(login, peksos_budi, activity_a):
    client = login(peksos_budi)
    poster = page_text(client.get(reverse("activities:checkin-poster", args=[activity_a.pk])))
    assert f"/ikut/{activity_a.public_code}/hadir/" in poster
    svg = client.get(reverse("activities:checkin-qr", args=[activity_a.pk]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert f"/ikut/{activity_a.public_code}/hadir/".encode() in svg.content  # its description


# --- the named list -----------------------------------------------------------------------------


def test_staff_add_and_remove_names(login, peksos_budi, activity_a):
    client = login(peksos_budi)
    client.post(
        reverse("activities:attendee-add", args=[activity_a.pk]),
        {"name": "Ibu Sari", "group": "orang_tua", "sex": "P"},
    )
    attendee = Attendee.objects.get()
    assert attendee.source == Attendee.Source.STAFF and attendee.entered_by == peksos_budi
    assert "Ibu Sari" in page_text(
        client.get(reverse("activities:activity-detail", args=[activity_a.pk]))
    )
    remove = reverse("activities:attendee-remove", args=[activity_a.pk, attendee.pk])
    assert client.get(remove).status_code == 405
    assert client.post(remove).status_code == 302
    assert not Attendee.objects.exists()


def test_add_name_bad_input_keeps_it(login, peksos_budi, activity_a):
    response = login(peksos_budi).post(
        reverse("activities:attendee-add", args=[activity_a.pk]),
        {"name": "Ibu Sari", "group": "siswa_sd"},
    )
    assert response.status_code == 200 and 'value="Ibu Sari"' in page_text(response)
    assert not Attendee.objects.exists()


def test_remove_an_attendee_of_another_activity_is_404(login, peksos_budi, activity_a, visit_a):
    other = make_activity(visit_a, peksos_budi)
    attendee = Attendee.objects.create(activity=other, name="X", group="guru")
    url = reverse("activities:attendee-remove", args=[activity_a.pk, attendee.pk])
    assert login(peksos_budi).post(url).status_code == 404


def test_sos_desk_officer_sees_counts_but_no_names(login, sosdesk_citra_sdn1, activity_a):
    Attendee.objects.create(activity=activity_a, name="Ibu Rahasia", group="orang_tua")
    response = login(sosdesk_citra_sdn1).get(
        reverse("activities:activity-detail", args=[activity_a.pk])
    )
    page = page_text(response)
    assert response.status_code == 200
    assert "Ibu Rahasia" not in page
    assert reverse("activities:attendee-add", args=[activity_a.pk]) not in page


def test_principal_reads_the_names_of_own_school(login, kepsek_indah, activity_a):
    Attendee.objects.create(activity=activity_a, name="Ibu Sari", group="orang_tua")
    response = login(kepsek_indah).get(reverse("activities:activity-detail", args=[activity_a.pk]))
    assert "Ibu Sari" in page_text(response)
    assert reverse("activities:activity-record", args=[activity_a.pk]) not in page_text(response)


# --- access --------------------------------------------------------------------------------------


def urls_of(activity):
    return {
        "detail": ("get", reverse("activities:activity-detail", args=[activity.pk])),
        "edit": ("get", reverse("activities:activity-edit", args=[activity.pk])),
        "record": ("get", reverse("activities:activity-record", args=[activity.pk])),
        "forms": ("post", reverse("activities:activity-forms", args=[activity.pk])),
        "add": ("post", reverse("activities:attendee-add", args=[activity.pk])),
        "poster": ("get", reverse("activities:checkin-poster", args=[activity.pk])),
        "qr": ("get", reverse("activities:checkin-qr", args=[activity.pk])),
        "photo": ("get", reverse("activities:photo-upload", args=[activity.pk])),
        "create": ("get", reverse("activities:activity-create", args=[activity.visit_id])),
    }


@pytest.mark.parametrize("name", list(urls_of(Activity(pk=1, visit_id=1))))
def test_anonymous_goes_to_login(client, activity_a, name):
    method, url = urls_of(activity_a)[name]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/?next=")


@pytest.mark.parametrize("name", list(urls_of(Activity(pk=1, visit_id=1))))
@pytest.mark.parametrize("persona", ["peksos_joko_sdn2", "sosdesk_dedi_sdn2", "pendamping_hadi"])
def test_another_schools_user_gets_404(request, login, activity_a, name, persona):
    method, url = urls_of(activity_a)[name]
    response = getattr(login(request.getfixturevalue(persona)), method)(url)
    assert response.status_code == 404


@pytest.mark.parametrize("name", list(urls_of(Activity(pk=1, visit_id=1))))
@pytest.mark.parametrize("persona", ["guru_eka", "ortu_fajar"])
def test_teachers_and_parents_get_403(request, login, activity_a, name, persona):
    method, url = urls_of(activity_a)[name]
    response = getattr(login(request.getfixturevalue(persona)), method)(url)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "name", ["edit", "record", "forms", "add", "poster", "qr", "photo", "create"]
)
@pytest.mark.parametrize("persona", ["kepsek_indah", "sosdesk_citra_sdn1"])
def test_school_side_reads_but_changes_nothing(request, login, activity_a, name, persona):
    method, url = urls_of(activity_a)[name]
    response = getattr(login(request.getfixturevalue(persona)), method)(url)
    assert response.status_code == 403


@pytest.mark.parametrize("view", ["activities:activity-list", "activities:activity-calendar"])
@pytest.mark.parametrize("persona", ["guru_eka", "ortu_fajar"])
def test_lists_refuse_teachers_and_parents(request, login, view, persona):
    assert login(request.getfixturevalue(persona)).get(reverse(view)).status_code == 403


@pytest.mark.parametrize("view", ["activities:activity-list", "activities:activity-calendar"])
def test_lists_refuse_post(login, koordinator_ani, view):
    assert login(koordinator_ani).post(reverse(view)).status_code == 405


def test_wrong_method_on_post_only_views(login, peksos_budi, activity_a):
    client = login(peksos_budi)
    for url in (
        reverse("activities:activity-forms", args=[activity_a.pk]),
        reverse("activities:attendee-add", args=[activity_a.pk]),
    ):
        assert client.get(url).status_code == 405
    assert (
        client.put(reverse("activities:activity-record", args=[activity_a.pk])).status_code == 405
    )
    assert client.post(reverse("activities:checkin-qr", args=[activity_a.pk])).status_code == 405


# --- lists, filters, calendar, school page ------------------------------------------------


@pytest.fixture
def spread(school_a, school_b, peksos_budi, peksos_joko_sdn2, psikolog_gita, pendamping_hadi):
    a1 = make_activity(
        make_visit(school_a, date(2026, 8, 4), peksos_budi), peksos_budi, title="A kampanye"
    )
    a2 = make_activity(
        make_visit(school_a, date(2026, 9, 8), peksos_budi, kind=Visit.Kind.TRAINING),
        psikolog_gita,
        title="A pelatihan",
        audiences=["guru"],
        sub_activities=["terapi_bermain"],
    )
    b1 = make_activity(
        make_visit(school_b, date(2026, 8, 11), peksos_joko_sdn2, kind=Visit.Kind.ONE_DAY),
        pendamping_hadi,
        title="B one day",
        sub_activities=["quality_time"],
    )
    return a1, a2, b1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"A kampanye", "A pelatihan", "B one day"}),
        ("?kind=pelatihan", {"A pelatihan"}),
        ("?sekolah={npsn_b}", {"B one day"}),
        ("?kecamatan={kec_b}", None),
        ("?dari=2026-08-10&sampai=2026-08-31", {"B one day"}),
        ("?fasilitator={gita}", {"A pelatihan"}),
        ("?state=terlaksana", set()),
    ],
)
def test_list_filters(login, koordinator_ani, spread, school_b, psikolog_gita, query, expected):
    query = query.format(npsn_b=school_b.npsn, kec_b=school_b.kecamatan.code, gita=psikolog_gita.pk)
    page = page_text(login(koordinator_ani).get(reverse("activities:activity-list") + query))
    shown = {title for title in ("A kampanye", "A pelatihan", "B one day") if title in page}
    if expected is None:  # both schools are in the same kecamatan or not: B is there
        assert "B one day" in shown
    else:
        assert shown == expected


def test_list_is_scoped(login, peksos_budi, psikolog_gita, spread):
    page = page_text(login(peksos_budi).get(reverse("activities:activity-list")))
    assert "A kampanye" in page and "A pelatihan" in page and "B one day" not in page
    page = page_text(login(psikolog_gita).get(reverse("activities:activity-list")))
    assert "A pelatihan" in page and "A kampanye" not in page  # the session she leads only


@pytest.mark.parametrize(
    "query",
    [
        "?dari=2026-02-30",
        "?kind=x",
        "?sekolah=%3Cscript%3E",
        "?setelah=zzz",
        "?fasilitator=abc",
        "?kecamatan=zz",
    ],
)
def test_list_with_bad_filters(login, koordinator_ani, spread, query):
    response = login(koordinator_ani).get(reverse("activities:activity-list") + query)
    assert response.status_code == 200


def count_queries(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


def add_activities(n: int, *facilitators) -> None:
    for i, school in enumerate(School.objects.order_by("pk")[:n]):
        visit = make_visit(school, date(2026, 8, 3 + (i % 4)))
        make_activity(visit, *facilitators, title=f"Kegiatan {i}")


@pytest.mark.parametrize(
    "path", ["/kegiatan/", "/kegiatan/?kind=kampanye", "/kegiatan/kalender/?bulan=2026-08"]
)
def test_lists_have_a_constant_query_count(
    login, koordinator_ani, peksos_budi, psikolog_gita, path
):
    client = login(koordinator_ani)
    add_activities(2, peksos_budi)
    few = count_queries(client, path)
    add_activities(12, peksos_budi, psikolog_gita)
    assert count_queries(client, path) == few


def test_school_page_history_has_a_constant_query_count(
    login, koordinator_ani, peksos_budi, school_a
):
    client = login(koordinator_ani)
    path = reverse("schools:school-detail", args=[school_a.npsn])
    make_activity(make_visit(school_a, date(2026, 8, 4)), peksos_budi, title="Riwayat satu")
    few = count_queries(client, path)
    assert "Riwayat satu" in page_text(client.get(path))
    for day in (5, 6, 7, 10, 11):
        make_activity(make_visit(school_a, date(2026, 8, day)), peksos_budi)
    assert count_queries(client, path) == few


def test_school_page_history_is_scoped(
    login, sosdesk_citra_sdn1, kepsek_indah, psikolog_gita, activity_a, school_a
):
    path = reverse("schools:school-detail", args=[school_a.npsn])
    assert "Kampanye pagi" in page_text(login(kepsek_indah).get(path))
    other = make_activity(make_visit(school_a, date(2026, 8, 5)), title="Bukan sesi Gita")
    page = page_text(login(psikolog_gita).get(path))
    assert "Kampanye pagi" in page and other.title not in page


def test_calendar_shows_the_month_and_the_upcoming(login, koordinator_ani, spread):
    page = page_text(
        login(koordinator_ani).get(reverse("activities:activity-calendar") + "?bulan=2026-08")
    )
    assert "Kegiatan mendatang" in page or "Upcoming" in page
    assert "A pelatihan" in page  # 8 September, upcoming on 20 August


@pytest.mark.parametrize("query", ["?bulan=2026-13", "?bulan=x", "?bulan=٢٠٢٦-٠٨"])
def test_calendar_bad_month(login, koordinator_ani, query):
    assert (
        login(koordinator_ani).get(reverse("activities:activity-calendar") + query).status_code
        == 200
    )


def test_navigation_shows_activities_to_staff_only(login, peksos_budi, guru_eka):
    assert 'href="/kegiatan/"' in login(peksos_budi).get("/").content.decode()


def test_navigation_hides_activities_from_teachers(login, guru_eka):
    assert 'href="/kegiatan/"' not in login(guru_eka).get("/").content.decode()


# --- reach figures for the reports -------------------------------------------------------------


def test_reach_summary(spread, school_a):
    a1, a2, b1 = spread
    for activity, rows in (
        (a1, {("siswa_sd", "L"): 30, ("siswa_sd", "P"): 20, ("guru", "P"): 4}),
        (b1, {("orang_tua", "L"): 3, ("orang_tua", "P"): 7, ("siswa_sd", "P"): 5}),
    ):
        Activity.objects.filter(pk=activity.pk).update(state=Activity.State.HELD)
        for (group, sex), n in rows.items():
            AttendanceCount.objects.create(activity=activity, group=group, sex=sex, count=n)
    # Counts of an activity not (or no longer) held do not count as reach.
    AttendanceCount.objects.create(activity=a2, group="guru", sex="L", count=99)
    with CaptureQueriesContext(connection) as queries:
        summary = reach_summary(Activity.objects.all())
    assert len(queries) == 3
    assert summary["activities"] == {"total": 3, "held": 2, "planned": 1, "cancelled": 0}
    assert summary["by_kind"]["pelatihan"] == {
        "label": summary["by_kind"]["pelatihan"]["label"],
        "tier": 2,
        "held": 0,
        "total": 1,
    }
    assert (
        summary["by_kind"]["kampanye"]["held"] == 1 and summary["by_kind"]["one_day"]["held"] == 1
    )
    assert summary["by_tier"][1]["held"] == 2 and summary["by_tier"][2]["total"] == 1
    assert summary["by_group"]["siswa_sd"] == {
        "label": summary["by_group"]["siswa_sd"]["label"],
        "L": 30,
        "P": 25,
        "total": 55,
    }
    assert summary["by_group"]["guru"]["total"] == 4
    assert summary["by_sex"] == {"L": 33, "P": 36}
    assert summary["pupils"] == 55 and summary["adults"] == 14 and summary["total"] == 69
    assert summary["schools_reached"] == 2
    only_a = reach_summary(Activity.objects.filter(school=school_a))
    assert only_a["total"] == 54 and only_a["schools_reached"] == 1


def test_school_side_list_has_no_staff_filter(login, kepsek_indah, koordinator_ani, activity_a):
    page = page_text(login(kepsek_indah).get(reverse("activities:activity-list")))
    assert "Kampanye pagi" in page and 'name="fasilitator"' not in page
    assert 'name="fasilitator"' in page_text(
        login(koordinator_ani).get(reverse("activities:activity-list"))
    )
