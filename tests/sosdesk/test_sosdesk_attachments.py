"""Attachments on the SOS Desk's internal notes: upload with a note, refusals that keep the
typed note, the permission-checked download and its audit row (docs/quality.md S1, S9, S10)."""

import hashlib
import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, TiffImagePlugin

from peksos.core.models import AuditEvent
from peksos.core.uploads import private_storage
from sosdesk.models import Case, CaseAttachment, CaseNote
from sosdesk.services import case_file, case_refer

NOTE = "CANARY-NOTE-4471: the class teacher sent a photo of the bruise."
OUTSIDERS = ["sosdesk_dedi_sdn2", "peksos_joko_sdn2", "kepsek_indah", "guru_eka", "ortu_fajar"]
OUTSIDERS += ["pendamping_hadi", "psikolog_gita"]
HANDLERS = ["sosdesk_citra_sdn1", "peksos_budi", "koordinator_ani"]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def new_case(school) -> Case:
    return case_file(
        school=school,
        channel=Case.Channel.IN_PERSON,
        narrative="A pupil was pushed in the corridor.",
        forms=["fisik"],
        modalities=["fisik"],
        scope="dalam",
        affected=["murid"],
        ongoing_danger="tidak",
    ).case


@pytest.fixture
def case_a(school_a):
    return new_case(school_a)


@pytest.fixture
def case_b(school_b):
    return new_case(school_b)


