"""The SOS Desk of a school: TPPK rules, the desk page, SK and members, the QR poster, and
reports that officers receive in person, by phone, by letter or by message."""

import io
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import segno
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from peksos.core.models import AuditEvent
from schools.models import School
from sosdesk import desk_rules, services
from sosdesk.models import Case, CaseEvent, Desk, DeskMember

NPSN_A = "10807637"
NPSN_B = "10807680"
TODAY = date(2026, 3, 2)


def url(name: str, npsn: str = NPSN_A, *args) -> str:
    return reverse(f"sosdesk:{name}", args=[npsn, *args])


def member(name="Anggota", position=DeskMember.Position.TEACHER, **kwargs) -> DeskMember:
    return DeskMember(name=name, position=position, **kwargs)


def valid_members() -> list[DeskMember]:
    return [
        member("Ketua", is_chair=True),
        member("Tendik", DeskMember.Position.STAFF),
        member("Komite", DeskMember.Position.COMMITTEE),
    ]


def valid_desk(**kwargs) -> Desk:
    fields = {
        "sk_number": "421/015/SK/2025",
        "term_start": date(2025, 7, 14),
        "term_end": date(2027, 7, 13),
    }
    return Desk(**{**fields, **kwargs})


def codes(problems) -> set[str]:
    return {p.code for p in problems}


@pytest.fixture
def desk_a(school_a) -> Desk:
    return Desk.objects.create(
        school=school_a,
        **{
            "sk_number": "421/015/SK/2025",
            "term_start": date(2025, 7, 14),
            "term_end": date(2027, 7, 13),
        },
    )


@pytest.fixture
def working_desk_a(desk_a) -> Desk:
    for m in valid_members():
        m.desk = desk_a
        m.save()
    return desk_a


# --- Rules (pure) ----------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_a_valid_desk_has_no_problem():
    assert desk_rules.desk_problems(valid_desk(), valid_members()) == []
    assert desk_rules.desk_is_working(valid_desk(), valid_members())


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("members", "desk_fields", "code"),
    [
        (valid_members()[:2], {}, "too_few"),
        ([*valid_members(), member("Guru dua")], {}, "even"),
        ([member(), member(), member(position=DeskMember.Position.COMMITTEE)], {}, "no_chair"),
        (
            [*valid_members()[:2], member("K", DeskMember.Position.COMMITTEE, is_chair=True)],
            {},
            "many_chairs",
        ),
        (
            [member("Kepsek", is_chair=True, is_principal=True), *valid_members()[1:]],
            {},
            "principal_chair",
        ),
        (
            [member("G1", is_chair=True), member("G2"), member("T", DeskMember.Position.STAFF)],
            {},
            "no_committee",
        ),
        (valid_members(), {"sk_number": ""}, "no_sk"),
        (valid_members(), {"term_end": None}, "no_term"),
        (
            valid_members(),
            {"term_start": date(2024, 1, 1), "term_end": date(2026, 3, 1)},
            "term_ended",
        ),
        (
            valid_members(),
            {"term_start": date(2025, 1, 1), "term_end": date(2024, 1, 1)},
            "term_order",
        ),
    ],
)
def test_each_rule_makes_the_desk_not_working(members, desk_fields, code):
    desk = valid_desk(**desk_fields)
    problems = desk_rules.desk_problems(desk, members)
    assert code in codes(problems)
    assert next(p for p in problems if p.code == code).is_error
    assert all(p.message for p in problems)
    assert not desk_rules.desk_is_working(desk, members)


def test_no_members_at_all():
    assert codes(desk_rules.composition_problems([])) == {"too_few", "no_chair", "no_committee"}


@pytest.mark.parametrize(
    ("today", "warned"),
    [
        (date(2027, 5, 13), False),  # 61 days before the end
        (date(2027, 5, 14), True),  # 60 days
        (date(2027, 7, 13), True),  # the last day
        (date(2027, 7, 14), False),  # ended: an error, no longer a warning
    ],
)
def test_term_warning_in_the_last_60_days(today, warned):
    with time_machine.travel(today, tick=False):
        problems = desk_rules.desk_problems(valid_desk(), valid_members())
    assert ("term_ending" in codes(problems)) is warned
    if warned:
        assert desk_rules.desk_is_working(valid_desk(), valid_members(), today)
        assert [p.level for p in problems] == [desk_rules.WARNING]


# --- has_sos_desk, the fact the register's priority reads -----------------------------------


