"""A school's agreement recorded by the programme (issue 18): schools without accounts, or
that agree by phone, letter or message, reach "agreed" (and then "done") through the
Koordinator or the school's PEKSOS; the scanned letter is a checked upload served through a
permission-checked download. The school's own answer path is unchanged."""

import html
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peksos.core.models import AuditEvent
from visits.models import DateChange, Visit, VisitAgreement, VisitMember

TODAY = datetime(2026, 7, 6, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
TUESDAY = date(2026, 8, 4)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture
def visit_a(school_a, peksos_budi, pendamping_hadi):
    visit = Visit(school=school_a, kind=Visit.Kind.CAMPAIGN)
    visit.set_date(TUESDAY)
    visit.save()
    VisitMember.objects.create(visit=visit, user=peksos_budi, role="peksos")
    VisitMember.objects.create(visit=visit, user=pendamping_hadi, role="pendamping")
    return visit


def url(name, visit) -> str:
    return reverse(f"visits:{name}", args=[visit.pk])


def text(response) -> str:
    return html.unescape(response.content.decode())


DATA = {
    "contact_name": "Ibu Sri Wahyuni",
    "contact_position": "Kepala Sekolah",
    "channel": "telepon",
    "agreed_on": "2026-07-06",
}


def test_peksos_records_an_agreement_by_phone_and_the_visit_can_be_done(
    _today, login, visit_a, peksos_budi
):
    client = login(peksos_budi)
    detail = text(client.get(url("visit-detail", visit_a)))
    assert url("agreement-record", visit_a) in detail
    assert client.get(url("agreement-record", visit_a)).status_code == 200
    response = client.post(url("agreement-record", visit_a), DATA)
    assert response.status_code == 302
    visit_a.refresh_from_db()
    assert visit_a.state == Visit.State.AGREED
    agreement = VisitAgreement.objects.get(visit=visit_a)
    assert (agreement.contact_name, agreement.recorded_by) == ("Ibu Sri Wahyuni", peksos_budi)
    assert AuditEvent.objects.filter(
        action="visit_agreement_recorded", object_id=str(visit_a.pk), actor=peksos_budi
    ).exists()
    page = text(client.get(url("visit-detail", visit_a)))
    assert (
        "Disepakati melalui telepon dengan Ibu Sri Wahyuni (Kepala Sekolah) pada 6 Juli 2026, "
        "dicatat oleh Budi." in page
    )
    _today.move_to(datetime(2026, 8, 4, 15, 0, tzinfo=ZoneInfo("Asia/Jakarta")))
    client = login(peksos_budi)  # a new day, a new session (staff sessions are short)
    assert client.post(url("visit-done", visit_a)).status_code == 302
    visit_a.refresh_from_db()
    assert visit_a.state == Visit.State.DONE


def test_a_scanned_letter_is_checked_stored_and_served_with_permission(
    login, visit_a, koordinator_ani, kepsek_indah, pendamping_hadi, peksos_joko_sdn2
):
    client = login(koordinator_ani)
    letter = SimpleUploadedFile("surat setuju.pdf", PDF, content_type="application/pdf")
    data = {**DATA, "channel": "surat"}
    assert (
        client.post(url("agreement-record", visit_a), {**data, "letter": letter}).status_code == 302
    )
    agreement = VisitAgreement.objects.get(visit=visit_a)
    assert agreement.letter.name.startswith("visit-letters/")
    assert agreement.letter_name == "surat setuju.pdf"
    download = client.get(url("agreement-letter", visit_a))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="visit_agreement_letter_downloaded").count() == 1
    assert login(kepsek_indah).get(url("agreement-letter", visit_a)).status_code == 200
    assert login(pendamping_hadi).get(url("agreement-letter", visit_a)).status_code == 403
    assert login(peksos_joko_sdn2).get(url("agreement-letter", visit_a)).status_code == 404


def test_the_letter_page_is_404_without_a_letter(login, visit_a, koordinator_ani):
    assert login(koordinator_ani).get(url("agreement-letter", visit_a)).status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"letter": SimpleUploadedFile("surat.pdf", b"<html>bukan pdf</html>")}, "bukan PDF"),
        ({"agreed_on": "2026-07-07"}, "tidak boleh di masa depan"),
        ({"channel": "merpati"}, "Masukkan pilihan yang valid"),
        ({"contact_name": "   "}, "tidak boleh kosong"),
    ],
)
def test_bad_input_is_a_form_error_and_keeps_what_was_typed(
    login, visit_a, peksos_budi, change, message
):
    response = login(peksos_budi).post(url("agreement-record", visit_a), {**DATA, **change})
    assert response.status_code == 200
    assert message.lower() in text(response).lower()
    assert "Kepala Sekolah" in text(response)
    visit_a.refresh_from_db()
    assert visit_a.state == Visit.State.PROPOSED
    assert not VisitAgreement.objects.exists()


def test_an_agreed_or_countered_visit_is_refused(login, visit_a, kepsek_indah, peksos_budi):
    DateChange.objects.create(
        visit=visit_a,
        kind=DateChange.Kind.COUNTER,
        from_date=TUESDAY,
        to_date=date(2026, 8, 12),
        reason="Ujian",
        state=DateChange.State.PENDING,
        proposed_by=kepsek_indah,
    )
    client = login(peksos_budi)
    response = client.post(url("agreement-record", visit_a), DATA)
    assert "Tanggal usulan sekolah sedang menunggu" in text(response)
    DateChange.objects.all().delete()
    Visit.objects.filter(pk=visit_a.pk).update(state=Visit.State.AGREED)
    response = client.post(url("agreement-record", visit_a), DATA)
    assert response.status_code == 200
    assert not VisitAgreement.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("peksos_joko_sdn2", 404),  # another school's PEKSOS
        ("psikolog_gita", 404),  # not in the team
        ("pendamping_hadi", 403),  # in the team, cannot record
        ("kepsek_indah", 403),  # answers through the school's own path
        ("sosdesk_citra_sdn1", 403),
        ("guru_eka", 404),
    ],
)
def test_who_may_not_record(request, login, visit_a, persona, status):
    client = login(request.getfixturevalue(persona))
    assert client.post(url("agreement-record", visit_a), DATA).status_code == status
    assert not VisitAgreement.objects.exists()


def test_anonymous_and_wrong_methods(client, login, visit_a, koordinator_ani):
    assert client.get(url("agreement-record", visit_a))["Location"].startswith(
        reverse("accounts:login")
    )
    staff = login(koordinator_ani)
    assert staff.put(url("agreement-record", visit_a)).status_code == 405
    assert staff.post(url("agreement-letter", visit_a)).status_code == 405


def test_the_school_still_answers_itself(login, visit_a, kepsek_indah):
    assert login(kepsek_indah).post(url("visit-accept", visit_a)).status_code == 302
    visit_a.refresh_from_db()
    assert visit_a.state == Visit.State.AGREED
    assert not VisitAgreement.objects.exists()