def gps_photo(name="memar.jpg") -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x8825] = {
        1: "S",
        2: (TiffImagePlugin.IFDRational(5), TiffImagePlugin.IFDRational(6), 0),
    }
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (150, 60, 60)).save(out, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(name="surat.pdf", extra=b"") -> SimpleUploadedFile:
    data = b"%PDF-1.7\n1 0 obj << /Type /Catalog " + extra + b" >> endobj\ntrailer << >>\n%%EOF\n"
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def note_url(case) -> str:
    return reverse("sosdesk:case-note", args=[case.code])


def detail_url(case) -> str:
    return reverse("sosdesk:case-detail", args=[case.code])


def download_url(attachment) -> str:
    return reverse("sosdesk:case-attachment", args=[attachment.case.code, attachment.pk])


def add_note(client, case, *files, body=NOTE):
    return client.post(note_url(case), {"body": body, "attachments": list(files)})


@pytest.fixture
def attachment(login, sosdesk_citra_sdn1, case_a) -> CaseAttachment:
    client = login(sosdesk_citra_sdn1)
    assert add_note(client, case_a, pdf()).status_code == 302
    client.logout()
    return CaseAttachment.objects.get()


# --- Uploading with a note ------------------------------------------------------------------


def test_an_officer_attaches_a_photo_and_a_pdf_to_a_note(
    login, sosdesk_citra_sdn1, case_a, private_media
):
    client = login(sosdesk_citra_sdn1)
    response = add_note(client, case_a, gps_photo(), pdf("Surat Polres.pdf"))
    assert response.status_code == 302 and response["Location"] == detail_url(case_a)
    note = CaseNote.objects.get(case=case_a)
    assert note.body == NOTE
    files = {a.display_name: a for a in note.attachments.all()}
    assert set(files) == {"memar.jpg", "Surat Polres.pdf"}
    photo = files["memar.jpg"]
    assert photo.case == case_a and photo.uploaded_by == sosdesk_citra_sdn1
    assert photo.content_type == "image/jpeg"
    stored = private_media / photo.file.name
    assert re.fullmatch(r"sosdesk/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", photo.file.name)
    data = stored.read_bytes()
    assert b"Exif" not in data and photo.size == len(data)
    with Image.open(stored) as im:
        assert not im.getexif().get_ifd(0x8825)
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.stat().st_mode & 0o077 == 0
    # One audit row for the note, as before.
    assert (
        AuditEvent.objects.filter(action="case_note_added", object_id=str(case_a.pk)).count() == 1
    )
    page = client.get(detail_url(case_a)).content.decode()
    assert download_url(photo) in page and "Surat Polres.pdf" in page
    assert 'enctype="multipart/form-data"' in page


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (lambda: SimpleUploadedFile("x.svg", b"<svg onload=alert(1)></svg>"), "SVG"),
        (lambda: SimpleUploadedFile("a.html", b"<html><script>alert(1)</script></html>"), "SVG"),
        (lambda: SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\0" * 64), "PDF"),
        (lambda: pdf("jahat.pdf", b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "PDF"),
        (lambda: gps_photo("memar.png"), ".png"),
        (lambda: SimpleUploadedFile("kosong.pdf", b""), ""),
    ],
)
def test_a_refused_file_keeps_the_typed_note_and_saves_nothing(
    login, sosdesk_citra_sdn1, case_a, private_media, upload, reason
):
    client = login(sosdesk_citra_sdn1)
    response = add_note(client, case_a, pdf("baik.pdf"), upload())
    assert response.status_code == 400
    form = response.context["note_form"]
    assert form.errors["attachments"]
    assert reason in " ".join(form.errors["attachments"])
    html = response.content.decode()
    assert NOTE in html  # what was typed is still there
    assert '<details class="card mb-2" open>' in html
    assert not CaseNote.objects.exists() and not CaseAttachment.objects.exists()
    assert not private_media.exists() or not any(p.is_file() for p in private_media.rglob("*"))


def test_refusal_messages_are_indonesian_and_name_the_file(login, sosdesk_citra_sdn1, case_a):
    client = login(sosdesk_citra_sdn1)
    response = add_note(client, case_a, SimpleUploadedFile("gambar.svg", b"<svg/>"))
    errors = response.context["note_form"].errors["attachments"]
    assert errors[0].startswith("gambar.svg: ")
    assert "tidak diterima" in errors[0]


def test_at_most_five_files_per_note(login, sosdesk_citra_sdn1, case_a):
    client = login(sosdesk_citra_sdn1)
    response = add_note(client, case_a, *[pdf(f"s{n}.pdf") for n in range(6)])
    assert response.status_code == 400
    assert "5" in response.context["note_form"].errors["attachments"][0]
    assert NOTE in response.content.decode()
    assert not CaseNote.objects.exists()
    assert add_note(client, case_a, *[pdf(f"s{n}.pdf") for n in range(5)]).status_code == 302
    assert CaseAttachment.objects.count() == 5


def test_a_file_over_ten_megabytes_is_refused(login, sosdesk_citra_sdn1, case_a):
    client = login(sosdesk_citra_sdn1)
    big = SimpleUploadedFile("besar.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024 - 8))
    response = add_note(client, case_a, big)
    assert response.status_code == 400
    assert "10 MB" in response.context["note_form"].errors["attachments"][0]
    assert not CaseNote.objects.exists()


def test_a_full_disk_is_a_clear_error_with_no_orphans(
    login, sosdesk_citra_sdn1, case_a, private_media, monkeypatch
):
    storage = private_storage()
    real_save = type(storage)._save
    calls = []

    def failing_save(self, name, content):
        calls.append(name)
        if len(calls) == 2:
            # what a full disk does: part of the file written, then ENOSPC
            (private_media / name).parent.mkdir(parents=True, exist_ok=True)
            (private_media / name).write_bytes(b"partial")
            raise OSError(28, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(type(storage), "_save", failing_save)
    client = login(sosdesk_citra_sdn1)
    response = add_note(client, case_a, pdf("a.pdf"), pdf("b.pdf"))
    assert response.status_code == 400
    assert NOTE in response.content.decode()
    assert "server" in " ".join(response.context["note_form"].non_field_errors()).lower()
    assert not CaseNote.objects.exists() and not CaseAttachment.objects.exists()
    assert not any(p.is_file() for p in private_media.rglob("*"))


def test_a_note_without_files_still_works(login, peksos_budi, case_a):
    client = login(peksos_budi)
    assert add_note(client, case_a).status_code == 302
    assert CaseNote.objects.get().attachments.count() == 0


# --- Downloading ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", HANDLERS)
def test_handlers_download_as_an_attachment_and_each_download_is_audited(
    login, request, persona, attachment
):
    user = request.getfixturevalue(persona)
    client = login(user)
    before = AuditEvent.objects.filter(action="case_attachment_downloaded").count()
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="surat.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    rows = AuditEvent.objects.filter(action="case_attachment_downloaded")
    assert rows.count() == before + 1
    row = rows.first()
    assert row.actor == user and row.object_id == str(attachment.case.pk)


def test_the_download_shows_in_the_case_access_log(login, koordinator_ani, attachment):
    client = login(koordinator_ani)
    client.get(download_url(attachment))
    log = client.get(reverse("sosdesk:case-access-log", args=[attachment.case.code]))
    assert "mengunduh lampiran" in log.content.decode()


def test_anonymous_is_sent_to_login_and_never_gets_the_file(client, attachment):
    response = client.get(download_url(attachment))
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    response = client.post(note_url(attachment.case), {"body": "x", "attachments": [pdf()]})
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    assert CaseNote.objects.count() == 1


def test_wrong_methods(login, koordinator_ani, attachment):
    client = login(koordinator_ani)
    assert client.post(download_url(attachment)).status_code == 405
    assert client.delete(download_url(attachment)).status_code == 405
    assert client.get(note_url(attachment.case)).status_code == 405


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_and_a_denied_row(login, request, persona, attachment):
    client = login(request.getfixturevalue(persona))
    denied = AuditEvent.objects.filter(action="case_access_denied").count()
    assert client.get(download_url(attachment)).status_code == 404
    assert AuditEvent.objects.filter(action="case_access_denied").count() == denied + 1
    assert add_note(client, attachment.case, pdf()).status_code == 404
    assert not AuditEvent.objects.filter(action="case_attachment_downloaded").exists()


def test_a_referred_psikolog_sees_the_case_but_gets_403_for_attachments(
    login, psikolog_gita, koordinator_ani, attachment
):
    case_refer(
        case=attachment.case,
        partner="psikolog",
        reason="Counselling.",
        psikolog=psikolog_gita,
        by=koordinator_ani,
    )
    client = login(psikolog_gita)
    page = client.get(detail_url(attachment.case))
    assert page.status_code == 200
    assert download_url(attachment) not in page.content.decode()
    assert client.get(download_url(attachment)).status_code == 403
    assert add_note(client, attachment.case, pdf()).status_code == 403
    assert not AuditEvent.objects.filter(action="case_attachment_downloaded").exists()


def test_another_cases_attachment_id_is_404(login, sosdesk_dedi_sdn2, attachment, case_b):
    """An officer of school B uses their own case's code with school A's attachment id."""
    client = login(sosdesk_dedi_sdn2)
    url = reverse("sosdesk:case-attachment", args=[case_b.code, attachment.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("code", ["\x00", "a" * 40, "ABC'--"])
def test_odd_codes_and_ids_are_404_never_500(login, koordinator_ani, attachment, code):
    client = login(koordinator_ani)
    url = reverse("sosdesk:case-attachment", args=["X", attachment.pk]).replace("/X/", f"/{code}/")
    assert client.get(url).status_code == 404
    missing = reverse("sosdesk:case-attachment", args=[attachment.case.code, uuid.uuid4()])
    assert client.get(missing).status_code == 404  # an id that is not there


def test_a_file_missing_on_disk_is_404(login, koordinator_ani, attachment, private_media):
    (private_media / attachment.file.name).unlink()
    assert login(koordinator_ani).get(download_url(attachment)).status_code == 404


def test_the_reporters_tracking_page_never_shows_attachments(client, school_a, attachment):
    """Attachments are staff-only: the public tracking page lists messages only."""
    from sosdesk.views.public import TRACKING_KEY

    session = client.session
    session[TRACKING_KEY] = {"case": str(attachment.case.pk), "seen": 10**12}
    session.save()
    page = client.get(reverse("lapor:track-case"))
    html = page.content.decode()
    assert "surat.pdf" not in html and "lampiran" not in html.lower()


def test_the_case_page_query_count_does_not_grow_with_attachments(
    login, sosdesk_citra_sdn1, case_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(sosdesk_citra_sdn1)
    add_note(client, case_a, pdf("a.pdf"))
    client.get(detail_url(case_a))  # warm caches (deadline settings, session)
    with CaptureQueriesContext(connection) as small:
        assert client.get(detail_url(case_a)).status_code == 200
    for n in range(4):
        add_note(client, case_a, *[pdf(f"n{n}-{k}.pdf") for k in range(4)], gps_photo())
    assert CaseAttachment.objects.count() == 1 + 4 * 5
    client.get(detail_url(case_a))
    with CaptureQueriesContext(connection) as large:
        assert client.get(detail_url(case_a)).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_assigning_a_clean_upload_to_a_file_field_keeps_the_generated_name(
    case_a, sosdesk_citra_sdn1, private_media
):
    """The documented way for other apps: `obj.field = clean.as_file(); obj.save()`."""
    from peksos.core.uploads import validate_image

    clean = validate_image(gps_photo(), prefix="visits")
    note = CaseNote.objects.create(case=case_a, body="x", author=sosdesk_citra_sdn1)
    row = CaseAttachment(
        case=case_a,
        note=note,
        display_name=clean.display_name,
        content_type=clean.content_type,
        size=clean.size,
        sha256=clean.sha256,
        uploaded_by=sosdesk_citra_sdn1,
    )
    row.file = clean.as_file()
    row.save()
    assert row.file.name == clean.storage_name
    assert (private_media / clean.storage_name).read_bytes() == clean.content


def test_a_note_with_files_sent_twice_is_saved_once(
    login, sosdesk_citra_sdn1, case_a, private_media
):
    client = login(sosdesk_citra_sdn1)
    for _ in range(2):
        response = client.post(
            note_url(case_a),
            {"body": NOTE, "attachments": [pdf()], "idempotency_key": "dobel" * 4},
        )
        assert response.status_code == 302
    assert CaseNote.objects.count() == 1 and CaseAttachment.objects.count() == 1
    assert len([p for p in private_media.rglob("*") if p.is_file()]) == 1