@time_machine.travel(TODAY, tick=False)
def test_school_has_sos_desk_flips_with_the_rules(school_a, koordinator_ani):
    assert school_a.has_sos_desk is None
    desk = services.desk_ensure(school_a)
    desk = services.desk_update(
        desk=desk,
        sk_number="SK 1",
        term_start=date(2025, 7, 14),
        term_end=date(2027, 7, 13),
        by=koordinator_ani,
    )
    school_a.refresh_from_db()
    assert school_a.has_sos_desk is False
    score_without = school_a.priority_score
    added = [
        services.desk_member_add(
            desk=desk, name=m.name, position=m.position, is_chair=m.is_chair, by=koordinator_ani
        )
        for m in valid_members()
    ]
    school_a.refresh_from_db()
    assert school_a.has_sos_desk is True
    assert school_a.priority_score < score_without  # a working desk lowers the priority
    services.desk_member_remove(member=added[-1], by=koordinator_ani)
    school_a.refresh_from_db()
    assert school_a.has_sos_desk is False
    assert school_a.priority_score == score_without
    actions = set(AuditEvent.objects.for_object(desk).values_list("action", flat=True))
    assert {"desk_updated", "desk_member_added", "desk_member_removed"} <= actions


def test_a_term_that_ends_is_noticed_by_the_daily_refresh(working_desk_a, school_b):
    with time_machine.travel(TODAY, tick=False):
        services._record_desk_fact(working_desk_a)
    Desk.objects.create(school=school_b)  # nothing recorded: stays unknown
    assert School.objects.get(pk=working_desk_a.school_id).has_sos_desk is True
    with time_machine.travel(date(2027, 7, 14), tick=False):
        assert services.desks_refresh_working() == 1
    assert School.objects.get(pk=working_desk_a.school_id).has_sos_desk is False
    assert School.objects.get(pk=school_b.pk).has_sos_desk is None


