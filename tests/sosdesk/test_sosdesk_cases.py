"""Case handling at the SOS Desk: list, overdue board, deadlines, the case page, its actions,
referrals, the police clock, confidentiality and the access log (docs/design.md §3.10)."""

import base64
import json
import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peksos.core.models import AuditEvent
from sosdesk.models import Case, CaseEvent, CaseMessage, CaseNote, Referral, StageDeadlines
from sosdesk.services import case_file, case_refer

NARRATIVE = "CANARY-NARRATIVE-5521: a pupil was pushed in the corridor."
REPORTER = "CANARY-REPORTER-7731"
REPORTER_PHONE = "CANARY-PHONE-0812"
XSS_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "xss-sample.txt"
LIST = reverse("sosdesk:case-list")
OVERDUE = reverse("sosdesk:case-overdue")
DEADLINES = reverse("sosdesk:deadlines-edit")

# Actions: URL name and a valid POST for each.
ACTIONS = {
    "case-triage": {"urgency": "tinggi", "violence": ["fisik"], "modalities": ["fisik"]},
    "case-status": {"to": "verifikasi"},
    "case-note": {"body": "Called the class teacher."},
    "case-message": {"body": "Thank you, we are looking into it."},
    "case-refer": {"partner": "puskesmas", "reason": "Medical check."},
    "case-police": {"reference": "LP/B/123/2025"},
}
OUTSIDERS = ["sosdesk_dedi_sdn2", "peksos_joko_sdn2", "kepsek_indah", "guru_eka", "ortu_fajar"]
OUTSIDERS += ["pendamping_hadi", "psikolog_gita"]


def file(school, *, forms=("fisik",), anonymous=False, danger="tidak", narrative=NARRATIVE):
    return case_file(
        school=school,
        channel=Case.Channel.IN_PERSON,
        narrative=narrative,
        forms=list(forms),
        modalities=["fisik"],
        scope="dalam",
        affected=["murid"],
        ongoing_danger=danger,
        anonymous=anonymous,
        reporter_name="" if anonymous else REPORTER,
        reporter_contact="" if anonymous else REPORTER_PHONE,
        reporter_relation="murid",
    ).case


@pytest.fixture
def case_a(school_a):
    return file(school_a)


@pytest.fixture
def sexual_case(school_a):
    return file(school_a, forms=("seksual",))


@pytest.fixture
def case_b(school_b):
    return file(school_b)


def detail(case) -> str:
    return reverse("sosdesk:case-detail", args=[case.code])


def action(name: str, case) -> str:
    return reverse(f"sosdesk:{name}", args=[case.code])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def errors_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level == messages.ERROR]


def refer_to(case, psikolog, by) -> Referral:
    return case_refer(
        case=case, partner="psikolog", reason="Counselling.", psikolog=psikolog, by=by
    )


def respond(referral) -> str:
    return reverse("sosdesk:referral-respond", args=[referral.pk])


# --- Access: anonymous, wrong method, outsiders ---------------------------------------------------


