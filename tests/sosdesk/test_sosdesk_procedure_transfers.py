"""The PPKSP procedure of a case (issue 19): transfers, documents, closure and key rotation."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from peksos.core.models import AuditEvent
from sosdesk.models import CaseEvent
from sosdesk.procedure import handover
from tests.factories import (
    PARTY_CANARY,
    add_party,
    approved_conclusion,
    filed_case,
    held_interview,
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


# --- Transfers --------------------------------------------------------------------------------


def test_move_to_another_school(
    login, sosdesk_citra_sdn1, sosdesk_dedi_sdn2, case, school_b, mailoutbox
):
    client = login(sosdesk_citra_sdn1)
    response = client.post(url("case-move", case), {"npsn": "99999999", "reason": "pindah"})
    assert response.status_code == 400
    response = client.post(
        url("case-move", case), {"npsn": school_b.npsn, "reason": "murid pindah sekolah"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("sosdesk:case-list")
    case.refresh_from_db()
    assert case.school == school_b
    assert case.handovers.get().from_school.npsn != school_b.npsn
    assert client.get(page(case)).status_code == 404
    assert login(sosdesk_dedi_sdn2).get(page(case)).status_code == 200
    assert AuditEvent.objects.filter(action="case_moved_school").exists()
    assert case.events.filter(kind=CaseEvent.Kind.HANDOVER).exists()


def test_koordinator_gives_the_case_to_a_peksos_of_the_school(
    login, koordinator_ani, peksos_budi, peksos_joko_sdn2, case
):
    client = login(koordinator_ani)
    refused = client.post(url("case-assign", case), {"peksos": peksos_joko_sdn2.pk, "reason": "x"})
    assert refused.status_code == 400
    assert (
        client.post(
            url("case-assign", case), {"peksos": peksos_budi.pk, "reason": "beban"}
        ).status_code
        == 302
    )
    assert handover.current_peksos(case) == peksos_budi
    assert AuditEvent.objects.filter(action="case_peksos_assigned").exists()


# --- Documents --------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_examination_report_pdf_masks_names(
    login, koordinator_ani, sosdesk_citra_sdn1, case, party, django_capture_on_commit_callbacks
):
    held_interview(case, party, sosdesk_citra_sdn1, summary="Korban menceritakan kejadian.")
    approved_conclusion(case, koordinator_ani)
    client = login(sosdesk_citra_sdn1)
    assert client.post(url("document-request", case), {"kind": "nope"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("document-request", case), {"kind": "lhp"})
    assert response.status_code == 302
    document = case.documents.get()
    document.refresh_from_db()
    assert document.state == "selesai", document.error
    with document.file.open("rb") as handle:
        assert not handle.read().startswith(b"%PDF")  # encrypted at rest
    download = client.get(url("document-download", case, document.pk))
    assert download.status_code == 200
    text = pdf_text(b"".join(download.streaming_content))
    assert "LAPORAN HASIL PEMERIKSAAN" in text.upper()
    assert "Korban 1" in text and "Korban menceritakan kejadian." in text
    assert PARTY_CANARY not in text and "CANARY" not in text
    assert (
        login(koordinator_ani).get(url("document-download", case, document.pk)).status_code == 200
    )


def test_recommendation_needs_an_approved_conclusion(login, sosdesk_citra_sdn1, case):
    client = login(sosdesk_citra_sdn1)
    response = client.post(url("document-request", case), {"kind": "rekomendasi"})
    assert response.status_code == 400
    assert not case.documents.exists()


def test_closed_case_takes_no_more_steps(login, sosdesk_citra_sdn1, case):
    from sosdesk import services

    services.case_transition(case=case, to="selesai", outcome="duplikat", by=sosdesk_citra_sdn1)
    client = login(sosdesk_citra_sdn1)
    response = client.post(
        url("task-add", case), {"kind": "konseling", "owner": "BK", "due_on": TODAY().isoformat()}
    )
    assert response.status_code == 400
    assert "ditutup" in response.content.decode() or "selesai" in response.content.decode()


def test_key_rotation_covers_parties_and_summaries(settings, sosdesk_citra_sdn1, case, party):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    held_interview(case, party, sosdesk_citra_sdn1, summary="Ringkasan rahasia")
    new = Fernet.generate_key().decode()
    settings.MONITORING_ENCRYPTION_KEYS = [new, *settings.MONITORING_ENCRYPTION_KEYS]
    call_command("rotate_monitoring_keys")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sosdesk_caseparty")
        token = cursor.fetchone()[0]
        cursor.execute("SELECT summary FROM sosdesk_interview")
        summary = cursor.fetchone()[0]
    assert Fernet(new.encode()).decrypt(token.encode()).decode() == PARTY_CANARY
    assert Fernet(new.encode()).decrypt(summary.encode()).decode() == "Ringkasan rahasia"


# --- The monitoring section (registered by monitoring, sosdesk/procedure/sections.py) --------


def test_procedure_page_shows_the_linked_monitoring_record(
    login, peksos_budi, sosdesk_citra_sdn1, case, school_a
):
    from tests.factories import CANARY, open_record

    record = open_record(school_a, peksos_budi, case=case)
    body = login(peksos_budi).get(page(case)).content.decode()
    assert record.code in body and "belum ada rencana dukungan" in body
    assert CANARY not in body  # never the child's name
    # The desk officer may not see monitoring records: the section says so, without the code.
    body = login(sosdesk_citra_sdn1).get(page(case)).content.decode()
    assert record.code not in body