# --- The desk page -------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["koordinator_ani", "peksos_budi", "sosdesk_citra_sdn1", "kepsek_indah"]
)
def test_desk_page_shows_the_team(
    login, request, persona, working_desk_a, peksos_budi, sosdesk_citra_sdn1
):
    response = login(request.getfixturevalue(persona)).get(url("desk-detail"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "421/015/SK/2025" in page
    assert "Ketua" in page and "Komite" in page
    assert response.context["errors"] == []
    officers = {m.user for m in response.context["officers"]}
    assert officers == {peksos_budi, sosdesk_citra_sdn1}
    assert f"/lapor/{working_desk_a.public_code}/" in page
    assert url("desk-poster") in page
    assert (url("case-create") in page) is (persona != "kepsek_indah")


def test_desk_page_lists_the_rule_problems_and_creates_the_desk(login, sosdesk_citra_sdn1):
    assert not Desk.objects.filter(school__npsn=NPSN_A).exists()
    response = login(sosdesk_citra_sdn1).get(url("desk-detail"))
    assert response.status_code == 200
    assert Desk.objects.filter(school__npsn=NPSN_A).exists()
    assert {"too_few", "no_chair", "no_committee", "no_sk", "no_term"} == codes(
        response.context["errors"]
    )
    assert 'data-problem="too_few"' in response.content.decode()


def test_desk_page_warns_before_the_term_ends(login, sosdesk_citra_sdn1, working_desk_a):
    with time_machine.travel(date(2027, 6, 1), tick=False):
        response = login(sosdesk_citra_sdn1).get(url("desk-detail"))
    assert codes(response.context["warnings"]) == {"term_ending"}
    assert 'data-problem="term_ending"' in response.content.decode()


def test_other_schools_officer_gets_404(login, sosdesk_dedi_sdn2, working_desk_a):
    client = login(sosdesk_dedi_sdn2)
    for name in ("desk-detail", "desk-poster", "desk-qr", "desk-edit", "case-create"):
        assert client.get(url(name)).status_code == 404, name
    assert client.post(url("member-add"), {"name": "X"}).status_code == 404


@pytest.mark.parametrize("persona", ["guru_eka", "ortu_fajar", "psikolog_gita", "pendamping_hadi"])
def test_roles_without_a_desk_get_404(login, request, persona, working_desk_a):
    client = login(request.getfixturevalue(persona))
    for name in ("desk-detail", "desk-poster", "desk-qr", "case-create"):
        assert client.get(url(name)).status_code == 404, name


def test_anonymous_goes_to_login(client, working_desk_a):
    for name in ("desk-detail", "desk-poster", "desk-qr", "desk-edit", "case-create"):
        response = client.get(url(name))
        assert response.status_code == 302
        assert response["Location"].startswith("/masuk/")
    assert client.post(url("member-add")).status_code == 302


def test_unknown_school_is_404(login, koordinator_ani):
    assert login(koordinator_ani).get(url("desk-detail", "99999999")).status_code == 404


def test_desk_page_rejects_post(login, sosdesk_citra_sdn1, working_desk_a):
    client = login(sosdesk_citra_sdn1)
    assert client.post(url("desk-detail")).status_code == 405
    assert client.post(url("desk-poster")).status_code == 405
    assert client.post(url("desk-qr")).status_code == 405


def test_desk_page_query_count(
    login, sosdesk_citra_sdn1, working_desk_a, django_assert_num_queries
):
    client = login(sosdesk_citra_sdn1)
    client.get(url("desk-detail"))
    # session, user, school, desk, members, officers, can_manage, can_file, account choices,
    # the bell
    with django_assert_num_queries(10):
        client.get(url("desk-detail"))
    DeskMember.objects.create(desk=working_desk_a, name="Lagi", position="guru")
    DeskMember.objects.create(desk=working_desk_a, name="Lagi 2", position="tendik")
    with django_assert_num_queries(10):
        client.get(url("desk-detail"))


# --- SK and term -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["koordinator_ani", "kepsek_indah", "sosdesk_citra_sdn1"])
def test_the_school_or_koordinator_records_the_sk(login, request, persona, desk_a):
    client = login(request.getfixturevalue(persona))
    assert client.get(url("desk-edit")).status_code == 200
    response = client.post(
        url("desk-edit"),
        {"sk_number": "  800/22/SK/2026 ", "term_start": "2026-01-05", "term_end": "2028-01-04"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("desk-detail")
    desk_a.refresh_from_db()
    assert desk_a.sk_number == "800/22/SK/2026"
    assert (desk_a.term_start, desk_a.term_end) == (date(2026, 1, 5), date(2028, 1, 4))
    assert AuditEvent.objects.for_object(desk_a).filter(action="desk_updated").exists()


def test_an_empty_term_end_means_two_years(login, kepsek_indah, desk_a):
    login(kepsek_indah).post(url("desk-edit"), {"sk_number": "SK 9", "term_start": "2024-02-29"})
    desk_a.refresh_from_db()
    assert desk_a.term_end == date(2026, 2, 27)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"sk_number": "", "term_start": "2026-01-05"}, "sk_number"),
        ({"sk_number": "SK", "term_start": "kemarin"}, "term_start"),
        ({"sk_number": "SK", "term_start": "2026-01-05", "term_end": "2025-01-01"}, "term_end"),
        ({"sk_number": "SK", "term_start": "2026-01-05", "term_end": "2029-01-01"}, "term_end"),
        ({"sk_number": "x" * 101, "term_start": "2026-01-05"}, "sk_number"),
    ],
)
def test_bad_sk_input_is_a_form_error(login, kepsek_indah, desk_a, data, field):
    response = login(kepsek_indah).post(url("desk-edit"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    desk_a.refresh_from_db()
    assert desk_a.sk_number == "421/015/SK/2025"


def test_peksos_may_see_but_not_edit_the_desk(login, peksos_budi, working_desk_a):
    client = login(peksos_budi)
    assert client.get(url("desk-detail")).status_code == 200
    assert client.get(url("desk-edit")).status_code == 403
    assert client.post(url("member-add"), {"name": "X", "position": "guru"}).status_code == 403
    member_pk = working_desk_a.members.first().pk
    assert client.post(url("member-delete", NPSN_A, member_pk)).status_code == 403
    assert working_desk_a.members.count() == 3


def test_desk_edit_rejects_other_methods(login, kepsek_indah, desk_a):
    assert login(kepsek_indah).put(url("desk-edit")).status_code == 405


# --- Members -------------------------------------------------------------------------


def test_add_a_member(login, sosdesk_citra_sdn1, desk_a):
    response = login(sosdesk_citra_sdn1).post(
        url("member-add"),
        {"name": "  Ibu  Sari ", "position": "komite", "user": sosdesk_citra_sdn1.pk},
    )
    assert response.status_code == 302
    added = desk_a.members.get()
    assert (added.name, added.position, added.user) == ("Ibu Sari", "komite", sosdesk_citra_sdn1)
    assert AuditEvent.objects.for_object(desk_a).filter(action="desk_member_added").exists()


def test_a_new_chair_replaces_the_old_one(login, kepsek_indah, working_desk_a):
    login(kepsek_indah).post(
        url("member-add"), {"name": "Pak Baru", "position": "guru", "is_chair": "on"}
    )
    chairs = list(working_desk_a.members.filter(is_chair=True).values_list("name", flat=True))
    assert chairs == ["Pak Baru"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "position": "guru"}, "name"),
        ({"name": "Ibu Rina", "position": "kepala"}, "position"),
        (
            {"name": "Ibu Rina", "position": "guru", "is_chair": "on", "is_principal": "on"},
            "is_chair",
        ),
        ({"name": "Ibu Rina", "position": "guru", "user": "999999"}, "user"),
    ],
)
def test_bad_member_input_redisplays_the_desk_page(login, kepsek_indah, desk_a, data, field):
    response = login(kepsek_indah).post(url("member-add"), data)
    assert response.status_code == 200
    assert field in response.context["member_form"].errors
    if data["name"]:
        assert 'value="Ibu Rina"' in response.content.decode()  # what was typed is kept
    assert not desk_a.members.exists()