@pytest.mark.parametrize("url", [LIST, OVERDUE, DEADLINES])
def test_lists_send_anonymous_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_case_pages_send_anonymous_to_login(client, case_a):
    for url in [detail(case_a), action("case-access-log", case_a)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    for name, data in ACTIONS.items():
        response = client.post(action(name, case_a), data)
        assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    assert Case.objects.get(pk=case_a.pk).status == Case.Status.RECEIVED


def test_wrong_methods(login, koordinator_ani, case_a, psikolog_gita):
    client = login(koordinator_ani)
    for url in [LIST, OVERDUE, detail(case_a), action("case-access-log", case_a)]:
        assert client.post(url).status_code == 405
    assert client.put(DEADLINES).status_code == 405
    for name in ACTIONS:
        assert client.get(action(name, case_a)).status_code == 405
    referral = refer_to(case_a, psikolog_gita, koordinator_ani)
    assert client.get(respond(referral)).status_code == 405


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_for_a_case(login, request, persona, case_a):
    client = login(request.getfixturevalue(persona))
    assert client.get(detail(case_a)).status_code == 404
    assert client.get(action("case-access-log", case_a)).status_code == 404
    for name, data in ACTIONS.items():
        assert client.post(action(name, case_a), data).status_code == 404, name
    case_a.refresh_from_db()
    assert case_a.status == Case.Status.RECEIVED and case_a.urgency == ""
    assert not CaseNote.objects.exists() and not CaseMessage.objects.exists()


@pytest.mark.parametrize("persona", ["kepsek_indah", "guru_eka", "ortu_fajar", "pendamping_hadi"])
def test_roles_without_cases_get_403_on_the_lists(login, request, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 403
    assert client.get(OVERDUE).status_code == 403


@pytest.mark.parametrize(
    "persona",
    [
        "sosdesk_citra_sdn1",
        "peksos_budi",
        "psikolog_gita",
        "kepsek_indah",
        "guru_eka",
        "pendamping_hadi",
    ],
)
def test_only_the_koordinator_edits_deadlines(login, request, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(DEADLINES).status_code == 403
    assert client.post(DEADLINES, {"received_hours": 1}).status_code == 403
    assert StageDeadlines.current().received_hours == 24


def test_denied_attempts_are_audited(login, sosdesk_dedi_sdn2, case_a):
    login(sosdesk_dedi_sdn2).get(detail(case_a))
    denied = AuditEvent.objects.for_object(case_a).filter(action="case_access_denied")
    assert denied.count() == 1
    assert denied.get().actor == sosdesk_dedi_sdn2


# --- The list -------------------------------------------------------------------------------------


def codes(response) -> set[str]:
    return {c.code for c in response.context["page"].items}


@pytest.mark.parametrize("persona", ["sosdesk_citra_sdn1", "peksos_budi"])
def test_the_school_sees_its_own_cases(login, request, persona, case_a, case_b):
    response = login(request.getfixturevalue(persona)).get(LIST)
    assert response.status_code == 200
    assert codes(response) == {case_a.code}
    assert case_b.code not in response.content.decode()


def test_koordinator_sees_all_newest_first(login, koordinator_ani, case_a, case_b):
    Case.objects.filter(pk=case_a.pk).update(received_at=timezone.now() - timedelta(days=1))
    response = login(koordinator_ani).get(LIST)
    assert [c.code for c in response.context["page"].items] == [case_b.code, case_a.code]


def test_list_shows_the_clocks(login, koordinator_ani, case_a, sexual_case):
    Case.objects.filter(pk=case_a.pk).update(stage_due_at=timezone.now() - timedelta(hours=3))
    page = login(koordinator_ani).get(LIST).context["page"]
    clocks = {c.code: c.clocks for c in page.items}
    assert clocks[case_a.code].stage_overdue
    assert clocks[sexual_case.code].police_hours_left == 72


def test_list_filters(login, koordinator_ani, case_a, case_b, school_b):
    Case.objects.filter(pk=case_b.pk).update(status=Case.Status.CLOSED, urgency="darurat")
    client = login(koordinator_ani)
    assert codes(client.get(LIST, {"status": "terbuka"})) == {case_a.code}
    assert codes(client.get(LIST, {"status": "selesai"})) == {case_b.code}
    assert codes(client.get(LIST, {"urgency": "darurat"})) == {case_b.code}
    assert codes(client.get(LIST, {"urgency": "belum"})) == {case_a.code}
    assert codes(client.get(LIST, {"q": "sd negeri 2 metro pusat"})) == {case_b.code}
    assert codes(client.get(LIST, {"q": school_b.npsn})) == {case_b.code}
    assert codes(client.get(LIST, {"q": case_a.code.lower()})) == {case_a.code}


def test_bad_filters_and_cursors_are_no_500(login, koordinator_ani, case_a):
    client = login(koordinator_ani)
    response = client.get(LIST, {"status": "xyz", "urgency": "\x1f", "q": "x" * 500})
    assert response.status_code == 200
    assert response.context["form"].errors
    # NUL: 400 before the database (tests/core/test_nul_bytes.py)
    assert client.get(LIST, {"urgency": "\x00"}).status_code == 400
    now = str(timezone.now())
    cursors = ["%%%", "W10", encode(["not a date", "X"]), encode([now, "A\x00B"])]
    cursors += [encode([now, "\ud800"]), encode([now, 10**40]), "W" * 3000]
    cursors += [base64.urlsafe_b64encode(b"[" * 5000).decode()]
    log = action("case-access-log", case_a)
    for cursor in cursors:
        for url in [LIST, OVERDUE, log]:
            assert client.get(url, {"setelah": cursor}).status_code == 200
            assert client.get(url, {"sebelum": cursor}).status_code == 200
    assert client.get(log, {"setelah": encode([now, 10**40])}).status_code == 200


def encode(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


@pytest.mark.parametrize("code", ["%00", "abc%00", "x" * 300, "KODE-1", "%F0%9F%98%80"])
def test_odd_codes_are_404(login, koordinator_ani, code):
    client = login(koordinator_ani)
    assert client.get(f"/sosdesk/kasus/{code}/").status_code == 404
    assert client.post(f"/sosdesk/kasus/{code}/catatan/", {"body": "x"}).status_code == 404


def test_keyset_pages(login, koordinator_ani, school_a):
    for i in range(27):
        file(school_a, narrative=f"case {i}")
    client = login(koordinator_ani)
    first = client.get(LIST)
    assert len(first.context["page"].items) == 25
    second = client.get(first.context["next_url"])
    assert len(second.context["page"].items) == 2
    assert not codes(first) & codes(second)
    back = client.get(second.context["previous_url"])
    assert codes(back) == codes(first)


@pytest.mark.parametrize(
    # session, user, (OTP device for programme staff,) the page, the bell (and inbox) counts
    "persona,queries",
    [("koordinator_ani", 5), ("sosdesk_citra_sdn1", 4), ("psikolog_gita", 5)],
)
def test_list_query_count_is_constant(
    login,
    request,
    persona,
    queries,
    school_a,
    koordinator_ani,
    psikolog_gita,
    django_assert_num_queries,
):
    user = request.getfixturevalue(persona)
    client = login(user)

    def add(n):
        for _ in range(n):
            refer_to(file(school_a, forms=("seksual",)), psikolog_gita, koordinator_ani)

    add(3)
    client.get(LIST)
    with django_assert_num_queries(queries):
        assert len(client.get(LIST).context["page"].items) == 3
    add(27)
    with django_assert_num_queries(queries):
        assert len(client.get(LIST).context["page"].items) == 25


# --- Overdue board --------------------------------------------------------------------------------


def test_overdue_board_most_overdue_first(
    login, koordinator_ani, case_a, sexual_case, case_b, school_a
):
    now = timezone.now()
    Case.objects.filter(pk=case_a.pk).update(stage_due_at=now - timedelta(hours=2))
    Case.objects.filter(pk=sexual_case.pk).update(
        stage_due_at=now + timedelta(hours=5), police_due_at=now - timedelta(days=3)
    )
    on_time = file(school_a)
    closed = file(school_a)
    Case.objects.filter(pk=closed.pk).update(
        status=Case.Status.CLOSED, stage_due_at=now - timedelta(days=9)
    )
    response = login(koordinator_ani).get(OVERDUE)
    assert response.status_code == 200
    items = response.context["page"].items
    assert [c.code for c in items] == [sexual_case.code, case_a.code]
    assert items[0].overdue_days == 3
    html = response.content.decode()
    assert on_time.code not in html and closed.code not in html and case_b.code not in html


def test_overdue_board_is_scoped(login, sosdesk_dedi_sdn2, case_a, case_b):
    Case.objects.update(stage_due_at=timezone.now() - timedelta(hours=1))
    response = login(sosdesk_dedi_sdn2).get(OVERDUE)
    assert codes(response) == {case_b.code}


# --- Deadlines ------------------------------------------------------------------------------------


def test_koordinator_changes_deadlines(login, koordinator_ani):
    client = login(koordinator_ani)
    assert client.get(DEADLINES).status_code == 200
    data = {
        "received_hours": 12,
        "verifying_hours": 48,
        "handling_days": 10,
        "referred_days": 5,
        "police_hours": 48,
    }
    response = client.post(DEADLINES, data)
    assert response.status_code == 302
    deadlines = StageDeadlines.current()
    assert (deadlines.received_hours, deadlines.police_hours) == (12, 48)
    assert deadlines.updated_by == koordinator_ani
    assert AuditEvent.objects.for_object(deadlines).filter(action="stage_deadlines_updated").count()


@pytest.mark.parametrize(
    "bad",
    [
        {"received_hours": 0},
        {"police_hours": 96},  # UU TPKS: never longer than 3x24 hours
        {"handling_days": "abc"},
        {"referred_days": 10**12},
        {"verifying_hours": -5},
    ],
)
def test_bad_deadlines_are_form_errors(login, koordinator_ani, bad):
    data = {
        "received_hours": 24,
        "verifying_hours": 72,
        "handling_days": 14,
        "referred_days": 7,
        "police_hours": 72,
        **bad,
    }
    response = login(koordinator_ani).post(DEADLINES, data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert StageDeadlines.current().received_hours == 24


# --- The case page --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,sees_name",
    [
        ("sosdesk_citra_sdn1", True),
        ("koordinator_ani", True),
        ("peksos_budi", False),
        ("psikolog_gita", False),
    ],
)
def test_reporter_identity_only_for_desk_and_koordinator(
    login, request, persona, sees_name, case_a, koordinator_ani
):
    refer_to(case_a, request.getfixturevalue("psikolog_gita"), koordinator_ani)
    response = login(request.getfixturevalue(persona)).get(detail(case_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert NARRATIVE.split(":")[0] in html
    assert (REPORTER in html) is sees_name
    assert (REPORTER_PHONE in html) is sees_name
    if not sees_name:
        assert "Nama disembunyikan" in html or "Name hidden" in html


def test_each_view_writes_one_audit_row(login, peksos_budi, case_a):
    client = login(peksos_budi)
    client.get(detail(case_a))
    client.get(detail(case_a))
    views = AuditEvent.objects.for_object(case_a).filter(action="case_viewed")
    assert views.count() == 2
    assert {v.actor for v in views} == {peksos_budi}


def test_detail_shows_actions_to_handlers(login, sosdesk_citra_sdn1, sexual_case):
    response = login(sosdesk_citra_sdn1).get(detail(sexual_case))
    html = response.content.decode()
    for name in ["case-triage", "case-status", "case-note", "case-message", "case-refer"]:
        assert action(name, sexual_case) in html
    assert action("case-police", sexual_case) in html
    assert action("case-access-log", sexual_case) not in html  # Koordinators only


# --- Life cycle -----------------------------------------------------------------------------------


def test_full_life_cycle(login, peksos_budi, case_a):
    client = login(peksos_budi)
    steps = ["verifikasi", "ditangani", "dirujuk"]
    for to in steps:
        response = client.post(action("case-status", case_a), {"to": to})
        assert response.status_code == 302
        assert response["Location"] == detail(case_a)
    client.post(action("case-status", case_a), {"to": "selesai", "outcome": "rujukan_selesai"})
    case_a.refresh_from_db()
    assert case_a.status == Case.Status.CLOSED
    assert case_a.outcome == "rujukan_selesai" and case_a.closed_at
    events = list(case_a.events.filter(kind=CaseEvent.Kind.STATUS))
    assert [e.to_status for e in events] == [*steps, "selesai"]
    assert all(e.actor == peksos_budi for e in events)
    assert [e.from_status for e in events] == ["diterima", *steps]
    assert AuditEvent.objects.for_object(case_a).filter(action="case_status_selesai").count() == 1


def test_illegal_transition_is_refused_with_a_message(login, sosdesk_citra_sdn1, case_a):
    client = login(sosdesk_citra_sdn1)
    response = client.post(action("case-status", case_a), {"to": "dirujuk"}, follow=True)
    assert response.status_code == 200
    assert errors_of(response)
    case_a.refresh_from_db()
    assert case_a.status == Case.Status.RECEIVED
    assert not case_a.events.filter(kind=CaseEvent.Kind.STATUS).exists()


def test_closing_needs_an_outcome(login, sosdesk_citra_sdn1, case_a):
    response = login(sosdesk_citra_sdn1).post(action("case-status", case_a), {"to": "selesai"})
    assert response.status_code == 400
    assert response.context["status_form"].errors["outcome"]
    assert Case.objects.get(pk=case_a.pk).status == Case.Status.RECEIVED


@pytest.mark.parametrize(
    "name,data,form",
    [
        ("case-triage", {"urgency": "xyz"}, "triage_form"),
        ("case-triage", {"urgency": "", "violence": ["fisik"]}, "triage_form"),
        ("case-triage", {"urgency": "sedang", "violence": ["nope"]}, "triage_form"),
        ("case-status", {"to": "bogus"}, "status_form"),
        ("case-note", {"body": "   "}, "note_form"),
        ("case-note", {"body": "x" * 8001}, "note_form"),
        ("case-message", {"body": ""}, "message_form"),
        ("case-message", {"body": "x" * 4001}, "message_form"),
        ("case-refer", {"partner": "psikolog", "reason": "Why"}, "referral_form"),
        ("case-refer", {"partner": "mars", "reason": "Why"}, "referral_form"),
        ("case-refer", {"partner": "psikolog", "psikolog": "9999", "reason": "x"}, "referral_form"),
        ("case-police", {}, "police_form"),
        ("case-police", {"reference": "LP/1", "reason": "Both"}, "police_form"),
    ],
)
def test_bad_input_is_a_form_error(login, sosdesk_citra_sdn1, sexual_case, name, data, form):
    response = login(sosdesk_citra_sdn1).post(action(name, sexual_case), data)
    assert response.status_code == 400
    assert response.context[form].errors
    assert not Referral.objects.exists() and not CaseNote.objects.exists()


def test_a_non_psychologist_cannot_be_chosen(login, sosdesk_citra_sdn1, peksos_budi, case_a):
    data = {"partner": "psikolog", "psikolog": peksos_budi.pk, "reason": "x"}
    response = login(sosdesk_citra_sdn1).post(action("case-refer", case_a), data)
    assert response.status_code == 400
    assert not Referral.objects.exists()


# --- Triage and alerts ----------------------------------------------------------------------------


def test_triage_to_emergency_alerts_the_desk_without_details(
    login,
    sosdesk_citra_sdn1,
    peksos_budi,
    koordinator_ani,
    sosdesk_dedi_sdn2,
    school_a,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        case = file(school_a)
    mail.outbox.clear()
    client = login(sosdesk_citra_sdn1)
    data = {"urgency": "darurat", "violence": ["fisik", "perundungan"], "modalities": ["verbal"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action("case-triage", case), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.urgency == "darurat" and case.forms == ["fisik", "perundungan"]
    event = case.events.get(kind=CaseEvent.Kind.TRIAGE)
    assert event.actor == sosdesk_citra_sdn1
    recipients = {address for m in mail.outbox for address in m.to}
    assert {sosdesk_citra_sdn1.email, peksos_budi.email, koordinator_ani.email} <= recipients
    assert sosdesk_dedi_sdn2.email not in recipients
    for message in mail.outbox:
        text = message.subject + message.body
        assert "CANARY" not in text and "corridor" not in text


def test_triage_as_sexual_violence_starts_the_police_clock(login, peksos_budi, case_a):
    data = {"urgency": "tinggi", "violence": ["seksual"], "modalities": ["fisik"]}
    login(peksos_budi).post(action("case-triage", case_a), data)
    case_a.refresh_from_db()
    assert case_a.police_due_at and not case_a.police_clock_closed_at


# --- The police clock (UU TPKS Pasal 41) ----------------------------------------------------------


def close(client, case):
    return client.post(
        action("case-status", case), {"to": "selesai", "outcome": "ditangani"}, follow=True
    )


def test_sexual_violence_cannot_close_before_the_police_report(
    login, sosdesk_citra_sdn1, sexual_case
):
    client = login(sosdesk_citra_sdn1)
    response = close(client, sexual_case)
    assert errors_of(response)
    assert Case.objects.get(pk=sexual_case.pk).is_open
    client.post(action("case-police", sexual_case), {"reference": "  LP/B/77/VI/2025  "})
    sexual_case.refresh_from_db()
    assert sexual_case.police_report_ref == "LP/B/77/VI/2025"
    assert sexual_case.police_clock_closed_at
    assert sexual_case.events.filter(kind=CaseEvent.Kind.POLICE, actor=sosdesk_citra_sdn1)
    close(client, sexual_case)
    assert Case.objects.get(pk=sexual_case.pk).status == Case.Status.CLOSED


def test_an_officers_reason_waits_for_the_koordinator(
    login, client, sosdesk_citra_sdn1, koordinator_ani, sexual_case
):
    login(sosdesk_citra_sdn1)
    reason = "The family reported to Polres themselves."
    response = client.post(action("case-police", sexual_case), {"reason": reason}, follow=True)
    assert messages_of(response)
    sexual_case.refresh_from_db()
    assert sexual_case.police_exemption_reason == reason
    assert sexual_case.police_exemption_approved_by is None
    assert sexual_case.police_clock_closed_at is None
    assert "Approve" not in response.content.decode() and "Setujui" not in response.content.decode()
    assert close(client, sexual_case).status_code == 200
    assert Case.objects.get(pk=sexual_case.pk).is_open

    client.logout()
    login(koordinator_ani)
    page = client.get(detail(sexual_case))
    assert page.context["can_approve"]
    client.post(action("case-police", sexual_case), {"reason": reason})
    sexual_case.refresh_from_db()
    assert sexual_case.police_exemption_approved_by == koordinator_ani
    assert sexual_case.police_clock_closed_at

    # Once approved, an officer cannot swap in another reason.
    client.logout()
    login(sosdesk_citra_sdn1)
    response = client.post(action("case-police", sexual_case), {"reason": "Other"}, follow=True)
    assert errors_of(response)
    assert Case.objects.get(pk=sexual_case.pk).police_exemption_reason == reason
    close(client, sexual_case)
    assert Case.objects.get(pk=sexual_case.pk).status == Case.Status.CLOSED


def test_a_koordinators_reason_is_approved_at_once(login, koordinator_ani, sexual_case):
    login(koordinator_ani).post(action("case-police", sexual_case), {"reason": "Child's safety."})
    sexual_case.refresh_from_db()
    assert sexual_case.police_exemption_approved_by == koordinator_ani


def test_no_reason_on_a_case_without_police_clock(login, sosdesk_citra_sdn1, case_a):
    client = login(sosdesk_citra_sdn1)
    response = client.post(action("case-police", case_a), {"reason": "x"}, follow=True)
    assert response.status_code == 200 and errors_of(response)
    assert Case.objects.get(pk=case_a.pk).police_exemption_reason == ""


# --- Notes and messages ---------------------------------------------------------------------------


def test_notes_and_messages_are_separate(login, peksos_budi, sosdesk_citra_sdn1, case_a):
    client = login(peksos_budi)
    assert client.post(action("case-note", case_a), {"body": "NOTE-INTERNAL"}).status_code == 302
    client.post(action("case-message", case_a), {"body": "MESSAGE-TO-REPORTER"})
    note = CaseNote.objects.get()
    message = CaseMessage.objects.get()
    assert note.author == peksos_budi and note.body == "NOTE-INTERNAL"
    assert message.author == peksos_budi and not message.from_reporter
    html = login(sosdesk_citra_sdn1).get(detail(case_a)).content.decode()
    assert "NOTE-INTERNAL" in html and "MESSAGE-TO-REPORTER" in html
    actions = set(AuditEvent.objects.for_object(case_a).values_list("action", flat=True))
    assert {"case_note_added", "case_message_sent"} <= actions


def test_the_same_message_or_note_sent_twice_is_saved_once(
    login, peksos_budi, sosdesk_citra_sdn1, case_a
):
    page = login(peksos_budi).get(detail(case_a)).content.decode()
    keys = re.findall(r'name="idempotency_key" value="([^"]+)"', page)
    assert len(keys) >= 2 and len(set(keys)) == len(keys)  # each create form has its own key
    client = login(peksos_budi)
    message = {"body": "MESSAGE-ONCE", "idempotency_key": "k" * 32}
    note = {"body": "NOTE-ONCE", "idempotency_key": "n" * 32}
    for _ in range(2):
        assert client.post(action("case-message", case_a), message).status_code == 302
        assert client.post(action("case-note", case_a), note).status_code == 302
    assert list(CaseMessage.objects.values_list("body", flat=True)) == ["MESSAGE-ONCE"]
    assert list(CaseNote.objects.values_list("body", flat=True)) == ["NOTE-ONCE"]
    sent = AuditEvent.objects.for_object(case_a).filter(action="case_message_sent")
    assert sent.count() == 1
    # The same key from another officer's form is not their message: a plain refusal.
    other = login(sosdesk_citra_sdn1).post(action("case-message", case_a), message, follow=True)
    assert "Silakan kirim formulir sekali lagi" in unescape(other.content.decode())
    assert CaseMessage.objects.count() == 1
    assert login(sosdesk_citra_sdn1).post(action("case-note", case_a), note).status_code == 400
    assert CaseNote.objects.count() == 1


# --- Referrals and the psychologist ---------------------------------------------------------------


def test_referral_to_psikolog_opens_the_case_to_her(
    login, client, sosdesk_citra_sdn1, psikolog_gita, case_a
):
    login(psikolog_gita)
    assert client.get(detail(case_a)).status_code == 404
    assert codes(client.get(LIST)) == set()
    client.logout()

    login(sosdesk_citra_sdn1)
    client.post(action("case-note", case_a), {"body": "NOTE-INTERNAL"})
    client.post(action("case-message", case_a), {"body": "MESSAGE-TO-REPORTER"})
    client.post(action("case-status", case_a), {"to": "verifikasi"})
    data = {"partner": "psikolog", "psikolog": psikolog_gita.pk, "reason": "Trauma counselling."}
    response = client.post(action("case-refer", case_a), data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.psikolog == psikolog_gita and referral.created_by == sosdesk_citra_sdn1
    assert Case.objects.get(pk=case_a.pk).status == Case.Status.REFERRED
    client.logout()

    login(psikolog_gita)
    response = client.get(detail(case_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Trauma counselling." in html and respond(referral) in html
    assert "NOTE-INTERNAL" not in html and "MESSAGE-TO-REPORTER" not in html
    assert codes(client.get(LIST)) == {case_a.code}
    for name, data in ACTIONS.items():
        assert client.post(action(name, case_a), data).status_code == 403, name
    assert client.get(action("case-access-log", case_a)).status_code == 403

    response = client.post(respond(referral), {"state": "diterima", "note": "Session Monday."})
    assert response.status_code == 302 and response["Location"] == detail(case_a)
    client.post(respond(referral), {"state": "selesai", "note": "Four sessions held."})
    referral.refresh_from_db()
    assert referral.state == Referral.State.DONE
    assert referral.response_note == "Four sessions held."
    events = case_a.events.filter(kind=CaseEvent.Kind.REFERRAL, actor=psikolog_gita)
    assert events.count() == 2


def test_psikolog_declines_with_a_reason(login, psikolog_gita, koordinator_ani, case_a):
    referral = refer_to(case_a, psikolog_gita, koordinator_ani)
    client = login(psikolog_gita)
    response = client.post(respond(referral), {"state": "ditolak"}, follow=True)
    assert errors_of(response)
    assert Referral.objects.get().state == Referral.State.SENT
    client.post(respond(referral), {"state": "ditolak", "note": "No free slot this month."})
    assert Referral.objects.get().state == Referral.State.DECLINED
    # A declined referral is final: a later answer is refused with a message.
    response = client.post(respond(referral), {"state": "selesai"}, follow=True)
    assert errors_of(response)
    assert Referral.objects.get().state == Referral.State.DECLINED


def test_bad_referral_answers(login, psikolog_gita, koordinator_ani, case_a):
    referral = refer_to(case_a, psikolog_gita, koordinator_ani)
    client = login(psikolog_gita)
    for data in [{}, {"state": "bogus"}, {"state": "diterima", "note": "x" * 2001}]:
        response = client.post(respond(referral), data, follow=True)
        assert response.status_code == 200 and errors_of(response)
    response = client.post(respond(referral), {"state": "selesai"}, follow=True)  # not accepted
    assert errors_of(response)
    assert Referral.objects.get().state == Referral.State.SENT


def test_handler_records_a_partners_answer(login, peksos_budi, case_a):
    referral = case_refer(
        case=case_a, partner="uptd_ppa", reason="Legal aid.", psikolog=None, by=peksos_budi
    )
    login(peksos_budi).post(respond(referral), {"state": "diterima", "note": "By phone."})
    assert Referral.objects.get().state == Referral.State.ACCEPTED


@pytest.mark.parametrize(
    "persona", ["sosdesk_dedi_sdn2", "peksos_joko_sdn2", "kepsek_indah", "guru_eka"]
)
def test_outsiders_cannot_answer_a_referral(
    login, request, persona, psikolog_gita, koordinator_ani, case_a
):
    referral = refer_to(case_a, psikolog_gita, koordinator_ani)
    client = login(request.getfixturevalue(persona))
    assert client.post(respond(referral), {"state": "diterima"}).status_code == 404
    assert Referral.objects.get().state == Referral.State.SENT


def test_another_psychologists_referral_is_hidden(
    login, psikolog_gita, koordinator_ani, case_a, db
):
    from tests.factories import make_user

    other = make_user("psikolog_rina", "psikolog")
    refer_to(case_a, psikolog_gita, koordinator_ani)
    theirs = refer_to(case_a, other, koordinator_ani)
    client = login(psikolog_gita)
    html = client.get(detail(case_a)).content.decode()
    assert respond(theirs) not in html
    assert client.post(respond(theirs), {"state": "diterima"}).status_code == 404
    assert Referral.objects.get(pk=theirs.pk).state == Referral.State.SENT


def test_referral_anonymous_and_unknown(client, psikolog_gita, koordinator_ani, case_a, login):
    referral = refer_to(case_a, psikolog_gita, koordinator_ani)
    response = client.post(respond(referral), {"state": "diterima"})
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    unknown = reverse("sosdesk:referral-respond", args=["00000000-0000-0000-0000-000000000000"])
    assert login(koordinator_ani).post(unknown, {"state": "diterima"}).status_code == 404


def test_a_closed_case_cannot_be_referred(login, sosdesk_citra_sdn1, case_a):
    client = login(sosdesk_citra_sdn1)
    close(client, case_a)
    response = client.post(action("case-refer", case_a), ACTIONS["case-refer"], follow=True)
    assert errors_of(response)
    assert not Referral.objects.exists()


# --- Access log -----------------------------------------------------------------------------------


def test_access_log_lists_who_looked(
    login, client, koordinator_ani, peksos_budi, sosdesk_citra_sdn1, case_a
):
    login(peksos_budi)
    client.get(detail(case_a))
    client.logout()
    login(sosdesk_citra_sdn1)
    client.post(action("case-note", case_a), {"body": "x"})
    assert client.get(action("case-access-log", case_a)).status_code == 403
    client.logout()
    login(koordinator_ani)
    response = client.get(action("case-access-log", case_a))
    assert response.status_code == 200
    events = response.context["page"].items
    actions = [(e.actor, e.action) for e in events]
    assert (peksos_budi, "case_viewed") in actions
    assert (sosdesk_citra_sdn1, "case_note_added") in actions
    assert (sosdesk_citra_sdn1, "case_access_denied") in actions
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)
    html = response.content.decode()
    assert "Budi" in html and "Citra" in html


def test_access_log_for_peksos_is_403(login, peksos_budi, case_a):
    assert login(peksos_budi).get(action("case-access-log", case_a)).status_code == 403


def test_access_log_bad_cursor(login, koordinator_ani, case_a):
    response = login(koordinator_ani).get(action("case-access-log", case_a), {"setelah": "@@"})
    assert response.status_code == 200


# --- Stored XSS (docs/quality.md S7) -------------------------------------------------------


class Executables(HTMLParser):
    """Scripts not served by the app, event handler attributes, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.found += [f"<{tag} {name}>" for name, _value in attrs if name.startswith("on")]
        for name in ("href", "src", "action", "formaction"):
            target = re.sub(r"[\s\x00-\x1f]", "", unescape(values.get(name) or "")).lower()
            if target.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.found.append(f"<{tag} {name}>")
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.found.append("<script>")
        if tag in {"iframe", "object", "embed", "svg", "math", "base"}:
            self.found.append(f"<{tag}>")


def test_payloads_in_every_text_field_are_shown_escaped(
    login, koordinator_ani, school_a, psikolog_gita
):
    payloads = [line for line in XSS_SAMPLE.read_text().splitlines() if len(line.strip()) >= 10]
    assert payloads
    for payload in payloads[:30]:
        case = file(school_a, forms=("seksual",), narrative=payload)
        # The columns hold 150 characters (PostgreSQL refuses more; the forms cut there too).
        Case.objects.filter(pk=case.pk).update(
            reporter_name=payload[:150], reporter_contact=payload[:150]
        )
        client = login(koordinator_ani)
        client.post(action("case-note", case), {"body": payload})
        client.post(action("case-message", case), {"body": payload})
        data = {"partner": "psikolog", "psikolog": psikolog_gita.pk, "reason": payload}
        client.post(action("case-refer", case), data)
        # An officer's reason waiting for approval is echoed in the approve form's hidden field.
        Case.objects.filter(pk=case.pk).update(police_exemption_reason=payload)
        html = client.get(detail(case)).content.decode()
        assert 'name="reason" value="' in html
        finder = Executables()
        finder.feed(html)
        assert finder.found == [], (payload, finder.found)
