"""The PPKSP procedure of a case (issue 19): parties, examination, conclusion, follow-up,
recovery, step clocks, transfers and documents, through the client and the services."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from peksos.core.models import AuditEvent
from sosdesk.models import CaseEvent, StageDeadlines
from sosdesk.procedure import clocks
from sosdesk.procedure.models import CaseParty, Conclusion, Decision, Evidence, RecoveryTask
from tests.factories import (
    PARTY_CANARY,
    add_party,
    approved_conclusion,
    filed_case,
    held_interview,
    make_chair,
)

TODAY = timezone.localdate


@pytest.fixture
def case(school_a, sosdesk_citra_sdn1):
    return filed_case(school_a)


@pytest.fixture
def party(case, sosdesk_citra_sdn1):
    return add_party(case, sosdesk_citra_sdn1)


def url(name: str, case, *args) -> str:
    return reverse(f"sosdesk:{name}", args=[case.code, *args])


def page(case) -> str:
    return url("case-procedure", case)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Access -----------------------------------------------------------------------------------

POSTS = [
    "party-add",
    "interview-plan",
    "evidence-add",
    "conclusion-save",
    "conclusion-approve",
    "decision-add",
    "task-add",
    "case-move",
    "case-assign",
    "document-request",
]


def test_anonymous_goes_to_login(client, case):
    login_url = reverse("accounts:login")
    assert client.get(page(case))["Location"].startswith(login_url)
    for name in POSTS:
        response = client.post(url(name, case))
        assert response.status_code == 302 and response["Location"].startswith(login_url), name


@pytest.mark.parametrize(
    "persona", ["sosdesk_dedi_sdn2", "peksos_joko_sdn2", "kepsek_indah", "guru_eka"]
)
def test_other_school_and_outsiders_get_404(login, request, persona, case, party):
    client = login(request.getfixturevalue(persona))
    assert client.get(page(case)).status_code == 404
    for name in POSTS:
        assert client.post(url(name, case)).status_code == 404, name
    assert client.post(url("party-reveal", case, party.pk), {"reason": "x"}).status_code == 404
    assert AuditEvent.objects.filter(action="case_access_denied").exists()


def test_referred_psychologist_gets_403(login, psikolog_gita, case, sosdesk_citra_sdn1):
    from sosdesk import services

    services.case_refer(
        case=case, partner="psikolog", reason="r", psikolog=psikolog_gita, by=sosdesk_citra_sdn1
    )
    client = login(psikolog_gita)
    assert client.get(reverse("sosdesk:case-detail", args=[case.code])).status_code == 200
    assert client.get(page(case)).status_code == 403
    assert client.post(url("party-add", case)).status_code == 403


def test_wrong_methods(login, sosdesk_citra_sdn1, case):
    client = login(sosdesk_citra_sdn1)
    assert client.post(page(case)).status_code == 405
    for name in POSTS:
        assert client.get(url(name, case)).status_code == 405, name


def test_only_the_koordinator_gives_a_case_to_another_peksos(
    login, sosdesk_citra_sdn1, peksos_budi, case
):
    client = login(sosdesk_citra_sdn1)
    data = {"assign-peksos": peksos_budi.pk, "reason": "beban kerja"}
    assert client.post(url("case-assign", case), data).status_code == 403


@pytest.mark.parametrize("persona", ["koordinator_ani", "peksos_budi", "sosdesk_citra_sdn1"])
def test_handlers_see_the_page_and_the_case_page_summary(login, request, persona, case, party):
    client = login(request.getfixturevalue(persona))
    response = client.get(page(case))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Korban 1" in body
    assert PARTY_CANARY not in body  # masked by default
    detail = client.get(reverse("sosdesk:case-detail", args=[case.code])).content.decode()
    assert reverse("sosdesk:case-procedure", args=[case.code]) in detail


def test_page_query_count_does_not_grow(login, sosdesk_citra_sdn1, case):
    from django.test.utils import CaptureQueriesContext

    client = login(sosdesk_citra_sdn1)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page(case)).status_code == 200
        return len(queries)

    first = add_party(case, sosdesk_citra_sdn1)
    held_interview(case, first, sosdesk_citra_sdn1)
    RecoveryTask.objects.create(
        case=case, kind="medis", owner="Puskesmas", due_on=TODAY(), created_by=sosdesk_citra_sdn1
    )
    count()  # the first request also creates the deadlines' row and fills caches
    one = count()
    for i in range(5):
        party = add_party(case, sosdesk_citra_sdn1, name=f"Anak {i}")
        held_interview(case, party, sosdesk_citra_sdn1)
        RecoveryTask.objects.create(
            case=case, kind="hukum", owner="LBH", due_on=TODAY(), created_by=sosdesk_citra_sdn1
        )
    assert count() == one
    assert one <= 40


# --- Parties ----------------------------------------------------------------------------------


def test_party_add_encrypts_the_name(login, sosdesk_citra_sdn1, case):
    client = login(sosdesk_citra_sdn1)
    data = {
        "role": "terlapor",
        "category": "pendidik",
        "sex": "L",
        "age_band": "25-44",
        "relation": "wali kelas",
        "name": PARTY_CANARY,
        "contact": "0812",
    }
    response = client.post(url("party-add", case), data)
    assert response.status_code == 302
    party = CaseParty.objects.get(case=case)
    assert party.name == PARTY_CANARY and party.role == "terlapor"
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, contact FROM sosdesk_caseparty")
        raw = cursor.fetchone()
    assert PARTY_CANARY not in raw[0] and "0812" not in raw[1]
    assert AuditEvent.objects.filter(action="case_party_added").count() == 1


def test_party_add_bad_input_keeps_what_was_typed(login, sosdesk_citra_sdn1, case):
    client = login(sosdesk_citra_sdn1)
    response = client.post(
        url("party-add", case), {"role": "korban", "name": "", "relation": "kelas 8B"}
    )
    assert response.status_code == 400
    assert "kelas 8B" in response.content.decode()
    assert "Bidang ini tidak boleh kosong." in response.content.decode()
    assert not CaseParty.objects.exists()


def test_party_add_twice_with_the_same_key_adds_one(login, sosdesk_citra_sdn1, case):
    client = login(sosdesk_citra_sdn1)
    data = {"idempotency_key": "k" * 24, "role": "saksi", "category": "peserta_didik", "name": "A"}
    client.post(url("party-add", case), data)
    client.post(url("party-add", case), data)
    assert CaseParty.objects.count() == 1


def test_reveal_needs_a_reason_and_is_recorded(login, sosdesk_citra_sdn1, case, party):
    client = login(sosdesk_citra_sdn1)
    target = url("party-reveal", case, party.pk)
    refused = client.post(target, {"reason": ""})
    assert refused.status_code == 400 and PARTY_CANARY not in refused.content.decode()
    assert client.get(target).status_code == 405
    response = client.post(target, {"reason": "menghubungi orang tua"})
    assert response.status_code == 200
    assert PARTY_CANARY in response.content.decode()
    assert AuditEvent.objects.filter(action="case_party_revealed").count() == 1
    event = case.events.filter(kind=CaseEvent.Kind.PROCEDURE).last()
    assert "menghubungi orang tua" in event.detail and PARTY_CANARY not in event.detail


def test_reveal_of_another_case_party_is_404(login, sosdesk_citra_sdn1, case, school_a):
    other = filed_case(school_a)
    foreign = add_party(other, sosdesk_citra_sdn1)
    client = login(sosdesk_citra_sdn1)
    assert client.post(url("party-reveal", case, foreign.pk), {"reason": "x"}).status_code == 404


# --- Examination ------------------------------------------------------------------------------


def test_interview_planned_then_held(login, sosdesk_citra_sdn1, case, party):
    client = login(sosdesk_citra_sdn1)
    when = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url("interview-plan", case),
        {"party": party.pk, "planned_at": when, "interviewers": "Ibu Wati"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    interview = case.interviews.get()
    response = client.post(
        url("interview-held", case, interview.pk), {"held_at": when, "summary": "Ringkasan"}
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.held_at and interview.summary == "Ringkasan"


def test_interview_in_the_future_is_refused(login, sosdesk_citra_sdn1, case, party):
    client = login(sosdesk_citra_sdn1)
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        url("interview-plan", case), {"party": party.pk, "planned_at": later, "interviewers": "Tim"}
    )
    interview = case.interviews.get()
    response = client.post(
        url("interview-held", case, interview.pk), {"held_at": later, "summary": "Ringkasan X"}
    )
    assert response.status_code == 400
    assert "Ringkasan X" in response.content.decode()


def test_interview_needs_a_party_of_this_case(login, sosdesk_citra_sdn1, case, school_a):
    other = add_party(filed_case(school_a), sosdesk_citra_sdn1)
    client = login(sosdesk_citra_sdn1)
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url("interview-plan", case), {"party": other.pk, "planned_at": when, "interviewers": "T"}
    )
    assert response.status_code == 400
    assert not case.interviews.exists()


def test_evidence_upload_goes_through_the_gate(login, sosdesk_citra_sdn1, case):
    client = login(sosdesk_citra_sdn1)
    pdf = SimpleUploadedFile(
        "bukti.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf"
    )
    data = {"description": "Tangkapan layar", "received_on": TODAY().isoformat(), "file": pdf}
    assert client.post(url("evidence-add", case), data).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.content_type == "application/pdf" and evidence.file.name.startswith("sosdesk/")
    download = client.get(url("evidence-file", case, evidence.pk))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    bad = SimpleUploadedFile("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
    response = client.post(
        url("evidence-add", case), {**data, "file": bad, "description": "Gambar"}
    )
    assert response.status_code == 400 and "SVG" in response.content.decode()
    assert Evidence.objects.count() == 1


# --- Conclusion -------------------------------------------------------------------------------

CONCLUSION = {
    "finding": "terbukti",
    "sanction_level": "sedang",
    "sanction": "Teguran tertulis",
    "victim_recovery": "Konseling",
    "continued_schooling": "Tetap bersekolah",
    "reasoning": "Saksi menguatkan",
}


def test_conclusion_needs_a_held_interview(login, sosdesk_citra_sdn1, case, party):
    client = login(sosdesk_citra_sdn1)
    response = client.post(url("conclusion-save", case), CONCLUSION)
    assert response.status_code == 400
    assert "wawancara" in response.content.decode().lower()
    assert not Conclusion.objects.exists()


def test_proven_needs_a_sanction_level(login, sosdesk_citra_sdn1, case, party):
    held_interview(case, party, sosdesk_citra_sdn1)
    client = login(sosdesk_citra_sdn1)
    response = client.post(url("conclusion-save", case), {**CONCLUSION, "sanction_level": ""})
    assert response.status_code == 400
    assert not Conclusion.objects.exists()


def test_only_the_chair_approves(login, sosdesk_citra_sdn1, peksos_budi, case, party, school_a):
    held_interview(case, party, sosdesk_citra_sdn1)
    client = login(peksos_budi)
    assert client.post(url("conclusion-save", case), CONCLUSION).status_code == 302
    assert client.post(url("conclusion-approve", case)).status_code == 403
    make_chair(school_a, sosdesk_citra_sdn1)
    client = login(sosdesk_citra_sdn1)
    assert client.post(url("conclusion-approve", case)).status_code == 302
    conclusion = Conclusion.objects.get()
    assert conclusion.is_approved and "Ibu Ketua" in conclusion.approved_as
    # Locked once approved.
    response = client.post(
        url("conclusion-save", case), {**CONCLUSION, "finding": "tidak_terbukti"}
    )
    assert response.status_code == 400
    assert Conclusion.objects.get().finding == "terbukti"


# --- Follow-up and recovery -------------------------------------------------------------------


def test_decision_only_after_approval_then_executed(
    login, koordinator_ani, sosdesk_citra_sdn1, case, party
):
    client = login(sosdesk_citra_sdn1)
    data = {
        "authority": "kepala_sekolah",
        "decided_by_name": "Kepala SD",
        "decision": "Skorsing 3 hari",
        "decided_on": TODAY().isoformat(),
        "decree_number": "421/12/SD/2026",
    }
    response = client.post(url("decision-add", case), data)
    assert response.status_code == 400 and not Decision.objects.exists()
    held_interview(case, party, sosdesk_citra_sdn1)
    approved_conclusion(case, koordinator_ani)
    assert client.post(url("decision-add", case), data).status_code == 302
    decision = Decision.objects.get()
    assert decision.decree_number == "421/12/SD/2026"
    future = (TODAY() + timedelta(days=2)).isoformat()
    target = url("decision-executed", case, decision.pk)
    assert client.post(target, {"executed_on": future, "note": "x"}).status_code == 400
    assert (
        client.post(
            target, {"executed_on": TODAY().isoformat(), "note": "Dilaksanakan"}
        ).status_code
        == 302
    )
    decision.refresh_from_db()
    assert decision.executed_on == TODAY()


def test_recovery_from_the_day_of_receipt(login, sosdesk_citra_sdn1, case):
    client = login(sosdesk_citra_sdn1)
    data = {"kind": "konseling", "owner": "Guru BK", "due_on": TODAY().isoformat()}
    assert client.post(url("task-add", case), data).status_code == 302
    task = RecoveryTask.objects.get()
    assert client.post(url("task-add", case), {"kind": "", "owner": "X"}).status_code == 400
    target = url("task-done", case, task.pk)
    assert (
        client.post(target, {"done_on": TODAY().isoformat(), "note": "Sesi pertama"}).status_code
        == 302
    )
    task.refresh_from_db()
    assert task.done_on == TODAY()
    assert client.post(target, {"done_on": TODAY().isoformat()}).status_code == 400


# --- Clocks -----------------------------------------------------------------------------------


def test_step_clocks_and_overdue_board(
    login, sosdesk_citra_sdn1, case, school_b, django_assert_max_num_queries
):
    deadlines = StageDeadlines.current()
    late = timezone.now() - timedelta(days=deadlines.examination_days + 1)
    type(case).objects.filter(pk=case.pk).update(received_at=late)
    RecoveryTask.objects.create(
        case=case,
        kind="medis",
        owner="Puskesmas",
        due_on=TODAY() - timedelta(days=3),
        created_by=sosdesk_citra_sdn1,
    )
    hidden = filed_case(school_b)
    type(hidden).objects.filter(pk=hidden.pk).update(received_at=late)
    client = login(sosdesk_citra_sdn1)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("sosdesk:case-overdue"))
    rows = response.context["procedure_overdue"]
    assert {(r.case.code, str(r.step)) for r in rows} == {
        (case.code, "Pemeriksaan disimpulkan"),
        (case.code, "perawatan medis"),
    } or {r.case.code for r in rows} == {case.code}
    assert hidden.code not in response.content.decode()
    case.refresh_from_db()
    steps = clocks.case_clocks(case, None, [], list(case.recovery_tasks.all()))
    assert steps[0].overdue and steps[1].overdue


def test_police_clock_unchanged(sosdesk_citra_sdn1, school_a):
    sexual = filed_case(school_a, forms=("seksual",))
    hours = (sexual.police_due_at - sexual.received_at).total_seconds() / 3600
    assert hours == StageDeadlines.current().police_hours == 72