def test_an_account_of_another_school_cannot_be_linked(
    login, kepsek_indah, sosdesk_dedi_sdn2, desk_a
):
    response = login(kepsek_indah).post(
        url("member-add"), {"name": "Dedi", "position": "guru", "user": sosdesk_dedi_sdn2.pk}
    )
    assert "user" in response.context["member_form"].errors


def test_member_add_rejects_get(login, kepsek_indah, desk_a):
    assert login(kepsek_indah).get(url("member-add")).status_code == 405


def test_remove_a_member(login, kepsek_indah, working_desk_a):
    target = working_desk_a.members.get(name="Komite")
    client = login(kepsek_indah)
    assert client.get(url("member-delete", NPSN_A, target.pk)).status_code == 405
    response = client.post(url("member-delete", NPSN_A, target.pk))
    assert response.status_code == 302
    assert not DeskMember.objects.filter(pk=target.pk).exists()
    assert "no_committee" in codes(client.get(url("desk-detail")).context["errors"])


def test_a_member_of_another_desk_is_404(login, kepsek_indah, working_desk_a, school_b):
    other = DeskMember.objects.create(
        desk=Desk.objects.create(school=school_b), name="B", position="guru"
    )
    response = login(kepsek_indah).post(url("member-delete", NPSN_A, other.pk))
    assert response.status_code == 404
    assert DeskMember.objects.filter(pk=other.pk).exists()


# --- Poster and QR -------------------------------------------------------------------


def test_poster_shows_the_link_and_the_emergency_numbers(login, kepsek_indah, desk_a):
    response = login(kepsek_indah).get(url("desk-poster"))
    assert response.status_code == 200
    page = response.content.decode()
    public = f"testserver/lapor/{desk_a.public_code}/"
    assert f">{public}</a>" in page
    assert f'src="{url("desk-qr")}"' in page
    assert "css/poster.css" in page
    for number in ("110", "112", "129"):
        assert f"<strong>{number}</strong>" in page
    assert "UPTD SD NEGERI 1 METRO PUSAT" in page
    assert "style=" not in page  # the CSP forbids inline styles


def test_qr_code_is_an_svg_of_the_public_url(login, sosdesk_citra_sdn1, desk_a):
    response = login(sosdesk_citra_sdn1).get(url("desk-qr"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    public = f"http://testserver/lapor/{desk_a.public_code}/"
    assert root.find("{http://www.w3.org/2000/svg}desc").text == public
    expected = io.BytesIO()
    segno.make(public, error="m").save(expected, kind="svg", scale=10, border=4, desc=public)
    assert response.content == expected.getvalue()  # the same symbol segno makes for the URL


def test_the_public_link_reaches_the_report_form(client, login, kepsek_indah, desk_a):
    page = login(kepsek_indah).get(url("desk-detail")).content.decode()
    link = re.search(r'href="http://testserver(/lapor/[A-Z0-9]+/)"', page).group(1)
    client.logout()
    assert client.get(link).status_code == 200


# --- Reports recorded by officers ------------------------------------------------------

REPORT = {
    "channel": "telepon",
    "violence": ["perundungan", "psikis"],
    "modalities": ["verbal", "daring"],
    "scope": "dalam",
    "occurred_on": "2026-02-20",
    "occurred_text": "",
    "affected": ["murid"],
    "ongoing_danger": "tidak",
    "narrative": "Seorang murid kelas 5 diejek setiap hari di grup WhatsApp kelas.",
    "identity": "anonim",
    "idempotency_key": "kunci-uji-0000000001",
}


def pin_from(response) -> str:
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    return re.search(r"\b(\d{6})\b", text).group(1)


@time_machine.travel(date(2026, 3, 2), tick=False)
def test_officer_records_a_report_received_by_phone(login, sosdesk_citra_sdn1, desk_a):
    client = login(sosdesk_citra_sdn1)
    form_page = client.get(url("case-create"))
    assert form_page.status_code == 200
    assert 'name="idempotency_key"' in form_page.content.decode()
    response = client.post(url("case-create"), REPORT)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sosdesk:case-detail", args=[case.code])
    assert case.channel == Case.Channel.PHONE
    assert case.received_by == sosdesk_citra_sdn1
    assert case.school.npsn == NPSN_A
    assert case.forms == ["perundungan", "psikis"]
    assert case.anonymous and case.reporter_name == ""
    assert case.check_pin(pin_from(response))
    assert CaseEvent.objects.filter(case=case, kind="received", detail="telepon").exists()


def test_a_double_submit_records_one_report(login, sosdesk_citra_sdn1, desk_a):
    client = login(sosdesk_citra_sdn1)
    first = client.post(url("case-create"), REPORT)
    second = client.post(url("case-create"), REPORT)
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    ("persona", "channel"),
    [("koordinator_ani", "langsung"), ("peksos_budi", "surat"), ("sosdesk_citra_sdn1", "pesan")],
)
def test_who_may_record_reports(login, request, persona, channel, desk_a):
    user = request.getfixturevalue(persona)
    data = {**REPORT, "channel": channel, "idempotency_key": f"kunci-{persona}-123456"}
    assert login(user).post(url("case-create"), data).status_code == 302
    assert Case.objects.get().received_by == user


def test_an_identified_reporter_by_name_only(login, sosdesk_citra_sdn1, desk_a):
    data = {
        **REPORT,
        "channel": "langsung",
        "identity": "nama",
        "reporter_name": "Ibu Wati",
        "reporter_relation": "lainnya",
    }
    assert login(sosdesk_citra_sdn1).post(url("case-create"), data).status_code == 302
    case = Case.objects.get()
    assert (case.anonymous, case.reporter_name, case.reporter_contact) == (False, "Ibu Wati", "")


def test_an_anonymous_reporter_keeps_no_identity(login, sosdesk_citra_sdn1, desk_a):
    data = {**REPORT, "reporter_name": "Budi", "reporter_contact": "0812", "contact_allowed": "on"}
    login(sosdesk_citra_sdn1).post(url("case-create"), data)
    case = Case.objects.get()
    assert (case.reporter_name, case.reporter_contact, case.contact_allowed) == ("", "", False)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": ""}, "channel"),
        ({"channel": "formulir"}, "channel"),  # the public form is not an officer's channel
        ({"narrative": ""}, "narrative"),
        ({"violence": ["pukulan"]}, "violence"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"identity": "nama", "reporter_name": ""}, "reporter_name"),
        ({"scope": "luar-angkasa"}, "scope"),
    ],
)
def test_bad_report_input_is_a_form_error(login, sosdesk_citra_sdn1, desk_a, changes, field):
    response = login(sosdesk_citra_sdn1).post(url("case-create"), {**REPORT, **changes})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Case.objects.exists()
    if changes.get("narrative", "x"):
        assert "diejek setiap hari" in response.content.decode()  # nothing typed is lost


def test_principal_may_see_the_desk_but_not_record_reports(login, kepsek_indah, desk_a):
    client = login(kepsek_indah)
    assert client.get(url("case-create")).status_code == 403
    assert client.post(url("case-create"), REPORT).status_code == 403
    assert not Case.objects.exists()


def test_case_create_rejects_other_methods(login, sosdesk_citra_sdn1, desk_a):
    assert login(sosdesk_citra_sdn1).delete(url("case-create")).status_code == 405


def test_poster_and_desk_page_use_one_public_code(login, kepsek_indah):
    client = login(kepsek_indah)
    client.get(url("desk-detail"))
    client.get(url("desk-poster"))
    client.get(url("desk-qr"))
    assert Desk.objects.filter(school__npsn=NPSN_A).count() == 1
    assert AuditEvent.objects.filter(action="desk_created").count() == 1


def test_term_dates_are_shown(login, kepsek_indah, desk_a):
    page = login(kepsek_indah).get(url("desk-detail")).content.decode()
    assert "2025" in page and "2027" in page


def test_a_new_desk_never_takes_a_code_already_in_use(school_a, school_b, monkeypatch):
    from sosdesk import models as desk_models

    Desk.objects.create(school=school_a, public_code="ABCDEF")
    codes = iter(["ABCDEF", "ABCDEF", "GHJKLM"])
    monkeypatch.setattr(desk_models, "new_public_code", lambda: next(codes))
    desk = Desk(school=school_b)  # its default was drawn before the patch
    desk.public_code = "ABCDEF"
    desk.save()
    assert desk.public_code == "GHJKLM"
